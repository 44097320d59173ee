package org.hyperhash.pool.support;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * The pool's clock in ITs: system time plus an offset the test moves ({@link #advance}), optionally frozen
 * ({@link #freeze}) so that time-driven pool work (periodic ledger flushes, vardiff, ban expiry) happens only
 * when the test says so. Netty timers (handshake/idle timeouts) keep real time. Thread-safe.
 */
public final class TestClock implements InstantSource {
    private volatile long offsetMs;
    private volatile Instant frozen;

    @Override
    public Instant instant() {
        Instant f = frozen;
        return f != null ? f : Instant.ofEpochMilli(System.currentTimeMillis() + offsetMs);
    }

    /** Moves time forward (also while frozen). */
    public synchronized void advance(Duration d) {
        offsetMs += d.toMillis();
        if (frozen != null) {
            frozen = frozen.plus(d);
        }
    }

    /** Stops time at now. */
    public synchronized void freeze() {
        frozen = instant();
    }

    /** Lets time run again from the frozen instant onwards. */
    public synchronized void unfreeze() {
        if (frozen != null) {
            offsetMs = frozen.toEpochMilli() - System.currentTimeMillis();
            frozen = null;
        }
    }
}
