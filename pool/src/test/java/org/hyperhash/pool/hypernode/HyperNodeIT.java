package org.hyperhash.pool.hypernode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.hyperhash.base.Block;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Transaction;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.hypernode.HyperNodeMetrics.ConnectFailure;
import org.hyperhash.pool.hypernode.HyperNodeMetrics.Declaration;
import org.hyperhash.pool.hypernode.HyperNodeMetrics.Switch;
import org.hyperhash.pool.jds.JobDeclarator;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.TcpRelay;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end over loopback sockets: a miner -> {@code hh jdc} (its own template provider) -> pool + JDS (another
 * template provider on the same devnet chain), Noise between the Hyper Node and the pool. Declared jobs are accepted
 * (with a ProvideMissingTransactions round trip), local shares are forwarded and credited to the Hyper Node's address
 * at the pool, a block found on a custom job is accepted by the chain and pays the pool; the JDS going away moves the
 * Hyper Node to the next pool, then (both gone) to solo on the operator's address, and back to the preferred pool
 * after its cooldown, without the miner ever losing its connection.
 */
@Timeout(300)
class HyperNodeIT {
    private static final Duration T = Duration.ofSeconds(60);
    /** Target 0x3fffff * 2^216 = 2^238: a block every ~262k hashes (a few seconds at 60 kH/s). */
    private static final int BITS = 0x1e3fffff;

    @TempDir
    Path dir;

