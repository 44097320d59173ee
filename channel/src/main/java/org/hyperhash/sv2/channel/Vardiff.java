package org.hyperhash.sv2.channel;

import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;

/**
 * Variable difficulty, ckpool style: a decaying average of difficulty-weighted shares per second
 * ("dsps", independent of the difficulty the shares were found at, so it survives retargets)
 * estimates the hashrate; when the share rate at the current difficulty leaves the hysteresis
 * band, the difficulty moves to {@code dsps * 60 / targetSharesPerMinute}, clamped to
 * [min, max]. Without any share since the last change the difficulty is lowered by the factor
 * the silence proves (between 2x and 16x per step).
 *
 * <p>The average is a continuous-time exponential moving average of rate with time constant
 * {@code decayWindow}, bias-corrected for its start (so the first estimate after one second is
 * already usable). Time comes from the injected {@link InstantSource}. Owner-thread confined;
 * {@link #onShare(double)} allocates nothing unless the difficulty changes.
 */
@HotPath
public final class Vardiff {
    private final VardiffConfig config;
    private final InstantSource clock;
    private final double tauMillis;
    private final long startMillis;
    private double difficulty;
    private double rate; // EMA of difficulty per millisecond (unnormalised)
    private long lastEventMillis;
    private long lastChangeMillis;
    private int sharesSinceChange;
    private long burstSecond = Long.MIN_VALUE;
    private int burstCount;
    private boolean lastChangeRateLimited;
    private long rateLimitRaises;

    /** Starts at {@code initialDifficulty} (clamped). */
    public Vardiff(VardiffConfig config, InstantSource clock, double initialDifficulty) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.tauMillis = config.decayWindow().toMillis();
        this.difficulty = clamp(initialDifficulty);
        long now = clock.millis();
        this.startMillis = now;
        this.lastEventMillis = now;
        this.lastChangeMillis = now;
    }

    /** Starts at the difficulty of a channel target (e.g. the one from the nominal hashrate). */
    public static Vardiff fromTarget(VardiffConfig config, InstantSource clock, Target initialTarget) {
        return new Vardiff(config, clock, Targets.toDifficulty(initialTarget));
    }

    public double difficulty() {
        return difficulty;
    }

    /** Target for the current difficulty (cold path: BigInteger). */
    public Target target() {
        return Targets.fromDifficulty(difficulty);
    }

    /** Estimated hashrate in H/s from the decaying average (0 before any share). */
    public double estimatedHashrateHps() {
        return Targets.hashrateFromDifficulty(dsps(clock.millis()), 1.0);
    }

    /**
     * Records an accepted share found at {@code shareDifficulty} (the job target's bdiff, from
     * {@link ShareResult.Accepted#difficulty()}), then evaluates. Returns the new target when the
     * difficulty changed.
     */
    public Optional<Target> onShare(double shareDifficulty) {
        long now = clock.millis();
        decayTo(now);
        rate += shareDifficulty / tauMillis;
        sharesSinceChange++;
        lastChangeRateLimited = false;
        Optional<Target> limited = rateLimit(now, shareDifficulty);
        return limited.isPresent() ? limited : evaluate(now);
    }

    /**
     * Share-rate limit: more than {@code maxSharesPerSecond} shares found at the current difficulty
     * within one wall-clock second multiply the difficulty by the overshoot against the target rate
     * at once (clamped to the max). Shares found at an older, lower difficulty (in flight when the
     * last SetTarget was sent) do not count, so one burst does not compound.
     */
    private Optional<Target> rateLimit(long now, double shareDifficulty) {
        if (shareDifficulty < difficulty * 0.999) {
            return Optional.empty();
        }
        long second = Math.floorDiv(now, 1000);
        if (second != burstSecond) {
            burstSecond = second;
            burstCount = 0;
        }
        if (++burstCount <= config.maxSharesPerSecond()) {
            return Optional.empty();
        }
        double next = clamp(difficulty * (burstCount / (config.targetSharesPerMinute() / 60.0)));
        burstCount = 0;
        if (!(next > difficulty)) {
            return Optional.empty(); // already at the max difficulty
        }
        difficulty = next;
        lastChangeMillis = now;
        sharesSinceChange = 0;
        lastChangeRateLimited = true;
        rateLimitRaises++;
        return Optional.of(Targets.fromDifficulty(next));
    }

    /** True when the last {@link #onShare} changed the difficulty through the share-rate limit. */
    public boolean lastChangeRateLimited() {
        return lastChangeRateLimited;
    }

    /** Times the share-rate limit raised the difficulty. */
    public long rateLimitRaises() {
        return rateLimitRaises;
    }

    /** Periodic evaluation without a share (call from a timer, e.g. every few seconds). */
    public Optional<Target> onTick() {
        long now = clock.millis();
        decayTo(now);
        return evaluate(now);
    }

    private void decayTo(long now) {
        long dt = now - lastEventMillis;
        if (dt > 0) {
            rate *= Math.exp(-dt / tauMillis);
            lastEventMillis = now;
        }
    }

    /** Difficulty-weighted shares per second, bias-corrected for the warm-up. */
    private double dsps(long now) {
        long age = Math.max(1, now - startMillis);
        double norm = 1 - Math.exp(-age / tauMillis);
        double r = rate * Math.exp(-Math.max(0, now - lastEventMillis) / tauMillis);
        return r / norm * 1000.0;
    }

    private Optional<Target> evaluate(long now) {
        long sinceChange = now - lastChangeMillis;
        if (sinceChange < config.minRetargetInterval().toMillis()) {
            return Optional.empty();
        }
        boolean enoughShares = sharesSinceChange >= config.minSharesForRetarget();
        boolean longEnough = sinceChange >= config.maxRetargetInterval().toMillis();
        if (!enoughShares && !longEnough) {
            return Optional.empty();
        }
        double secondsPerShareTarget = 60.0 / config.targetSharesPerMinute();
        double next;
        if (sharesSinceChange == 0) {
            // silence for sinceChange proves the rate is below ~1 share per sinceChange
            double factor = Math.min(16, Math.max(2, sinceChange / 1000.0 / secondsPerShareTarget));
            next = difficulty / factor;
        } else {
            double dsps = dsps(now);
            double sharesPerMinuteNow = dsps / difficulty * 60.0;
            double ratio = sharesPerMinuteNow / config.targetSharesPerMinute();
            if (ratio >= config.lowRatio() && ratio <= config.highRatio()) {
                return Optional.empty();
            }
            next = dsps * secondsPerShareTarget;
        }
        next = clamp(next);
        if (next == difficulty) {
            lastChangeMillis = now;
            sharesSinceChange = 0;
            return Optional.empty();
        }
        difficulty = next;
        lastChangeMillis = now;
        sharesSinceChange = 0;
        return Optional.of(Targets.fromDifficulty(next));
    }

    private double clamp(double d) {
        if (!(d > 0) || Double.isNaN(d)) {
            return config.minDifficulty();
        }
        return Math.max(config.minDifficulty(), Math.min(config.maxDifficulty(), d));
    }
}
