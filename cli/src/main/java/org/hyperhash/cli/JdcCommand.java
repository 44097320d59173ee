package org.hyperhash.cli;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hyperhash.daemon.Checks;
import org.hyperhash.daemon.DaemonLauncher;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.pool.hypernode.HyperNodeConfig;
import org.hyperhash.pool.hypernode.HyperNodeDaemon;
import org.hyperhash.pool.upstream.TdpTemplateSource;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

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

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return DaemonLauncher.run("jdc", options, HyperNodeConfig.ENV_PREFIX, HyperNodeConfig.ROOT, List.of(),
                DaemonLauncher.Spec.of(HyperNodeConfig::from,
                        cfg -> {
                            Map<String, List<InetSocketAddress>> m = new LinkedHashMap<>();
                            m.put("sv2.listen", cfg.pool().sv2().listen());
                            m.put("admin.listen", List.of(cfg.pool().adminListen()));
                            return m;
                        },
                        JdcCommand::checks,
                        cfg -> {
                            InstantSource clock = InstantSource.system();
                            TdpTemplateSource tp = TdpTemplateSource.fromConfig(cfg.pool(), Secp256k1Providers.best(),
                                    clock);
                            return HyperNodeDaemon.fromConfig(cfg, clock, tp);
                        },
                        HyperNodeConfig::shutdownDeadline),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    private static List<String> checks(HyperNodeConfig cfg) throws Exception {
        List<String> ok = new ArrayList<>();
        ok.add(Checks.ledger("hyperhash.jdc.ledger.url", cfg.pool().ledger().jdbcUrl(), true));
        for (int n = 0; n < cfg.pool().templateProviders().size(); n++) {
            InetSocketAddress a = cfg.pool().templateProviders().get(n).address();
            String key = "hyperhash.jdc.template-providers[" + n + "].address";
            ok.add(Checks.warnOnly(() -> Checks.tcp("template provider", key, a.getHostString(), a.getPort())));
        }
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
