package org.hyperhash.translator.sv2;

import java.time.Duration;

/**
 * Which pool to connect to next (sans-I/O, times in epoch millis). Pools are in priority order.
 * A failure backs that pool off exponentially ({@code initial * 2^(n-1)}, capped at {@code max});
 * it is never banned: once its back-off has passed it is eligible again. While connected to a
 * lower-priority pool, a higher-priority one that failed is probed again {@code cooldown} after its
 * last failure (so the translator returns to the primary when it is back).
 */
public final class PoolSelector {
    /** The next attempt: pool index and how long to wait first. */
    public record Choice(int index, long delayMillis) {
    }

    private final int count;
    private final long initialMillis;
    private final long maxMillis;
    private final long cooldownMillis;
    private final int[] failures;
    private final long[] notBefore;
    private final long[] lastFailure;

    public PoolSelector(int count, Duration backoffInitial, Duration backoffMax, Duration cooldown) {
        if (count < 1) {
            throw new IllegalArgumentException("at least one pool is required (upstream.pools)");
        }
        if (backoffInitial.isNegative() || backoffInitial.isZero() || backoffMax.compareTo(backoffInitial) < 0
                || cooldown.isNegative()) {
            throw new IllegalArgumentException("need 0 < backoff-initial <= backoff-max and cooldown >= 0");
        }
        this.count = count;
        this.initialMillis = backoffInitial.toMillis();
        this.maxMillis = backoffMax.toMillis();
        this.cooldownMillis = cooldown.toMillis();
        this.failures = new int[count];
        this.notBefore = new long[count];
        this.lastFailure = new long[count];
        java.util.Arrays.fill(lastFailure, Long.MIN_VALUE / 2);
    }

    /** The highest-priority pool that may be tried now, else the one that becomes eligible first. */
    public Choice next(long nowMillis) {
        int best = 0;
        for (int i = 0; i < count; i++) {
            if (notBefore[i] <= nowMillis) {
                return new Choice(i, 0);
            }
            if (notBefore[i] < notBefore[best]) {
                best = i;
            }
        }
        return new Choice(best, notBefore[best] - nowMillis);
    }

    public void onFailure(int index, long nowMillis) {
        int n = Math.min(++failures[index], 30);
        long delay = Math.min(maxMillis, initialMillis << Math.min(n - 1, 20));
        notBefore[index] = nowMillis + delay;
        lastFailure[index] = nowMillis;
    }

    /** The session reached SetupConnection.Success and an open channel: reset its back-off. */
    public void onConnected(int index, long nowMillis) {
        failures[index] = 0;
        notBefore[index] = nowMillis;
    }

    /** A higher-priority pool than {@code current} to probe now, or -1. */
    public int probeCandidate(int current, long nowMillis) {
        for (int i = 0; i < current; i++) {
            if (notBefore[i] <= nowMillis && nowMillis - lastFailure[i] >= cooldownMillis) {
                return i;
            }
        }
        return -1;
    }

    public int failures(int index) {
        return failures[index];
    }
}
