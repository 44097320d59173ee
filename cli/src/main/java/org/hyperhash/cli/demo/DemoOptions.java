package org.hyperhash.cli.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Options of {@code hh demo}.
 *
 * @param ports every port the demo opens (0 = any free port)
 * @param dataDir where the demo ledger (SQLite), the treasury audit log and the demo's log file live
 * @param miners built-in SV2 CPU miners (alternating standard / extended channels; the third mines solo)
 * @param sv1Miners built-in SV1 CPU miners, connected through the translator
 * @param hashrateHps throttle per CPU miner (H/s)
 * @param devnetBits nBits of the devnet chain (difficulty of every block)
 * @param duration stop after this long; zero = run until Ctrl-C
 * @param statusInterval how often the screen is redrawn (or a plain status line printed)
 */
public record DemoOptions(DemoStack.Ports ports, Path dataDir, int miners, int sv1Miners,
        double hashrateHps, int devnetBits, Duration duration, Duration statusInterval, boolean hyperNode) {

    /** Without a Hyper Node. */
    public DemoOptions(DemoStack.Ports ports, Path dataDir, int miners, int sv1Miners, double hashrateHps, int devnetBits,
            Duration duration, Duration statusInterval) {
        this(ports, dataDir, miners, sv1Miners, hashrateHps, devnetBits, duration, statusInterval, false);
    }

    public DemoOptions {
        Objects.requireNonNull(ports, "ports");
        Objects.requireNonNull(dataDir, "dataDir");
        if (miners < 0 || miners > 64) {
            throw new IllegalArgumentException("miners must be 0..64, got " + miners);
        }
        if (sv1Miners < 0 || sv1Miners > 64) {
            throw new IllegalArgumentException("sv1 miners must be 0..64, got " + sv1Miners);
        }
        if (!(hashrateHps > 0)) {
            throw new IllegalArgumentException("hashrate must be > 0");
        }
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must be >= 0");
        }
    }

    public static DemoOptions defaults() {
        return new DemoOptions(DemoStack.Ports.defaults(), Path.of("hh-data", "demo"), 2, 1, 20_000,
                DemoStack.DEMO_BITS, Duration.ZERO, Duration.ofSeconds(1));
    }
}
