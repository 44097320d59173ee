package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

/** Deterministic trajectories: a miner of fixed hashrate finds shares exactly at the expected interval. */
class VardiffTest {
    static final double HASHES_PER_DIFF1 = Targets.expectedHashes(Targets.DIFF1_TARGET);

    record Run(double finalDifficulty, int changes, int changesInLastHalf, double estimate) {
    }

    static Run simulate(double hashrate, double initialDifficulty, VardiffConfig cfg, Duration length) {
        ManualClock clock = ManualClock.ofEpochSecond(1_700_000_000);
        Vardiff v = new Vardiff(cfg, clock, initialDifficulty);
        long end = length.toMillis();
        long t = 0;
        long nextShare = (long) (v.difficulty() * HASHES_PER_DIFF1 / hashrate * 1000);
        long nextTick = 5000;
        int changes = 0;
        int late = 0;
        while (t < end) {
            boolean share = nextShare <= nextTick;
            long next = share ? nextShare : nextTick;
            clock.advance(Duration.ofMillis(next - t));
            t = next;
            Optional<Target> r;
            if (share) {
                r = v.onShare(v.difficulty());
            } else {
                r = v.onTick();
                nextTick += 5000;
            }
            if (r.isPresent()) {
                changes++;
                if (t > end / 2) {
                    late++;
                }
                assertEquals(Targets.fromDifficulty(v.difficulty()), r.get());
            }
            if (share || r.isPresent()) {
                nextShare = t + Math.max(1, (long) (v.difficulty() * HASHES_PER_DIFF1 / hashrate * 1000));
            }
        }
        return new Run(v.difficulty(), changes, late, v.estimatedHashrateHps());
    }

    static double ideal(double hashrate, double spm) {
        return hashrate * 60 / spm / HASHES_PER_DIFF1;
    }

    @Test
    void bitaxeFromDifficultyOne() {
        Run r = simulate(1e12, 1, VardiffConfig.defaults(), Duration.ofMinutes(30));
        double ideal = ideal(1e12, 10);
        assertTrue(Math.abs(r.finalDifficulty / ideal - 1) < 0.25, r + " vs " + ideal);
        assertEquals(0, r.changesInLastHalf(), r.toString());
        assertTrue(Math.abs(r.estimate() / 1e12 - 1) < 0.25, r.toString());
    }

    @Test
    void twoHundredTerahashFromDifficultyOne() {
        Run r = simulate(200e12, 1, VardiffConfig.defaults(), Duration.ofMinutes(30));
        double ideal = ideal(200e12, 10);
        assertTrue(Math.abs(r.finalDifficulty / ideal - 1) < 0.25, r + " vs " + ideal);
        assertEquals(0, r.changesInLastHalf(), r.toString());
    }

    @Test
    void cpuMinerOnDevnetComesDownFromTooHigh() {
        // 2 MH/s CPU miner, pool starts it at difficulty 1 (one share per ~36 min)
        Run r = simulate(2e6, 1, VardiffConfig.defaults(), Duration.ofMinutes(40));
        double ideal = ideal(2e6, 10);
        assertTrue(Math.abs(r.finalDifficulty / ideal - 1) < 0.3, r + " vs " + ideal);
    }

    @Test
    void clampedToMinAndMax() {
        VardiffConfig cfg = VardiffConfig.defaults().withDifficultyRange(100, 1000);
        assertEquals(1000, simulate(200e12, 500, cfg, Duration.ofMinutes(5)).finalDifficulty());
        assertEquals(100, simulate(1e9, 500, cfg, Duration.ofMinutes(20)).finalDifficulty());
        assertEquals(100, new Vardiff(cfg, ManualClock.ofEpochSecond(0), 1).difficulty());
    }

    @Test
    void noChangeBeforeMinIntervalOrInsideBand() {
        ManualClock clock = ManualClock.ofEpochSecond(0);
        Vardiff v = new Vardiff(VardiffConfig.defaults().withMaxSharesPerSecond(1000), clock, 1000);
        for (int i = 0; i < 50; i++) {
            assertTrue(v.onShare(1000).isEmpty(), "within 10 s nothing changes"); // flood at the same instant
        }
        clock.advance(Duration.ofSeconds(10));
        Optional<Target> up = v.onShare(1000);
        assertTrue(up.isPresent());
        assertTrue(v.difficulty() > 1000);
    }

    @Test
    void shareFloodIsAnsweredWithAHigherDifficultyAtOnce() {
        ManualClock clock = ManualClock.ofEpochSecond(0);
        VardiffConfig cfg = VardiffConfig.defaults().withDifficultyRange(1e-9, 1e15); // the old devnet floor
        Vardiff v = new Vardiff(cfg, clock, 1e-9);
        int accepted = 0;
        Optional<Target> raised = Optional.empty();
        while (raised.isEmpty()) {
            raised = v.onShare(1e-9); // 50k shares/s: all in the same second
            accepted++;
        }
        assertEquals(cfg.maxSharesPerSecond() + 1, accepted);
        assertTrue(v.lastChangeRateLimited());
        assertEquals(1, v.rateLimitRaises());
        // raised by the overshoot against 10 shares/min: 11 shares in < 1 s is >= 66x the target rate
        assertTrue(v.difficulty() >= 1e-9 * 66 * 0.99, "difficulty " + v.difficulty());
        // shares still in flight at the old difficulty do not compound the raise
        for (int i = 0; i < 100; i++) {
            assertTrue(v.onShare(1e-9).isEmpty());
        }
        assertEquals(1, v.rateLimitRaises());
        // the flood continues at the new difficulty: raised again, until the max clamps it
        double before = v.difficulty();
        for (int i = 0; i <= cfg.maxSharesPerSecond(); i++) {
            v.onShare(v.difficulty());
        }
        assertTrue(v.difficulty() > before * 60);
    }
}
