package org.hyperhash.cli;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hyperhash.daemon.Checks;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.upstream.TdpTemplateSource;
import org.hyperhash.sv2.noise.Secp256k1Providers;

/**
 * What {@code hh pool} and {@code hh jdc} (whose miner-facing side is a pool, configured by the same
 * {@link PoolConfig} keys under its own root) share when they start: the listen addresses, the start-time checks of
 * the ledger and the template providers, and the template source.
 */
final class PoolWiring {
    private PoolWiring() {
    }

    /**
     * {@code sv2.listen} (unless {@code withSv2} is false: a socket unit holds that port) and {@code admin.listen}.
     */
    static Map<String, List<InetSocketAddress>> listens(PoolConfig cfg, boolean withSv2) {
        Map<String, List<InetSocketAddress>> m = new LinkedHashMap<>();
        if (withSv2) {
            m.put("sv2.listen", cfg.sv2().listen());
        }
        m.put("admin.listen", List.of(cfg.adminListen()));
        return m;
    }

    /**
     * The ledger (must be reachable) and every template provider (a warning when down), named by their keys under
     * {@code root}; the caller adds its own checks to the returned list.
     */
    static List<String> checks(PoolConfig cfg, String root) throws Exception {
        List<String> ok = new ArrayList<>();
        ok.add(Checks.ledger(root + ".ledger.url", cfg.ledger().jdbcUrl(), true));
        for (int n = 0; n < cfg.templateProviders().size(); n++) {
            InetSocketAddress a = cfg.templateProviders().get(n).address();
            String key = root + ".template-providers[" + n + "].address";
            // the pool starts without its template providers (it keeps retrying): a warning, not a failure
            ok.add(Checks.warnOnly(() -> Checks.tcp("template provider", key, a.getHostString(), a.getPort())));
        }
        return ok;
    }

    /** The template providers of {@code cfg} over TDP/Noise. */
    static TdpTemplateSource templateSource(PoolConfig cfg, InstantSource clock) {
        return TdpTemplateSource.fromConfig(cfg, Secp256k1Providers.best(), clock);
    }
}
