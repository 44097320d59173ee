package org.hyperhash.testkit;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A settable {@link InstantSource} for sans-I/O tests. Thread-safe. */
public final class ManualClock implements InstantSource {
    private volatile Instant now;

    public ManualClock(Instant start) {
        this.now = start;
    }

    public static ManualClock ofEpochSecond(long s) {
        return new ManualClock(Instant.ofEpochSecond(s));
    }

    @Override
    public Instant instant() {
        return now;
    }

    public synchronized void advance(Duration d) {
        now = now.plus(d);
    }

    public void set(Instant t) {
        now = t;
    }
}
