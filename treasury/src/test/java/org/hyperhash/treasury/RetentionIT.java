package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.ledger.ShareWindowStore.Prunable;
import org.hyperhash.ledger.WorkerHour;
import org.hyperhash.ledger.WorkerReject;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The retention job on SQLite and PostgreSQL: batches, the PPLNS pins, stopping early, metrics. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RetentionIT {
    static final long DAY = 86_400_000L;
    static final long HOUR = 3_600_000L;
    static final long NOW = 100 * DAY;

    @TempDir
    Path tmp;

    final AtomicLong nowMs = new AtomicLong(NOW);
    final InstantSource clock = () -> Instant.ofEpochMilli(nowMs.get());
    final PrometheusMeterRegistry registry = Metrics.newRegistry("treasury");
    final TreasuryMetrics metrics = new TreasuryMetrics(registry);
    /** window multiple 2.0, fee 1%, scale 1000, 3 confirmations */
    final BlockRewards.Config rewardsCfg = new BlockRewards.Config(2_000_000, 10_000, 1000, 3);
    final Retention.Config cfg = new Retention.Config(true, Duration.ofDays(30), Duration.ofDays(40), Duration.ofHours(1), 100, Duration.ZERO);

    static String hash(int i) {
        return String.format("%064x", i);
    }

    static List<ShareWindow> windows(String address, long fromMs, int count, long stepMs, double work) {
        List<ShareWindow> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(new ShareWindow("p1", fromMs + i * stepMs, address, "w1", 1, work));
        }
        return out;
    }

    static FoundBlock block(int i, long foundAtMs, double difficulty, BlockStatus s) {
        return new FoundBlock(hash(i), 800_000 + i, foundAtMs, "p1", "alice", "w1", 1_000_000, difficulty, s, null, foundAtMs);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void deletesOldRowsInBatchesButKeepsWhatAnUnmaturedBlockNeeds(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            ShareWindowStore s = new ShareWindowStore(db);
            // 450 windows on days 10..12.6 (nobody needs them), 50 windows of work 1 on days 15..15.05 (block 1's window),
            // 200 recent windows on days 95..97 (the next block's window)
            s.upsertBatch(windows("old", 10 * DAY, 450, 500_000, 1.0));
            s.upsertBatch(windows("pinned", 15 * DAY, 50, 100_000, 1.0));
            s.upsertBatch(windows("recent", 95 * DAY, 200, 1_000_000, 1.0));
            // hourly rollup: 60 hours on day 50 (older than 40d), 30 on day 99
            List<WorkerHour> hours = new ArrayList<>();
            List<WorkerReject> rejects = new ArrayList<>();
            for (int h = 0; h < 60; h++) {
                hours.add(new WorkerHour("p1", 50 * DAY + h * HOUR, "alice", "w1", 1, 1.0, 1.0, 1, 1, 1));
                rejects.add(new WorkerReject("p1", 50 * DAY + h * HOUR, "alice", "w1", "stale_share", 1));
                rejects.add(new WorkerReject("p1", 50 * DAY + h * HOUR, "alice", "w1", "duplicate_share", 1));
            }
            for (int h = 0; h < 30; h++) {
                hours.add(new WorkerHour("p1", 99 * DAY + h * HOUR, "alice", "w1", 1, 1.0, 1.0, 1, 1, 1));
                rejects.add(new WorkerReject("p1", 99 * DAY + h * HOUR, "alice", "w1", "stale_share", 1));
            }
            s.upsertBatch(List.of(), hours, rejects);
            FoundBlockStore blocks = new FoundBlockStore(db, clock);
            // a matured block long ago (needs nothing), and block 1: found right after the pinned windows, confirmed,
            // not matured; window 2.0 x 25 = 50 work = exactly the 50 pinned windows
            blocks.insertFound(block(0, 5 * DAY, 25.0, BlockStatus.MATURED));
            blocks.insertFound(block(1, 15 * DAY + 50 * 100_000, 25.0, BlockStatus.CONFIRMED));

            AtomicInteger batchChecks = new AtomicInteger();
            Retention r = new Retention(db, cfg, rewardsCfg, clock, metrics, () -> batchChecks.incrementAndGet() > 0);
            Retention.Cutoff cut = r.shareWindowsCutoff();
            assertEquals(15 * DAY, cut.beforeMs(), "block 1's window starts at its oldest pinned window: " + cut.reason());
            assertTrue(cut.reason().contains("block 800001") && cut.reason().contains("not yet matured"), cut.reason());

            Retention.Run run = r.runOnce();
            assertTrue(run.complete());
            assertEquals(450L, run.deleted().get("share_windows"));
            assertEquals(60L, run.deleted().get("worker_hours"));
            assertEquals(120L, run.deleted().get("worker_rejects"));
            // 450 rows in batches of 100: 4 full + 1 partial; 60 and 120 rows: 1 and 2 (+1 empty)
            assertEquals(5 + 1 + 2, run.batches());
            assertEquals(0, s.countBefore(Prunable.SHARE_WINDOWS, 15 * DAY));
            assertEquals(50, s.byAddress("pinned", 1000).size(), "windows an unmatured block needs are kept though older than 30d");
            assertEquals(200, s.byAddress("recent", 1000).size());
            assertEquals(30, s.hoursByAddress("alice", 1000).size());
            assertEquals(30, s.rejectsByAddress("alice", 1000).size());
            assertEquals(450.0, metrics.prunedRows("share_windows"));
            assertEquals(60.0, metrics.prunedRows("worker_hours"));
            assertEquals(120.0, metrics.prunedRows("worker_rejects"));
            String scrape = registry.scrape();
            assertTrue(scrape.contains("hh_treasury_retention_pruned_rows_total{service=\"treasury\",table=\"share_windows\"} 450.0"), scrape);
            assertTrue(scrape.contains("hh_treasury_retention_last_run_timestamp_seconds{service=\"treasury\"} " + (double) (NOW / 1000)), scrape);
            assertTrue(scrape.contains("hh_treasury_retention_share_windows_cutoff_timestamp_seconds{service=\"treasury\"} "
                    + (double) (15 * DAY / 1000)), scrape);

            // block 1 matures: its windows are no longer needed and go on the next run
            blocks.updateStatus(hash(1), BlockStatus.MATURED, "credited");
            nowMs.addAndGet(HOUR);
            Retention.Cutoff after = r.shareWindowsCutoff();
            assertEquals(nowMs.get() - 30 * DAY, after.beforeMs(), after.reason());
            assertEquals("retention.share-windows 30d", after.reason());
            Retention.Run run2 = r.runOnce();
            assertEquals(50L, run2.deleted().get("share_windows"));
            assertEquals(0, s.byAddress("pinned", 1000).size());
            assertEquals(200, s.byAddress("recent", 1000).size());
            assertEquals(500.0, metrics.prunedRows("share_windows"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void theNextBlocksWindowIsKeptAndNothingIsDeletedBeforeTheFirstBlock(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            ShareWindowStore s = new ShareWindowStore(db);
            s.upsertBatch(windows("slow", 20 * DAY, 300, 1_000_000, 1.0));  // all older than 30d
            Retention r = new Retention(db, cfg, rewardsCfg, clock, metrics, () -> true);
            Retention.Cutoff none = r.shareWindowsCutoff();
            assertEquals(Long.MIN_VALUE, none.beforeMs());
            assertTrue(none.reason().contains("no block in the ledger yet"), none.reason());
            assertEquals(0L, r.runOnce().deleted().get("share_windows"));
            assertEquals(300, s.byAddress("slow", 1000).size());
            assertTrue(registry.scrape().contains("hh_treasury_retention_share_windows_cutoff_timestamp_seconds{service=\"treasury\"} 0.0"));

            // a matured block at difficulty 50: the next block (2 x 50 difficulty x 2.0 = 200 work) counts the newest
            // 200 windows, so the 100 oldest go although all 300 are older than retention
            new FoundBlockStore(db, clock).insertFound(block(7, 21 * DAY, 50.0, BlockStatus.MATURED));
            Retention.Cutoff next = r.shareWindowsCutoff();
            assertEquals(20 * DAY + 100 * 1_000_000L, next.beforeMs(), next.reason());
            assertTrue(next.reason().contains("next block"), next.reason());
            assertEquals(100L, r.runOnce().deleted().get("share_windows"));
            assertEquals(200, s.byAddress("slow", 1000).size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aRunStopsBetweenBatchesWhenNoLongerAllowed(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            ShareWindowStore s = new ShareWindowStore(db);
            s.upsertBatch(windows("old", 10 * DAY, 450, 1_000, 1.0));
            new FoundBlockStore(db, clock).insertFound(block(0, 5 * DAY, 1.0, BlockStatus.MATURED));
            new FoundBlockStore(db, clock).insertFound(block(1, 99 * DAY, 1.0, BlockStatus.MATURED));
            AtomicInteger allowed = new AtomicInteger(2);   // e.g. the leader lease lost after two batches
            Retention r = new Retention(db, cfg, rewardsCfg, clock, metrics, () -> allowed.getAndDecrement() > 0);
            Retention.Run run = r.runOnce();
            assertFalse(run.complete());
            assertEquals(200L, run.deleted().get("share_windows"));
            assertEquals(250, s.byAddress("old", 1000).size());
            assertTrue(registry.scrape().contains("hh_treasury_retention_last_run_timestamp_seconds{service=\"treasury\"} 0.0"),
                    "an incomplete run is not a last run");
        }
    }
}
