package org.hyperhash.daemon;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The options every daemon subcommand takes (mix in with {@code @Mixin DaemonOptions opts}).
 * Operators and scripts rely on this contract: {@code --config FILE}, repeatable {@code --set path=value}
 * (relative to the daemon's root or the full path {@code --print-config} prints), {@code --print-config},
 * {@code --check-config}, and {@code --help} listing every option with its default. A command starts its daemon with
 * {@link #launch}, which writes to the command line's streams.
 */
public final class DaemonOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "HOCON config file (defaults come from the module's reference.conf).")
    public Path config;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override one config value (repeatable), e.g. --set admin.listen=\"127.0.0.1:9090\" "
            + "(the full path --print-config prints works too).")
    public List<String> sets = new ArrayList<>();

    @Option(names = "--print-config", description = "Validate, print the effective configuration (secrets redacted) and exit. Default: ${DEFAULT-VALUE}.")
    public boolean printConfig;

    @Option(names = "--check-config", description = "Validate everything a start would (keys, values, addresses against the network, "
            + "listen ports free, ledger/bitcoind reachable where configured) without starting; exit 0 ok, 1 a check failed, "
            + "2 configuration error. Default: ${DEFAULT-VALUE}.")
    public boolean checkConfig;

    /** The command this is mixed into (set by picocli; null for an instance built by hand). */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /**
     * {@link DaemonLauncher#run} with these options, writing to the out and err of the command this is mixed into.
     *
     * @param extraSets {@code --set} style assignments the command adds before the operator's (e.g. {@code --devnet})
     */
    public <C> int launch(String name, String envPrefix, String rootPath, List<String> extraSets,
            DaemonLauncher.Spec<C> spec) {
        if (mixee == null) {
            throw new IllegalStateException("launch() needs DaemonOptions mixed into a picocli command");
        }
        return DaemonLauncher.run(name, this, envPrefix, rootPath, extraSets, spec, mixee.commandLine().getOut(),
                mixee.commandLine().getErr());
    }

    public com.typesafe.config.Config load(String envPrefix, String rootPath) {
        return DaemonConfig.load(config, sets, envPrefix, rootPath);
    }

    public DaemonConfig.Loaded loadDetailed(String envPrefix, String rootPath, Map<String, String> env) {
        return DaemonConfig.loadDetailed(config, sets, envPrefix, rootPath, env);
    }

    public DaemonConfig.Loaded loadDetailed(String envPrefix, String rootPath) {
        return loadDetailed(envPrefix, rootPath, System.getenv());
    }
}
