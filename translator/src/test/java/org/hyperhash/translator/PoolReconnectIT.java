package org.hyperhash.translator;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.translator.sv2.PoolEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool sends SV2 Reconnect: the translator follows it at once (same pinned key), without a back-off or failure. */
@Timeout(60)
class PoolReconnectIT {
    /** Longer than the test: readiness and status may not depend on the bridge tick to catch up. */
    private static final Duration NO_TICK = Duration.ofMinutes(5);

    @Test
    void poolRedirectIsFollowedWithThePinnedKeyAndMinersKeepMining() throws Exception {
        AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());
        int now = (int) (System.currentTimeMillis() / 1000);
        FakeSv2Pool a = new FakeSv2Pool(Bytes.fromHex("0a0a0a0a"), 1e-5, now)
                .noise(FakeSv2Pool.identity(authority, Duration.ofHours(1)), InstantSource.system());
        FakeSv2Pool b = new FakeSv2Pool(Bytes.fromHex("0b0b0b0b"), 1e-5, now)
                .noise(FakeSv2Pool.identity(authority, Duration.ofHours(1)), InstantSource.system());
        try (a; b) {
            a.start(0);
            b.start(0);
            // only pool a is configured: b is reachable only through the redirect
            TranslatorDaemon t = new TranslatorDaemon(Harness.withTick(Harness.config(false, 1e-5, Duration.ofSeconds(20),
                    List.of(new PoolEndpoint("a", "127.0.0.1", a.port(), authority.publicKey().toBase58()))), NO_TICK),
                    InstantSource.system(), false);
            try (t) {
                t.start();
                Harness.await("on a", () -> a.connections() == 1, Duration.ofSeconds(15));
                try (FakeSv1Miner m = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.CGMINER)) {
                    m.handshake("bc1qredirect.rig");
                    MiningNotify first = m.awaitJob(Duration.ofSeconds(5));
                    assertConnectedAndStaysSo(t, "a");
                    assertTrue(m.mineAndSubmit(5_000_000).result().asBoolean());
                    Harness.await("share at a", () -> a.accepted.size() == 1, Duration.ofSeconds(5));

                    a.sendReconnect("127.0.0.1", b.port());
                    // jobs flow from b: from then on the translator must report the pool up, with no catching up
                    Harness.await("clean job from b", () -> m.currentJob() != first && m.currentJob().cleanJobs(),
                            Duration.ofSeconds(15));
                    assertConnectedAndStaysSo(t, "a");
                    assertEquals(1, b.connections());
                    Harness.await("a's session gone", () -> a.connections() == 0, Duration.ofSeconds(5));
                    Harness.await("share at b", () -> {
                        try {
                            return m.mineAndSubmit(5_000_000).result().asBoolean() && b.accepted.size() >= 1;
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, Duration.ofSeconds(10));

                    // empty new_host: reconnect to the same (redirected) endpoint
                    int bAccepts = b.accepts.get();
                    MiningNotify beforeSame = m.currentJob();
                    b.sendReconnect("", 0);
                    Harness.await("clean job from the new session at b", () -> b.accepts.get() > bAccepts
                            && m.currentJob() != beforeSame && m.currentJob().cleanJobs(), Duration.ofSeconds(15));
                    assertConnectedAndStaysSo(t, "a");
                    Harness.await("one session at b", () -> b.connections() == 1, Duration.ofSeconds(5));
                    assertEquals(0, a.connections());
                    assertNull(m.reconnectParams(), "the miner was never disconnected");
                    // read while the miner is still connected: closing it may end the upstream session
                    assertEquals(2.0, t.metrics().poolReconnectCount());
                    assertEquals(0.0, t.metrics().failoverCount());
                    assertConnectedAndStaysSo(t, "a");
                    assertEquals(0, poolStatus(t, "a").get("consecutive_failures"), "a followed Reconnect is not a pool failure");
                    assertEquals(0.0, t.metrics().connectFailureCount(), "a replaced session is not a connect failure");
                }
            }
        }
    }

