package org.hyperhash.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Hh#commandLine}: one subcommand's model when a command line names it, all of them otherwise, same usage. */
class HhSubcommandsTest {
    @Test
    void aDaemonCommandLineBuildsOnlyItsOwnSubcommand() {
        assertEquals(List.of("translator"), List.copyOf(Hh.commandLine("translator", "--config", "x").getSubcommands().keySet()));
        assertEquals(List.of("pool"), List.copyOf(Hh.commandLine("pool").getSubcommands().keySet()));
    }

    @Test
    void anythingElseBuildsEverySubcommandInTheListedOrder() {
        List<String> all = List.copyOf(Hh.commandLine().getSubcommands().keySet());
        assertEquals(Hh.SUBCOMMANDS.size(), all.size(), all.toString());
        assertEquals(all.get(0), "version");
        assertEquals(all.get(all.size() - 1), "help");
        for (String[] args : List.of(new String[] {"help", "translator"}, new String[] {"--help"}, new String[] {"transltor"},
                new String[] {})) {
            assertEquals(all, List.copyOf(Hh.commandLine(args).getSubcommands().keySet()), String.join(" ", args));
        }
    }

    @Test
    void theUsageOfHhAndOfASubcommandIsWhatTheFullModelPrints() {
        CommandLine full = Hh.commandLine();
        for (String name : List.of("translator", "pool", "tp", "stack", "version")) {
            assertEquals(full.getSubcommands().get(name).getUsageMessage(),
                    Hh.commandLine(name).getSubcommands().get(name).getUsageMessage(), name);
        }
        String usage = full.getUsageMessage();
        for (String name : full.getSubcommands().keySet()) {
            if (!usage.contains("  " + name)) {
                throw new AssertionError("hh's usage does not list " + name + ":\n" + usage);
            }
        }
    }
}
