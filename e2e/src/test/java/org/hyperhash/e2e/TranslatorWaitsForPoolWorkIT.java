package org.hyperhash.e2e;

import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv2.noise.KeyTool;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.hyperhash.translator.bridge.OpenRetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real pool whose template provider is not up yet answers the translator's channel request with
 * OpenMiningChannel.Error no-work-available. The translator keeps its SV1 miner connected past the grace period
 * (no client.reconnect), retries the channel with back-off, and the miner gets a clean job and mines once the TP
 * comes up: the case a pool restarted without socket activation, or with its TP down, used to end in idle miners.
 */
class TranslatorWaitsForPoolWorkIT {
    private static final Duration T = Duration.ofSeconds(60);
    /** Shorter than the wait for the TP below: without the retry, the miner would get client.reconnect. */
    private static final Duration GRACE = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) (0x70 + n);
        h[19] = (byte) (n * 5 + 2);
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    @Test
    void sv1MinerStaysConnectedWhileThePoolHasNoTemplateAndGetsWorkWhenTheTpComesUp() throws Exception {
        KeyTool.GeneratedKeys tpKeys = KeyTool.generateKeys(new SecureRandom());
        int tpPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            tpPort = s.getLocalPort(); // free now; the TP binds it later
        }
        PoolConfig poolCfg = PoolConfig.from(DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]",
                "template-providers=[{address=\"127.0.0.1:" + tpPort + "\",authority-key=\""
                        + tpKeys.authority().publicKey().toBase58() + "\"}]",
                "tdp.initial-backoff=200ms", "tdp.max-backoff=500ms", "sv2.security=noise", "admin.listen=\"127.0.0.1:0\"",
                "payout.address=\"" + address(0) + "\"", "ledger.url=\"jdbc:sqlite:" + dir.resolve("ledger.db") + "\"",
                "ledger.flush-interval=200ms", "channel.ack-interval=100ms"), null, PoolConfig.ROOT, Map.of()));
        try (PoolDaemon pool = PoolDaemon.fromConfig(poolCfg, InstantSource.system(), DevnetTp.source(poolCfg))) {
            pool.start();
            assertFalse(pool.ready(), "no template provider yet");
            int port = pool.sv2Addresses().get(0).getPort();
            TranslatorConfig tcfg = TranslatorConfig.from(DaemonConfig.load(null, List.of("sv1.listen=\"127.0.0.1:0\"",
                    "admin.listen=\"127.0.0.1:0\"", "upstream.user-identity=\"" + address(1) + ".farm\"",
                    "upstream.pools=[{host=\"127.0.0.1\",port=" + port + ",authority-key=\""
                            + pool.security().authorityPublicKey().toBase58() + "\"}]",
                    "upstream.grace-period=" + GRACE.toMillis() + "ms", "upstream.open-retry.initial=200ms",
                    "upstream.open-retry.max=1s", "upstream.open-retry.max-wait=2m", "sv1.start-difficulty=0.00001",
                    "sv1.min-difficulty=0.000001", "tick=100ms"), null, TranslatorConfig.ROOT, Map.of()));
            try (TranslatorDaemon translator = new TranslatorDaemon(tcfg, InstantSource.system())) {
                translator.start();
                try (FakeSv1Miner miner = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.ANTMINER)) {
                    miner.handshake(address(2) + ".rig");
                    assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> translator.metrics()
                            .channelOpenRetryCount(OpenRetry.Reason.NO_WORK_AVAILABLE) >= 3, T), "the channel is retried");
                    assertEquals("waiting_for_work", bridgeStatus(translator).get("channel_state"));
                    assertNotNull(bridgeStatus(translator).get("waiting_for_work_since"));
                    // well past the grace period: the miner is still there and was never told to reconnect
                    Thread.sleep(2 * GRACE.toMillis() + 2_000);
                    assertFalse(miner.awaitClosed(Duration.ofMillis(10)), "SV1 miner still connected");
                    assertEquals(null, miner.reconnectParams(), "no client.reconnect");
                    assertEquals(null, miner.currentJob(), "no work without a template");

                    try (DevnetTp tp = new DevnetTp("0x207fffff", tpPort, tpKeys.authority().secretToBase58())) {
                        MiningNotify job = miner.awaitJob(T);
                        assertNotNull(job, "work once the TP is up");
                        assertTrue(job.cleanJobs(), "the first job after the channel opened is clean_jobs");
                        assertEquals("open", bridgeStatus(translator).get("channel_state"));
                        assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> {
                            try {
                                miner.mineAndSubmit(2_000_000);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                            return miner.acceptedShares() > 0;
                        }, T), "a share accepted through the translator");
                        assertFalse(miner.awaitClosed(Duration.ofMillis(10)), "no SV1 disconnect at any point");
                        assertEquals(0.0, translator.metrics().channelOpenGiveUpCount(OpenRetry.GiveUp.WAIT_EXCEEDED));
                        assertEquals(0.0, translator.metrics().failoverCount());
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> bridgeStatus(TranslatorDaemon t) {
        return (Map<String, Object>) t.status().get("bridge");
    }
}