    /**
     * The endpoint a Reconnect points at is not up yet: the translator keeps trying there (with its back-off) instead of
     * going back to the pool that asked it to leave; only after several failures in a row is the configured endpoint
     * tried again.
     */
    @Test
    void aRedirectTargetThatFailsAtFirstIsRetriedBeforeTheConfiguredEndpoint() throws Exception {
        int now = (int) (System.currentTimeMillis() / 1000);
        int freePort = unusedLoopbackPort();
        FakeSv2Pool a = new FakeSv2Pool(Bytes.fromHex("0a0a0a0a"), 1e-5, now);
        FakeSv2Pool b = new FakeSv2Pool(Bytes.fromHex("0b0b0b0b"), 1e-5, now);
        try (a; b) {
            a.start(0);
            TranslatorDaemon t = new TranslatorDaemon(Harness.withTick(Harness.config(false, 1e-5, Duration.ofSeconds(20),
                    a.port()), NO_TICK), InstantSource.system(), false);
            try (t) {
                t.start();
                Harness.await("on a", () -> a.connections() == 1, Duration.ofSeconds(15));
                try (FakeSv1Miner m = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.CGMINER)) {
                    m.handshake("bc1qredirect.rig");
                    m.awaitJob(Duration.ofSeconds(5));
                    int aAccepts = a.accepts.get();
                    a.sendReconnect("127.0.0.1", freePort);   // nothing listens there yet: the first attempt fails
                    Thread.sleep(100);
                    b.start(freePort);
                    Harness.await("on b, where the Reconnect pointed", () -> b.connections() == 1, Duration.ofSeconds(15));
                    assertEquals(aAccepts, a.accepts.get(), "never went back to the pool that asked it to leave");
                    assertEquals("127.0.0.1:" + freePort, poolStatus(t, "pool0").get("redirected_to"));
                    assertTrue(t.metrics().connectFailureCount() >= 1, "the first attempt at b failed");
                    Harness.await("a job from b", () -> m.currentJob() != null && m.currentJob().cleanJobs()
                            && b.accepts.get() >= 1, Duration.ofSeconds(10));
                }
            }
        }
    }

    /** A redirect target that never comes up: after a few failed attempts the configured endpoint is used again. */
    @Test
    void aRedirectTargetThatNeverComesUpFallsBackToTheConfiguredEndpoint() throws Exception {
        int now = (int) (System.currentTimeMillis() / 1000);
        int deadPort = unusedLoopbackPort();
        try (FakeSv2Pool a = new FakeSv2Pool(Bytes.fromHex("0a0a0a0a"), 1e-5, now)) {
            a.start(0);
            TranslatorDaemon t = new TranslatorDaemon(Harness.withTick(Harness.config(false, 1e-5, Duration.ofSeconds(20),
                    a.port()), NO_TICK), InstantSource.system(), false);
            try (t) {
                t.start();
                Harness.await("on a", () -> a.connections() == 1, Duration.ofSeconds(15));
                int aAccepts = a.accepts.get();
                a.sendReconnect("127.0.0.1", deadPort);
                Harness.await("back on the configured endpoint", () -> a.accepts.get() > aAccepts && a.connections() == 1,
                        Duration.ofSeconds(15));
                assertTrue(t.metrics().connectFailureCount() >= 3, "three attempts at the dead target first");
                assertNull(poolStatus(t, "pool0").get("redirected_to"));
            }
        }
    }

    /**
     * Once the new session's channel is open and jobs reach the miner: readiness, the bridge and the pool entry of one
     * /v1/status snapshot all say connected, at once and for a while after (the replaced session's teardown, which
     * may still be running, must not flip any of them).
     */
    @SuppressWarnings("unchecked")
    private static void assertConnectedAndStaysSo(TranslatorDaemon t, String pool) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofMillis(500).toNanos();
        do {
            Map<String, Object> s = t.status();
            Map<String, Object> p = (Map<String, Object>) ((Map<String, Object>) s.get("pools")).get(pool);
            Map<String, Object> bridge = (Map<String, Object>) s.get("bridge");
            assertTrue(t.ready(), "ready");
            assertEquals(true, p.get("connected"), "pools." + pool + ".connected in " + s);
            assertEquals("ready", bridge.get("upstream_state"), "bridge.upstreamState in " + s);
            assertEquals(1, t.metrics().upstreamConnectedValue(), "hh_translator_upstream_connected");
            Thread.sleep(10);
        } while (System.nanoTime() < end);
    }

    /** A loopback port nothing listens on (bound and released at once). */
    private static int unusedLoopbackPort() throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> poolStatus(TranslatorDaemon t, String name) {
        return (Map<String, Object>) ((Map<String, Object>) t.status().get("pools")).get(name);
    }
}
