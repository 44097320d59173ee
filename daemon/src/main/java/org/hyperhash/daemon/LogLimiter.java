package org.hyperhash.daemon;

import org.slf4j.Logger;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Rate-limited logging for lines a remote peer can trigger: at most one line per pattern (a caller-chosen key, e.g.
 * the reason) per interval; the lines held back in between are counted and the next line written for that pattern
 * says how many there were ("... [and 1234 more like this in the last 10 s]"). Thread-safe and bounded: at most
 * {@value #MAX_PATTERNS} patterns are tracked; past that, every unknown pattern shares one slot. Logback's
 * DuplicateMessageFilter is global, keys on the format string only and never reports what it dropped, so it is not
 * enough here.
 */
public final class LogLimiter {
    /** Most distinct patterns tracked at once. */
    public static final int MAX_PATTERNS = 256;
    private static final String OVERFLOW = "\u0000other";

    private final Logger log;
    private final long intervalNanos;
    private final LongSupplier nanos;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    private static final class Slot {
        long windowStart;
        long suppressed;
        boolean logged;
    }

    public LogLimiter(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    public LogLimiter(Logger log, Duration interval, LongSupplier nanos) {
        this.log = log;
        this.intervalNanos = interval.toNanos();
        this.nanos = nanos;
    }

    public void error(String pattern, String format, Object... args) {
        log(Level.ERROR, pattern, format, args);
    }

    public void warn(String pattern, String format, Object... args) {
        log(Level.WARN, pattern, format, args);
    }

    public void info(String pattern, String format, Object... args) {
        log(Level.INFO, pattern, format, args);
    }

    /** Writes the line unless one for {@code pattern} was written less than an interval ago (then counts it). */
    public void log(Level level, String pattern, String format, Object... args) {
        if (!log.isEnabledForLevel(level)) {
            return;
        }
        String key = slots.size() >= MAX_PATTERNS && !slots.containsKey(pattern) ? OVERFLOW : pattern;
        Slot s = slots.computeIfAbsent(key, k -> new Slot());
        long held;
        synchronized (s) {
            long now = nanos.getAsLong();
            if (s.logged && now - s.windowStart < intervalNanos) {
                s.suppressed++;
                return;
            }
            held = s.suppressed;
            s.suppressed = 0;
            s.windowStart = now;
            s.logged = true;
        }
        if (held > 0) {
            Object[] a = Arrays.copyOf(args, args.length + 2);
            a[args.length] = held;
            a[args.length + 1] = Math.max(1, intervalNanos / 1_000_000_000L);
            log.atLevel(level).log(format + " [and {} more like this in the last {} s]", a);
        } else {
            log.atLevel(level).log(format, args);
        }
    }

    /** Lines held back so far for {@code pattern} in its current interval (tests). */
    public long suppressed(String pattern) {
        Slot s = slots.get(pattern);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return s.suppressed;
        }
    }
}
