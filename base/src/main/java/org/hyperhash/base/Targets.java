package org.hyperhash.base;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Target arithmetic used for channel targets, SV1 difficulty and hashrate estimates. These run on
 * channel open, SetTarget and vardiff updates (cold path) and may use BigInteger; per-share code
 * only calls {@link Target#isMetBy(byte[])}.
 *
 * <p>Difficulty is "bdiff": {@code diff = 0xFFFF * 2^208 / target} (difficulty 1 = target
 * {@code 0x00000000FFFF0000...}).
 */
public final class Targets {
    private static final BigInteger TWO_256 = BigInteger.ONE.shiftLeft(256);
    private static final BigInteger MAX_U256 = TWO_256.subtract(BigInteger.ONE);
    /** 0xFFFF * 2^208: the difficulty-1 target. */
    public static final BigInteger DIFF1 = BigInteger.valueOf(0xFFFF).shiftLeft(208);
    /** The difficulty-1 target as a {@link Target}. */
    public static final Target DIFF1_TARGET = Target.fromBigInteger(DIFF1);
    private static final double DIFF1_DOUBLE = 0xFFFF * Math.scalb(1.0, 208);
    private static final double TWO_256_DOUBLE = Math.scalb(1.0, 256);

    private Targets() {
    }

    /**
     * SRI's channel target for a nominal hashrate: {@code t = floor(hashrate * 60 /
     * sharesPerMinute)}, {@code target = floor((2^256 - 1 - t) / (t + 1))}. Hashrate 0 gives the
     * maximum target.
     *
     * @throws IllegalArgumentException if hashrate is negative/NaN/infinite or sharesPerMinute is not positive
     */
    public static Target fromNominalHashrate(double hashrateHps, double sharesPerMinute) {
        if (!Double.isFinite(hashrateHps) || hashrateHps < 0) {
            throw new IllegalArgumentException("nominal_hash_rate must be a finite value >= 0, got " + hashrateHps);
        }
        if (!Double.isFinite(sharesPerMinute) || sharesPerMinute <= 0) {
            throw new IllegalArgumentException("sharesPerMinute must be > 0, got " + sharesPerMinute);
        }
        BigInteger t = new BigDecimal(hashrateHps * 60.0 / sharesPerMinute).setScale(0, RoundingMode.FLOOR)
                .toBigInteger();
        if (t.bitLength() > 255) {
            return Target.fromBigInteger(BigInteger.ZERO);
        }
        return Target.fromBigInteger(MAX_U256.subtract(t).divide(t.add(BigInteger.ONE)));
    }

    /** {@link #fromNominalHashrate(double, double)} clamped to {@code maxTarget}. */
    public static Target fromNominalHashrate(double hashrateHps, double sharesPerMinute, Target maxTarget) {
        return fromNominalHashrate(hashrateHps, sharesPerMinute).min(maxTarget);
    }

    /**
     * Target for an SV1/bdiff difficulty: {@code floor(0xFFFF * 2^208 / difficulty)}, exact for
     * the double's binary value, clamped to {@link Target#MAX}.
     *
     * @throws IllegalArgumentException if difficulty is not a finite positive number
     */
    public static Target fromDifficulty(double difficulty) {
        if (!Double.isFinite(difficulty) || difficulty <= 0) {
            throw new IllegalArgumentException("difficulty must be finite and > 0, got " + difficulty);
        }
        // difficulty = m * 2^e exactly
        int e = Math.getExponent(difficulty) - 52;
        long m = (long) Math.scalb(difficulty, -e);
        BigInteger q;
        if (e >= 0) {
            q = DIFF1.divide(BigInteger.valueOf(m).shiftLeft(e));
        } else {
            q = DIFF1.shiftLeft(-e).divide(BigInteger.valueOf(m));
        }
        return q.compareTo(MAX_U256) > 0 ? Target.MAX : Target.fromBigInteger(q);
    }

    /**
     * bdiff of a share's hash (what the share "is worth", as pools show "best share"): diff-1 target / hash, the hash
     * read as a little-endian 256-bit number (wire order, as {@link Target#isMetBy(byte[])} takes it). {@code +Infinity}
     * for an all-zero hash. No allocation.
     */
    public static double hashDifficulty(byte[] hash32) {
        double v = 0;
        for (int i = 31; i >= 0; i--) {
            v = v * 256.0 + (hash32[i] & 0xff);
        }
        return v == 0 ? Double.POSITIVE_INFINITY : DIFF1_DOUBLE / v;
    }

    /** bdiff of a target as a double ({@code +Infinity} for target 0). */
    public static double toDifficulty(Target target) {
        double t = target.toDouble();
        return t == 0 ? Double.POSITIVE_INFINITY : DIFF1_DOUBLE / t;
    }

    /**
     * bdiff truncated to an unsigned 64-bit integer (saturating), as SRI adds it to
     * {@code new_shares_sum}: difficulties below 1 count 0.
     */
    public static long truncatedDifficulty(Target target) {
        double d = toDifficulty(target);
        if (d >= 0x1p64) {
            return -1L; // u64::MAX
        }
        if (d >= 0x1p63) {
            return (long) (d - 0x1p63) ^ Long.MIN_VALUE;
        }
        return (long) d;
    }

    /** Expected number of hashes per share at this target: {@code 2^256 / (target + 1)}. */
    public static double expectedHashes(Target target) {
        return TWO_256_DOUBLE / (target.toDouble() + 1.0);
    }

    /** Hashrate (H/s) implied by finding {@code sharesPerMinute} shares per minute at this target. */
    public static double hashrateFromTarget(Target target, double sharesPerMinute) {
        return expectedHashes(target) * sharesPerMinute / 60.0;
    }

    /** Hashrate (H/s) from a share rate at a given difficulty: {@code diff * 2^32 * shares / seconds}-style estimate. */
    public static double hashrateFromDifficulty(double difficulty, double sharesPerSecond) {
        return difficulty * (TWO_256_DOUBLE / DIFF1_DOUBLE) * sharesPerSecond;
    }
}
