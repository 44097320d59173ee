package org.hyperhash.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.hyperhash.cli.demo.DemoOptions;
import org.hyperhash.cli.demo.DemoRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hh demo}: devnet template provider + pool + built-in CPU miners, with a live status line. */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = "Template provider on the embedded devnet chain, the pool and CPU miners speaking real SV2 "
                + "over loopback; prints a live status line until Ctrl-C (or --duration).")
final class DemoCommand implements Callable<Integer> {
    private static final DemoOptions D = DemoOptions.defaults();

    @Option(names = "--sv2-port", description = "pool mining port on 127.0.0.1 (0 = any free port)")
    int sv2Port = D.sv2Port();

    @Option(names = "--admin-port", description = "pool admin HTTP port on 127.0.0.1 (0 = any free port)")
    int adminPort = D.adminPort();

    @Option(names = "--data-dir", description = "where the demo ledger (SQLite) lives")
    Path dataDir = D.dataDir();

    @Option(names = "--miners", description = "built-in CPU miners (alternating standard / extended channels)")
    int miners = D.miners();

    @Option(names = "--hashrate", description = "hashrate per CPU miner, H/s")
    double hashrateHps = D.hashrateHps();

    @Option(names = "--duration", description = "stop after this many seconds (0 = until Ctrl-C)")
    long durationSeconds = D.duration().toSeconds();

    @Override
    public Integer call() {
        DemoOptions o = new DemoOptions(sv2Port, adminPort, dataDir, miners, hashrateHps,
                Duration.ofSeconds(durationSeconds), D.statusInterval());
        return DemoRunner.run(o, System.out);
    }
}
