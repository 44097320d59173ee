package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.netty.LoopbackWarmup;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up warm-up ({@code sv2.warmup}, {@link org.hyperhash.pool.downstream.PoolWarmup}): the mining port listens
 * at once but accepts only after the warm-up, or as soon as a miner waits in its backlog (which ends it); readiness
 * waits for it; its loopback sessions leave no trace in the pool's connections, drops, handshakes, channels, bans,
 * miner statistics, share log or the Noise key reserve kept for miners.
 */
@Timeout(120)
class PoolWarmupIT {
    private static final Duration T = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    PoolDaemon pool;

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.close();
        }
    }

    private PoolDaemon start(String security, int sessions, String maxTime) throws Exception {
        PoolConfig c = PoolHarness.config(PoolHarness.sqlite(dir), "sv2.security=" + security,
                "sv2.warmup.sessions=" + sessions, "sv2.warmup.max-time=" + maxTime, "limits.max-connections-per-ip=8");
        pool = PoolDaemon.fromConfig(c, InstantSource.system(), new DevnetTemplateSource());
        pool.start();
        return pool;
    }

    private Options miner(PoolDaemon p, Kind kind) {
        Options o = Options.of(p.sv2Addresses().get(0), kind, PoolHarness.address(3) + ".w1");
        return p.security().authorityPublicKey() == null ? o : o.withNoise(p.security().authorityPublicKey());
    }

    private static double keyReserveTakes(PoolDaemon p) {
        double n = 0;
        for (var c : p.registry().find("hh.pool.noise.key.reserve.takes").functionCounters()) {
            n += c.count();
        }
        return n;
    }

    @Test
    void theWarmupRunsBeforeAcceptingAndLeavesNoTrace() throws Exception {
        Assumptions.assumeTrue(Sv2Transport.canAdoptListeningSockets(), "the warm-up needs the epoll transport");
        for (String security : new String[] {"noise", "plaintext"}) {
            start(security, 120, "30s");
            assertTrue(FakeSv2Miner.waitFor(pool::accepting, T), "accepting after the warm-up");
            assertTrue(FakeSv2Miner.waitFor(pool::ready, T), "ready");
            LoopbackWarmup.Result w = pool.warmup();
            assertNotNull(w);
            assertEquals(120, w.sessions(), security + ": " + w);
            assertEquals(0, w.failed(), String.valueOf(w));
            assertEquals("sessions done", w.stop());
            @SuppressWarnings("unchecked")
            Map<String, Object> status = (Map<String, Object>) pool.status().get("sv2_warmup");
            assertEquals(120, status.get("sessions"));
            // no trace: 120 sessions through 8-per-IP limits on 127.0.0.1 and nothing counted
            PoolMetrics m = pool.metrics();
            assertEquals(0, m.connections.get());
            assertEquals(0, m.handshakes.count(), security);
            for (PoolMetrics.Drop d : PoolMetrics.Drop.values()) {
                assertEquals(0, m.droppedCount(d), d.name());
            }
            assertEquals(0, m.bans.count());
            assertEquals(0, m.openChannelErrors.count());
            assertEquals(0, pool.status().get("active_bans"));
            assertEquals(0, pool.stats().trackedAddresses());
            assertEquals(0, keyReserveTakes(pool), "no key of the reserve kept for miners taken");
            // the real port works, for more miners from this IP than the warm-up ran at once
            FakeSv2Miner[] miners = new FakeSv2Miner[3];
            for (int i = 0; i < miners.length; i++) {
                miners[i] = FakeSv2Miner.connect(miner(pool, i == 0 ? Kind.EXTENDED : Kind.STANDARD));
            }
            for (FakeSv2Miner mm : miners) {
                assertTrue(FakeSv2Miner.waitFor(() -> mm.currentJob() != null, T), "job");
            }
            assertEquals(3, m.connections.get());
            for (FakeSv2Miner mm : miners) {
                mm.close();
            }
            pool.close();
            assertEquals(0, pool.shareLog().flushedShares(), "no share of the warm-up in the ledger");
            pool = null;
        }
    }

    @Test
    void aWaitingMinerEndsTheWarmupAtOnce() throws Exception {
        Assumptions.assumeTrue(Sv2Transport.canAdoptListeningSockets(), "the warm-up needs the epoll transport");
        start("noise", 100_000, "60s");
        assertTrue(FakeSv2Miner.waitFor(() -> pool.dispatcher().work().usable(), T), "work");
        assertFalse(pool.accepting(), "warming");
        assertFalse(pool.ready(), "not ready while warming");
        assertEquals("running", pool.status().get("sv2_warmup"));
        long t0 = System.nanoTime();
        try (FakeSv2Miner m = FakeSv2Miner.connect(miner(pool, Kind.STANDARD))) {
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T), "job");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(FakeSv2Miner.waitFor(() -> pool.warmup() != null, T));
            LoopbackWarmup.Result w = pool.warmup();
            assertEquals("miners waiting", w.stop(), w + " (miner's job after " + ms + " ms)");
            assertTrue(w.sessions() < 100_000, String.valueOf(w));
            assertTrue(pool.accepting());
            assertEquals(1, pool.metrics().connections.get());
        }
    }

    @Test
    void closingThePoolEndsTheWarmup() throws Exception {
        Assumptions.assumeTrue(Sv2Transport.canAdoptListeningSockets(), "the warm-up needs the epoll transport");
        start("noise", 100_000, "60s");
        assertTrue(FakeSv2Miner.waitFor(() -> pool.dispatcher().work().usable(), T), "work");
        Thread.sleep(300); // warming
        assertFalse(pool.accepting());
        long t0 = System.nanoTime();
        pool.close();
        assertTrue(FakeSv2Miner.waitFor(() -> pool.warmup() != null, T), "the warm-up ended");
        assertTrue((System.nanoTime() - t0) / 1_000_000_000L < 20, "closed in bounded time");
        assertEquals("daemon closing", pool.warmup().stop(), String.valueOf(pool.warmup()));
        assertFalse(pool.accepting() && pool.ready());
        pool = null;
    }

    @Test
    void zeroSessionsIsOff() throws Exception {
        start("noise", 0, "5s");
        assertTrue(pool.accepting(), "accepting at once");
        assertNull(pool.warmup());
        assertEquals("off", pool.status().get("sv2_warmup"));
        try (FakeSv2Miner m = FakeSv2Miner.connect(miner(pool, Kind.STANDARD))) {
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T), "job");
        }
    }
}
