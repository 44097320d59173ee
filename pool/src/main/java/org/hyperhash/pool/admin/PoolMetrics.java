package org.hyperhash.pool.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;

/**
 * Every pool meter, created once (hot paths only increment pre-built counters). Labels come from
 * bounded sets only (reject reason, channel type, error kind); never a user, address or IP.
 */
public final class PoolMetrics {
    /** Channel kinds for the channels gauge. */
    public enum ChannelKind { STANDARD, EXTENDED, GROUP }

    /** Why a connection was refused or closed by the pool (bounded label set). */
    public enum Drop { MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP, BANNED, SETUP_TIMEOUT, IDLE_TIMEOUT, SLOW_CONSUMER,
        PROTOCOL_VIOLATION, SETUP_ERROR, SHUTDOWN }

    /**
     * Outcome of a fallback submitblock: accepted (null result), duplicate (the node already has it, e.g.
     * from the TP), rejected (a reason, incl. duplicate), error (RPC/HTTP
     * failure), no_transactions (the TP could not give the block's transactions), dropped (too many in flight).
     */
    public enum SubmitBlockResult { ACCEPTED, DUPLICATE, ORPHANED, REJECTED, ERROR, NO_TRANSACTIONS, DROPPED }

    /**
     * A RequestTransactionData answer for the submitblock fallback's cache: ok (data received), error (none: an
     * Error, no provider, timeout), too_large (data above the cache's byte bound, not kept).
     */
    public enum TransactionDataPrefetch { OK, ERROR, TOO_LARGE }

    /** Why the fallback's transaction data cache dropped a template: count or bytes bound. */
    public enum TransactionDataEviction { COUNT, BYTES }

    public final AtomicInteger connections = new AtomicInteger();
    private final Map<ChannelKind, AtomicInteger> channels = new EnumMap<>(ChannelKind.class);
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Map<Drop, Counter> drops = new EnumMap<>(Drop.class);
    private final Map<Sv2ErrorEvent.Kind, Counter> protocolErrors = new EnumMap<>(Sv2ErrorEvent.Kind.class);
    public final Counter sharesAccepted;
    public final Counter workAccepted;
    public final Counter blocksFound;
    public final Counter blocksSubmitFailed;
    public final Counter bans;
    public final Counter bansRefused;
    public final Counter openChannelErrors;
    public final Counter shareRateLimited;
    public final Counter tlvIgnored;
    public final Counter nonUtf8Messages;
    public final Counter workersRefused;
    public final Counter handshakes;
    public final Counter handshakeFailures;
    public final Counter shareLogBackpressure;
    public final Counter shareLogFlushFailures;
    public final Counter shareLogRejectsDropped;
    public final Counter shareLogBlocksOverflow;
    public final Counter dispatcherDropped;
    public final Counter templatesReceived;
    public final Counter invalidTemplates;
    public final Timer fanOutLatency;
    public final Counter fanOutPasses;
    public final Counter futureHoldExpired;
    public final Timer templateLatency;
    public final Timer blockFoundLatency;
    public final Timer submitBlockLatency;
    private final Map<SubmitBlockResult, Counter> submitBlock = new EnumMap<>(SubmitBlockResult.class);
    private final Map<TransactionDataPrefetch, Counter> transactionDataPrefetch =
            new EnumMap<>(TransactionDataPrefetch.class);
    private final Map<TransactionDataEviction, Counter> transactionDataEvicted =
            new EnumMap<>(TransactionDataEviction.class);
    /** Bytes of template transactions held for the submitblock fallback. */
    public final AtomicLong transactionDataCachedBytes = new AtomicLong();
    public final DistributionSummary shareLogBatchRows;
    /** One successful share-log flush (one upsert transaction into the ledger). */
    public final Timer shareLogFlush;
    public final AtomicLong bannedIps = new AtomicLong();
    private final MeterRegistry registry;