    @Test
    void declaresForwardsFailsOverToNextPoolThenSoloAndReturns() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("pool"));
        java.nio.file.Files.createDirectories(dir.resolve("jdc"));
        DevnetChain chain = new DevnetChain(new DevnetParams(BITS, 50L * 100_000_000L, 150, 5, 0x6868L, 7200),
                InstantSource.system());
        DevnetTemplateSource poolTp = new DevnetTemplateSource(chain);
        DevnetTemplateSource nodeTp = new DevnetTemplateSource(chain);
        poolTp.peer(nodeTp);
        AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());
        String hyperNodeAddress = PoolHarness.address(21);
        String operator = PoolHarness.address(30);
        try (PoolHarness pool = new PoolHarness(PoolHarness.sqlite(dir.resolve("pool")), poolTp, "sv2.security=noise",
                "sv2.authority-secret-key=\"" + authority.secretToBase58() + "\"", "vardiff.enabled=false",
                "jds.enabled=true", "jds.listen=[\"127.0.0.1:0\"]", "sv2.allow-work-selection=true")) {
            assertTrue(FakeSv2Miner.waitFor(pool.pool::ready, T), "pool ready");
            JobDeclarator jds = pool.pool.jds();
            assertTrue(FakeSv2Miner.waitFor(() -> jds.mempool().size() >= 1, T), "JDS mempool view");
            InetSocketAddress jdsAddress = pool.pool.jdsAddresses().getFirst();
            try (TcpRelay jds1 = new TcpRelay(jdsAddress); TcpRelay jds2 = new TcpRelay(jdsAddress)) {
                String key = authority.publicKey().toBase58();
                String pools = "upstream.pools=[" + entry("first", pool.sv2(), jds1.address(), key, hyperNodeAddress + ".hn1")
                        + "," + entry("second", pool.sv2(), jds2.address(), key, hyperNodeAddress + ".hn1") + "]";
                HyperNodeConfig cfg = HyperNodeConfig.from(DaemonConfig.load(null, List.of(
                        "sv2.listen=[\"127.0.0.1:0\"]", "sv2.security=plaintext", "admin.listen=\"127.0.0.1:0\"",
                        "payout.address=\"" + operator + "\"",
                        "ledger.url=\"" + PoolHarness.sqlite(dir.resolve("jdc")) + "\"", "ledger.flush-interval=200ms",
                        "channel.shares-per-minute=600", "vardiff.shares-per-minute=600", "channel.ack-interval=100ms",
                        pools, "upstream.nominal-hashrate=1000", "upstream.timeout=5s", "upstream.cooldown=3s",
                        "upstream.check-interval=300ms", "upstream.stale-tip-retry-delay=200ms"),
                        null, HyperNodeConfig.ROOT, Map.of()));
                try (HyperNodeDaemon node = HyperNodeDaemon.fromConfig(cfg, InstantSource.system(), nodeTp)) {
                    node.start();
                    assertTrue(FakeSv2Miner.waitFor(node::ready, T), "hyper node ready");
                    HyperNode hn = node.hyperNode();
                    HyperNodeMetrics m = hn.metrics();
                    assertTrue(waitFor(() -> "first".equals(name(hn)) && m.declarations(Declaration.ACCEPTED) >= 1),
                            "declared to the first pool: " + hn.status());

                    // a transaction only the Hyper Node's template holds: the JDS asks for it
                    double missingBefore = jds.metrics().missingTransactionRequests.count();
                    double declaredBefore = m.declarations(Declaration.ACCEPTED);
                    chain.addSyntheticTransaction(9_000);
                    nodeTp.publishNow();
                    assertTrue(waitFor(() -> m.declarations(Declaration.ACCEPTED) > declaredBefore
                            && jds.metrics().missingTransactionRequests.count() > missingBefore),
                            "ProvideMissingTransactions round trip: " + hn.status());

                    try (FakeSv2Miner miner = FakeSv2Miner.connect(Options.of(node.sv2Addresses().getFirst(),
                            Kind.EXTENDED, PoolHarness.address(40) + ".rig1").mining(60_000))) {
                        miner.startMining();
                        // forwarded shares credited to the Hyper Node's address at the pool
                        assertTrue(waitFor(() -> poolShares(pool, hyperNodeAddress) >= 5 && m.sharesAcknowledged.count() >= 5),
                                "shares forwarded and credited upstream: " + hn.status());
                        // a block on a custom job: accepted by the chain, pays the pool
                        Bytes poolScript = pool.config.network().parse(pool.config.payout().address());
                        assertTrue(waitFor(() -> nodeTp.acceptedHex.stream().anyMatch(b -> paysTo(b, poolScript))),
                                "a block on a custom job accepted by the chain: " + nodeTp.rejected);
                        // the pool learns the block from the forwarded share and from PushSolution (which of the two
                        // arrives before the pool's own template provider moves its tip is a race)
                        assertTrue(waitFor(() -> jds.metrics().pushes(org.hyperhash.pool.jds.JdsMetrics.Push.SUBMITTED)
                                + jds.metrics().pushes(org.hyperhash.pool.jds.JdsMetrics.Push.NOT_SUBMITTED)
                                + pool.pool.metrics().blocksFound.count() >= 1), "the pool saw the block");
                        assertTrue(m.solutionsPushed.count() >= 1, "PushSolution sent");

                        // JDS of the first pool entry gone: the next one
                        long minerRejectedBefore = miner.rejected();
                        jds1.down();
                        assertTrue(waitFor(() -> "second".equals(name(hn))), "failed over to the next pool: " + hn.status());
                        assertTrue(m.switches(Switch.CLOSED) >= 1);
                        long onSecond = poolShares(pool, hyperNodeAddress);
                        assertTrue(waitFor(() -> poolShares(pool, hyperNodeAddress) > onSecond + 3),
                                "shares credited through the second pool: " + hn.status());

                        // the first one back: returns after its cooldown (make before break)
                        jds1.up();
                        assertTrue(waitFor(() -> "first".equals(name(hn)) && m.switches(Switch.PREFERRED_BACK) >= 1),
                                "back on the preferred pool: " + hn.status());

                        // both gone: solo on the operator's address
                        int blocksBefore = nodeTp.acceptedHex.size();
                        jds1.down();
                        jds2.down();
                        assertTrue(waitFor(() -> "solo".equals(hn.mode()) && m.connectFailures(ConnectFailure.UNREACHABLE) >= 1),
                                "solo: " + hn.status());
                        Bytes operatorScript = pool.config.network().parse(operator);
                        long acceptedBefore = miner.accepted();
                        assertTrue(waitFor(() -> nodeTp.acceptedHex.stream().skip(blocksBefore)
                                .anyMatch(b -> paysTo(b, operatorScript))), "a solo block paying the operator: "
                                + nodeTp.rejected);
                        assertTrue(waitFor(() -> miner.accepted() > acceptedBefore), "the miner kept mining");

                        // the first pool back: after its cooldown the node mines for it again
                        jds1.up();
                        double connectedBefore = m.switches(Switch.CONNECTED);
                        assertTrue(waitFor(() -> "first".equals(name(hn)) && m.switches(Switch.CONNECTED) > connectedBefore),
                                "back from solo: " + hn.status());
                        long back = poolShares(pool, hyperNodeAddress);
                        assertTrue(waitFor(() -> poolShares(pool, hyperNodeAddress) > back + 3), "credited again");

                        // the first pool stops answering (connections stay open): left on the declaration timeout
                        jds2.up();
                        jds1.stall(true);
                        assertTrue(waitFor(() -> "second".equals(name(hn)) && m.switches(Switch.TIMEOUT) >= 1),
                                "a pool that stops answering is left: " + hn.status());
                        assertTrue(miner.connected(), "the miner never lost its connection");
                        assertEquals(0, miner.errors("stale-share") > 100 ? 1 : 0, "switches do not flood stale shares");
                        assertTrue(miner.rejected() - minerRejectedBefore < 50, "few rejections: " + miner.rejected());

                        // status and metrics
                        HttpClient http = HttpClient.newHttpClient();
                        String base = "http://127.0.0.1:" + node.adminAddress().getPort();
                        String status = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/status")).build(),
                                HttpResponse.BodyHandlers.ofString()).body();
                        assertTrue(status.replace(" ", "").contains("\"service\":\"jdc\"") && status.contains("\"hyper_node\"")
                                && status.replace(" ", "").contains("\"mode\":\"pool\"") && status.contains("\"recent_switches\""), status);
                        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                                HttpResponse.BodyHandlers.ofString()).body();
                        assertTrue(metrics.contains("hh_jdc_switches_total{reason=\"preferred_back\"")
                                && metrics.contains("hh_jdc_shares_forwarded_total"), metrics.length() + " bytes");
                    }
                }
            }
        }
    }

    /**
     * A pool whose JDS refuses the node's declarations (here: more transactions than it accepts) is left at once for
     * solo, counted as refused, cooled down and tried again after its cooldown (never banned).
     */
    @Test
    void aPoolRefusingDeclarationsIsLeftForSoloAndRetriedAfterItsCooldown() throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("pool"));
        java.nio.file.Files.createDirectories(dir.resolve("jdc"));
        DevnetChain chain = new DevnetChain(new DevnetParams(BITS, 50L * 100_000_000L, 150, 5, 0x6868L, 7200),
                InstantSource.system());
        DevnetTemplateSource poolTp = new DevnetTemplateSource(chain);
        DevnetTemplateSource nodeTp = new DevnetTemplateSource(chain);
        poolTp.peer(nodeTp);
        try (PoolHarness pool = new PoolHarness(PoolHarness.sqlite(dir.resolve("pool")), poolTp, "jds.enabled=true",
                "jds.listen=[\"127.0.0.1:0\"]", "sv2.allow-work-selection=true", "jds.max-declared-transactions=1")) {
            assertTrue(FakeSv2Miner.waitFor(pool.pool::ready, T), "pool ready");
            HyperNodeConfig cfg = HyperNodeConfig.from(DaemonConfig.load(null, List.of(
                    "sv2.listen=[\"127.0.0.1:0\"]", "sv2.security=plaintext", "admin.listen=\"127.0.0.1:0\"",
                    "payout.address=\"" + PoolHarness.address(30) + "\"",
                    "ledger.url=\"" + PoolHarness.sqlite(dir.resolve("jdc")) + "\"",
                    "upstream.pools=[" + entry("strict", pool.sv2(), pool.pool.jdsAddresses().getFirst(), "",
                            PoolHarness.address(21) + ".hn") + "]",
                    "upstream.timeout=5s", "upstream.cooldown=2s", "upstream.check-interval=200ms"),
                    null, HyperNodeConfig.ROOT, Map.of()));
            try (HyperNodeDaemon node = HyperNodeDaemon.fromConfig(cfg, InstantSource.system(), nodeTp)) {
                node.start();
                HyperNode hn = node.hyperNode();
                HyperNodeMetrics m = hn.metrics();
                // the template holds 5 transactions: invalid-job, the pool is left
                assertTrue(waitFor(() -> m.switches(Switch.REFUSED) >= 1 && m.declarations(Declaration.REFUSED) >= 1),
                        "refused: " + hn.status());
                assertTrue(pool.pool.jds().metrics().declarations(org.hyperhash.pool.jds.JdsMetrics.Declaration.INVALID_JOB) >= 1);
                // not banned: after the cooldown it connects again (and is refused again)
                assertTrue(waitFor(() -> m.switches(Switch.CONNECTED) >= 2 && m.switches(Switch.REFUSED) >= 2),
                        "retried after the cooldown: " + hn.status());
                assertTrue(node.ready(), "solo or not, local miners have work");
                assertEquals(0, m.switches(Switch.PREFERRED_BACK));
            }
        }
    }

    private static String entry(String name, InetSocketAddress mining, InetSocketAddress jds, String key, String user) {
        return "{name=" + name + ", address=\"127.0.0.1:" + mining.getPort() + "\", jds-address=\"127.0.0.1:" + jds.getPort()
                + "\", authority-key=\"" + key + "\", user-identity=\"" + user + "\"}";
    }

    private static String name(HyperNode hn) {
        HyperNodeConfig.UpstreamPool p = hn.currentPool();
        return p == null ? "solo" : p.name();
    }

    private static long poolShares(PoolHarness pool, String address) {
        Map<String, Object> d = pool.pool.stats().describe(address);
        return d == null ? 0 : ((Number) d.get("accepted_shares")).longValue();
    }

    private static boolean paysTo(String blockHex, Bytes script) {
        Block b = Block.parse(HexFormat.of().parseHex(blockHex));
        Transaction cb = b.transactions().getFirst();
        return cb.outputs().getFirst().scriptPubKey().equals(script);
    }

    private static boolean waitFor(BooleanSupplier c) throws InterruptedException {
        return FakeSv2Miner.waitFor(c, T);
    }
}
