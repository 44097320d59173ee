package org.hyperhash.cli.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of {@code hh demo}.
 *
 * @param sv2Port pool mining port on 127.0.0.1 (0 = any free port)
 * @param adminPort pool admin HTTP port on 127.0.0.1 (0 = any free port)
 * @param dataDir where the demo ledger (SQLite) lives
 * @param miners number of built-in CPU miners (alternating standard / extended channels)
 * @param hashrateHps throttle per CPU miner (H/s)
 * @param duration stop after this long; zero = run until Ctrl-C
 * @param statusInterval status line period
 */
public record DemoOptions(int sv2Port, int adminPort, Path dataDir, int miners, double hashrateHps, Duration duration,
        Duration statusInterval) {
    public DemoOptions {
        Objects.requireNonNull(dataDir, "dataDir");
        if (miners < 0 || miners > 64) {
            throw new IllegalArgumentException("miners must be 0..64, got " + miners);
        }
        if (!(hashrateHps > 0)) {
            throw new IllegalArgumentException("hashrateHps must be > 0");
        }
    }

    public static DemoOptions defaults() {
        return new DemoOptions(3333, 9090, Path.of("hh-data", "demo"), 2, 2000, Duration.ZERO, Duration.ofSeconds(1));
    }
}
