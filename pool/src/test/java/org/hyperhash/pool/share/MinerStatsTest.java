package org.hyperhash.pool.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

/** /v1/miners/{address} numbers: hashrate from accepted work, per-worker counts, last share; bounded. */
class MinerStatsTest {
    private static final double TWO_POW_32 = 4294967296.0;

    @Test
    @SuppressWarnings("unchecked")
    void hashrateWorkersCountsAndLastShare() {
        ManualClock clock = ManualClock.ofEpochSecond(1_700_000_040);
        MinerStats s = new MinerStats(clock, 10);
        assertNull(s.describe("a"), "unknown address");
        // rig1: difficulty 1000 every 6 s = 1000 * 2^32 / 6 H/s; rig2: half that
        for (int i = 0; i < 200; i++) {
            clock.advance(Duration.ofSeconds(6));
            s.accepted("a", "rig1", 1000);
            s.accepted("a", "rig2", 500);
        }
        s.rejected("a", "rig2");
        s.rejected("a", "rig2");
        Map<String, Object> d = s.describe("a");
        double expected = 1500 * TWO_POW_32 / 6;
        double h = (Double) d.get("hashrate_hps");
        assertTrue(Math.abs(h / expected - 1) < 0.05, h + " vs " + expected);
        assertEquals(400L, d.get("accepted_shares"));
        assertEquals(2L, d.get("rejected_shares"));
        assertEquals(clock.millis(), d.get("last_share_ms"));
        Map<String, Map<String, Object>> workers = (Map<String, Map<String, Object>>) d.get("workers");
        assertEquals(2, workers.size());
        assertEquals(200L, workers.get("rig2").get("accepted_shares"));
        assertEquals(2L, workers.get("rig2").get("rejected_shares"));
        double h2 = (Double) workers.get("rig2").get("hashrate_hps");
        assertTrue(Math.abs(h2 / (500 * TWO_POW_32 / 6) - 1) < 0.05, "rig2 " + h2);
        assertTrue(Math.abs(s.poolHashrateHps() / expected - 1) < 0.05);
        // a worker that stops: its hashrate decays to 0 after the 10-minute window
        clock.advance(Duration.ofMinutes(11));
        assertEquals(0.0, (Double) s.describe("a").get("hashrate_hps"));
        assertEquals(400L, s.describe("a").get("accepted_shares"), "counts stay");
    }

    @Test
    void boundedNumberOfAddresses() {
        MinerStats s = new MinerStats(ManualClock.ofEpochSecond(0), 3);
        for (int i = 0; i < 10; i++) {
            s.accepted("addr" + i, "", 1);
        }
        assertEquals(3, s.trackedAddresses());
        assertNull(s.describe("addr9"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void workersBoundedPerAddressIdleOnesEvictedRejectedNamesCreateNothingAndTheApiPages() {
        ManualClock clock = ManualClock.ofEpochSecond(1_700_000_000);
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        MinerStats s = new MinerStats(clock, 10, 5, 8, Duration.ofMinutes(30), refused::incrementAndGet);
        // the review's attack: one invalid share per new worker name
        for (int i = 0; i < 10_000; i++) {
            s.rejected("a", "fake" + i);
        }
        assertEquals(0, s.trackedWorkers());
        assertNull(s.describe("a"));
        for (int i = 0; i < 7; i++) {
            s.accepted("a", "w" + i, 1);
        }
        assertEquals(5, s.trackedWorkers()); // per-address bound
        assertEquals(2, refused.get());
        for (int i = 0; i < 5; i++) {
            s.accepted("b", "w" + i, 1);
        }
        assertEquals(8, s.trackedWorkers()); // total bound
        assertEquals(4, refused.get());
        // paging: sorted by name, totals over all workers
        Map<String, Object> page = s.describe("a", 1, 2);
        assertEquals(5, page.get("workers_total"));
        assertEquals(5L, page.get("accepted_shares"));
        assertEquals(java.util.List.of("w1", "w2"),
                java.util.List.copyOf(((Map<String, Object>) page.get("workers")).keySet()));
        assertEquals(MinerStats.MAX_PAGE, s.describe("a", 0, 1_000_000).get("limit"));
        // idle eviction: a worker still mining stays, the rest go after 30 minutes
        clock.advance(Duration.ofMinutes(20));
        s.accepted("a", "w0", 1);
        clock.advance(Duration.ofMinutes(15));
        s.accepted("c", "new", 1); // sweeps (more than a minute since the last sweep)
        assertEquals(2, s.trackedWorkers(), "a.w0 and c.new");
        assertNull(s.describe("b"));
        assertEquals(1, s.describe("a").get("workers_total"));
    }
}
