package org.hyperhash.tp.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Smoke test of the latency probe (CI never takes its timings): every mode delivers every tip. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CoreLikeLatencyProbeIT {
    @Test
    void everyModeDeliversEveryTip() throws Exception {
        for (CoreLikeLatencyProbe.Mode m : CoreLikeLatencyProbe.Mode.values()) {
            long[] ns = CoreLikeLatencyProbe.run(m, 20, 2);
            assertEquals(2, ns.length);
            for (long n : ns) {
                assertTrue(n > 0 && n < 10_000_000_000L, m + ": a tip was not delivered: " + n);
            }
            assertTrue(CoreLikeLatencyProbe.row(m, 20, ns).startsWith("| "));
        }
    }
}
