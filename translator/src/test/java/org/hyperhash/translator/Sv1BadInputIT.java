package org.hyperhash.translator;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv1.Sv1Error;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.testkit.sv1.Sv1CpuMiner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile and broken SV1 input over real sockets: clear JSON-RPC errors, no crash, the next miner is served. */
@org.junit.jupiter.api.Timeout(60)
class Sv1BadInputIT {
    FakeSv2Pool pool;
    TranslatorDaemon translator;

    @BeforeEach
    void start() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        translator = new TranslatorDaemon(Harness.config(1e-5, Duration.ofSeconds(30), pool.port()), InstantSource.system(),
                false);
        translator.start();
        Harness.await("upstream ready", translator::ready, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        translator.close();
        pool.close();
    }

    @Test
    void invalidJsonAndUnknownMethodsGetErrorsAndTheSessionContinues() throws Exception {
        try (FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.CGMINER)) {
            CompletableFuture<Sv1Message.Response> nullId = m.expectReply("null");
            m.sendLine("{this is not json");
            Sv1Message.Response r = FakeSv1Miner.await(nullId);
            assertEquals(Sv1Error.OTHER, r.error().code());
            assertTrue(r.error().message().startsWith("invalid JSON"), r.error().message());

            Sv1Message.Response unknown = m.call("mining.bogus", Sv1JsonParams.of());
            assertEquals("Unknown method 'mining.bogus'", unknown.error().message());

            Sv1Message.Response early = m.call("mining.submit", Sv1JsonParams.of("w", "1", "00000000", "00000000", "00000000"));
            assertEquals(Sv1Error.NOT_SUBSCRIBED, early.error().code());

            m.handshake("bc1qbad.rig");
            m.awaitJob(Duration.ofSeconds(5));
            Sv1Message.Response wrongLen = m.call("mining.submit",
                    Sv1JsonParams.of("w", m.currentJob().jobId(), "0000", "00000000", "00000000"));
            assertTrue(wrongLen.error().message().contains("extranonce2: expected 4 bytes"), wrongLen.error().message());

            Sv1CpuMiner.Found f = Sv1CpuMiner.search(m.currentJob(), m.extranonce1(), Bytes.fromHex("00000005"),
                    org.hyperhash.sv1.Sv1Difficulty.toTarget(m.difficulty()), 0, 0, 0, 5_000_000).orElseThrow();
            Sv1Message.Response outOfMask = m.call("mining.submit", Sv1JsonParams.of("w", m.currentJob().jobId(),
                    f.extranonce2().toHex(), String.format("%08x", f.ntime()), String.format("%08x", f.nonce()), "e0000000"));
            assertTrue(outOfMask.error().message().contains("version rolling was not negotiated"), outOfMask.error().message());

            // still healthy: a real share is accepted on the same connection
            Sv1Message.Response ok = m.mineAndSubmit(5_000_000);
            assertTrue(ok.result().asBoolean(), String.valueOf(ok));
        }
    }

    @Test
    void hugeLineGetsAnErrorAndTheConnectionIsClosed() throws Exception {
        try (FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.ANTMINER)) {
            CompletableFuture<Sv1Message.Response> err = m.expectReply("null");
            m.sendLine("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"" + "A".repeat(100_000) + "\"]}");
            Sv1Message.Response r = FakeSv1Miner.await(err);
            assertTrue(r.error().message().contains("Line longer than 4096 bytes"), r.error().message());
            assertTrue(m.awaitClosed(Duration.ofSeconds(5)));
        }
        // the translator keeps serving
        try (FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.ANTMINER)) {
            m.handshake("bc1qgood.rig");
            m.awaitJob(Duration.ofSeconds(5));
            assertTrue(m.mineAndSubmit(5_000_000).result().asBoolean());
        }
        Harness.await("connections released", () -> translator.metrics().connections() == 0, Duration.ofSeconds(5));
    }

    @Test
    void repeatedGarbageIsDisconnected() throws Exception {
        try (FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.NERDMINER)) {
            // One write: the translator closes after 5 malformed lines (Bridge.MAX_MALFORMED), so a write per line
            // can hit a broken pipe on a later write (seen once in CI) before the test sees the close.
            StringBuilder garbage = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                garbage.append(i == 0 ? "" : "\n").append('[').append(i).append(']');
            }
            m.sendLine(garbage.toString());
            assertTrue(m.awaitClosed(Duration.ofSeconds(5)));
        }
    }

    @Test
    void theErrorsOfOneReadAllArriveBeforeTheClose() throws Exception {
        // five malformed lines in one write: the translator answers each (batched into one write at the end of the read)
        // and closes after the fifth (Bridge.MAX_MALFORMED); the replies written during that read go out before the close
        try (java.net.Socket s = new java.net.Socket(translator.sv1Address().getAddress(), translator.sv1Address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("[1]\n[2]\n[3]\n[4]\n[5]\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            java.io.BufferedReader in = new java.io.BufferedReader(
                    new java.io.InputStreamReader(s.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            java.util.List<String> lines = new java.util.ArrayList<>();
            for (String l; (l = in.readLine()) != null; ) { // until the translator closes
                lines.add(l);
            }
            assertEquals(5, lines.size(), String.valueOf(lines));
            for (String l : lines) {
                assertTrue(l.startsWith("{\"id\":null,\"result\":null,\"error\":[20,"), l);
            }
        }
    }
}
