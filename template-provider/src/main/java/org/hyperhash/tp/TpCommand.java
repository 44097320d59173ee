package org.hyperhash.tp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.DaemonRunner;
import org.hyperhash.daemon.Redact;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.InstantSource;
import java.util.concurrent.Callable;

/**
 * {@code hh tp [--devnet] [--config FILE] [--set path=value]...}: the template provider daemon.
 * Environment overrides use the prefix {@code TP_} ({@code TP_SV2_AUTHORITY__SECRET__KEY=...}).
 * Exit codes as {@link DaemonRunner}: 0 stopped, 1 failed to start, 2 configuration error.
 */
@Command(name = "tp", mixinStandardHelpOptions = true,
        description = "Template provider: Bitcoin Core (or the embedded devnet) in, SV2 Template Distribution out.")
public final class TpCommand implements Callable<Integer> {
    /** Prefix of environment overrides. */
    public static final String ENV_PREFIX = "TP";

    @Mixin
    DaemonOptions options;

    @Option(names = "--devnet", description = "Use the embedded DEVNET chain (network = devnet, backend = devnet). Default: ${DEFAULT-VALUE}.")
    boolean devnet;

    @Override
    public Integer call() {
        TpConfig config;
        Config c;
        try {
            c = options.load(ENV_PREFIX, TpConfig.ROOT);
            if (devnet) {
                c = c.withValue("network", ConfigValueFactory.fromAnyRef("devnet"))
                        .withValue("backend", ConfigValueFactory.fromAnyRef("devnet"));
            }
            if (options.printConfig) {
                System.out.println(Redact.render(c.atPath(TpConfig.ROOT)));
                return 0;
            }
            config = TpConfig.from(c);
        } catch (DaemonConfig.ConfigError e) {
            LoggerFactory.getLogger(TpCommand.class).error("hh-tp: configuration error: {}", e.getMessage());
            return 2;
        }
        LoggerFactory.getLogger(TpCommand.class).info("effective config:\n{}", Redact.render(c.atPath(TpConfig.ROOT)));
        return DaemonRunner.runUntilSignalled("hh-tp", new TpDaemon(config, InstantSource.system()), config.shutdownDeadline());
    }
}
