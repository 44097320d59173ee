package org.hyperhash.translator;

import com.fasterxml.jackson.databind.JsonNode;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv1.Sv1Json;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Firmware-shaped SV1 sequences through the translator to a fake SV2 pool, each ending in accepted shares. */
@org.junit.jupiter.api.Timeout(60)
class TranslatorFirmwareIT {
    FakeSv2Pool pool;
    TranslatorDaemon translator;

    @BeforeEach
    void start() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        translator = new TranslatorDaemon(Harness.config(1e-5, Duration.ofSeconds(30), pool.port()), InstantSource.system());
        translator.start();
        Harness.await("upstream ready", translator::ready, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        translator.close();
        pool.close();
    }

    @Test
    void everyFirmwareProfileMinesAcceptedShares() throws Exception {
        List<FirmwareProfile> profiles = List.of(FirmwareProfile.ANTMINER, FirmwareProfile.WHATSMINER, FirmwareProfile.BITAXE,
                FirmwareProfile.CGMINER, FirmwareProfile.NERDMINER);
        int expectedUpstream = 0;
        for (FirmwareProfile p : profiles) {
            try (FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), p)) {
                m.handshake("bc1qminer" + p.name() + ".rig1");
                assertEquals(4, m.extranonce2Size(), p.name());
                assertTrue(m.awaitJob(Duration.ofSeconds(5)) != null, p.name() + " got no job");
                for (int i = 0; i < 2; i++) {
                    Sv1Message.Response r = m.mineAndSubmit(5_000_000);
                    assertTrue(!r.isError() && r.result().asBoolean(), p.name() + ": " + r);
                }
                assertEquals(2, m.acceptedShares(), p.name());
                if (p.versionRollingMask().isPresent()) {
                    assertEquals(p.versionRollingMask().getAsInt() & 0x1FFFFFE0, m.versionMask(), p.name());
                }
                expectedUpstream += 2;
                int want = expectedUpstream;
                Harness.await(p.name() + " shares at the pool", () -> pool.accepted.size() >= want, Duration.ofSeconds(5));
            }
        }
        assertEquals(List.of(), pool.rejected, "the pool validated every forwarded share independently");
        assertTrue(pool.accepted.stream().anyMatch(s -> s.version() != FakeSv2Pool.VERSION), "version-rolled shares forwarded");
        assertEquals(6, pool.opens.getFirst().minExtranonceSize());
        assertEquals("bc1qtranslator.proxy", pool.opens.getFirst().userIdentity());
    }

    @Test
    void adminEndpointsReportUpstreamMinersAndMetrics() throws Exception {
        try (FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.BITAXE)) {
            m.handshake("bc1qadmin.bitaxe1");
            m.awaitJob(Duration.ofSeconds(5));
            m.mineAndSubmit(5_000_000);
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + translator.adminAddress().getPort();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ready.statusCode());
            JsonNode miners = Sv1Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/miners")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("bc1qadmin.bitaxe1", miners.get(0).get("worker").asText());
            assertEquals("bitaxe", miners.get(0).get("firmware").asText());
            assertEquals(1, miners.get(0).get("accepted").asInt());
            JsonNode status = Sv1Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/status")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals("ready", status.get("bridge").get("upstream_state").asText());
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("hh_translator_shares_total{reason=\"ok\",result=\"accepted\",service=\"translator\"} 1.0"),
                    metrics);
            assertTrue(metrics.contains("hh_translator_sv1_miners{firmware=\"bitaxe\",service=\"translator\"} 1.0"));
            assertTrue(metrics.contains("hh_translator_upstream_connected{service=\"translator\"} 1.0"));
            assertTrue(metrics.contains("hh_translator_sv1_connections{service=\"translator\"} 1.0"));
        }
    }
}
