package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.hyperhash.base.Target;
import org.hyperhash.pool.admin.PoolMetrics.Drop;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Limits and timeouts of the mining port, SetupConnection errors and flags, not-ready without a TP. */
@Timeout(120)
class HardeningIT {
    private static final Duration T = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    private static SetupConnection setup(int protocol, int min, int max, int flags) {
        return new SetupConnection(protocol, min, max, flags, "127.0.0.1", 3333, "it", "cpu", "1", "d");
    }

    private PoolHarness pool(DevnetTemplateSource tp, String... sets) throws Exception {
        PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, sets);
        assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
        return h;
    }

    @Test
    void setupConnectionErrorsAndFlags() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = pool(tp, "limits.ban.protocol-violations=100")) {
            String user = PoolHarness.address(20);
            // REQUIRES_WORK_SELECTION (bit 1) and an undefined bit 5: both reported in the error's flags
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, user)
                    .withSetup(setup(0, 2, 2, (1 << 1) | (1 << 5))))) {
                SetupConnectionError e = m.await(SetupConnectionError.class, x -> true, T);
                assertNotNull(e);
                assertEquals("unsupported-feature-flags", e.errorCode());
                assertEquals((1 << 1) | (1 << 5), e.flags());
                assertTrue(FakeSv2Miner.waitFor(() -> !m.connected(), T), "closed after SetupConnection.Error");
            }
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, user)
                    .withSetup(setup(0, 3, 4, 0)))) {
                SetupConnectionError e = m.await(SetupConnectionError.class, x -> true, T);
                assertNotNull(e);
                assertEquals("protocol-version-mismatch", e.errorCode());
                assertEquals(0, e.flags());
            }
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, user)
                    .withSetup(setup(2, 2, 2, 0)))) {
                SetupConnectionError e = m.await(SetupConnectionError.class, x -> true, T);
                assertNotNull(e);
                assertEquals("unsupported-protocol", e.errorCode());
            }
            // REQUIRES_VERSION_ROLLING is accepted and the server sets no flags (no REQUIRES_FIXED_VERSION)
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, user)
                    .withSetupFlags(1 << 2))) {
                SetupConnectionSuccess s = m.await(SetupConnectionSuccess.class, x -> true, T);
                assertNotNull(s);
                assertEquals(2, s.usedVersion());
                assertEquals(0, s.flags());
                assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
                assertTrue(m.currentJob().versionRolling(), "extended jobs allow version rolling");
            }
            // REQUIRES_STANDARD_JOBS: extended channels refused with the spec's code
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, user).withSetupFlags(1))) {
                OpenMiningChannelError e = m.await(OpenMiningChannelError.class, x -> true, T);
                assertNotNull(e);
                assertEquals("extended-channels-not-supported-for-standard-jobs", e.errorCode());
            }
            double violations = h.pool.metrics().droppedCount(Drop.PROTOCOL_VIOLATION);
            // a first message other than SetupConnection is a protocol violation
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, user)
                    .withSetup(new OpenExtendedMiningChannel(1, user, 1000f, Target.MAX, 4)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> !m.connected(), T), "closed");
                assertTrue(m.received().isEmpty(), "no answer: " + m.received());
            }
            // so is a second SetupConnection
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, user))) {
                assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
                m.send(setup(0, 2, 2, 0));
                assertTrue(FakeSv2Miner.waitFor(() -> !m.connected(), T), "closed");
            }
            assertEquals(violations + 2, h.pool.metrics().droppedCount(Drop.PROTOCOL_VIOLATION));
            assertTrue(h.pool.metrics().droppedCount(Drop.SETUP_ERROR) >= 3);
        }
    }

    @Test
    void setupAndIdleTimeouts() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = pool(tp, "sv2.handshake-timeout=500ms", "sv2.idle-timeout=1s")) {
            try (Socket s = new Socket(h.sv2().getAddress(), h.sv2().getPort())) {
                assertTrue(Shares.closedByPeer(s, T), "no SetupConnection: closed");
            }
            assertEquals(1, h.pool.metrics().droppedCount(Drop.SETUP_TIMEOUT));
            // a set-up miner that never sends anything again is closed by the idle timeout
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(21)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
                assertTrue(FakeSv2Miner.waitFor(() -> !m.connected(), T), "idle miner closed");
            }
            assertTrue(h.pool.metrics().droppedCount(Drop.IDLE_TIMEOUT) >= 1);
        }
    }

    @Test
    void connectionLimitsPerIpAndGlobal() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = pool(tp, "limits.max-connections-per-ip=2", "limits.max-channels-per-connection=1")) {
            try (FakeSv2Miner a = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(22)));
                 FakeSv2Miner b = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(23)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> a.currentJob() != null && b.currentJob() != null, T));
                a.send(new OpenExtendedMiningChannel(2, PoolHarness.address(22), 1000f, Target.MAX, 4));
                assertNotNull(a.await(OpenMiningChannelError.class, e -> e.requestId() == 2
                        && e.errorCode().equals("too-many-channels"), T), "max channels per connection");
                try (FakeSv2Miner c = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(24)))) {
                    assertTrue(FakeSv2Miner.waitFor(() -> !c.connected(), T), "third connection from one IP refused");
                }
                assertEquals(1, h.pool.metrics().droppedCount(Drop.MAX_CONNECTIONS_PER_IP));
                assertTrue(a.connected() && b.connected());
            }
            // slots are released on close: once the pool has seen both closes (connecting at once raced them and was
            // refused as the third connection of this IP, once in CI)
            assertTrue(FakeSv2Miner.waitFor(() -> h.pool.metrics().connections.get() == 0, T), "closes seen by the pool");
            try (FakeSv2Miner d = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(25)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> d.currentJob() != null, T), "admitted after the others closed");
            }
        }
        try (PoolHarness h = pool(new DevnetTemplateSource(), "limits.max-connections=1")) {
            try (FakeSv2Miner a = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(26)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> a.currentJob() != null, T));
                try (Socket s = new Socket(h.sv2().getAddress(), h.sv2().getPort())) {
                    assertTrue(Shares.closedByPeer(s, T), "over the global limit: refused");
                }
                assertEquals(1, h.pool.metrics().droppedCount(Drop.MAX_CONNECTIONS));
            }
        }
    }

    @Test
    void slowConsumerIsDisconnectedAndCounted() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = pool(tp, "sv2.outbound-high-water-mark-bytes=65536",
                "sv2.outbound-low-water-mark-bytes=32768", "sv2.idle-timeout=1h");
             FakeSv2Miner healthy = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED,
                     PoolHarness.address(27) + ".ok").mining(500)).startMining();
             FakeSv2Miner slow = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(28)))) {
            assertTrue(FakeSv2Miner.waitFor(() -> slow.currentJob() != null && healthy.accepted() >= 1, T));
            slow.pauseReading();
            // every UpdateChannel for an unknown channel is answered; the answers pile up unread
            UpdateChannel u = new UpdateChannel(999, 1000f, Target.MAX);
            for (int i = 0; i < 400 && h.pool.metrics().droppedCount(Drop.SLOW_CONSUMER) == 0; i++) {
                for (int k = 0; k < 1000; k++) {
                    slow.sendNoFlush(u);
                }
                slow.flush();
                Thread.sleep(5);
            }
            assertTrue(FakeSv2Miner.waitFor(() -> h.pool.metrics().droppedCount(Drop.SLOW_CONSUMER) >= 1, T),
                    "slow consumer disconnected");
            assertTrue(healthy.connected(), "only the slow one");
            long before = healthy.accepted();
            assertTrue(FakeSv2Miner.waitFor(() -> healthy.accepted() > before, T), "healthy miner unaffected");
            assertTrue(healthy.connected());
        }
    }

    @Test
    void withoutTemplateProviderNoNewWorkAndNotReady() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = pool(tp)) {
            URI ready = URI.create("http://127.0.0.1:" + h.pool.adminAddress().getPort() + "/v1/ready");
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(200, http.send(HttpRequest.newBuilder(ready).timeout(T).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            tp.disconnect();
            assertTrue(FakeSv2Miner.waitFor(() -> !h.pool.ready(), T));
            assertEquals(503, http.send(HttpRequest.newBuilder(ready).timeout(T).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode());
            assertEquals(false, h.pool.readinessChecks().get("template_provider"));
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(29)))) {
                OpenMiningChannelError e = m.await(OpenMiningChannelError.class, x -> true, T);
                assertNotNull(e);
                assertEquals("no-work-available", e.errorCode());
                assertFalse(m.currentJob() != null);
            }
            tp.reconnect();
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "ready again");
        }
    }
}
