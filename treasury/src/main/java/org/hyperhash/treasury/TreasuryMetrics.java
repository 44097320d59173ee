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
 * {@code hh_treasury_leader_changes_total}, {@code hh_treasury_retention_pruned_rows_total{table}} (rows the retention job
 * deleted: share_windows, worker_hours, worker_rejects), {@code hh_treasury_retention_last_run_timestamp_seconds} (end of
 * the last complete retention run, 0: none yet), {@code hh_treasury_retention_share_windows_cutoff_timestamp_seconds}
 * (share windows before it were deleted by that run; earlier than now - retention.share-windows when a block not yet
 * matured or the next block's PPLNS window needs them; 0: nothing deleted because no block is in the ledger yet).
 */
public final class TreasuryMetrics {
    /** Payout results (bounded label set). */
    public enum Result { SUCCEEDED, FAILED, UNKNOWN, REFUSED, DRY_RUN }

    private final MeterRegistry registry;
    private final Map<Result, Counter> payouts = new ConcurrentHashMap<>();
    /** Stages of {@code hh_treasury_errors_total{stage}}, registered at zero so alerts see the series from the start. */
    public static final java.util.List<String> ERROR_STAGES = java.util.List.of("bitcoind", "lnd", "lnurl", "db", "retention");
    /** Tables of {@code hh_treasury_retention_pruned_rows_total{table}}. */
    public static final java.util.List<String> RETENTION_TABLES = java.util.List.of("share_windows", "worker_hours", "worker_rejects");
    private final Map<String, Counter> pruned = new ConcurrentHashMap<>();
    private final AtomicLong retentionLastRunMs = new AtomicLong();
    private final AtomicLong retentionCutoffMs = new AtomicLong();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Timer latency;
    public final AtomicLong owedSats = new AtomicLong();
    public final AtomicLong localSats = new AtomicLong();
    public final AtomicLong remoteSats = new AtomicLong();
    public final AtomicLong channels = new AtomicLong();
    public final AtomicLong inFlight = new AtomicLong();
    public final AtomicLong paused = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicReference<java.nio.file.Path> lndTlsCert =
            new java.util.concurrent.atomic.AtomicReference<>();
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
        gauge("hh.treasury.owed.sats", owedSats, "sum of miner balances");
        gauge("hh.treasury.channel.local.balance.sats", localSats, "outbound Lightning liquidity of active channels");
        gauge("hh.treasury.channel.remote.balance.sats", remoteSats, "inbound Lightning liquidity of active channels");
        gauge("hh.treasury.channels", channels, "active channels");
        gauge("hh.treasury.payouts.in.flight", inFlight, "payouts sent and not yet settled or failed");
        gauge("hh.treasury.payouts.paused", paused, "1 while payouts are paused");
        blocksCredited = Counter.builder("hh.treasury.blocks.credited")
                .description("found blocks credited to miners after maturity").register(registry);
        blocksOrphaned = Counter.builder("hh.treasury.blocks.orphaned")
                .description("found blocks that left the best chain (never credited)").register(registry);
        Gauge.builder("hh.treasury.leader", this, m -> m.leader.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 when this treasury holds the leader lease (computes PPLNS and pays), 0 when standing by").register(registry);
        leaderChanges = Counter.builder("hh.treasury.leader.changes").description("times this process became or stopped being the leader")
                .register(registry);
        ERROR_STAGES.forEach(this::errorCounter);
        for (String t : RETENTION_TABLES) {
            pruned.put(t, Counter.builder("hh.treasury.retention.pruned.rows").tag("table", t)
                    .description("ledger rows deleted by the retention job, by table").register(registry));
        }
        org.hyperhash.daemon.Metrics.gauge(registry, "hh.treasury.retention.last.run.timestamp.seconds",
                "end of the last complete ledger retention run, Unix seconds (0: none yet)", () -> retentionLastRunMs.get() / 1000.0);
        org.hyperhash.daemon.Metrics.gauge(registry, "hh.treasury.retention.share.windows.cutoff.timestamp.seconds",
                "share windows starting before this were deleted by the last retention run, Unix seconds (0: none deleted, no block yet)",
                () -> retentionCutoffMs.get() / 1000.0);
        org.hyperhash.daemon.Metrics.gauge(registry, "hh.treasury.lnd.tls.cert.expiry.timestamp.seconds",
                "notAfter of LND's TLS certificate file, Unix seconds (0: no LND configured or the file is unreadable)",
                () -> certExpiry(lndTlsCert.get()));
    }

    /** The LND TLS certificate whose expiry the gauge reports (read at each scrape: a renewed file shows at once). */
    public void lndTlsCert(java.nio.file.Path pem) {
        lndTlsCert.set(pem);
    }

    /** notAfter of the first certificate in a PEM file, in Unix seconds; 0 when absent or unreadable. */
    public static double certExpiry(java.nio.file.Path pem) {
        if (pem == null) {
            return 0;
        }
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(pem)) {
            java.security.cert.Certificate c = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            return ((java.security.cert.X509Certificate) c).getNotAfter().toInstant().getEpochSecond();
        } catch (java.io.IOException | java.security.cert.CertificateException | ClassCastException e) {
            return 0;
        }
    }

    /** Rows deleted from {@code table} (one of {@link #RETENTION_TABLES}). */
    public void pruned(String table, long rows) {
        Counter c = pruned.get(table);
        if (c == null) {
            throw new IllegalArgumentException("unknown retention table " + table);
        }
        c.increment(rows);
    }

    public double prunedRows(String table) {
        return pruned.get(table).count();
    }

    /** A complete retention run ended at {@code nowMs} with share-window cut-off {@code cutoffMs} (Long.MIN_VALUE: none). */
    public void retentionRun(long nowMs, long cutoffMs) {
        retentionLastRunMs.set(nowMs);
        retentionCutoffMs.set(cutoffMs == Long.MIN_VALUE ? 0 : Math.max(0, cutoffMs));
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

    /** stage: one of {@link #ERROR_STAGES}. */
    public void error(String stage) {
        if (!ERROR_STAGES.contains(stage)) {
            throw new IllegalArgumentException("unknown treasury error stage " + stage);
        }
        errorCounter(stage).increment();
    }

    public double errors(String stage) {
        return errorCounter(stage).count();
    }

    private Counter errorCounter(String stage) {
        return errors.computeIfAbsent(stage, s -> Counter.builder("hh.treasury.errors").tag("stage", s)
                .description("treasury cycle and payout errors, by stage").register(registry));
    }

    private void gauge(String name, AtomicLong value, String description) {
        Gauge.builder(name, value, AtomicLong::get).description(description).strongReference(true).register(registry);
    }
}
