package org.hyperhash.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.hyperhash.agent.AgentCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code hh node-agent ...} and {@code hh release ...}: AgentCli holds their picocli command tree (with its own exit
 * codes 3 refused and 4 rolled back), so these commands pass the arguments on.
 */
final class AgentCommands {
    private AgentCommands() {
    }

    /** AgentCli takes the command group first: {@code release ...} or {@code node-agent ...}. */
    static int delegate(String group, List<String> args) {
        List<String> all = new ArrayList<>(args.size() + 1);
        all.add(group);
        all.addAll(args);
        return AgentCli.run(all.toArray(String[]::new), System.out, System.err);
    }

    @Command(name = "node-agent", description = "Node agent: signed release manifests, upgrades, rollback "
            + "(run `hh node-agent --help` for its commands).")
    static final class NodeAgent implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            return delegate("node-agent", args);
        }
    }

    @Command(name = "release", description = "Publisher side: `hh release keygen | sign | verify` "
            + "(run `hh release --help`).")
    static final class Release implements Callable<Integer> {
        @Unmatched
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            return delegate("release", args);
        }
    }
}
