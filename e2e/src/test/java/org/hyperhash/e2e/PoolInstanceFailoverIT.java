package org.hyperhash.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.testkit.TestDatabase;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: two real pool instances (instance-id 1 and 2) on one PostgreSQL ledger and one devnet TP, the
 * translator configured with both. The instance serving the SV1 miner is stopped: the translator moves the miner's
 * channel to the other instance and the miner is back on work there within seconds, without being disconnected;
 * the shares of both instances are in the one share log.
 */
@Timeout(120)
class PoolInstanceFailoverIT {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static String address(int n) {
        return TestAddresses.regtest(0x50 + n, n * 13 + 5);
    }

    private static PoolDaemon pool(DevnetTp tp, String jdbc, int instanceId) throws Exception {
        PoolDaemon p = DevnetTp.pool(tp.poolConfig(address(0), "instance-id=" + instanceId, "ledger.url=\"" + jdbc + "\"",
                "ledger.flush-interval=200ms", "channel.ack-interval=100ms"));
        p.start();
        return p;
    }

    private static String upstream(PoolDaemon p, String name) {
        return "{name=\"" + name + "\",host=\"127.0.0.1\",port=" + p.sv2Addresses().get(0).getPort() + ",authority-key=\""
                + p.security().authorityPublicKey().toBase58() + "\"}";
    }

    @Test
    void minersOfAStoppedInstanceAreBackOnWorkAtTheOtherWithinSeconds() throws Exception {
        String miner = address(1);
        try (TestDatabase ledger = TestDatabase.create("postgresql", dir, "hh_e2e_scale_"); DevnetTp tp = new DevnetTp("0x207fffff")) {
            PoolDaemon p1 = pool(tp, ledger.url, 1);
            try (PoolDaemon p2 = pool(tp, ledger.url, 2)) {
                assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> p1.ready() && p2.ready(), T), "both pools ready");
                TranslatorConfig tcfg = TranslatorConfig.from(DaemonConfig.load(null, List.of("sv1.listen=\"127.0.0.1:0\"",
                        "admin.listen=\"127.0.0.1:0\"", "upstream.mode=per-miner", "upstream.pools=[" + upstream(p1, "pool-1") + ","
                                + upstream(p2, "pool-2") + "]", "sv1.start-difficulty=0.00001", "sv1.min-difficulty=0.000001", "tick=200ms"),
                        null, TranslatorConfig.ROOT, Map.of()));
                try (TranslatorDaemon translator = new TranslatorDaemon(tcfg, InstantSource.system())) {
                    translator.start();
                    assertTrue(Sv1MinersThroughTranslatorIT.waitFor(translator::ready, T), "translator on pool-1");
                    try (FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.ANTMINER)) {
                        m.handshake(miner + ".rig");
                        assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> mineOnce(m) && p1.metrics().sharesAccepted.count() > 0, T),
                                "shares accepted by pool-1");
                        assertEquals(0.0, p2.metrics().sharesAccepted.count(), "pool-2 idle while pool-1 serves");

                        long stopped = System.nanoTime();
                        p1.close(); // the instance goes away (its miners' connections are closed)
                        assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> mineOnce(m) && p2.metrics().sharesAccepted.count() > 0, T),
                                "shares accepted by pool-2 after pool-1 stopped");
                        long backMs = (System.nanoTime() - stopped) / 1_000_000;
                        System.out.println("miner back on work at pool-2 " + backMs + " ms after pool-1 stopped");
                        assertTrue(backMs < 15_000, "back on work within seconds, took " + backMs + " ms");
                        assertNull(m.reconnectParams(), "the SV1 miner was never disconnected");
                    }
                }
            } finally {
                p1.close();
            }
            try (LedgerDatabase db = LedgerDatabase.open(ledger.url)) {
                Set<String> instances = new ShareWindowStore(db).byAddress(miner, 100).stream().map(ShareWindow::instanceId)
                        .collect(Collectors.toSet());
                assertEquals(Set.of("pool-1", "pool-2"), instances, "the miner's shares at both instances are in the one share log");
            }
        }
    }

    /** Mines one share on the current job (a stale reject at a new tip is fine); true when a job was there. */
    private static boolean mineOnce(FakeSv1Miner m) {
        try {
            if (m.awaitJob(Duration.ofSeconds(2)) != null) {
                m.mineAndSubmit(2_000_000);
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
