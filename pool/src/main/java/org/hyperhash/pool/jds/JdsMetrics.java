package org.hyperhash.pool.jds;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** The job declarator's meters ({@code hh_pool_jds_*}, {@code hh_pool_custom_jobs_total}); label sets are fixed enums. */
public final class JdsMetrics {
    /** Outcome of one DeclareMiningJob. */
    public enum Declaration { ACCEPTED, INVALID_TOKEN, INVALID_COINBASE, INVALID_JOB, MISSING_TXS }

    /** Why the JDS refused or closed a connection. */
    public enum Refusal { SETUP, TOKEN_LIMIT, PROTOCOL_VIOLATION, MAX_CONNECTIONS }

    /** Outcome of one PushSolution. */
    public enum Push { SUBMITTED, NOT_SUBMITTED, INVALID, UNKNOWN_JOB }

    /** Outcome of one SetCustomMiningJob on the mining port: accepted, or the error code's enum. */
    public enum CustomJob {
        ACCEPTED, JD_NOT_SUPPORTED, INVALID_CHANNEL_ID, INVALID_MINING_JOB_TOKEN, STALE_CHAIN_TIP, INVALID_MIN_NTIME,
        INVALID_NBITS, INVALID_VERSION, INVALID_COINBASE_TX, INVALID_COINBASE_TX_VERSION, INVALID_COINBASE_PREFIX,
        INVALID_COINBASE_TX_INPUT_N_SEQUENCE, INVALID_COINBASE_TX_OUTPUTS, INVALID_COINBASE_TX_LOCKTIME,
        INVALID_MERKLE_PATH;

        /** The SRI error string. */
        public String code() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public final AtomicInteger connections = new AtomicInteger();
    public final Counter tokensAllocated;
    public final Counter missingTransactionRequests;
    public final Timer declareLatency;
    private final Map<Declaration, Counter> declarations = new EnumMap<>(Declaration.class);
    private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
    private final Map<Push, Counter> pushes = new EnumMap<>(Push.class);
    private final Map<CustomJob, Counter> customJobs = new EnumMap<>(CustomJob.class);

    public JdsMetrics(MeterRegistry r) {
        Gauge.builder("hh.pool.jds.connections", connections, AtomicInteger::get)
                .description("open job declaration connections").register(r);
        tokensAllocated = Counter.builder("hh.pool.jds.tokens.allocated").description("AllocateMiningJobToken.Success sent")
                .register(r);
        missingTransactionRequests = Counter.builder("hh.pool.jds.missing.transaction.requests")
                .description("ProvideMissingTransactions sent (declared wtxids not in the JDS mempool view)").register(r);
        declareLatency = Timer.builder("hh.pool.jds.declare.latency").description(
                "DeclareMiningJob read -> .Success written (includes a ProvideMissingTransactions round trip)")
                .publishPercentiles(0.5, 0.99).register(r);
        for (Declaration d : Declaration.values()) {
            declarations.put(d, Counter.builder("hh.pool.jds.declarations").tag("result", d.name().toLowerCase(Locale.ROOT))
                    .description("DeclareMiningJob outcomes").register(r));
        }
        for (Refusal x : Refusal.values()) {
            refused.put(x, Counter.builder("hh.pool.jds.refused").tag("reason", x.name().toLowerCase(Locale.ROOT))
                    .description("JD connections refused or closed for abuse or bad setup").register(r));
        }
        for (Push p : Push.values()) {
            pushes.put(p, Counter.builder("hh.pool.jds.push.solutions").tag("result", p.name().toLowerCase(Locale.ROOT))
                    .description("PushSolution outcomes").register(r));
        }
        for (CustomJob c : CustomJob.values()) {
            customJobs.put(c, Counter.builder("hh.pool.custom.jobs").tag("result", c.name().toLowerCase(Locale.ROOT))
                    .description("SetCustomMiningJob outcomes on the mining port").register(r));
        }
    }

    public void declaration(Declaration d) {
        declarations.get(d).increment();
    }

    public void refused(Refusal r) {
        refused.get(r).increment();
    }

    public void push(Push p) {
        pushes.get(p).increment();
    }

    public void customJob(CustomJob c) {
        customJobs.get(c).increment();
    }

    public double pushes(Push p) {
        return pushes.get(p).count();
    }

    public double declarations(Declaration d) {
        return declarations.get(d).count();
    }

    public double customJobs(CustomJob c) {
        return customJobs.get(c).count();
    }
}
