package org.hyperhash.translator.bridge;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenRetryTest {
    final OpenRetry r = new OpenRetry(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2, Duration.ofMinutes(2));

    @Test
    void scheduleDoublesFromInitialUpToTheCap() {
        long[] expected = {500, 1000, 2000, 4000, 8000, 10_000, 10_000};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], r.delayMillis(i + 1, 0), "attempt " + (i + 1));
        }
        assertEquals(10_000, r.delayMillis(1_000, 0), "no overflow far out");
        assertEquals(10_000, r.delayMillis(Integer.MAX_VALUE, 0));
    }

    @Test
    void jitterOnlyShortensADelayByAtMostItsFraction() {
        assertEquals(400, r.delayMillis(1, 1.0));
        assertEquals(450, r.delayMillis(1, 0.5));
        assertEquals(8_000, r.delayMillis(20, 1.0));
        java.util.Random rnd = new java.util.Random(7);
        for (int a = 1; a < 40; a++) {
            long d = r.delayMillis(a, rnd.nextDouble());
            long base = r.delayMillis(a, 0);
            assertTrue(d <= base && d >= base * 0.8, a + ": " + d);
        }
    }

    @Test
    void classification() {
        assertEquals(OpenRetry.Kind.TRANSIENT, OpenRetry.classify("no-work-available"));
        assertEquals(OpenRetry.Kind.TRANSIENT, OpenRetry.classify("No-Work-Available"));
        assertEquals(OpenRetry.Reason.NO_WORK_AVAILABLE, OpenRetry.reason("no-work-available"));
        for (String p : new String[] {"unknown-user", "invalid-user-identity", "max-target-out-of-range",
                "invalid-nominal-hashrate", "min-extranonce-size-too-large", "unsupported-min-extranonce-size",
                "standard-channels-not-supported-for-custom-work", "extended-channels-not-supported-for-standard-jobs",
                "too-many-channels"}) {
            assertEquals(OpenRetry.Kind.PERMANENT, OpenRetry.classify(p), p);
        }
        // codes are implementation-defined (spec): an unknown one is retried, bounded by max-wait
        assertEquals(OpenRetry.Kind.TRANSIENT, OpenRetry.classify("something-new"));
        assertEquals(OpenRetry.Kind.TRANSIENT, OpenRetry.classify(""));
        assertEquals(OpenRetry.Reason.UNKNOWN_CODE, OpenRetry.reason("something-new"));
    }

    @Test
    void validation() {
        assertThrows(IllegalArgumentException.class, () -> new OpenRetry(Duration.ZERO, Duration.ofSeconds(1), 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new OpenRetry(Duration.ofSeconds(2), Duration.ofSeconds(1), 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new OpenRetry(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5, Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new OpenRetry(Duration.ofSeconds(1), Duration.ofSeconds(1), 0, Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> r.delayMillis(0, 0));
    }
}
