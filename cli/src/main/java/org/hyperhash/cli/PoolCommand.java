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
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.upstream.TdpTemplateSource;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code hh pool [--config FILE] [--set path=value]... [--print-config | --check-config]}: the SV2 mining server, fed
 * by the template providers listed in {@code template-providers} over TDP/Noise. Environment overrides use
 * {@code POOL_}. Lives in the CLI module because it is wiring across pool and tdp only.
 */
@Command(name = "pool", mixinStandardHelpOptions = true,
        description = {"SV2 mining pool: Noise NX, standard/extended/group channels, share accounting.",
            "network must be set (mainnet, testnet4, signet, regtest or devnet).",
            "Every config key and its default: hh pool --print-config (or pool/src/main/resources/reference.conf)."})
final class PoolCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions options;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return DaemonLauncher.run("pool", options, PoolConfig.ENV_PREFIX, PoolConfig.ROOT, List.of(),
                DaemonLauncher.Spec.of(PoolConfig::from,
                        cfg -> {
                            Map<String, List<InetSocketAddress>> m = new LinkedHashMap<>();
                            if (!org.hyperhash.daemon.SocketActivation.passes(PoolDaemon.SV2_SOCKET_NAME,
                                    java.util.Set.of(PoolDaemon.SV2_SOCKET_NAME))) {
                                m.put("sv2.listen", cfg.sv2().listen()); // else hh-pool.socket holds the port
                            }
                            m.put("admin.listen", List.of(cfg.adminListen()));
                            return m;
                        },
                        PoolCommand::checks,
                        cfg -> {
                            InstantSource clock = InstantSource.system();
                            TdpTemplateSource upstream = TdpTemplateSource.fromConfig(cfg, Secp256k1Providers.best(), clock);
                            return PoolDaemon.fromConfig(cfg, clock, upstream);
                        },
                        PoolConfig::shutdownDeadline),
                spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    private static List<String> checks(PoolConfig cfg) throws Exception {
        List<String> ok = new ArrayList<>();
        ok.add(Checks.ledger("hyperhash.pool.ledger.url", cfg.ledger().jdbcUrl(), true));
        for (int n = 0; n < cfg.templateProviders().size(); n++) {
            InetSocketAddress a = cfg.templateProviders().get(n).address();
            String key = "hyperhash.pool.template-providers[" + n + "].address";
            // the pool starts without its template providers (it keeps retrying): a warning, not a failure
            ok.add(Checks.warnOnly(() -> Checks.tcp("template provider", key, a.getHostString(), a.getPort())));
        }
        if (cfg.blockSubmission().enabled()) {
            ok.add(Checks.warnOnly(() -> Checks.url("bitcoind", "hyperhash.pool.bitcoind.url",
                    cfg.blockSubmission().bitcoindUrl().toString())));
        }
        return ok;
    }
}
