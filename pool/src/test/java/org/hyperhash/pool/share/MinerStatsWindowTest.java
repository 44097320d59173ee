package org.hyperhash.pool.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.Map;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

class MinerStatsWindowTest {
    private static final double TWO_POW_32 = 4294967296.0;

    /** A miner doing difficulty-1 shares every second for {@code seconds}: its true rate is 2^32 H/s. */
    private static void mine(MinerStats s, ManualClock clock, String address, int seconds) {
        for (int i = 0; i < seconds; i++) {
            clock.advance(Duration.ofSeconds(1));
            s.accepted(address, "w", 1.0);
        }
    }

    @Test
    void estimateIsRightAfterTwoMinutesNotDilutedByTheEmptyWindow() {
        ManualClock clock = ManualClock.ofEpochSecond(1_800_000_000L);
        MinerStats s = new MinerStats(clock, 10);
        mine(s, clock, "a", 120);
        // 120 shares over the 119 s since the first one; the full 10-minute window would read ~0.2x
        assertEquals(TWO_POW_32 * 120 / 119, s.poolHashrateHps(), TWO_POW_32 * 0.01);
    }

    @Test
    void estimateUsesTheWholeWindowOnceItHasPassed() {
        ManualClock clock = ManualClock.ofEpochSecond(1_800_000_040L);
        MinerStats s = new MinerStats(clock, 10);
        mine(s, clock, "a", 30 * 60);
        assertEquals(TWO_POW_32, s.poolHashrateHps(), TWO_POW_32 * 0.02);
        @SuppressWarnings("unchecked")
        Map<String, Object> w = (Map<String, Object>) ((Map<String, Object>) s.describe("a").get("workers")).get("w");
        assertEquals(TWO_POW_32, (double) w.get("hashrate_hps"), TWO_POW_32 * 0.02);
    }

    @Test
    void aSingleEarlyShareIsNotASpike() {
        ManualClock clock = ManualClock.ofEpochSecond(1_800_000_000L);
        MinerStats s = new MinerStats(clock, 10);
        s.accepted("a", "w", 1.0);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(TWO_POW_32 / 30, s.poolHashrateHps(), TWO_POW_32 * 0.001);
        assertNull(s.describe("unknown"));
    }
}
