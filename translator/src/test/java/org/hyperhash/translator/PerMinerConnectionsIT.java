package org.hyperhash.translator;

import org.hyperhash.base.Bytes;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * upstream.mode = per-miner with upstream.channels-per-connection = 3: seven miners need three SV2 connections to the
 * pool; each connection's channels mine and are acknowledged; closing miners closes the extra connections; a pool
 * Reconnect moves every connection.
 */
@org.junit.jupiter.api.Timeout(60)
class PerMinerConnectionsIT {

    @Test
    void moreMinersThanTheChannelBudgetOpenMoreUpstreamConnections() throws Exception {
        try (FakeSv2Pool pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
                FakeSv2Pool next = new FakeSv2Pool(Bytes.fromHex("01000003"), 1e-5, (int) (System.currentTimeMillis() / 1000))) {
            pool.start(0);
            next.start(0);
            TranslatorDaemon t = new TranslatorDaemon(Harness.withChannelsPerConnection(
                    Harness.config(true, 1e-5, Duration.ofSeconds(30), pool.port()), 3), InstantSource.system(), false);
            List<FakeSv1Miner> miners = new ArrayList<>();
            try (t) {
                t.start();
                Harness.await("upstream ready", t::ready, Duration.ofSeconds(10));
                for (int i = 0; i < 7; i++) {
                    FakeSv1Miner m = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.ANTMINER);
                    miners.add(m);
                    m.handshake("bc1qminer" + i + ".rig" + i);
                    m.awaitJob(Duration.ofSeconds(10));
                }
                assertEquals(3, pool.connections(), "7 channels at 3 per connection");
                assertEquals(7, pool.opens.size());
                for (FakeSv1Miner m : miners) {
                    assertTrue(m.mineAndSubmit(5_000_000).result().asBoolean());
                }
                Harness.await("7 shares at the pool", () -> pool.accepted.size() == 7, Duration.ofSeconds(10));
                assertEquals(7, pool.accepted.stream().map(s -> s.channelId()).distinct().count());
                Harness.await("7 acknowledgements", () -> t.registry().scrape().lines().anyMatch(l ->
                        l.startsWith("hh_translator_upstream_shares_total{") && l.contains("\"accepted\"") && l.endsWith(" 7.0")),
                        Duration.ofSeconds(10));
                System.gc();
                assertTrue(t.registry().scrape().lines().anyMatch(l -> l.startsWith("hh_translator_upstream_connections{")
                        && l.endsWith(" 3.0")), "hh_translator_upstream_connections = 3 on a scrape after a GC");
                assertEquals(3, bridgeStatus(t).get("upstream_connections"));

                // a Reconnect moves every connection to the new endpoint (the pool sends it on each connection)
                pool.sendReconnect("127.0.0.1", next.port());
                Harness.await("all channels re-opened at the new endpoint", () -> next.opens.size() == 7
                        && next.connections() == 3 && pool.connections() == 0, Duration.ofSeconds(20));
                for (FakeSv1Miner m : miners) {
                    m.awaitJob(Duration.ofSeconds(10));
                }

                // closing the miners of the second and third connections closes those connections
                for (FakeSv1Miner m : miners.subList(3, 7)) {
                    m.close();
                }
                Harness.await("extra connections closed", () -> next.connections() == 1, Duration.ofSeconds(10));
                Harness.await("gauge at 1", () -> t.metrics().upstreamConnectionsValue() == 1, Duration.ofSeconds(5));
                assertEquals(1, bridgeStatus(t).get("upstream_connections"));
                assertEquals(4, next.closes.size());
            } finally {
                for (FakeSv1Miner m : miners) {
                    m.close();
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> bridgeStatus(TranslatorDaemon t) {
        return (Map<String, Object>) t.status().get("bridge");
    }
}
