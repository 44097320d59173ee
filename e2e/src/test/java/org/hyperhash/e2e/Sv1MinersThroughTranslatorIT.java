package org.hyperhash.e2e;

import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SV1 firmware-shaped miners → hh translator (per-miner channels) → Noise → hh pool → TDP/Noise → hh tp (devnet):
 * blocks are found and accepted by the chain, and the pool credits each miner's own address.
 */
class Sv1MinersThroughTranslatorIT {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) (0x40 + n);
        h[19] = (byte) (n * 11 + 3);
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    @Test
    void sv1MinersFindDevnetBlocksCreditedToTheirAddresses() throws Exception {
        String jdbc = "jdbc:sqlite:" + dir.resolve("ledger.db");
        String alice = address(1);
        String bob = address(2);
        DevnetTp tp = new DevnetTp("0x207fffff");
        long startHeight = tp.chain().height();
        PoolConfig poolCfg = PoolConfig.from(DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]", tp.poolTemplateProviders(),
                "sv2.security=noise", "admin.listen=\"127.0.0.1:0\"", "payout.address=\"" + address(0) + "\"",
                "ledger.jdbc-url=\"" + jdbc + "\"", "ledger.flush-interval=200ms", "channel.ack-interval=100ms"),
                null, PoolConfig.ROOT, Map.of()));
        PoolDaemon pool = PoolDaemon.fromConfig(poolCfg, InstantSource.system(), DevnetTp.source(poolCfg));
        try (tp; pool) {
            pool.start();
            assertTrue(waitFor(pool::ready, T), "pool ready");
            int port = pool.sv2Addresses().get(0).getPort();
            TranslatorConfig tcfg = TranslatorConfig.from(DaemonConfig.load(null, List.of("sv1.listen=\"127.0.0.1:0\"",
                    "admin.listen=\"127.0.0.1:0\"", "upstream.mode=per-miner", "upstream.pools=[{host=\"127.0.0.1\",port=" + port
                            + ",authority-key=\"" + pool.security().authorityPublicKey().toBase58() + "\"}]", "sv1.start-difficulty=0.00001", "sv1.min-difficulty=0.000001", "tick=200ms"),
                    null, TranslatorConfig.ROOT, Map.of()));
            try (TranslatorDaemon translator = new TranslatorDaemon(tcfg, InstantSource.system())) {
                translator.start();
                assertTrue(waitFor(translator::ready, T), "translator connected to the pool");
                try (FakeSv1Miner a = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.ANTMINER);
                        FakeSv1Miner b = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.BITAXE)) {
                    a.handshake(alice + ".s19");
                    b.handshake(bob + ".bitaxe");
                    long deadline = System.nanoTime() + T.toNanos();
                    while ((a.acceptedShares() < 3 || b.acceptedShares() < 3 || tp.chain().height() == startHeight)
                            && System.nanoTime() < deadline) {
                        for (FakeSv1Miner m : List.of(a, b)) {
                            if (m.awaitJob(Duration.ofSeconds(5)) != null) {
                                m.mineAndSubmit(2_000_000); // a stale reject at a new tip is fine: mine again
                            }
                        }
                    }
                    assertTrue(a.acceptedShares() >= 3 && b.acceptedShares() >= 3,
                            "accepted " + a.acceptedShares() + "/" + b.acceptedShares());
                    assertTrue(tp.chain().height() > startHeight, "a block found through the translator");
                    assertEquals(0, tp.invalidSubmissions(), "invalid blocks submitted");
                    String block = firstBlockAbove(tp, startHeight);
                    assertTrue(waitFor(() -> new FoundBlockStore(pool.ledger(), InstantSource.system()).find(block).isPresent(), T),
                            "found block " + block + " recorded by the pool");
                }
            }
        }
        try (LedgerDatabase db = LedgerDatabase.open(jdbc)) {
            List<ShareWindow> wa = new ShareWindowStore(db).byAddress(alice, 100);
            List<ShareWindow> wb = new ShareWindowStore(db).byAddress(bob, 100);
            assertFalse(wa.isEmpty(), "alice credited");
            assertFalse(wb.isEmpty(), "bob credited");
            assertEquals("s19", wa.get(0).worker());
            assertEquals("bitaxe", wb.get(0).worker());
        }
    }

    @Test
    void aggregatedChannelWithContinuouslyMiningSv1CpuMinersCreditsTheTranslatorIdentity() throws Exception {
        String jdbc = "jdbc:sqlite:" + dir.resolve("ledger-agg.db");
        String farm = address(3);
        DevnetTp tp = new DevnetTp("0x207fffff");
        long startHeight = tp.chain().height();
        PoolConfig poolCfg = PoolConfig.from(DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]", tp.poolTemplateProviders(),
                "sv2.security=noise", "admin.listen=\"127.0.0.1:0\"", "payout.address=\"" + address(0) + "\"",
                "ledger.jdbc-url=\"" + jdbc + "\"", "ledger.flush-interval=200ms", "channel.ack-interval=100ms"),
                null, PoolConfig.ROOT, Map.of()));
        PoolDaemon pool = PoolDaemon.fromConfig(poolCfg, InstantSource.system(), DevnetTp.source(poolCfg));
        try (tp; pool) {
            pool.start();
            assertTrue(waitFor(pool::ready, T), "pool ready");
            int port = pool.sv2Addresses().get(0).getPort();
            TranslatorConfig tcfg = TranslatorConfig.from(DaemonConfig.load(null, List.of("sv1.listen=\"127.0.0.1:0\"",
                    "admin.listen=\"127.0.0.1:0\"", "upstream.user-identity=\"" + farm + ".farm\"",
                    "upstream.pools=[{host=\"127.0.0.1\",port=" + port
                            + ",authority-key=\"" + pool.security().authorityPublicKey().toBase58() + "\"}]", "sv1.start-difficulty=0.00001",
                    "sv1.min-difficulty=0.000001", "tick=200ms"), null, TranslatorConfig.ROOT, Map.of()));
            try (TranslatorDaemon translator = new TranslatorDaemon(tcfg, InstantSource.system());
                    FakeSv1Miner a = FakeSv1Miner.connect(start(translator).sv1Address(), FirmwareProfile.CGMINER);
                    FakeSv1Miner b = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.NERDMINER);
                    FakeSv1Miner c = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.WHATSMINER)) {
                for (FakeSv1Miner m : List.of(a, b, c)) {
                    m.handshake(address(10) + ".dev");
                    m.startMining(200_000);
                }
                assertTrue(waitFor(() -> tp.chain().height() >= startHeight + 3 && a.acceptedShares() > 0 && b.acceptedShares() > 0
                        && c.acceptedShares() > 0, T), "blocks " + (tp.chain().height() - startHeight));
                assertEquals(0, tp.invalidSubmissions(), "invalid blocks submitted");
            }
        }
        try (LedgerDatabase db = LedgerDatabase.open(jdbc)) {
            List<ShareWindow> w = new ShareWindowStore(db).byAddress(farm, 100);
            assertFalse(w.isEmpty(), "the aggregated channel's identity is credited");
            // extension 0x0002: the translator tags each SV1 miner's shares with its worker name, so the pool credits
            // the channel's address per SV1 worker ("<addr>.dev" -> worker "dev"), not the channel's own worker
            assertTrue(w.stream().allMatch(x -> x.worker().equals("dev")), () -> "workers " + w);
        }
    }

    /** The hash (display hex) of the first block above {@code height} on the devnet chain. */
    private static String firstBlockAbove(DevnetTp tp, long height) throws Exception {
        org.hyperhash.base.Hash256 h = tp.chain().tipHash();
        while (true) {
            org.hyperhash.tp.node.BlockSummary b = tp.chain().getBlock(h);
            if (b.height() == height + 1) {
                return b.hash().toDisplayHex();
            }
            h = b.previousBlockHash();
        }
    }

    private static TranslatorDaemon start(TranslatorDaemon t) throws Exception {
        t.start();
        assertTrue(waitFor(t::ready, T), "translator connected to the pool");
        return t;
    }

    static boolean waitFor(BooleanSupplier c, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (c.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return c.getAsBoolean();
    }
}
