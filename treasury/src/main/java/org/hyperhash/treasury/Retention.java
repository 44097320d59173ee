package org.hyperhash.treasury;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.Jdbc;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.ledger.ShareWindowStore.Prunable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ledger retention (run by the leader treasury only): deletes {@code share_windows} older than
 * {@code retention.share-windows} and {@code worker_hours} / {@code worker_rejects} older than
 * {@code retention.worker-hours}, in bounded batches (one transaction each, through the leader lease's fence).
 *
 * <p>Share windows are PPLNS input, and a PPLNS window is an amount of work, not a time span: how far back it reaches
 * depends on the pool's hashrate. So the cut-off is computed from the ledger at every run and is never later than
 * the oldest share window that
 * <ul>
 *   <li>any block not yet matured (submitted, accepted or confirmed; snapshotted or not) counts: its window walked
 *       newest first from its found time exactly as {@link BlockRewards#window} does, with its stored distribution's
 *       parameters when it has one; and</li>
 *   <li>the next block would count: a block found now at {@value #NEXT_BLOCK_DIFFICULTY_FACTOR}x the network
 *       difficulty of the newest found block (headroom for a difficulty rise). With no block in the ledger the next
 *       window's size is unknown and no share window is deleted.</li>
 * </ul>
 * The config minimum ({@link #MIN_SHARE_WINDOWS}) is only a floor on top of that.
 */
public final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    /** Shortest {@code retention.share-windows}: the web page looks this far back for the live PPLNS window. */
    public static final Duration MIN_SHARE_WINDOWS = Duration.ofDays(7);
    /** Shortest {@code retention.worker-hours}: the web page's 24 h views read the last 25 hourly rows. */
    public static final Duration MIN_WORKER_HOURS = Duration.ofHours(25);
    /** The next block's window is sized for this multiple of the newest found block's network difficulty. */
    public static final int NEXT_BLOCK_DIFFICULTY_FACTOR = 2;

    /** {@code retention.*}. */
    public record Config(boolean enabled, Duration shareWindows, Duration workerHours, Duration interval, int batchSize,
                         Duration batchPause) {
        public Config {
            if (shareWindows.compareTo(MIN_SHARE_WINDOWS) < 0) {
                throw new TreasuryException("retention.share-windows = " + human(shareWindows) + " is below the minimum " + human(MIN_SHARE_WINDOWS)
                        + " (7d: the web page's live PPLNS window looks back 7 days; share windows any unpaid block or the next "
                        + "block needs are kept whatever this is)");
            }
            if (workerHours.compareTo(MIN_WORKER_HOURS) < 0) {
                throw new TreasuryException("retention.worker-hours = " + human(workerHours) + " is below the minimum " + human(MIN_WORKER_HOURS)
                        + " (the web page's 24 h views read the last 25 hourly rows)");
            }
            if (interval.compareTo(Duration.ofMinutes(1)) < 0 || interval.compareTo(Duration.ofDays(1)) > 0) {
                throw new TreasuryException("retention.interval must be in [1m, 1d], got " + human(interval));
            }
            if (batchSize < 100 || batchSize > 100_000) {
                throw new TreasuryException("retention.batch-size must be in [100, 100000], got " + batchSize);
            }
            if (batchPause.isNegative() || batchPause.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new TreasuryException("retention.batch-pause must be in [0, 10s], got " + human(batchPause));
            }
        }

        /** The defaults of reference.conf. */
        public static Config defaults() {
            return new Config(true, Duration.ofDays(30), Duration.ofDays(400), Duration.ofHours(1), 5_000, Duration.ofMillis(50));
        }
    }

    /** 30d, 25h, 90m, 1500ms: the way reference.conf spells a duration. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms != 0 && ms % 86_400_000 == 0) {
            return ms / 86_400_000 + "d";
        }
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms != 0 && ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }

    /** The share-window cut-off of one run: delete rows starting before {@code beforeMs}; {@code reason} says what set it. */
    public record Cutoff(long beforeMs, String reason) {
    }

    /** What one run did: rows deleted per table, the share-window cut-off, whether it ran to the end. */
    public record Run(Cutoff shareWindows, long workerHoursBeforeMs, Map<String, Long> deleted, int batches, boolean complete) {
    }

    private final LedgerDatabase db;
    private final Config cfg;
    private final BlockRewards rewards;
    private final BlockRewards.Config rewardsCfg;
    private final InstantSource clock;
    private final TreasuryMetrics metrics;
    private final BooleanSupplier mayRun;
    private final ShareWindowStore store;
    private final FoundBlockStore blocks;
    /** Oldest counted window per unmatured block (key: hash and window parameters); only the retention thread uses it. */
    private final java.util.Map<String, Long> oldestByBlock = new java.util.HashMap<>();

    /**
     * @param db      the ledger, fenced by the leader lease in the daemon (a batch commits only under a current token)
     * @param mayRun  checked before every batch: false (lease lost, shutting down) ends the run early
     */
    public Retention(LedgerDatabase db, Config cfg, BlockRewards.Config rewardsCfg, InstantSource clock, TreasuryMetrics metrics,
                     BooleanSupplier mayRun) {
        this.db = db;
        this.cfg = cfg;
        this.rewardsCfg = rewardsCfg;
        this.rewards = new BlockRewards(db, rewardsCfg, clock);
        this.clock = clock;
        this.metrics = metrics;
        this.mayRun = mayRun;
        this.store = new ShareWindowStore(db);
        this.blocks = new FoundBlockStore(db, clock);
    }

    public Config config() {
        return cfg;
    }

    private volatile Run lastRun;
    private volatile long lastRunAtMs;

    /** For /v1/status: the last run (complete or not), when it ended, its share-window cut-off and what set it. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", cfg.enabled());
        m.put("share_windows_retention", human(cfg.shareWindows()));
        m.put("worker_hours_retention", human(cfg.workerHours()));
        Run r = lastRun;
        if (r != null) {
            m.put("last_run_at", Instant.ofEpochMilli(lastRunAtMs).toString());
            m.put("last_run_complete", r.complete());
            m.put("share_windows_deleted_before", time(r.shareWindows().beforeMs()));
            m.put("share_windows_cutoff_set_by", r.shareWindows().reason());
            m.put("last_run_deleted", r.deleted());
        }
        return m;
    }

    /** The share-window cut-off now: the configured age, or earlier where a block not yet matured or the next block needs windows. */
    public Cutoff shareWindowsCutoff() {
        long now = clock.millis();
        long cut = now - cfg.shareWindows().toMillis();
        String reason = "retention.share-windows " + human(cfg.shareWindows());
        java.util.Set<String> unmatured = new java.util.HashSet<>();
        for (FoundBlock b : blocks.listByStatus(EnumSet.of(BlockStatus.SUBMITTED, BlockStatus.ACCEPTED, BlockStatus.CONFIRMED))) {
            BlockRewards.WindowParams p = rewards.distribution(b.blockHash())
                    .map(d -> new BlockRewards.WindowParams(d.windowMultiplePpm(), d.workScale(), d.algorithm()))
                    .orElseGet(() -> rewards.params(b));
            unmatured.add(b.blockHash() + "/" + p);
            long oldest = oldestOf(b, p, now);
            if (oldest < cut) {
                cut = oldest;
                reason = "PPLNS window of block " + b.height() + " " + b.blockHash() + " (" + b.status().dbName() + ", not yet matured)";
            }
        }
        oldestByBlock.keySet().retainAll(unmatured);   // matured, orphaned: forgotten
        Double difficulty = Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT network_difficulty FROM found_blocks ORDER BY found_at_ms DESC LIMIT 1");
                    ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getDouble(1) : null;
            }
        });
        if (difficulty == null) {
            return new Cutoff(Long.MIN_VALUE, "no block in the ledger yet: the next block's PPLNS window size is unknown");
        }
        double next = difficulty * NEXT_BLOCK_DIFFICULTY_FACTOR;
        long oldest = oldestCounted(now, next, new BlockRewards.WindowParams(rewardsCfg.windowMultiplePpm(),
                Pplns.WorkScale.derive(next, rewardsCfg.windowMultiplePpm(), rewardsCfg.workScale()), Pplns.ALGORITHM));
        if (oldest < cut) {
            cut = oldest;
            reason = "PPLNS window of the next block (" + NEXT_BLOCK_DIFFICULTY_FACTOR + "x network difficulty " + difficulty + ")";
        }
        return new Cutoff(cut, reason);
    }

    /**
     * The oldest window {@code b}'s PPLNS window counts; walked once per block (as the snapshot is) and remembered once
     * the share log has surely flushed the shares before it (found time + {@code pplns.snapshot-delay}). Remembering is
     * conservative: work added later to rows at or before the found time (the rest of the 10 s window holding it, a
     * late flush) can only fill the window sooner, so the true oldest window is this one or a newer one; this job's
     * own deletes stop before it.
     */
    private long oldestOf(FoundBlock b, BlockRewards.WindowParams p, long now) {
        String key = b.blockHash() + "/" + p;
        Long known = oldestByBlock.get(key);
        if (known != null) {
            return known;
        }
        long oldest = oldestCounted(b.foundAtMs(), b.networkDifficulty(), p);
        if (now - b.foundAtMs() >= rewardsCfg.snapshotDelayMs()) {
            oldestByBlock.put(key, oldest);
        }
        return oldest;
    }

    /**
     * The start of the oldest share window a PPLNS window of a block found at {@code atMs} counts (Long.MAX_VALUE:
     * no window at or before it). Same walk as {@link Pplns.Collector}: when the share log ends before the window is
     * full, every row is counted and the oldest row is returned.
     */
    long oldestCounted(long atMs, double networkDifficulty, BlockRewards.WindowParams p) {
        Pplns.Collector col = new Pplns.Collector(Pplns.windowUnits(networkDifficulty, p.windowMultiplePpm(), p.workScale()),
                p.workScale(), p.algorithm());
        long[] oldest = {Long.MAX_VALUE};
        store.forEachNewestFirst(atMs, w -> {
            if (!col.offer(w)) {
                return false;
            }
            oldest[0] = w.windowStartMs();
            return true;
        });
        return oldest[0];
    }

    /** One retention run (never concurrent with another: the daemon's single retention thread calls it). */
    public Run runOnce() {
        long t0 = System.nanoTime();
        Map<String, Long> deleted = new LinkedHashMap<>();
        for (Prunable t : Prunable.values()) {
            deleted.put(t.table(), 0L);
        }
        Cutoff sw = shareWindowsCutoff();
        long hoursBefore = clock.millis() - cfg.workerHours().toMillis();
        int[] batches = {0};
        boolean complete = prune(Prunable.SHARE_WINDOWS, sw.beforeMs(), deleted, batches)
                && prune(Prunable.WORKER_HOURS, hoursBefore, deleted, batches)
                && prune(Prunable.WORKER_REJECTS, hoursBefore, deleted, batches);
        if (complete) {
            metrics.retentionRun(clock.millis(), sw.beforeMs());
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info("retention run {}: deleted {} share_windows (before {}, set by {}), {} worker_hours and {} worker_rejects (before {}) "
                        + "in {} batches, {} ms", complete ? "done" : "stopped early (no longer the leader or shutting down)",
                deleted.get("share_windows"), time(sw.beforeMs()), sw.reason(), deleted.get("worker_hours"), deleted.get("worker_rejects"),
                time(hoursBefore), batches[0], ms);
        if (sw.beforeMs() < clock.millis() - 2 * cfg.shareWindows().toMillis()) {
            LOG.warn("retention: share windows are kept back to {}, more than twice retention.share-windows ({}): {}; the ledger grows "
                    + "until that block matures or the pool's window shortens (docs/operations.md, Ledger retention)",
                    time(sw.beforeMs()), human(cfg.shareWindows()), sw.reason());
        }
        Run run = new Run(sw, hoursBefore, Map.copyOf(deleted), batches[0], complete);
        lastRunAtMs = clock.millis();
        lastRun = run;
        return run;
    }

    private boolean prune(Prunable t, long beforeMs, Map<String, Long> deleted, int[] batches) {
        if (beforeMs == Long.MIN_VALUE) {
            return true;
        }
        while (true) {
            if (!mayRun.getAsBoolean()) {
                return false;
            }
            int n = store.deleteBatch(t, beforeMs, cfg.batchSize());
            batches[0]++;
            deleted.merge(t.table(), (long) n, Long::sum);
            metrics.pruned(t.table(), n);
            if (n < cfg.batchSize()) {
                return true;
            }
            if (!cfg.batchPause().isZero()) {
                try {
                    Thread.sleep(cfg.batchPause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    private static String time(long ms) {
        return ms == Long.MIN_VALUE ? "none (nothing deleted)" : Instant.ofEpochMilli(ms).toString();
    }
}
