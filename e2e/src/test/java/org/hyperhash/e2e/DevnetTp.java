package org.hyperhash.e2e;

import java.time.InstantSource;
import java.util.List;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.upstream.TdpTemplateSource;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.tp.TpConfig;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.tp.devnet.DevnetChain;

/**
 * The real template provider on its devnet backend (port 0), and the pool's TDP client pinned to it: what
 * the e2e tests put upstream of a pool, exactly as `hh tp --devnet` + `hh pool` run.
 */
public final class DevnetTp implements AutoCloseable {
    final TpDaemon daemon;

    public DevnetTp(String devnetBits) throws Exception {
        this(devnetBits, 0, null);
    }

    /**
     * A TP on a chosen TDP port with a chosen authority key (base58 secret; null = a random one), so a pool can be
     * configured for it before it starts (a TP that comes up after the pool).
     */
    public DevnetTp(String devnetBits, int port, String authoritySecretBase58) throws Exception {
        List<String> sets = new java.util.ArrayList<>(List.of("network=devnet", "backend=devnet",
                "sv2.listen=[\"127.0.0.1:" + port + "\"]", "admin.listen=\"127.0.0.1:0\"", "devnet.bits=\"" + devnetBits + "\""));
        if (authoritySecretBase58 != null) {
            sets.add("sv2.authority-secret-key=\"" + authoritySecretBase58 + "\"");
        }
        daemon = new TpDaemon(TpConfig.from(DaemonConfig.load(null, sets, "TP_TEST_NONE", TpConfig.ROOT)), InstantSource.system());
        daemon.start();
    }

    public DevnetChain chain() {
        return daemon.devnetChain();
    }

    /** The pool config lines that point it at this TP with its authority key pinned. */
    public String poolTemplateProviders() {
        var a = daemon.tdpAddresses().get(0);
        return "template-providers=[{address=\"" + a.getAddress().getHostAddress() + ":" + a.getPort()
                + "\",authority-key=\"" + daemon.authorityPublicKeyBase58() + "\"}]";
    }

    /** A fresh TDP client for a pool built from {@code cfg} (its template-providers from {@link #poolTemplateProviders}). */
    public static TdpTemplateSource source(PoolConfig cfg) {
        return TdpTemplateSource.fromConfig(cfg, Secp256k1Providers.best(), InstantSource.system());
    }

    /** Blocks the TP submitted to its chain with this result (accepted, inconclusive, high-hash...). */
    double submitted(String result) {
        var c = daemon.metrics().registry().find("hh_tp_blocks_submitted_total").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    /** Blocks submitted with any result other than accepted or a stale race (inconclusive/duplicate). */
    double invalidSubmissions() {
        return daemon.metrics().registry().find("hh_tp_blocks_submitted_total").counters().stream()
                .filter(c -> !List.of("accepted", "inconclusive", "duplicate").contains(c.getId().getTag("result")))
                .mapToDouble(c -> c.count()).sum();
    }

    @Override
    public void close() {
        daemon.close();
    }
}
