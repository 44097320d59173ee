package org.hyperhash.pool.support;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.pool.upstream.TemplateSource;

/** Starts a pool on loopback port 0 with a plaintext mining port and a given template source. */
public final class PoolHarness implements AutoCloseable {
    public final PoolDaemon pool;
    public final PoolConfig config;

    /** A valid regtest (devnet) P2WPKH address from a 20-byte pattern. */
    public static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) n;
        h[19] = (byte) (n * 7 + 1);
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    public PoolHarness(String jdbcUrl, TemplateSource source, String... extraSets) throws Exception {
        List<String> sets = new ArrayList<>(List.of("sv2.listen=[\"127.0.0.1:0\"]", "sv2.security=plaintext",
                "admin.listen=\"127.0.0.1:0\"", "payout.address=\"" + address(0) + "\"",
                "ledger.jdbc-url=\"" + jdbcUrl + "\"", "ledger.flush-interval=200ms",
                "channel.shares-per-minute=600", "vardiff.shares-per-minute=600", "channel.ack-interval=100ms"));
        sets.addAll(List.of(extraSets));
        config = PoolConfig.from(DaemonConfig.load(null, sets, null, PoolConfig.ROOT, Map.of()));
        pool = new PoolDaemon(config, InstantSource.system(), source, MiningServer.Security.PLAINTEXT, "plaintext");
        pool.start();
    }

    public static String sqlite(Path dir) {
        return "jdbc:sqlite:" + dir.resolve("ledger.db");
    }

    public InetSocketAddress sv2() {
        return pool.sv2Addresses().get(0);
    }

    @Override
    public void close() {
        pool.close();
    }
}
