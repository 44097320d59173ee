package org.hyperhash.cli;

import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Callable;
import org.hyperhash.daemon.Checks;
import org.hyperhash.daemon.DaemonLauncher;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.pool.hypernode.HyperNodeConfig;
import org.hyperhash.pool.hypernode.HyperNodeDaemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code hh jdc [--config FILE] [--set path=value]...}: a Hyper Node. The operator's miners connect to it as to a
 * pool; its jobs come from the operator's own template provider and are declared to the upstream pools' JDS, with
 * failover to the next pool and to solo. Environment overrides use {@code JDC_}.
 */
@Command(name = "jdc", mixinStandardHelpOptions = true,
        description = {"Hyper Node: your own templates, declared to a pool (SV2 job declaration), failover to solo.",
            "network must be set (mainnet, testnet4, signet, regtest or devnet).",
            "Every config key and its default: hh jdc --print-config (or jdc/src/main/resources/reference.conf)."})
final class JdcCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions options;

    @Override
    public Integer call() {
        return options.launch("jdc", HyperNodeConfig.ENV_PREFIX, HyperNodeConfig.ROOT, List.of(), spec());
    }

    /** The daemon's wiring (parse, listen addresses, start-time checks, creation): also {@code hh stack}'s. */
    static DaemonLauncher.Spec<HyperNodeConfig> spec() {
        return DaemonLauncher.Spec.of(HyperNodeConfig::from,
                        cfg -> PoolWiring.listens(cfg.pool(), true),
                        JdcCommand::checks,
                        cfg -> {
                            InstantSource clock = InstantSource.system();
                            return HyperNodeDaemon.fromConfig(cfg, clock, PoolWiring.templateSource(cfg.pool(), clock));
                        },
                        HyperNodeConfig::shutdownDeadline);
    }

    private static List<String> checks(HyperNodeConfig cfg) throws Exception {
        List<String> ok = PoolWiring.checks(cfg.pool(), HyperNodeConfig.ROOT);
        for (int n = 0; n < cfg.pools().size(); n++) {
            HyperNodeConfig.UpstreamPool p = cfg.pools().get(n);
            String key = "hyperhash.jdc.upstream.pools[" + n + "]";
            // a pool that is down is failed over at run time: a warning, not a failure
            ok.add(Checks.warnOnly(() -> Checks.tcp("upstream pool " + p.name(), key + ".address",
                    p.address().getHostString(), p.address().getPort())));
            ok.add(Checks.warnOnly(() -> Checks.tcp("upstream JDS " + p.name(), key + ".jds-address",
                    p.jdsAddress().getHostString(), p.jdsAddress().getPort())));
        }
        return ok;
    }
}
