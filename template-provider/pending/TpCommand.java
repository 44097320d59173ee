package org.hyperhash.tp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.DaemonRunner;
import org.hyperhash.daemon.Redact;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.InstantSource;
import java.util.concurrent.Callable;

/** {@code hh tp [--devnet] [--config FILE] [--set path=value]...}: the template provider daemon. */
@Command(name = "tp", mixinStandardHelpOptions = true,
        description = "Template provider: Bitcoin Core (or the embedded devnet) in, SV2 Template Distribution out.")
public final class TpCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions options;

    @Option(names = "--devnet", description = "Use the embedded DEVNET chain (network = devnet, backend = devnet). Default: ${DEFAULT-VALUE}.")
    boolean devnet;

    @Override
    public Integer call() {
        Config c = options.load("TP", TpConfig.ROOT);
        if (devnet) {
            c = c.withValue("network", ConfigValueFactory.fromAnyRef("devnet"))
                    .withValue("backend", ConfigValueFactory.fromAnyRef("devnet"));
        }
        if (options.printConfig) {
            System.out.println(Redact.render(c.atPath(TpConfig.ROOT)));
            return 0;
        }
        TpConfig config = TpConfig.from(c);
        org.slf4j.LoggerFactory.getLogger(TpCommand.class).info("effective config:\n{}",
                Redact.render(c.atPath(TpConfig.ROOT)));
        return DaemonRunner.runUntilSignalled("hh-tp", new TpDaemon(config, InstantSource.system()), config.shutdownDeadline());
    }
}
