package org.hyperhash.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every benchmark still sets up, passes its self-checks and runs (JMH in this JVM, 100 ms each; no timing asserted). */
class BenchSmokeTest {
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyBenchmarkRuns() throws Exception {
        assertEquals(java.util.List.of(), Ratios.run(Ratios.RunMode.SMOKE, null));
    }

    @Test
    void parsesOpensslSpeedLines() {
        assertEquals(329367070.0, Ratios.parseSpeedLine("ChaCha20-Poly1305   329367.07k", "chacha20-poly1305"), 1e-3);
        assertEquals(1630765060.0, Ratios.parseSpeedLine("sha256          1630765.06k", "sha256"), 1e-3);
        assertTrue(Double.isNaN(Ratios.parseSpeedLine("type            100 bytes", "sha256")));
        assertTrue(Double.isNaN(Ratios.parseSpeedLine("sha256 garbage", "sha256")));
    }

    @Test
    void derivesInitiatorRate() {
        assertEquals(3000.0, Ratios.derive(1200.0, 2000.0), 1e-6);
        assertTrue(Double.isNaN(Ratios.derive(2000.0, 1000.0)));
    }
}
