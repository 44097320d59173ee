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
            CoreLikeLatencyProbe.Result r = CoreLikeLatencyProbe.runDetailed(m, 20, 2);
            long[] ns = r.prevHash();
            assertEquals(2, ns.length);
            for (int i = 0; i < ns.length; i++) {
                long n = ns[i];
                assertTrue(n > 0 && n < 10_000_000_000L, m + ": a tip was not delivered: " + n);
                // the full template for the tip arrived too, never before the SetNewPrevHash
                assertTrue(r.full()[i] >= n && r.full()[i] < 10_000_000_000L, m + ": no full template: " + r.full()[i]);
                assertTrue(r.node()[i] > 0 && r.node()[i] <= n, m + ": the TP was notified after its SetNewPrevHash?");
            }
            assertTrue(CoreLikeLatencyProbe.row(m, 20, ns).startsWith("| "));
        }
    }
}
