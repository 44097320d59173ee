package org.hyperhash.cli;

import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.hyperhash.daemon.Checks;
import org.hyperhash.daemon.DaemonLauncher;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.SocketActivation;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

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

    @Override
    public Integer call() {
        return options.launch("pool", PoolConfig.ENV_PREFIX, PoolConfig.ROOT, List.of(), spec(null));
    }

    /**
     * The daemon's wiring (parse, listen addresses, start-time checks, creation): also {@code hh stack}'s.
     *
     * @param passed the sockets systemd passed to a process running several daemons (the SV2 one is used), or null:
     *               read {@code LISTEN_FDS} for this daemon alone
     */
    static DaemonLauncher.Spec<PoolConfig> spec(List<SocketActivation.Inherited> passed) {
        return DaemonLauncher.Spec.of(PoolConfig::from,
                        // when the socket is passed, hh-pool.socket holds the sv2 port
                        cfg -> PoolWiring.listens(cfg, passed != null
                                ? SocketActivation.named(passed, PoolDaemon.SV2_SOCKET_NAME).isEmpty()
                                : !SocketActivation.passes(PoolDaemon.SV2_SOCKET_NAME, Set.of(PoolDaemon.SV2_SOCKET_NAME))),
                        PoolCommand::checks,
                        cfg -> {
                            InstantSource clock = InstantSource.system();
                            PoolDaemon d = PoolDaemon.fromConfig(cfg, clock, PoolWiring.templateSource(cfg, clock));
                            return passed != null ? d.inheritedSockets(passed) : d;
                        },
                        PoolConfig::shutdownDeadline);
    }

    private static List<String> checks(PoolConfig cfg) throws Exception {
        List<String> ok = PoolWiring.checks(cfg, PoolConfig.ROOT);
        if (cfg.blockSubmission().enabled()) {
            ok.add(Checks.warnOnly(() -> Checks.url("bitcoind", "hyperhash.pool.bitcoind.url",
                    cfg.blockSubmission().bitcoindUrl().toString())));
        }
        return ok;
    }
}
