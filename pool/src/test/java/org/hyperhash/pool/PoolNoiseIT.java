package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Job;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The mining port over Noise NX: pinned miners mine on devnet; a wrong pin, plaintext and silence are refused. */
@Timeout(120)
class PoolNoiseIT {
    private static final Duration T = Duration.ofSeconds(30);
    private static final SecureRandom RNG = new SecureRandom();
    @TempDir
    Path dir;

    private PoolHarness noisePool(DevnetTemplateSource tp, AuthorityKeyPair authority, String... extra) throws Exception {
        String[] sets = new String[extra.length + 2];
        sets[0] = "sv2.security=noise";
        sets[1] = "sv2.authority-secret-key=\"" + authority.secretToBase58() + "\"";
        System.arraycopy(extra, 0, sets, 2, extra.length);
        return new PoolHarness(PoolHarness.sqlite(dir), tp, sets);
    }

    private static String error(FakeSv2Miner m, int seq) throws InterruptedException {
        SubmitSharesError e = m.await(SubmitSharesError.class, x -> x.sequenceNumber() == seq, T);
        return e == null ? "no error for " + seq : e.errorCode();
    }

    @Test
    void pinnedMinerSubmitsValidAndInvalidSharesAndFindsABlock() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        AuthorityKeyPair authority = AuthorityKeyPair.generate(RNG);
        long startHeight = tp.chain().height();
        try (PoolHarness h = noisePool(tp, authority, "vardiff.enabled=false")) {
            assertEquals(authority.publicKey(), h.authorityKey());
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            // /v1/status names the key to pin and the crypto provider
            assertEquals(authority.publicKey().toBase58(), h.pool.status().get("authority_public_key"));
            assertEquals(Secp256k1Providers.best().name(), h.pool.status().get("crypto_provider"));
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + h.pool.adminAddress().getHostString() + ":" + h.pool.adminAddress().getPort()
                            + "/v1/status")).timeout(T).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode status = new ObjectMapper().readTree(r.body());
            assertEquals(authority.publicKey().toBase58(), status.get("authority_public_key").asText());
            assertFalse(r.body().contains(authority.secretToBase58()), "secret never in status");

            try (FakeSv2Miner m = FakeSv2Miner.connect(h.miner(Kind.STANDARD, PoolHarness.address(7) + ".n1"))) {
                assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T), "job over Noise");
                assertTrue(m.encrypted());
                Job j = m.currentJob();
                int seq = m.nextSequence();
                m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId() + 1000, 0, j.ntime(), j.version()));
                assertEquals("invalid-job-id", error(m, seq));
                int low = m.nextSequence();
                m.send(new SubmitSharesStandard(j.channelId(), low, j.jobId(), Shares.nonce(j, j.ntime(), false),
                        j.ntime(), j.version()));
                assertEquals("difficulty-too-low", error(m, low));
                int ok = m.nextSequence();
                m.send(new SubmitSharesStandard(j.channelId(), ok, j.jobId(), Shares.nonce(j, j.ntime(), true), j.ntime(),
                        j.version()));
                assertNotNull(m.await(SubmitSharesSuccess.class, s -> s.lastSequenceNumber() == ok, T), "accepted");
                assertTrue(FakeSv2Miner.waitFor(() -> tp.accepted.size() == 1, T), "block accepted; " + tp.rejected);
                assertTrue(tp.chain().height() > startHeight);
                assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null && m.currentJob().jobId() != j.jobId(), T),
                        "next job after the block");
            }
            assertTrue(FakeSv2Miner.waitFor(() -> h.pool.shareLog().blocksRecorded() >= 1, T), "block recorded");
        }
    }

    @Test
    void standardAndExtendedCpuMinersOverNoise() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = noisePool(tp, AuthorityKeyPair.generate(RNG))) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            try (FakeSv2Miner a = FakeSv2Miner.connect(h.miner(Kind.STANDARD, PoolHarness.address(8) + ".s")
                    .mining(2000)).startMining();
                 FakeSv2Miner b = FakeSv2Miner.connect(h.miner(Kind.EXTENDED, PoolHarness.address(9) + ".e")
                         .mining(2000)).startMining()) {
                assertTrue(FakeSv2Miner.waitFor(() -> a.accepted() >= 3 && b.accepted() >= 3, T),
                        "acks: std " + a.accepted() + " ext " + b.accepted() + " open errors " + a.openError() + "/"
                                + b.openError() + " transport " + a.transportError() + "/" + b.transportError());
                assertTrue(a.encrypted() && b.encrypted());
                assertTrue(FakeSv2Miner.waitFor(() -> tp.accepted.size() >= 2, T), "blocks; rejected " + tp.rejected);
                assertTrue(tp.rejected.stream().allMatch("inconclusive"::equals), "invalid blocks: " + tp.rejected);
                assertEquals(a.errors("stale-share") + b.errors("stale-share"), a.rejected() + b.rejected(),
                        "only stale rejects");
            }
        }
    }

    @Test
    void handshakesTakeTheirEphemeralKeyFromTheReserveOnceItIsFilled() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = noisePool(tp, AuthorityKeyPair.generate(RNG), "sv2.noise-key-reserve=50")) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            var r = h.pool.registry();
            java.util.function.ToDoubleFunction<String> takes = result -> r.find("hh.pool.noise.key.reserve.takes")
                    .tag("result", result).functionCounter().count();
            // the refill thread fills it once no handshake came for half a second
            assertTrue(FakeSv2Miner.waitFor(() -> r.find("hh.pool.noise.key.reserve").gauge().value() == 50, T),
                    "reserve filled");
            assertEquals(50, r.find("hh.pool.noise.key.reserve.made").functionCounter().count());
            double hits0 = takes.applyAsDouble("hit");
            double misses0 = takes.applyAsDouble("miss");
            try (FakeSv2Miner a = FakeSv2Miner.connect(h.miner(Kind.STANDARD, PoolHarness.address(12) + ".r")
                    .mining(2000)).startMining()) {
                assertTrue(FakeSv2Miner.waitFor(() -> a.accepted() >= 1, T), "acks " + a.accepted());
                assertTrue(a.encrypted());
            }
            assertEquals(1, takes.applyAsDouble("hit") - hits0);
            assertEquals(0, takes.applyAsDouble("miss") - misses0);
            assertTrue(r.find("hh.pool.noise.key.reserve").gauge().value() <= 50);
        }
    }

    @Test
    void wrongPinPlaintextAndSilentClientsAreRefused() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = noisePool(tp, AuthorityKeyPair.generate(RNG), "sv2.handshake-timeout=1s")) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            Options wrong = Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(10))
                    .withNoise(AuthorityKeyPair.generate(RNG).publicKey());
            try (FakeSv2Miner m = FakeSv2Miner.connect(wrong)) {
                assertTrue(FakeSv2Miner.waitFor(() -> !m.connected(), T), "closed");
                assertNotNull(m.transportError());
                assertEquals(Sv2ErrorEvent.Kind.CERTIFICATE_REJECTED, m.transportError().kind());
                assertFalse(m.handshakeCompleted());
                assertNull(m.await(SetupConnectionSuccess.class, s -> true, Duration.ZERO));
            }
            // a plaintext client never completes the handshake: closed by the handshake timeout
            try (FakeSv2Miner p = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(10)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> !p.connected(), T), "plaintext client closed");
                assertNull(p.await(SetupConnectionSuccess.class, s -> true, Duration.ZERO));
            }
            // a TCP client that sends nothing
            try (Socket s = new Socket(h.sv2().getAddress(), h.sv2().getPort())) {
                assertTrue(Shares.closedByPeer(s, T), "silent client closed");
            }
            assertTrue(h.pool.metrics().protocolErrorCount(Sv2ErrorEvent.Kind.HANDSHAKE_TIMEOUT)
                    + h.pool.metrics().droppedCount(org.hyperhash.pool.admin.PoolMetrics.Drop.SETUP_TIMEOUT) >= 2);
            assertTrue(FakeSv2Miner.waitFor(() -> h.pool.metrics().connections.get() == 0, T), "all released");
            assertEquals(0, h.pool.metrics().sharesAccepted.count());
        }
    }

    @Test
    void malformedAndOversizedFramesOverNoiseCloseTheConnection() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = noisePool(tp, AuthorityKeyPair.generate(RNG), "sv2.max-frame-bytes=1024",
                "limits.ban.protocol-violations=100")) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            try (FakeSv2Miner g = FakeSv2Miner.connect(h.miner(Kind.STANDARD, PoolHarness.address(11)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> g.currentJob() != null, T));
                // SubmitSharesStandard (0x1a, channel bit) with a 3-byte payload: undecodable
                g.sendRaw(new byte[] {0, (byte) 0x80, 0x1a, 3, 0, 0, 1, 2, 3});
                assertTrue(FakeSv2Miner.waitFor(() -> !g.connected(), T), "malformed frame closes");
            }
            assertTrue(FakeSv2Miner.waitFor(() ->
                    h.pool.metrics().protocolErrorCount(Sv2ErrorEvent.Kind.MALFORMED_MESSAGE) >= 1, T));
            try (FakeSv2Miner big = FakeSv2Miner.connect(h.miner(Kind.STANDARD, PoolHarness.address(11)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> big.currentJob() != null, T));
                byte[] frame = new byte[6 + 2000]; // unknown message type 0x7f, 2000-byte payload > 1024 cap
                frame[2] = 0x7f;
                frame[3] = (byte) (2000 & 0xff);
                frame[4] = (byte) (2000 >> 8);
                big.sendRaw(frame);
                assertTrue(FakeSv2Miner.waitFor(() -> !big.connected(), T), "oversized frame closes");
            }
            assertTrue(FakeSv2Miner.waitFor(() ->
                    h.pool.metrics().protocolErrorCount(Sv2ErrorEvent.Kind.FRAME_TOO_LARGE) >= 1, T));
        }
    }
}
