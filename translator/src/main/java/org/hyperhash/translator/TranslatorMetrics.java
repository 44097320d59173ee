package org.hyperhash.translator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.translator.bridge.FirmwareFamily;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Translator meters. Every label comes from a closed set (enums below, {@link FirmwareFamily}), never
 * from miner input. Rendered names: {@code hh_translator_shares_total{result,reason}},
 * {@code hh_translator_sv1_connections}, {@code hh_translator_sv1_miners{firmware}},
 * {@code hh_translator_upstream_connected}, {@code hh_translator_upstream_failovers_total} ...
 */
public final class TranslatorMetrics {

    /** Why a share was rejected (label {@code reason}). */
    public enum ShareReject {
        STALE, DUPLICATE, LOW_DIFFICULTY, UNAUTHORIZED, NOT_SUBSCRIBED, BAD_PARAMS, VERSION_BITS, NTIME, TOO_MANY;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** SV1 protocol problems (label {@code kind}). */
    public enum Sv1Problem {
        MALFORMED, LINE_TOO_LONG, UNKNOWN_METHOD, BAD_PARAMS, OVERFLOW, NO_UPSTREAM,
        /** Connection refused: its source already has sv1.max-connections-per-ip open. */
        PER_IP_LIMIT,
        /** Connection refused: its source is banned. */
        BANNED,
        /** Closed: it sent nothing for sv1.idle-timeout. */
        IDLE_TIMEOUT,
        /** Closed: it had not sent both mining.subscribe and mining.authorize within sv1.setup-timeout of connecting. */
        SETUP_TIMEOUT;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Counter accepted;
    private final Map<ShareReject, Counter> rejected = new EnumMap<>(ShareReject.class);
    private final Map<Sv1Problem, Counter> problems = new EnumMap<>(Sv1Problem.class);
    private final Map<FirmwareFamily, AtomicInteger> byFirmware = new EnumMap<>(FirmwareFamily.class);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger upstreamConnected = new AtomicInteger();
    private final AtomicInteger upstreamConnections = new AtomicInteger();
    private final Counter connectionsOpened;
    private final Counter forwarded;
    private final Counter blocks;
    private final Counter upstreamAccepted;
    private final Counter upstreamRejected;
    private final Counter failovers;
    private final Counter connectFailures;
    private final Counter reconnectsSent;
    private final Counter poolReconnects;
    private final Map<Sv2ErrorEvent.Kind, Counter> upstreamErrors = new EnumMap<>(Sv2ErrorEvent.Kind.class);
    private final Map<org.hyperhash.translator.bridge.OpenRetry.Reason, Counter> openRetries =
            new EnumMap<>(org.hyperhash.translator.bridge.OpenRetry.Reason.class);
    private final Map<org.hyperhash.translator.bridge.OpenRetry.GiveUp, Counter> openGiveUps =
            new EnumMap<>(org.hyperhash.translator.bridge.OpenRetry.GiveUp.class);

    public TranslatorMetrics(MeterRegistry r) {
        accepted = Counter.builder("hh.translator.shares").tag("result", "accepted").tag("reason", "ok")
                .description("SV1 shares by result and reason").register(r);
        for (ShareReject s : ShareReject.values()) {
            rejected.put(s, Counter.builder("hh.translator.shares").tag("result", "rejected").tag("reason", s.label())
                    .description("SV1 shares by result and reason").register(r));
        }
        for (Sv1Problem p : Sv1Problem.values()) {
            problems.put(p, Counter.builder("hh.translator.sv1.errors").tag("kind", p.label())
                    .description("SV1 protocol errors answered with a JSON-RPC error or a disconnect").register(r));
        }
        for (FirmwareFamily f : FirmwareFamily.values()) {
            AtomicInteger n = new AtomicInteger();
            byFirmware.put(f, n);
            Gauge.builder("hh.translator.sv1.miners", n, AtomicInteger::get).tag("firmware", f.label())
                    .description("subscribed SV1 miners by firmware family (from the user agent)").strongReference(true).register(r);
        }
        Gauge.builder("hh.translator.sv1.connections", connections, AtomicInteger::get)
                .description("open SV1 connections").strongReference(true).register(r);
        Gauge.builder("hh.translator.upstream.connected", upstreamConnected, AtomicInteger::get)
                .description("1 when the upstream extended channel is open").strongReference(true).register(r);
        Gauge.builder("hh.translator.upstream.connections", upstreamConnections, AtomicInteger::get)
                .description("SV2 connections open to the active pool (per-miner mode opens more than one when the"
                        + " miners' channels exceed upstream.channels-per-connection)").strongReference(true).register(r);
        connectionsOpened = Counter.builder("hh.translator.sv1.connections.opened")
                .description("SV1 connections accepted").register(r);
        forwarded = Counter.builder("hh.translator.shares.forwarded")
                .description("SV1 shares that met the upstream target and were sent as SubmitSharesExtended").register(r);
        blocks = Counter.builder("hh.translator.blocks.found")
                .description("SV1 shares meeting the network target (sent upstream)").register(r);
        upstreamAccepted = Counter.builder("hh.translator.upstream.shares").tag("result", "accepted")
                .description("shares the upstream pool answered, by result").register(r);
        upstreamRejected = Counter.builder("hh.translator.upstream.shares").tag("result", "rejected")
                .description("shares the upstream pool answered, by result").register(r);
        failovers = Counter.builder("hh.translator.upstream.failovers")
                .description("switches of the active upstream pool").register(r);
        connectFailures = Counter.builder("hh.translator.upstream.connect.failures")
                .description("failed attempts to connect to an upstream pool").register(r);
        reconnectsSent = Counter.builder("hh.translator.sv1.reconnects.sent")
                .description("client.reconnect sent to miners").register(r);
        poolReconnects = Counter.builder("hh.translator.upstream.pool.reconnects")
                .description("SV2 Reconnect requests from the pool that were followed").register(r);
        for (Sv2ErrorEvent.Kind k : Sv2ErrorEvent.Kind.values()) {
            upstreamErrors.put(k, Counter.builder("hh.translator.upstream.errors").tag("kind", k.label())
                    .description("upstream SV2/Noise errors that closed the pool connection").register(r));
        }
        for (var k : org.hyperhash.translator.bridge.OpenRetry.Reason.values()) {
            openRetries.put(k, Counter.builder("hh.translator.upstream.channel.open.retries").tag("reason", k.label())
                    .description("upstream channel requests retried after a transient OpenMiningChannel.Error"
                            + " (SV1 miners stay connected)").register(r));
        }
        for (var k : org.hyperhash.translator.bridge.OpenRetry.GiveUp.values()) {
            openGiveUps.put(k, Counter.builder("hh.translator.upstream.channel.open.giveups").tag("reason", k.label())
                    .description("pool connections given up (failover) after a refused upstream channel: a permanent"
                            + " error code, or no channel within upstream.open-retry.max-wait").register(r));
        }
    }

