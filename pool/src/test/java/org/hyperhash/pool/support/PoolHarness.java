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
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;

/**
 * Starts a pool on loopback port 0 with a given template source; the mining port is plaintext unless the
 * extra settings say {@code sv2.security=noise} (then {@link #miner} pins the pool's authority key).
 */
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
        this(jdbcUrl, source, InstantSource.system(), extraSets);
    }

    /** With the pool's clock (e.g. a {@link TestClock}). */
    public PoolHarness(String jdbcUrl, TemplateSource source, InstantSource clock, String... extraSets) throws Exception {
        config = config(jdbcUrl, extraSets);
        pool = PoolDaemon.fromConfig(config, clock, source);
        pool.start();
        awaitFirstWork();
    }

    /**
     * The harness's configuration: plaintext on loopback port 0, a regtest payout address, fast flushes and acks, and
     * no start-up warm-up ({@code sv2.warmup.sessions=0}: the tests connect at once and would only end it; PoolWarmupIT
     * and the load probe set it), then {@code extraSets}, which override these.
     */
    public static PoolConfig config(String jdbcUrl, String... extraSets) {
        List<String> sets = new ArrayList<>(List.of("sv2.listen=[\"127.0.0.1:0\"]", "sv2.security=plaintext",
                "sv2.warmup.sessions=0",
                "admin.listen=\"127.0.0.1:0\"", "payout.address=\"" + address(0) + "\"",
                "ledger.jdbc-url=\"" + jdbcUrl + "\"", "ledger.flush-interval=200ms",
                "channel.shares-per-minute=600", "vardiff.shares-per-minute=600", "channel.ack-interval=100ms"));
        sets.addAll(List.of(extraSets));
        return PoolConfig.from(DaemonConfig.load(null, sets, null, PoolConfig.ROOT, Map.of()));
    }

    /**
     * Waits (up to 10 s, without failing) until the pool has work. The pool binds before its first template and
     * answers an OpenMiningChannel that comes earlier with no-work-available, which the testkit miner, like most
     * firmware, does not retry: a test that connected at once lost its miner whenever the first template took longer
     * than the miner's handshake (ExtensionsIT, once in CI). Tests of a pool without work check {@code ready()}
     * themselves; this only adds up to 10 s to them.
     */
    private void awaitFirstWork() throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!pool.ready() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    public static String sqlite(Path dir) {
        return "jdbc:sqlite:" + dir.resolve("ledger.db");
    }

    /** The authority public key miners pin (null on a plaintext port). */
    public AuthorityPublicKey authorityKey() {
        return pool.security().authorityPublicKey();
    }

    /** Miner options for this pool's mining port: Noise pinned to its authority key, or plaintext. */
    public Options miner(Kind kind, String userIdentity) {
        Options o = Options.of(sv2(), kind, userIdentity);
        return authorityKey() == null ? o : o.withNoise(authorityKey());
    }

    /** Base URL of the admin HTTP server, e.g. {@code http://127.0.0.1:1234}. */
    public String adminUrl() {
        return "http://127.0.0.1:" + pool.adminAddress().getPort();
    }

    public InetSocketAddress sv2() {
        return pool.sv2Addresses().get(0);
    }

    @Override
    public void close() {
        pool.close();
    }
}
