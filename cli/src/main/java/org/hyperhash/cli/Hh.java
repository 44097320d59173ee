package org.hyperhash.cli;

import org.hyperhash.daemon.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code hh} entry point (the {@code ./hh} launcher finds JDK 25 and runs this). Every daemon
 * subcommand follows one contract: {@code --config FILE}, repeatable {@code --set path=value},
 * {@code --help} with every option and its default.
 */
@Command(name = "hh", mixinStandardHelpOptions = true, versionProvider = Hh.VersionProvider.class,
        description = "Hyperhash: Stratum V2 pool, template provider, translator, treasury and node agent.")
public final class Hh implements Callable<Integer> {
    /**
     * The subcommands, in the order {@code hh --help} lists them. Registered programmatically rather than in
     * {@code @Command(subcommands)}: picocli builds a subcommand's model (reflection over its options, mixins and nested
     * commands) when it is registered, and building all of them cost a daemon's start about a tenth of its CPU before
     * the port opens (issue 19, storm during a restart). {@link #commandLine} registers only the one a command line
     * names, every one otherwise (help, usage errors, unknown names), so what picocli parses and prints is unchanged.
     */
    static final List<Class<?>> SUBCOMMANDS = List.of(VersionCommand.class, KeygenCommand.class, DemoCommand.class, PoolCommand.class,
            JdcCommand.class, StackCommand.class, org.hyperhash.tp.TpCommand.class, org.hyperhash.translator.TranslatorCommand.class,
            org.hyperhash.treasury.TreasuryCommand.class, org.hyperhash.web.WebCommand.class, AgentCommands.NodeAgent.class,
            AgentCommands.Release.class, CommandLine.HelpCommand.class);

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(null, null, args);
    }

    /** {@link #execute(String...)} writing to {@code out} / {@code err} (null = stdout / stderr). */
    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = commandLine(args);
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
        commandLine().usage(System.out);
        return 0;
    }

    /**
     * {@code hh} with the subcommand {@code args[0]} names (by its name or an alias) as its only subcommand; with every
     * subcommand when {@code args[0]} names none of them (no arguments, an option such as {@code --help}, {@code help},
     * a typo: picocli's answer lists them all).
     */
    static CommandLine commandLine(String... args) {
        if (args.length > 0 && args[0] != null && !args[0].equals("help")) {
            for (Class<?> c : SUBCOMMANDS) {
                Command a = c.getAnnotation(Command.class);
                if (a != null && (a.name().equals(args[0]) || List.of(a.aliases()).contains(args[0]))) {
                    return new CommandLine(new Hh()).addSubcommand(c);
                }
            }
        }
        CommandLine cl = new CommandLine(new Hh());
        for (Class<?> c : SUBCOMMANDS) {
            cl.addSubcommand(c);
        }
        return cl;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hyperhash " + Version.version()};
        }
    }
}
