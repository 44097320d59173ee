package org.hyperhash.pool.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
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
}
