package org.hyperhash.cli;

import org.hyperhash.daemon.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * The {@code hh} entry point (the {@code ./hh} launcher finds JDK 25 and runs this). Every daemon
 * subcommand follows one contract: {@code --config FILE}, repeatable {@code --set path=value},
 * {@code --help} with every option and its default.
 */
@Command(name = "hh", mixinStandardHelpOptions = true, versionProvider = Hh.VersionProvider.class,
        description = "Hyperhash: Stratum V2 pool, template provider, translator, treasury and node agent.",
        subcommands = {VersionCommand.class, KeygenCommand.class, DemoCommand.class, PoolCommand.class, JdcCommand.class, StackCommand.class,
            org.hyperhash.tp.TpCommand.class,
            org.hyperhash.translator.TranslatorCommand.class, org.hyperhash.treasury.TreasuryCommand.class,
            org.hyperhash.web.WebCommand.class,
            AgentCommands.NodeAgent.class, AgentCommands.Release.class, CommandLine.HelpCommand.class})
public final class Hh implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** {@link #execute(String...)} writing to {@code out} / {@code err} (null = stdout / stderr). */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Hh());
        if (out != null) {
            cl.setOut(out);
        }
        if (err != null) {
            cl.setErr(err);
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof org.hyperhash.daemon.DaemonConfig.ConfigError ce) {
                cmd.getErr().println("hh: configuration error: " + ce.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hyperhash " + Version.version()};
        }
    }
}
