package org.hyperhash.pool.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.channel.ExtranonceAllocator;
import org.hyperhash.sv2.channel.StandardChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

/**
 * Vardiff on the pool's path, sans I/O: the pool's configuration (reference.conf), a channel opened from the
 * miner's advertised hashrate, {@link ChannelDifficulty} fed with accepted shares and the per-ack-interval tick,
 * time from a {@link ManualClock}. The simulated miner has a fixed true hashrate and finds shares as a Poisson
 * process (seeded) at the channel's current target; after a SetTarget it mines at the new target.
 */
class VardiffConvergenceTest {
    private static final double BITAXE = 500e9;
    private static final double S21 = 200e12;

    /** Outcome: final difficulty, shares/min over the second half, SetTargets in the second half, estimate. */
    record Run(double difficulty, double sharesPerMinuteLate, int changesLate, double estimateHps, List<SetTarget> sent) {
    }

    static PoolConfig config(String... sets) {
        List<String> all = new ArrayList<>(List.of("payout.address=\"" + PoolHarness.address(0) + "\""));
        all.addAll(List.of(sets));
        return PoolConfig.from(DaemonConfig.load(null, all, null, PoolConfig.ROOT, Map.of()));
    }

    static Run simulate(PoolConfig cfg, double trueHps, float advertisedHps, Duration length, long seed) {
        ManualClock clock = ManualClock.ofEpochSecond(1_700_000_000);
        ExtranonceAllocator alloc = new ExtranonceAllocator(Bytes.of((byte) 0), cfg.channel().extranonceIndexBytes(),
                cfg.channel().extranonceClientBytes());
        StandardChannel ch;
        try {
            ch = StandardChannel.open(new OpenStandardMiningChannel(1, PoolHarness.address(1) + ".rig", advertisedHps,
                    Target.MAX), 1, alloc, cfg.channel().toChannelConfig(), null);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        ChannelDifficulty vd = new ChannelDifficulty(cfg.vardiff(), clock, ch);
        List<SetTarget> sent = new ArrayList<>();
        vd.initial().ifPresent(sent::add);
        SplittableRandom rnd = new SplittableRandom(seed);
        long tickMs = cfg.channel().ackInterval().toMillis();
        long end = length.toMillis();
        long half = end / 2;
        long t = 0;
        long nextTick = tickMs;
        long nextShare = nextShareAt(t, ch.target(), trueHps, rnd);
        int lateShares = 0;
        int lateChanges = 0;
        while (t < end) {
            boolean share = nextShare <= nextTick;
            long next = Math.min(end, share ? nextShare : nextTick);
            clock.advance(Duration.ofMillis(next - t));
            t = next;
            if (t >= end) {
                break;
            }
            Optional<SetTarget> r;
            if (share) {
                if (t >= half) {
                    lateShares++;
                }
                r = vd.onAccepted(Targets.toDifficulty(ch.target()));
            } else {
                r = vd.onTick();
                nextTick += tickMs;
            }
            if (r.isPresent()) {
                sent.add(r.get());
                assertEquals(ch.target(), r.get().maximumTarget(), "SetTarget carries the channel's new target");
                if (t >= half) {
                    lateChanges++;
                }
            }
            if (share || r.isPresent()) {
                nextShare = nextShareAt(t, ch.target(), trueHps, rnd); // memoryless: resampling is exact
            }
        }
        double lateMinutes = (end - half) / 60_000.0;
        return new Run(vd.difficulty(), lateShares / lateMinutes, lateChanges, vd.estimatedHashrateHps(), sent);
    }

    private static long nextShareAt(long now, Target target, double hps, SplittableRandom rnd) {
        double meanMs = Targets.expectedHashes(target) / hps * 1000.0;
        return now + Math.max(1, (long) (-Math.log(1 - rnd.nextDouble()) * meanMs));
    }

    static double ideal(double hps, double sharesPerMinute) {
        return hps * 60 / sharesPerMinute / Targets.expectedHashes(Targets.DIFF1_TARGET);
    }

    private static void assertConverged(PoolConfig cfg, double hps, float advertised) {
        double spm = cfg.vardiff().targetSharesPerMinute();
        for (long seed = 1; seed <= 5; seed++) {
            Run r = simulate(cfg, hps, advertised, Duration.ofMinutes(60), seed);
            String what = "hps " + hps + " advertised " + advertised + " seed " + seed + ": " + r.difficulty() + " vs ideal "
                    + ideal(hps, spm) + ", " + r.sharesPerMinuteLate() + " shares/min, " + r.changesLate() + " late changes";
            assertTrue(Math.abs(r.sharesPerMinuteLate() / spm - 1) < 0.35, what);
            assertTrue(Math.abs(r.difficulty() / ideal(hps, spm) - 1) < 0.5, what);
            assertTrue(r.changesLate() <= 3, "settles: " + what);
            assertTrue(Math.abs(r.estimateHps() / hps - 1) < 0.35, "estimate " + r.estimateHps() + "; " + what);
        }
    }

    @Test
    void bitaxeConvergesFromItsAdvertisedHashrateAndFromWrongOnes() {
        PoolConfig cfg = config();
        assertEquals(10, cfg.vardiff().targetSharesPerMinute());
        assertConverged(cfg, BITAXE, (float) BITAXE);
        assertConverged(cfg, BITAXE, 1e6f); // firmware advertising far too little: flood, then up
        assertConverged(cfg, BITAXE, 100e12f); // far too much: silence, then down
    }

    @Test
    void twoHundredTerahashConverges() {
        PoolConfig cfg = config();
        assertConverged(cfg, S21, (float) S21);
        assertConverged(cfg, S21, 1e9f);
    }

    @Test
    void otherSharesPerMinuteSetting() {
        PoolConfig cfg = config("vardiff.shares-per-minute=30", "channel.shares-per-minute=30");
        assertConverged(cfg, BITAXE, 1e6f);
        assertConverged(cfg, S21, 1e9f);
    }

    @Test
    void clampedToMaxDifficulty() {
        PoolConfig cfg = config("vardiff.max-difficulty=10000");
        assertTrue(ideal(S21, 10) > 10000);
        Run r = simulate(cfg, S21, 1e9f, Duration.ofMinutes(30), 7);
        assertEquals(10000, r.difficulty());
        SetTarget last = r.sent().get(r.sent().size() - 1);
        assertEquals(Targets.fromDifficulty(10000), last.maximumTarget());
        assertTrue(r.sharesPerMinuteLate() > 100, "above max the miner just submits more: " + r);
        // advertised above the max: the very first message clamps
        Run honest = simulate(cfg, S21, (float) S21, Duration.ofMinutes(1), 7);
        assertEquals(Targets.fromDifficulty(10000), honest.sent().get(0).maximumTarget(), "initial clamp");
    }

    @Test
    void clampedToMinDifficulty() {
        PoolConfig cfg = config("vardiff.min-difficulty=100000");
        assertTrue(ideal(BITAXE, 10) < 100000);
        Run r = simulate(cfg, BITAXE, (float) BITAXE, Duration.ofMinutes(60), 3);
        assertEquals(100000, r.difficulty());
        assertEquals(Targets.fromDifficulty(100000), r.sent().get(0).maximumTarget(), "initial clamp");
        assertTrue(r.sharesPerMinuteLate() < 1, "below min the miner just submits less: " + r);
    }
}
