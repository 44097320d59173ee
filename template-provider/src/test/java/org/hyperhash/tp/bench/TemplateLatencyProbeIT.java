package org.hyperhash.tp.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The probe's plumbing on a tiny run: every pool sees every tip and the server counts each one. No timings asserted. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TemplateLatencyProbeIT {
    @Test
    void everyPoolGetsEveryTipAndTheServerHistogramCountsThem() throws Exception {
        TemplateLatencyProbe.RunResult r = TemplateLatencyProbe.run(3, 4, 1, 0, 1);
        assertEquals(12, r.clientNanos().length);
        assertEquals(4, r.lastPoolNanos().length);
        assertEquals(4, r.gbtNanos().length);
        assertEquals(12, r.server().count(), "one server sample per (pool, new tip); the initial subscription is not a tip");
        assertEquals(12L, r.server().cumulative().lastEntry().getValue(), "+Inf bucket holds every sample");
        assertTrue(r.clientNanos()[0] > 0, "a pool cannot receive a tip before it is announced");
        assertEquals(0, r.outboundDropped());
        assertEquals(0, r.disconnects());
        String row = TemplateLatencyProbe.row(r);
        assertTrue(row.startsWith("| 3 | 1 | 4 | "), row);
    }
}
