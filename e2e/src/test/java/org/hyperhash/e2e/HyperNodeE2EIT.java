package org.hyperhash.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.hypernode.HyperNode;
import org.hyperhash.pool.hypernode.HyperNodeConfig;
import org.hyperhash.pool.hypernode.HyperNodeDaemon;
import org.hyperhash.pool.hypernode.HyperNodeMetrics;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemons as an operator runs them, over real sockets: `hh tp --devnet` feeds both the pool (JDS on, Noise) and
 * `hh jdc` over TDP/Noise; SV1 firmware connects to `hh translator` pointed at the Hyper Node. The SV1 miner's shares
 * reach the pool as the Hyper Node's forwarded custom-job shares, credited to the Hyper Node's address.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class HyperNodeE2EIT {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) (0x60 + n);
        h[19] = (byte) (n * 3 + 1);
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    @Test
    void sv1FirmwareThroughATranslatorMinesForTheHyperNodeAtThePool() throws Exception {
        String hyperNodeAddress = address(1);
        try (DevnetTp tp = new DevnetTp("0x1f00ffff")) {
            PoolConfig poolCfg = PoolConfig.from(DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]",
                    tp.poolTemplateProviders(), "sv2.security=noise", "admin.listen=\"127.0.0.1:0\"",
                    "payout.address=\"" + address(0) + "\"", "ledger.url=\"jdbc:sqlite:" + dir.resolve("pool.db") + "\"",
                    "jds.enabled=true", "jds.listen=[\"127.0.0.1:0\"]", "sv2.allow-work-selection=true",
                    "vardiff.enabled=false", "channel.ack-interval=100ms"), null, PoolConfig.ROOT, Map.of()));
            try (PoolDaemon pool = PoolDaemon.fromConfig(poolCfg, InstantSource.system(), DevnetTp.source(poolCfg))) {
                pool.start();
                assertTrue(FakeSv2Miner.waitFor(pool::ready, T), "pool ready");
                HyperNodeConfig cfg = HyperNodeConfig.from(DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]",
                        tp.poolTemplateProviders(), "sv2.security=plaintext", "admin.listen=\"127.0.0.1:0\"",
                        "payout.address=\"" + address(2) + "\"", "ledger.url=\"jdbc:sqlite:" + dir.resolve("jdc.db") + "\"",
                        "channel.ack-interval=100ms", "upstream.nominal-hashrate=1000", "upstream.timeout=5s",
                        "upstream.pools=[{name=pool, address=\"127.0.0.1:" + pool.sv2Addresses().get(0).getPort()
                                + "\", jds-address=\"127.0.0.1:" + pool.jdsAddresses().get(0).getPort()
                                + "\", authority-key=\"" + pool.security().authorityPublicKey().toBase58()
                                + "\", user-identity=\"" + hyperNodeAddress + ".e2e\"}]"),
                        null, HyperNodeConfig.ROOT, Map.of()));
                try (HyperNodeDaemon node = HyperNodeDaemon.fromConfig(cfg, InstantSource.system(), DevnetTp.source(cfg.pool()))) {
                    node.start();
                    HyperNode hn = node.hyperNode();
                    assertTrue(FakeSv2Miner.waitFor(() -> node.ready() && hn.currentPool() != null
                            && hn.metrics().declarations(HyperNodeMetrics.Declaration.ACCEPTED) >= 1, T),
                            "the Hyper Node declared a job to the pool: " + hn.status());
                    TranslatorConfig tcfg = TranslatorConfig.from(DaemonConfig.load(null, List.of(
                            "sv1.listen=\"127.0.0.1:0\"", "admin.listen=\"127.0.0.1:0\"", "upstream.mode=per-miner",
                            "upstream.pools=[{host=\"127.0.0.1\",port=" + node.sv2Addresses().get(0).getPort() + "}]",
                            "sv1.start-difficulty=0.00001", "sv1.min-difficulty=0.0000001"),
                            null, TranslatorConfig.ROOT, Map.of()));
                    try (TranslatorDaemon translator = new TranslatorDaemon(tcfg, InstantSource.system())) {
                        translator.start();
                        assertTrue(FakeSv2Miner.waitFor(translator::ready, T), "translator connected to the Hyper Node");
                        try (FakeSv1Miner miner = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.BITAXE)) {
                            miner.handshake(address(3) + ".bitaxe");
                            miner.startMining(2_000, 40_000);
                            assertTrue(FakeSv2Miner.waitFor(() -> miner.acceptedShares() >= 3, T), "SV1 shares accepted");
                            assertTrue(FakeSv2Miner.waitFor(() -> {
                                Map<String, Object> d = pool.stats().describe(hyperNodeAddress);
                                return d != null && ((Number) d.get("accepted_shares")).longValue() >= 3
                                        && hn.metrics().sharesAcknowledged.count() >= 3;
                            }, T), "the pool credits the Hyper Node for the SV1 miner's work: " + hn.status());
                            Map<String, Object> local = node.engine().stats().describe(address(3));
                            assertTrue(local != null && ((Number) local.get("accepted_shares")).longValue() >= 3,
                                    "the Hyper Node credits the SV1 miner locally: " + local);
                        }
                    }
                }
            }
        }
    }
}
