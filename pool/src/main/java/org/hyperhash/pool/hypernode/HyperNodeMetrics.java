package org.hyperhash.pool.hypernode;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleSupplier;
import org.hyperhash.daemon.Metrics;

/** The Hyper Node's meters ({@code hh_jdc_*}); every label comes from a fixed enum, all pre-registered at zero. */
public final class HyperNodeMetrics {
    /**
     * One change of the pool mined on: left it (refused, timeout, closed; to solo at once, then the next pool),
     * connected to one from solo, or switched from a less preferred pool back to a preferred one.
     */
    public enum Switch { REFUSED, TIMEOUT, CLOSED, CONNECTED, PREFERRED_BACK }

    /** Why connecting to a pool failed (it then cools down). */
    public enum ConnectFailure { UNREACHABLE, REFUSED, TIMEOUT, CLOSED }

    /** Outcome of one job's declaration to the current pool. */
    public enum Declaration { ACCEPTED, STALE_CHAIN_TIP_RETRIED, REFUSED, TIMEOUT, CLOSED, NO_TRANSACTIONS, SUPERSEDED }

    /**
     * Why an accepted local share meeting the upstream target was not forwarded: its template's custom job is not
     * (yet) set upstream, it was built for a pool since left, or the upstream connection is gone or not reading.
     */
    public enum NotForwarded { UNDECLARED, OLD_UPSTREAM, DISCONNECTED }

    private final Map<Switch, Counter> switches = new EnumMap<>(Switch.class);
    private final Map<ConnectFailure, Counter> connectFailures = new EnumMap<>(ConnectFailure.class);
    private final Map<Declaration, Counter> declarations = new EnumMap<>(Declaration.class);
    private final Map<NotForwarded, Counter> notForwarded = new EnumMap<>(NotForwarded.class);
    public final Counter sharesForwarded;
    public final Counter sharesAcknowledged;
    public final Counter sharesRejectedUpstream;
    public final Counter solutionsPushed;
    public final Timer declarationLatency;

    public HyperNodeMetrics(MeterRegistry r, DoubleSupplier upstreamIndex, DoubleSupplier solo) {
        for (Switch s : Switch.values()) {
            switches.put(s, Counter.builder("hh.jdc.switches").tag("reason", s.name().toLowerCase(Locale.ROOT))
                    .description("changes of the pool mined on: left one (refused, timeout, closed), connected from"
                            + " solo, or back to a preferred one after its cooldown").register(r));
        }
        for (ConnectFailure f : ConnectFailure.values()) {
            connectFailures.put(f, Counter.builder("hh.jdc.connect.failures").tag("reason", f.name().toLowerCase(Locale.ROOT))
                    .description("failed attempts to connect to an upstream pool (JD + mining + token)").register(r));
        }
        for (Declaration d : Declaration.values()) {
            declarations.put(d, Counter.builder("hh.jdc.declarations").tag("result", d.name().toLowerCase(Locale.ROOT))
                    .description("job declarations (DeclareMiningJob + SetCustomMiningJob) to the current pool")
                    .register(r));
        }
        for (NotForwarded n : NotForwarded.values()) {
            notForwarded.put(n, Counter.builder("hh.jdc.shares.not.forwarded").tag("reason", n.name().toLowerCase(Locale.ROOT))
                    .description("local shares meeting the upstream target that could not be forwarded").register(r));
        }
        sharesForwarded = Counter.builder("hh.jdc.shares.forwarded")
                .description("local shares meeting the upstream target sent to the pool on custom jobs").register(r);
        sharesAcknowledged = Counter.builder("hh.jdc.shares.acknowledged")
                .description("forwarded shares the pool acknowledged (SubmitShares.Success counts)").register(r);
        sharesRejectedUpstream = Counter.builder("hh.jdc.shares.rejected")
                .description("forwarded shares the pool rejected (SubmitShares.Error)").register(r);
        solutionsPushed = Counter.builder("hh.jdc.solutions.pushed")
                .description("blocks found on custom jobs pushed to the pool's JDS (PushSolution)").register(r);
        declarationLatency = Timer.builder("hh.jdc.declaration.latency")
                .description("template activated -> SetCustomMiningJob.Success (transactions, token, declaration, job)")
                .publishPercentiles(0.5, 0.99).register(r);
        Metrics.gauge(r, "hh.jdc.upstream.pool.index", "index of the upstream pool mined on (0 = most preferred),"
                + " -1 when solo", upstreamIndex);
        Metrics.gauge(r, "hh.jdc.solo", "1 while mining solo on the operator's address (no upstream pool)", solo);
    }

    public void switched(Switch s) {
        switches.get(s).increment();
    }

    public double switches(Switch s) {
        return switches.get(s).count();
    }

    public void connectFailed(ConnectFailure f) {
        connectFailures.get(f).increment();
    }

    public double connectFailures(ConnectFailure f) {
        return connectFailures.get(f).count();
    }

    public void declaration(Declaration d) {
        declarations.get(d).increment();
    }

    public double declarations(Declaration d) {
        return declarations.get(d).count();
    }

    public void notForwarded(NotForwarded n) {
        notForwarded.get(n).increment();
    }
}
