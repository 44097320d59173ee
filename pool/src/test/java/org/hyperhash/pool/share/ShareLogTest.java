package org.hyperhash.pool.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.EnumSet;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.ledger.WorkerHour;
import org.hyperhash.ledger.WorkerReject;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The share log's accounting: back-pressure hand-offs flushed at close, one window credited once across flushes. */
@Timeout(30)
class ShareLogTest {
    @TempDir
    Path dir;

    private static long shares(LedgerDatabase db, String address) {
        return new ShareWindowStore(db).byAddress(address, 1000).stream().mapToLong(ShareWindow::shares).sum();
    }

    @Test
    void sharesHandedOverByClosingConnectionsAreFlushedAtClose() throws Exception {
        PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
        try (LedgerDatabase db = LedgerDatabase.open("jdbc:sqlite:" + dir.resolve("l.db"))) {
            InstantSource clock = InstantSource.system();
            ShareLog log = new ShareLog(new ShareWindowStore(db), new FoundBlockStore(db, clock), "pool-0", clock,
                    Duration.ofSeconds(10), Duration.ofSeconds(1), 16, metrics);
            for (int i = 0; i < 16; i++) {
                assertTrue(log.offerShare("a", "w", 1.0));
            }
            assertFalse(log.offerShare("a", "w", 1.0), "queue full: refused, never dropped silently");
            assertEquals(1, metrics.shareLogBackpressure.count());
            List<ShareLog.Share> held = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                held.add(new ShareLog.Share("a", "w", 2.0, clock.millis()));
            }
            log.handOff(held); // waits for room: the writer is not even running yet
            log.start();
            log.close(Duration.ofSeconds(20));
            assertEquals(516, log.flushedShares());
            assertEquals(516, shares(db, "a"));
            double work = new ShareWindowStore(db).byAddress("a", 1000).stream().mapToDouble(ShareWindow::work).sum();
            assertEquals(16 + 1000, work, 1e-9);
        }
    }

    @Test
    void aFloodOfFoundBlocksPastTheQueueIsKeptAndRecordedInBatches() throws Exception {
        // regtest/devnet: every share can be a block. 25,000 blocks arrive while the writer is not running: 10,000 fill
        // the queue, the rest go to the overflow list (counted), none is dropped, one is a repeat of an earlier hash.
        PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
        try (LedgerDatabase db = LedgerDatabase.open("jdbc:sqlite:" + dir.resolve("l.db"))) {
            InstantSource clock = InstantSource.system();
            FoundBlockStore store = new FoundBlockStore(db, clock);
            ShareLog log = new ShareLog(new ShareWindowStore(db), store, "pool-0", clock,
                    Duration.ofSeconds(10), Duration.ofSeconds(1), 16, metrics);
            int n = 25_000;
            for (int i = 0; i < n; i++) {
                log.recordBlock(block(i));
            }
            log.recordBlock(block(7)); // the same block reported twice
            assertEquals(n + 1 - 10_000, metrics.shareLogBlocksOverflow.count(), 1e-9);
            log.start();
            log.close(Duration.ofSeconds(20));
            assertEquals(n + 1, log.blocksRecorded());
            List<FoundBlock> rows = store.listByStatus(EnumSet.allOf(BlockStatus.class));
            assertEquals(n, rows.size());
            assertEquals(n, rows.stream().map(FoundBlock::blockHash).distinct().count());
            assertTrue(rows.stream().anyMatch(b -> b.blockHash().equals(block(n - 1).blockHash())), "the last overflowed block");
        }
    }

    private static FoundBlock block(int i) {
        return new FoundBlock("%064x".formatted(i), 100 + i, 1_000L + i, "pool-0", "a", "w", 5_000_000_000L, 1.0,
                BlockStatus.SUBMITTED, "", 1_000L + i);
    }

    @Test
    void oneWindowFlushedTwiceIsCreditedOnce() throws Exception {
        PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
        ManualClock clock = ManualClock.ofEpochSecond(1_700_000_000);
        try (LedgerDatabase db = LedgerDatabase.open("jdbc:sqlite:" + dir.resolve("l.db"))) {
            ShareLog log = new ShareLog(new ShareWindowStore(db), new FoundBlockStore(db, clock), "pool-0", clock,
                    Duration.ofSeconds(10), Duration.ofMillis(500), 1024, metrics);
            log.start();
            for (int i = 0; i < 10; i++) {
                assertTrue(log.offerShare("b", "rig", 1.5));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (log.flushedShares() < 10 && System.nanoTime() < deadline) {
                clock.advance(Duration.ofMillis(600)); // again each round: the writer may start after the first move
                Thread.sleep(20);
            }
            assertEquals(10, log.flushedShares(), "periodic flush");
            assertEquals(10, shares(db, "b"));
            for (int i = 0; i < 5; i++) {
                assertTrue(log.offerShare("b", "rig", 1.5));
            }
            log.close(Duration.ofSeconds(10));
            List<ShareWindow> rows = new ShareWindowStore(db).byAddress("b", 1000);
            assertEquals(1, rows.size(), "same window, same row: " + rows);
            assertEquals(15, rows.get(0).shares());
            assertEquals(15 * 1.5, rows.get(0).work(), 1e-9);
            assertEquals(1_700_000_000_000L, rows.get(0).windowStartMs());
        }
    }

    @Test
    void hourlyRollupCountsAcceptedRejectedByReasonAndBestDifficulty() throws Exception {
        PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
        // 30 s before an hour boundary: the shares fall in two hours
        ManualClock clock = ManualClock.ofEpochSecond(1_700_002_800 - 30);
        long hour0 = 1_700_002_800_000L - 3_600_000L;
        long hour1 = 1_700_002_800_000L;
        try (LedgerDatabase db = LedgerDatabase.open("jdbc:sqlite:" + dir.resolve("l.db"))) {
            ShareLog log = new ShareLog(new ShareWindowStore(db), new FoundBlockStore(db, clock), "pool-0", clock,
                    Duration.ofSeconds(10), Duration.ofSeconds(1), 1024, metrics);
            assertTrue(log.offerShare("c", "rig", 2.0, 150.0));
            assertTrue(log.offerShare("c", "rig", 2.0, 7.5));
            log.offerReject("c", "rig", "stale_share");
            assertTrue(log.offerShare("c", "other", 4.0, 9.0));
            long lastInHour0 = clock.millis();
            long firstInHour0 = lastInHour0; // the manual clock did not move
            clock.advance(Duration.ofSeconds(40)); // each share and reject keeps the time it was offered at
            assertTrue(log.offerShare("c", "rig", 3.0, 12.0));
            log.offerReject("c", "rig", "duplicate_share");
            log.offerReject("c", "rig", "duplicate_share");
            log.offerReject("c", "rig", "stale_share");
            log.offerReject("c", "idle", "difficulty_too_low"); // rejects only: still a worker row
            long lastInHour1 = clock.millis();
            log.start();
            log.close(Duration.ofSeconds(10));

            ShareWindowStore store = new ShareWindowStore(db);
            java.util.Map<String, WorkerHour> hours = new java.util.HashMap<>();
            for (WorkerHour h : store.hoursByAddress("c", 100)) {
                assertEquals("pool-0", h.instanceId());
                hours.put(h.worker() + "@" + (h.hourStartMs() == hour0 ? 0 : h.hourStartMs() == hour1 ? 1 : -1), h);
            }
            assertEquals(java.util.Set.of("rig@0", "other@0", "rig@1", "idle@1"), hours.keySet());
            WorkerHour rig0 = hours.get("rig@0");
            assertEquals(2, rig0.accepted());
            assertEquals(4.0, rig0.work(), 1e-9);
            assertEquals(150.0, rig0.bestDifficulty(), 1e-9, "best of the hour, not the last");
            assertEquals(1, rig0.rejected());
            assertEquals(lastInHour0, rig0.lastShareMs());
            assertEquals(firstInHour0, rig0.firstShareMs());
            WorkerHour rig1 = hours.get("rig@1");
            assertEquals(1, rig1.accepted());
            assertEquals(12.0, rig1.bestDifficulty(), 1e-9);
            assertEquals(3, rig1.rejected());
            assertEquals(lastInHour1, rig1.lastShareMs());
            assertEquals(9.0, hours.get("other@0").bestDifficulty(), 1e-9);
            WorkerHour idle = hours.get("idle@1");
            assertEquals(0, idle.accepted());
            assertEquals(1, idle.rejected());
            assertEquals(0, idle.lastShareMs());
            assertEquals(0, idle.firstShareMs());

            java.util.Map<String, Long> reasons = new java.util.TreeMap<>();
            for (WorkerReject r : store.rejectsByAddress("c", 100)) {
                reasons.merge(r.worker() + ":" + r.reason() + "@" + (r.hourStartMs() == hour0 ? 0 : 1), r.rejected(), Long::sum);
            }
            assertEquals(java.util.Map.of("rig:stale_share@0", 1L, "rig:duplicate_share@1", 2L, "rig:stale_share@1", 1L,
                    "idle:difficulty_too_low@1", 1L), reasons);
            // the windows are unchanged by the rollup: rejects add no share window
            assertEquals(4, shares(db, "c"), "three accepted shares of rig plus one of other");
        }
    }

    @Test
    void secondFlushAddsToTheSameHourRow() throws Exception {
        PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
        try (LedgerDatabase db = LedgerDatabase.open("jdbc:sqlite:" + dir.resolve("l.db"))) {
            ShareWindowStore store = new ShareWindowStore(db);
            store.upsertBatch(List.of(), List.of(new WorkerHour("p", 3_600_000, "d", "w", 2, 2.0, 50, 1, 3_610_000, 3_700_000)),
                    List.of(new WorkerReject("p", 3_600_000, "d", "w", "stale_share", 1)));
            store.upsertBatch(List.of(), List.of(new WorkerHour("p", 3_600_000, "d", "w", 3, 3.0, 40, 2, 3_605_000, 3_650_000)),
                    List.of(new WorkerReject("p", 3_600_000, "d", "w", "stale_share", 2)));
            List<WorkerHour> h = store.hoursByAddress("d", 10);
            assertEquals(List.of(new WorkerHour("p", 3_600_000, "d", "w", 5, 5.0, 50, 3, 3_605_000, 3_700_000)), h,
                    "sums add, best difficulty and last share keep the larger, first share the smaller");
            assertEquals(List.of(new WorkerReject("p", 3_600_000, "d", "w", "stale_share", 3)), store.rejectsByAddress("d", 10));
            assertEquals(0, metrics.shareLogRejectsDropped.count());
        }
    }
}
