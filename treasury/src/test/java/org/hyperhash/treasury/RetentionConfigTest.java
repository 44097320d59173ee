package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.hyperhash.daemon.DaemonConfig;
import org.junit.jupiter.api.Test;

/** retention.* in reference.conf: defaults, and the strict refusals (key and minimum named). */
class RetentionConfigTest {
    static TreasuryConfig load(String... sets) {
        return TreasuryConfig.from(DaemonConfig.load(null, List.of(sets), "TREASURY_TEST_NONE", TreasuryConfig.ROOT));
    }

    static String refusal(String... sets) {
        return assertThrows(DaemonConfig.ConfigError.class, () -> load(sets)).getMessage();
    }

    @Test
    void defaults() {
        Retention.Config r = load().retention();
        assertEquals(Retention.Config.defaults(), r);
        assertTrue(r.enabled());
        assertEquals(Duration.ofDays(30), r.shareWindows());
        assertEquals(Duration.ofDays(400), r.workerHours());
    }

    @Test
    void shareWindowsBelowTheMinimumIsRefusedNamingKeyAndMinimum() {
        String m = refusal("retention.share-windows=3d");
        assertTrue(m.contains("retention.share-windows = 3d is below the minimum 7d"), m);
        assertEquals(Duration.ofDays(7), load("retention.share-windows=7d").retention().shareWindows(), "the minimum itself is fine");
    }

    @Test
    void workerHoursBelowTheMinimumIsRefused() {
        String m = refusal("retention.worker-hours=24h");
        assertTrue(m.contains("retention.worker-hours = 1d is below the minimum 25h"), m);
    }

    @Test
    void otherBoundsAndUnknownKeys() {
        assertTrue(refusal("retention.batch-size=10").contains("retention.batch-size must be in [100, 100000], got 10"));
        assertTrue(refusal("retention.interval=10s").contains("retention.interval must be in [1m, 1d], got 10s"));
        assertTrue(refusal("retention.batch-pause=1m").contains("retention.batch-pause must be in [0, 10s], got 1m"));
        assertThrows(DaemonConfig.ConfigError.class, () -> load("retention.share-window=30d"), "unknown key");
        assertTrue(!load("retention.enabled=false").retention().enabled());
    }

    @Test
    void everyConfigExampleLoads() throws Exception {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("config-examples"))) {
            for (java.nio.file.Path f : files.toList()) {
                TreasuryConfig c = TreasuryConfig.from(DaemonConfig.load(f, List.of(), "TREASURY_TEST_NONE", TreasuryConfig.ROOT));
                assertEquals(Duration.ofDays(30), c.retention().shareWindows(), f.toString());
            }
        }
    }

    @Test
    void human() {
        assertEquals("30d", Retention.human(Duration.ofDays(30)));
        assertEquals("25h", Retention.human(Duration.ofHours(25)));
        assertEquals("90m", Retention.human(Duration.ofMinutes(90)));
        assertEquals("1500ms", Retention.human(Duration.ofMillis(1500)));
    }
}
