package org.hyperhash.cli;

import com.typesafe.config.Config;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.DaemonRunner;
import org.hyperhash.daemon.Redact;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.upstream.TdpTemplateSource;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code hh pool [--config FILE] [--set path=value]...}: the SV2 mining server, fed by the template
 * providers listed in {@code template-providers} over TDP/Noise. Environment overrides use {@code POOL_}.
 * Lives in the CLI module because it is wiring across pool and tdp only.
 */
@Command(name = "pool", mixinStandardHelpOptions = true,
        description = {"SV2 mining pool: Noise NX, standard/extended/group channels, share accounting.",
            "Every config key and its default: hh pool --print-config (or pool/src/main/resources/reference.conf)."})
final class PoolCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions options;

    @Override
    public Integer call() {
        Config c = options.load(PoolConfig.ENV_PREFIX, PoolConfig.ROOT);
        if (options.printConfig) {
            System.out.println(Redact.render(c.atPath(PoolConfig.ROOT)));
            return 0;
        }
        PoolConfig cfg = PoolConfig.from(c);
        InstantSource clock = InstantSource.system();
        TdpTemplateSource upstream = TdpTemplateSource.fromConfig(cfg, Secp256k1Providers.best(), clock);
        return DaemonRunner.runUntilSignalled("pool", PoolDaemon.fromConfig(cfg, clock, upstream),
                cfg.shutdownDeadline());
    }
}
