package org.hyperhash.daemon;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options every daemon subcommand takes (mix in with {@code @Mixin DaemonOptions opts}).
 * Operators and scripts rely on this contract: {@code --config FILE}, repeatable {@code --set path=value},
 * and {@code --help} listing every option with its default.
 */
public final class DaemonOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "HOCON config file (defaults come from the module's reference.conf).")
    public Path config;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override one config value (repeatable), e.g. --set admin.listen=\"127.0.0.1:9090\".")
    public List<String> sets = new ArrayList<>();

    @Option(names = "--print-config", description = "Print the effective configuration (secrets redacted) and exit. Default: ${DEFAULT-VALUE}.")
    public boolean printConfig;

    public com.typesafe.config.Config load(String envPrefix, String rootPath) {
        return DaemonConfig.load(config, sets, envPrefix, rootPath);
    }
}