    public void channelOpenRetry(org.hyperhash.translator.bridge.OpenRetry.Reason reason) {
        openRetries.get(reason).increment();
    }

    public double channelOpenRetryCount(org.hyperhash.translator.bridge.OpenRetry.Reason reason) {
        return openRetries.get(reason).count();
    }

    public void channelOpenGiveUp(org.hyperhash.translator.bridge.OpenRetry.GiveUp reason) {
        openGiveUps.get(reason).increment();
    }

    public double channelOpenGiveUpCount(org.hyperhash.translator.bridge.OpenRetry.GiveUp reason) {
        return openGiveUps.get(reason).count();
    }

    public void shareAccepted() {
        accepted.increment();
    }

    public void shareRejected(ShareReject reason) {
        rejected.get(reason).increment();
    }

    public void problem(Sv1Problem p) {
        problems.get(p).increment();
    }

    public void connectionOpened() {
        connections.incrementAndGet();
        connectionsOpened.increment();
    }

    public void connectionClosed() {
        connections.decrementAndGet();
    }

    public void minerSubscribed(FirmwareFamily f) {
        byFirmware.get(f).incrementAndGet();
    }

    public void minerGone(FirmwareFamily f) {
        byFirmware.get(f).decrementAndGet();
    }

    public void shareForwarded() {
        forwarded.increment();
    }

    public void blockFound() {
        blocks.increment();
    }

    public void upstreamAcks(long acceptedCount) {
        upstreamAccepted.increment(acceptedCount);
    }

    public void upstreamReject() {
        upstreamRejected.increment();
    }

    public void upstreamConnected(boolean up) {
        upstreamConnected.set(up ? 1 : 0);
    }

    /** Ready SV2 connections to the active pool (0 while disconnected). */
    public void upstreamConnections(int n) {
        upstreamConnections.set(n);
    }

    public int upstreamConnectionsValue() {
        return upstreamConnections.get();
    }

    public int upstreamConnectedValue() {
        return upstreamConnected.get();
    }

    public void failover() {
        failovers.increment();
    }

    public void connectFailure() {
        connectFailures.increment();
    }

    public double connectFailureCount() {
        return connectFailures.count();
    }

    public void upstreamError(Sv2ErrorEvent.Kind kind) {
        upstreamErrors.get(kind).increment();
    }

    public double upstreamErrorCount(Sv2ErrorEvent.Kind kind) {
        return upstreamErrors.get(kind).count();
    }

    public void poolReconnect() {
        poolReconnects.increment();
    }

    public double poolReconnectCount() {
        return poolReconnects.count();
    }

    public void reconnectSent() {
        reconnectsSent.increment();
    }

    public double acceptedCount() {
        return accepted.count();
    }

    public double rejectedCount(ShareReject r) {
        return rejected.get(r).count();
    }

    public double forwardedCount() {
        return forwarded.count();
    }

    public double failoverCount() {
        return failovers.count();
    }

    public int connections() {
        return connections.get();
    }
}