    public PoolMetrics(MeterRegistry r) {
        this.registry = r;
        Gauge.builder("hh.pool.connections", connections, AtomicInteger::get).description("open miner connections")
                .strongReference(true).register(r);
        for (ChannelKind k : ChannelKind.values()) {
            AtomicInteger a = new AtomicInteger();
            channels.put(k, a);
            Gauge.builder("hh.pool.channels", a, AtomicInteger::get).tag("type", k.name().toLowerCase())
                    .description("open mining channels by type").strongReference(true).register(r);
        }
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, Counter.builder("hh.pool.shares.rejected").tag("reason", reasonLabel(reason))
                    .description("rejected shares by reason").register(r));
        }
        for (Drop d : Drop.values()) {
            drops.put(d, Counter.builder("hh.pool.connections.dropped").tag("reason", d.name().toLowerCase())
                    .description("connections refused or closed by the pool").register(r));
        }
        for (Sv2ErrorEvent.Kind k : Sv2ErrorEvent.Kind.values()) {
            protocolErrors.put(k, Counter.builder("hh.pool.protocol.errors").tag("kind", k.label())
                    .description("SV2 framing/noise/decode errors (connection closed)").register(r));
        }
        sharesAccepted = Counter.builder("hh.pool.shares.accepted").description("accepted shares").register(r);
        workAccepted = Counter.builder("hh.pool.work.accepted").description("sum of accepted share difficulty").register(r);
        blocksFound = Counter.builder("hh.pool.blocks.found").description("shares meeting the network target").register(r);
        blocksSubmitFailed = Counter.builder("hh.pool.blocks.submit.failed")
                .description("found blocks that could not be sent to a template provider").register(r);
        bans = Counter.builder("hh.pool.bans").description("IP bans issued").register(r);
        bansRefused = Counter.builder("hh.pool.bans.refused")
                .description("bans not recorded because the ban table was full").register(r);
        openChannelErrors = Counter.builder("hh.pool.channel.open.errors").description("OpenMiningChannel.Error sent")
                .register(r);
        tlvIgnored = Counter.builder("hh.pool.tlv.ignored")
                .description("TLV fields on SubmitSharesExtended ignored (extension not negotiated, unknown, invalid)")
                .register(r);
        nonUtf8Messages = Counter.builder("hh.pool.messages.non.utf8")
                .description("messages with a STR0_255 that is not UTF-8 (answered with their error, not closed)")
                .register(r);
        workersRefused = Counter.builder("hh.pool.workers.refused")
                .description("worker names not tracked because a per-address or per-connection bound was reached")
                .register(r);
        handshakes = Counter.builder("hh.pool.handshakes")
                .description("SV2 connections accepted into a handshake (Noise, then SetupConnection)").register(r);
        handshakeFailures = Counter.builder("hh.pool.handshake.failures")
                .description("SV2 connections closed before SetupConnection.Success (Noise error, timeout, refused setup)")
                .register(r);
        shareRateLimited = Counter.builder("hh.pool.share.rate.limited")
                .description("difficulty raised at once because a channel exceeded vardiff.max-shares-per-second")
                .register(r);
        shareLogBackpressure = Counter.builder("hh.pool.sharelog.backpressure")
                .description("shares that found the share-log queue full (connection paused, share kept)").register(r);
        shareLogRejectsDropped = Counter.builder("hh.pool.sharelog.rejects.dropped")
                .description("rejected shares not counted in the per-worker statistics (share-log reject queue full)").register(r);
        shareLogBlocksOverflow = Counter.builder("hh.pool.sharelog.blocks.overflow")
                .description("found blocks kept past the share log's 10,000-block queue (the ledger not keeping up; never dropped)")
                .register(r);
        shareLogFlushFailures = Counter.builder("hh.pool.sharelog.flush.failures")
                .description("ledger flushes that failed (retried)").register(r);
        dispatcherDropped = Counter.builder("hh.pool.dispatcher.dropped")
                .description("template events dropped because the dispatcher mailbox was full").register(r);
        templatesReceived = Counter.builder("hh.pool.templates.received")
                .description("NewTemplate messages received from the template provider").register(r);
        invalidTemplates = Counter.builder("hh.pool.templates.invalid")
                .description("templates refused as unusable (no jobs built from them)").register(r);
        fanOutPasses = Counter.builder("hh.pool.job.fanout.passes")
                .description("event-loop passes writing work changes to every session of the loop (a new block: one"
                        + " per loop when its future job and its tip travel together)").register(r);
        futureHoldExpired = Counter.builder("hh.pool.job.future.hold.expired")
                .description("future jobs sent without their SetNewPrevHash after waiting the hold time for it").register(r);
        fanOutLatency = Timer.builder("hh.pool.job.fanout.latency").publishPercentileHistogram()
                .description("template/prevhash received -> jobs written and flushed, per event loop")
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(5)).register(r);
        templateLatency = Timer.builder("hh.pool.template.latency").publishPercentileHistogram()
                .serviceLevelObjectives(Duration.ofMillis(50), Duration.ofMillis(500)) // the manual's thresholds
                .description("TDP message received -> jobs built on the dispatcher")
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(5)).register(r);
        blockFoundLatency = Timer.builder("hh.pool.block.found.latency").publishPercentileHistogram()
                .description("share read -> SubmitSolution handed to the template provider connection")
                .minimumExpectedValue(Duration.ofNanos(10_000)).maximumExpectedValue(Duration.ofSeconds(1)).register(r);
        submitBlockLatency = Timer.builder("hh.pool.block.submitblock.latency").publishPercentileHistogram()
                .description("share read -> bitcoind answered the fallback submitblock")
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(r);
        for (SubmitBlockResult k : SubmitBlockResult.values()) {
            submitBlock.put(k, Counter.builder("hh.pool.blocks.submitblock").tag("result", k.name().toLowerCase())
                    .description("fallback submitblock calls to bitcoind by outcome").register(r));
        }
        for (TransactionDataPrefetch k : TransactionDataPrefetch.values()) {
            transactionDataPrefetch.put(k, Counter.builder("hh.pool.transaction.data.prefetch")
                    .tag("result", k.name().toLowerCase())
                    .description("RequestTransactionData answers fetched for the submitblock fallback, by outcome")
                    .register(r));
        }
        for (TransactionDataEviction k : TransactionDataEviction.values()) {
            transactionDataEvicted.put(k, Counter.builder("hh.pool.transaction.data.evicted")
                    .tag("reason", k.name().toLowerCase())
                    .description("templates dropped from the submitblock fallback's transaction cache, by bound")
                    .register(r));
        }
        Gauge.builder("hh.pool.transaction.data.cached.bytes", transactionDataCachedBytes, AtomicLong::get)
                .description("bytes of template transactions held for the submitblock fallback").strongReference(true).register(r);
        shareLogBatchRows = DistributionSummary.builder("hh.pool.sharelog.batch.rows")
                .description("shares written per ledger flush").register(r);
        shareLogFlush = Timer.builder("hh.pool.sharelog.flush").publishPercentileHistogram()
                .description("one share-log flush: the upsert transaction of the accumulated share windows into the ledger")
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)).register(r);
        Gauge.builder("hh.pool.bans.active", bannedIps, AtomicLong::get).description("currently banned IPs").strongReference(true).register(r);
    }

    /**
     * The Noise responder's ephemeral key reserve: keys ready, and handshakes whose key came from the reserve (hit)
     * or was made inline (miss), keys made for it and keys wiped unused at their maximum age.
     */
    public void noiseKeyReserve(org.hyperhash.sv2.noise.EphemeralKeyReserve k) {
        Gauge.builder("hh.pool.noise.key.reserve", k, org.hyperhash.sv2.noise.EphemeralKeyReserve::size)
                .description("Noise responder ephemeral key pairs made ahead of time and ready").register(registry);
        FunctionCounter.builder("hh.pool.noise.key.reserve.takes", k,
                        org.hyperhash.sv2.noise.EphemeralKeyReserve::hits).tag("result", "hit")
                .description("Noise handshakes by where the responder's ephemeral key came from (hit: the reserve, "
                        + "miss: made inline)").register(registry);
        FunctionCounter.builder("hh.pool.noise.key.reserve.takes", k,
                        org.hyperhash.sv2.noise.EphemeralKeyReserve::misses).tag("result", "miss")
                .description("Noise handshakes by where the responder's ephemeral key came from (hit: the reserve, "
                        + "miss: made inline)").register(registry);
        FunctionCounter.builder("hh.pool.noise.key.reserve.made", k, org.hyperhash.sv2.noise.EphemeralKeyReserve::made)
                .description("ephemeral key pairs made for the reserve while the pool was quiet").register(registry);
        FunctionCounter.builder("hh.pool.noise.key.reserve.expired", k,
                        org.hyperhash.sv2.noise.EphemeralKeyReserve::expired)
                .description("reserved ephemeral key pairs wiped unused at sv2.noise-key-reserve-max-age").register(registry);
    }

    public void gauge(String name, String description, DoubleSupplier f) {
        org.hyperhash.daemon.Metrics.gauge(registry, name, description, f);
    }

    public AtomicInteger channels(ChannelKind k) {
        return channels.get(k);
    }

    private static final String[] REASON_LABELS = java.util.Arrays.stream(RejectReason.values())
            .map(r -> r.name().toLowerCase(java.util.Locale.ROOT)).toArray(String[]::new);

    /** The lower-case name of a reject reason: the metric label and the ledger's worker_rejects.reason (no allocation). */
    public static String reasonLabel(RejectReason r) {
        return REASON_LABELS[r.ordinal()];
    }

    public void rejected(RejectReason r) {
        rejected.get(r).increment();
    }

    public double rejectedCount(RejectReason r) {
        return rejected.get(r).count();
    }

    public void submitBlock(SubmitBlockResult r) {
        submitBlock.get(r).increment();
    }

    public double submitBlockCount(SubmitBlockResult r) {
        return submitBlock.get(r).count();
    }

    public void transactionDataPrefetch(TransactionDataPrefetch r) {
        transactionDataPrefetch.get(r).increment();
    }

    public double transactionDataPrefetchCount(TransactionDataPrefetch r) {
        return transactionDataPrefetch.get(r).count();
    }

    public void transactionDataEvicted(TransactionDataEviction r) {
        transactionDataEvicted.get(r).increment();
    }

    public double transactionDataEvictedCount(TransactionDataEviction r) {
        return transactionDataEvicted.get(r).count();
    }

    public void dropped(Drop d) {
        drops.get(d).increment();
    }

    public double droppedCount(Drop d) {
        return drops.get(d).count();
    }

    public void protocolError(Sv2ErrorEvent.Kind k) {
        protocolErrors.get(k).increment();
    }

    public double protocolErrorCount(Sv2ErrorEvent.Kind k) {
        return protocolErrors.get(k).count();
    }
}
