package org.hyperhash.treasury;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Treasury meters (no per-miner labels): {@code hh_treasury_payouts_total{result}}, {@code hh_treasury_payout_latency_seconds}
 * (trigger to settled), {@code hh_treasury_owed_sats}, {@code hh_treasury_channel_local_balance_sats},
 * {@code hh_treasury_channel_remote_balance_sats}, {@code hh_treasury_channels}, {@code hh_treasury_payouts_in_flight},
 * {@code hh_treasury_payouts_paused}, {@code hh_treasury_blocks_credited_total}, {@code hh_treasury_blocks_orphaned_total},
 * {@code hh_treasury_errors_total{stage}}, {@code hh_treasury_leader} (1 = this process holds the leader lease and pays),
 * {@code hh_treasury_leader_changes_total}.
 */
public final class TreasuryMetrics {
    /** Payout results (bounded label set). */
    public enum Result { SUCCEEDED, FAILED, UNKNOWN, REFUSED, DRY_RUN }

    private final MeterRegistry registry;
    private final Map<Result, Counter> payouts = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Timer latency;
    public final AtomicLong owedSats = new AtomicLong();
    public final AtomicLong localSats = new AtomicLong();
    public final AtomicLong remoteSats = new AtomicLong();
    public final AtomicLong channels = new AtomicLong();
    public final AtomicLong inFlight = new AtomicLong();
    public final AtomicLong paused = new AtomicLong();
    /** Whether this process holds the leader lease now (its local deadline, not the last renewal's answer). */
    public volatile java.util.function.BooleanSupplier leader = () -> false;
    private final Counter leaderChanges;
    private final Counter blocksCredited;
    private final Counter blocksOrphaned;

    public TreasuryMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Result r : Result.values()) {
            payouts.put(r, Counter.builder("hh.treasury.payouts").tag("result", r.name().toLowerCase(java.util.Locale.ROOT))
                    .description("payouts by result").register(registry));
        }
        latency = Timer.builder("hh.treasury.payout.latency").description("from payout trigger to settled")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
        Gauge.builder("hh.treasury.owed.sats", owedSats, AtomicLong::get).description("sum of miner balances").register(registry);
        Gauge.builder("hh.treasury.channel.local.balance.sats", localSats, AtomicLong::get).register(registry);
        Gauge.builder("hh.treasury.channel.remote.balance.sats", remoteSats, AtomicLong::get).register(registry);
        Gauge.builder("hh.treasury.channels", channels, AtomicLong::get).description("active channels").register(registry);
        Gauge.builder("hh.treasury.payouts.in.flight", inFlight, AtomicLong::get).register(registry);
        Gauge.builder("hh.treasury.payouts.paused", paused, AtomicLong::get).register(registry);
        Gauge.builder("hh.treasury.leader", this, m -> m.leader.getAsBoolean() ? 1 : 0)
                .description("1 when this treasury holds the leader lease (computes PPLNS and pays), 0 when standing by").register(registry);
        leaderChanges = Counter.builder("hh.treasury.leader.changes").description("times this process became or stopped being the leader")
                .register(registry);
        blocksCredited = Counter.builder("hh.treasury.blocks.credited").register(registry);
        blocksOrphaned = Counter.builder("hh.treasury.blocks.orphaned").register(registry);
    }

    public void leaderChange() {
        leaderChanges.increment();
    }

    public void payout(Result r) {
        payouts.get(r).increment();
    }

    public double payouts(Result r) {
        return payouts.get(r).count();
    }

    public void latency(Duration d) {
        latency.record(d);
    }

    public Timer latencyTimer() {
        return latency;
    }

    public void blocks(int credited, int orphaned) {
        blocksCredited.increment(credited);
        blocksOrphaned.increment(orphaned);
    }

    /** stage: lnd, bitcoind, lnurl, db (bounded). */
    public void error(String stage) {
        errors.computeIfAbsent(stage, s -> Counter.builder("hh.treasury.errors").tag("stage", s).register(registry)).increment();
    }
}
