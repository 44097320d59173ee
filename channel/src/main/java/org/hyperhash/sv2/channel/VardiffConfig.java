package org.hyperhash.sv2.channel;

import java.time.Duration;

/**
 * Vardiff policy.
 *
 * @param targetSharesPerMinute share rate to steer towards
 * @param minDifficulty lowest difficulty (bdiff) ever set; CPU miners on devnet need well below 1
 * @param maxDifficulty highest difficulty ever set
 * @param decayWindow time constant of the decaying share-rate average (ckpool uses minutes)
 * @param minRetargetInterval no change sooner than this after the previous one
 * @param minSharesForRetarget shares since the last change needed before a change (unless
 *     {@code maxRetargetInterval} passed)
 * @param maxRetargetInterval evaluate even with few shares after this long
 * @param lowRatio retarget only if the measured share rate is below {@code lowRatio * target}...
 * @param highRatio ...or above {@code highRatio * target} (hysteresis)
 * @param maxSharesPerSecond per-channel share-rate limit: more shares than this at the current
 *     difficulty within one second raise the difficulty at once by the observed overshoot (no
 *     waiting for {@code minRetargetInterval}), so a flood is answered with SetTarget instead of
 *     tens of thousands of accepted shares per second
 */
public record VardiffConfig(double targetSharesPerMinute, double minDifficulty, double maxDifficulty,
        Duration decayWindow, Duration minRetargetInterval, int minSharesForRetarget, Duration maxRetargetInterval,
        double lowRatio, double highRatio, int maxSharesPerSecond) {

    /** Default per-channel share-rate limit (shares per second at the current difficulty). */
    public static final int DEFAULT_MAX_SHARES_PER_SECOND = 10;

    /** Without an explicit rate limit: {@link #DEFAULT_MAX_SHARES_PER_SECOND}. */
    public VardiffConfig(double targetSharesPerMinute, double minDifficulty, double maxDifficulty, Duration decayWindow,
            Duration minRetargetInterval, int minSharesForRetarget, Duration maxRetargetInterval, double lowRatio,
            double highRatio) {
        this(targetSharesPerMinute, minDifficulty, maxDifficulty, decayWindow, minRetargetInterval,
                minSharesForRetarget, maxRetargetInterval, lowRatio, highRatio, DEFAULT_MAX_SHARES_PER_SECOND);
    }

    public VardiffConfig {
        if (!(targetSharesPerMinute > 0) || Double.isInfinite(targetSharesPerMinute)) {
            throw new IllegalArgumentException("targetSharesPerMinute must be > 0");
        }
        if (!(minDifficulty > 0) || !(maxDifficulty >= minDifficulty) || Double.isInfinite(maxDifficulty)) {
            throw new IllegalArgumentException("need 0 < minDifficulty <= maxDifficulty < inf, got "
                    + minDifficulty + ".." + maxDifficulty);
        }
        if (decayWindow.isNegative() || decayWindow.isZero()) {
            throw new IllegalArgumentException("decayWindow must be > 0");
        }
        if (minRetargetInterval.isNegative() || maxRetargetInterval.compareTo(minRetargetInterval) < 0) {
            throw new IllegalArgumentException("need 0 <= minRetargetInterval <= maxRetargetInterval");
        }
        if (minSharesForRetarget < 1) {
            throw new IllegalArgumentException("minSharesForRetarget must be >= 1");
        }
        if (!(lowRatio > 0 && lowRatio < 1 && highRatio > 1)) {
            throw new IllegalArgumentException("need 0 < lowRatio < 1 < highRatio");
        }
        if (maxSharesPerSecond < 1 || maxSharesPerSecond < targetSharesPerMinute / 60.0) {
            throw new IllegalArgumentException("maxSharesPerSecond must be >= 1 and >= the target rate, got "
                    + maxSharesPerSecond);
        }
    }

    /**
     * Defaults for a pool: 10 shares/min, difficulty 1e-6 (CPU on devnet/regtest) .. 1e15,
     * 3-minute decay, change at most every 10 s after 8 shares, or after 60 s regardless, band
     * 0.5x..1.5x.
     */
    public static VardiffConfig defaults() {
        return new VardiffConfig(10, 1e-6, 1e15, Duration.ofMinutes(3), Duration.ofSeconds(10), 8,
                Duration.ofSeconds(60), 0.5, 1.5);
    }

    public VardiffConfig withDifficultyRange(double min, double max) {
        return new VardiffConfig(targetSharesPerMinute, min, max, decayWindow, minRetargetInterval, minSharesForRetarget,
                maxRetargetInterval, lowRatio, highRatio, maxSharesPerSecond);
    }

    public VardiffConfig withTargetSharesPerMinute(double spm) {
        return new VardiffConfig(spm, minDifficulty, maxDifficulty, decayWindow, minRetargetInterval, minSharesForRetarget,
                maxRetargetInterval, lowRatio, highRatio, maxSharesPerSecond);
    }

    public VardiffConfig withMaxSharesPerSecond(int n) {
        return new VardiffConfig(targetSharesPerMinute, minDifficulty, maxDifficulty, decayWindow, minRetargetInterval,
                minSharesForRetarget, maxRetargetInterval, lowRatio, highRatio, n);
    }
}
