package org.hyperhash.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.hyperhash.cli.demo.DemoLogging;
import org.hyperhash.cli.demo.DemoOptions;
import org.hyperhash.cli.demo.DemoRunner;
import org.hyperhash.cli.demo.DemoStack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hh demo}: devnet template provider + pool + translator + treasury + built-in CPU miners, with a dashboard. */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {"Template provider on the embedded devnet chain, the pool, the translator, the treasury (dry-run) "
                + "and CPU miners speaking real SV2/SV1 over loopback, until Ctrl-C (or --duration).",
            "On a terminal: a dashboard redrawn in place, logs in a file under --data-dir (--verbose: on the terminal). "
                + "Otherwise: one plain status line per interval."})
final class DemoCommand implements Callable<Integer> {
    private static final DemoOptions D = DemoOptions.defaults();

    /** How the status is shown. */
    enum Screen { AUTO, LIVE, PLAIN }

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--tp-port", description = "template provider TDP port on 127.0.0.1 (0 = any free port)")
    int tpPort = D.ports().tpPort();

    @Option(names = "--tp-admin-port", description = "template provider admin HTTP port (0 = any free port)")
    int tpAdminPort = D.ports().tpAdminPort();

    @Option(names = "--sv2-port", description = "pool mining port on 127.0.0.1 (0 = any free port)")
    int sv2Port = D.ports().sv2Port();

    @Option(names = "--admin-port", description = "pool admin HTTP port on 127.0.0.1 (0 = any free port)")
    int adminPort = D.ports().poolAdminPort();

    @Option(names = "--sv1-port", description = "translator SV1 port on 127.0.0.1 (0 = any free port)")
    int sv1Port = D.ports().sv1Port();

    @Option(names = "--translator-admin-port", description = "translator admin HTTP port (0 = any free port)")
    int translatorAdminPort = D.ports().translatorAdminPort();

    @Option(names = "--treasury-admin-port", description = "treasury admin HTTP port (0 = any free port)")
    int treasuryAdminPort = D.ports().treasuryAdminPort();

    @Option(names = "--web-port", description = "the miners' web page and public API (0 = any free port)")
    int webPort = D.ports().webPort();

    @Option(names = "--data-dir", description = "where the demo ledger (SQLite), the treasury audit log and demo.log live")
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

    @Option(names = "--interval", description = "seconds between two screen updates (or status lines)")
    double intervalSeconds = D.statusInterval().toMillis() / 1000.0;

    @Option(names = "--hyper-node", description = "also run a Hyper Node (hh jdc): its own templates declared to the "
            + "pool's JDS; every other SV2 miner mines through it")
    boolean hyperNode;

    @Option(names = "--verbose", description = "keep the logs on the terminal (implies --screen plain) instead of in "
            + "<data-dir>/demo.log")
    boolean verbose;

    @Option(names = "--screen", description = "auto (a dashboard when stdout is a terminal, plain lines otherwise), "
            + "live or plain")
    Screen screen = Screen.AUTO;

    @Override
    public Integer call() {
        DemoOptions o;
        try {
            o = new DemoOptions(new DemoStack.Ports(tpPort, tpAdminPort, sv2Port, adminPort, sv1Port, translatorAdminPort,
                    treasuryAdminPort, webPort), dataDir, miners, sv1Miners, hashrateHps, parseHex(devnetBits),
                    Duration.ofSeconds(durationSeconds), Duration.ofMillis(Math.max(100, (long) (intervalSeconds * 1000))),
                    hyperNode);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Path logFile = null;
        if (!verbose) {
            logFile = dataDir.resolve("demo.log");
            try {
                if (!DemoLogging.toFile(logFile)) {
                    logFile = null;
                }
            } catch (IOException e) {
                System.err.println("hh demo: " + e.getMessage() + "; logs stay on the terminal");
                logFile = null;
            }
        }
        boolean live = !verbose && switch (screen) {
            case LIVE -> true;
            case PLAIN -> false;
            case AUTO -> stdoutIsTerminal();
        };
        return DemoRunner.run(o, System.out, live, logFile);
    }

    /**
     * The {@code hh} launcher tests stdout itself ({@code [ -t 1 ]}) and passes the answer in HH_STDOUT_TTY;
     * without it (the main class run directly), the JVM's console check, which needs stdin to be a terminal too.
     */
    static boolean stdoutIsTerminal() {
        String env = System.getenv("HH_STDOUT_TTY");
        if (env != null && !env.isBlank()) {
            return env.strip().equals("1");
        }
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
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
