package org.hyperhash.translator.sv2;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PoolSelectorTest {
    final PoolSelector s = new PoolSelector(2, Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(60));

    @Test
    void primaryFirstThenBackupImmediatelyAfterAFailure() {
        assertEquals(new PoolSelector.Choice(0, 0), s.next(0));
        s.onFailure(0, 0);
        assertEquals(new PoolSelector.Choice(1, 0), s.next(0));
    }

    @Test
    void exponentialBackoffCappedAndNeverBanned() {
        long t = 0;
        long[] expected = {1000, 2000, 4000, 8000, 8000, 8000};
        for (long e : expected) {
            s.onFailure(0, t);
            s.onFailure(1, t);
            PoolSelector.Choice c = s.next(t);
            assertEquals(0, c.index());
            assertEquals(e, c.delayMillis());
            t += c.delayMillis();
            assertEquals(new PoolSelector.Choice(0, 0), s.next(t), "eligible again once the back-off passed");
        }
        assertEquals(6, s.failures(0));
    }

    @Test
    void primaryProbedOnlyAfterCooldownWhileOnBackup() {
        s.onFailure(0, 0);
        assertEquals(-1, s.probeCandidate(1, 1_000));
        assertEquals(-1, s.probeCandidate(1, 59_999));
        assertEquals(0, s.probeCandidate(1, 60_000));
        assertEquals(-1, s.probeCandidate(0, 60_000), "nothing above the primary");
        s.onFailure(0, 60_000);
        assertEquals(-1, s.probeCandidate(1, 61_000));
        assertEquals(0, s.probeCandidate(1, 120_000));
    }

    @Test
    void aStableSessionResetsTheBackoff() {
        s.onFailure(0, 0);
        s.onFailure(0, 1000);
        assertEquals(2, s.failures(0));
        s.onConnected(0, 5000);
        s.onFailure(0, 100_000);
        assertEquals(new PoolSelector.Choice(1, 0), s.next(100_000));
        assertEquals(1, s.failures(0));
    }

    @Test
    void validatesArguments() {
        assertThrows(IllegalArgumentException.class, () -> new PoolSelector(0, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new PoolSelector(1, Duration.ofSeconds(3), Duration.ofSeconds(2),
                Duration.ZERO));
    }
}
