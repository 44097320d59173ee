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

    @Option(names = "--sv1-port", description = "translator SV1 port on 127.0.0.1 (0 = any free port)")
    int sv1Port = D.sv1Port();

    @Option(names = "--admin-port", description = "pool admin HTTP port on 127.0.0.1 (0 = any free port)")
    int adminPort = D.adminPort();

    @Option(names = "--data-dir", description = "where the demo ledger (SQLite) lives")
    Path dataDir = D.dataDir();

    @Option(names = "--miners", description = "built-in CPU miners (alternating standard / extended channels)")
    int miners = D.miners();

    @Option(names = "--sv1-miners", description = "built-in SV1 CPU miners, connected through the translator")
    int sv1Miners = D.sv1Miners();

    @Option(names = "--devnet-bits",
            description = "nBits of the devnet chain, hex (0x207fffff = regtest: nearly every share is a block)")
    String devnetBits = String.format("0x%08x", D.devnetBits());

    @Option(names = "--hashrate", description = "hashrate per CPU miner, H/s")
    double hashrateHps = D.hashrateHps();

    @Option(names = "--duration", description = "stop after this many seconds (0 = until Ctrl-C)")
    long durationSeconds = D.duration().toSeconds();

    @Override
    public Integer call() {
        DemoOptions o = new DemoOptions(sv2Port, sv1Port, adminPort, dataDir, miners, sv1Miners, hashrateHps, parseHex(devnetBits),
                Duration.ofSeconds(durationSeconds), D.statusInterval());
        return DemoRunner.run(o, System.out);
    }

    /** nBits as hex, with or without 0x. */
    static int parseHex(String v) {
        String h = v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
        try {
            return (int) Long.parseLong(h, 16);
        } catch (NumberFormatException e) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(new DemoCommand()),
                    "--devnet-bits: not a hex number: " + v);
        }
    }
}
