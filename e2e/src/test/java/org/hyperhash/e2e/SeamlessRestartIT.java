package org.hyperhash.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.SocketActivation;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.sv2.noise.KeyTool;
import org.hyperhash.testkit.HeldListeningSocket;
import org.hyperhash.testkit.TestDatabase;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, seamless restart: the pool's mining port is a socket held outside the pool (as hh-pool.socket holds it
 * under systemd; here the test holds it and gives each pool generation its own descriptor, as systemd does with
 * LISTEN_FDS). Pool A serves SV1 miners through the translator; A is stopped (it stops accepting, tells its miners to
 * Reconnect to the same endpoint, flushes its share log) and pool B, the "new version" with the same keys and
 * instance, starts on the same socket. A client connecting in a loop the whole time is never refused (connections
 * wait in the backlog between A and B), the miners are back on work at B within seconds without their SV1
 * connections dropping, and every share A and B accepted is in the ledger.
 */
@Timeout(180)
class SeamlessRestartIT {
    private static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    static String address(int n) {
        return TestAddresses.regtest(0x60 + n, n * 7 + 1);
    }

    private static PoolDaemon pool(DevnetTp tp, String jdbc, int port, KeyTool.GeneratedKeys keys, int fd) throws Exception {
        PoolConfig cfg = tp.poolConfig(address(0), "sv2.listen=[\"127.0.0.1:" + port + "\"]",
                "sv2.authority-secret-key=\"" + keys.authority().secretToBase58() + "\"",
                "sv2.static-secret-key=\"" + keys.serverStatic().secretToBase58() + "\"", "instance-id=1",
                "ledger.url=\"" + jdbc + "\"", "ledger.flush-interval=200ms", "ledger.instance-lease=5s",
                "channel.ack-interval=100ms");
        PoolDaemon p = DevnetTp.pool(cfg)
                .inheritedSockets(List.of(new SocketActivation.Inherited(fd, PoolDaemon.SV2_SOCKET_NAME)));
        p.start();
        return p;
    }

    /** Connects to the port every few ms from 127.0.0.2 (kept apart from the miners' address) and records refusals. */
    static final class ConnectProbe implements AutoCloseable {
        final AtomicLong attempts = new AtomicLong();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> connectedAtNanos = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;

        ConnectProbe(int port) {
            thread = Thread.ofPlatform().name("connect-probe").start(() -> {
                while (!stop.get()) {
                    attempts.incrementAndGet();
                    try (Socket s = new Socket()) {
                        s.bind(new InetSocketAddress("127.0.0.2", 0));
                        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                        connectedAtNanos.add(System.nanoTime());
                    } catch (ConnectException e) {
                        failures.add("refused: " + e.getMessage());
                    } catch (IOException e) {
                        failures.add(e.toString());
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        long connectedBetween(long fromNanos, long toNanos) {
            return connectedAtNanos.stream().filter(t -> t >= fromNanos && t <= toNanos).count();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5000);
        }
    }

    /** Mines on the current job in a loop (a stale reject at a new tip is fine) until closed. */
    static final class Mining implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();

        Mining(List<FakeSv1Miner> miners) {
            for (FakeSv1Miner m : miners) {
                threads.add(Thread.ofPlatform().name("miner").start(() -> {
                    while (!stop.get()) {
                        try {
                            if (m.awaitJob(Duration.ofMillis(500)) != null) {
                                m.mineAndSubmit(2_000_000);
                            }
                            Thread.sleep(50);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            // no job yet / the translator is switching: mine again
                        }
                    }
                }));
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }
    }

    @Test
    void minersFollowARestartOnAHeldSocketWithoutARefusedConnectionOrALostShare() throws Throwable {
        KeyTool.GeneratedKeys keys = KeyTool.generateKeys(new SecureRandom());
        try (TestDatabase ledger = TestDatabase.create("postgresql", dir, "hh_e2e_restart_");
                DevnetTp tp = new DevnetTp("0x207fffff");
                HeldListeningSocket socket = new HeldListeningSocket(1024)) {
            PoolDaemon a = pool(tp, ledger.url, socket.port, keys, socket.dup());
            PoolDaemon b = null;
            double acceptedByA;
            try {
                assertTrue(a.socketActivated(), "pool A serves on the passed socket");
                assertEquals(socket.port, a.sv2Addresses().get(0).getPort());
                assertTrue(Sv1MinersThroughTranslatorIT.waitFor(a::ready, T), "pool A ready");
                TranslatorConfig tcfg = TranslatorConfig.from(DaemonConfig.load(null, List.of("sv1.listen=\"127.0.0.1:0\"",
                        "admin.listen=\"127.0.0.1:0\"", "upstream.mode=per-miner", "upstream.pools=[{name=\"pool\",host=\"127.0.0.1\",port="
                                + socket.port + ",authority-key=\"" + keys.authority().publicKey().toBase58() + "\"}]",
                        "sv1.start-difficulty=0.00001", "sv1.min-difficulty=0.000001", "tick=200ms"),
                        null, TranslatorConfig.ROOT, Map.of()));
                try (TranslatorDaemon translator = new TranslatorDaemon(tcfg, InstantSource.system())) {
                    translator.start();
                    assertTrue(Sv1MinersThroughTranslatorIT.waitFor(translator::ready, T), "translator on pool A");
                    try (FakeSv1Miner m1 = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.ANTMINER);
                            FakeSv1Miner m2 = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.BITAXE)) {
                        m1.handshake(address(1) + ".s19");
                        m2.handshake(address(2) + ".bitaxe");
                        try (Mining mining = new Mining(List.of(m1, m2))) {
                            PoolDaemon pa = a;
                            assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> pa.metrics().sharesAccepted.count() >= 6, T),
                                    "pool A accepts shares");
                            try (ConnectProbe probe = new ConnectProbe(socket.port)) {
                                Thread.sleep(300);
                                long stopAt = System.nanoTime();
                                a.close(); // SIGTERM of the old version: stop accepting, Reconnect, flush the share log
                                long aGone = System.nanoTime();
                                acceptedByA = a.metrics().sharesAccepted.count();
                                assertEquals((long) acceptedByA, a.shareLog().flushedShares(),
                                        "every share A accepted was flushed before A exited");
                                Thread.sleep(500); // the new version's start-up: connections wait in the backlog meanwhile
                                long bStart = System.nanoTime();
                                b = pool(tp, ledger.url, socket.port, keys, socket.dup());
                                PoolDaemon pb = b;
                                boolean onB = Sv1MinersThroughTranslatorIT.waitFor(() -> pb.metrics().sharesAccepted.count() > 0,
                                        Duration.ofSeconds(20));
                                assertTrue(onB, "the miners submit to pool B (B: " + pb.metrics().connections.get()
                                        + " connections, " + (long) pb.metrics().handshakes.count() + " handshakes; probe "
                                        + probe.attempts.get() + " attempts, failures " + List.copyOf(probe.failures).stream().limit(5).toList()
                                        + "; translator " + translator.status() + ")");
                                long backMs = (System.nanoTime() - stopAt) / 1_000_000;
                                System.out.println("seamless restart: A stopped in " + (aGone - stopAt) / 1_000_000
                                        + " ms, shares accepted by B " + backMs + " ms after A's stop began; probe attempts "
                                        + probe.attempts.get() + ", connected while no pool ran "
                                        + probe.connectedBetween(aGone, bStart));
                                assertTrue(backMs < 15_000, "miners back on work within seconds, took " + backMs + " ms");
                                assertTrue(translator.metrics().poolReconnectCount() >= 1,
                                        "the translator followed A's Reconnect");
                                Thread.sleep(300);
                                probe.close();
                                assertEquals(List.of(), List.copyOf(probe.failures), "no connection refused or failed during the restart");
                                assertTrue(probe.connectedBetween(aGone, bStart) > 0,
                                        "the probe connected while neither pool was running (the backlog held it)");
                            }
                            PoolDaemon onB = b;
                            assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> onB.metrics().sharesAccepted.count() >= 4, T),
                                    "the miners continue on pool B");
                        }
                        assertNull(m1.reconnectParams(), "SV1 miner 1 was never disconnected");
                        assertNull(m2.reconnectParams(), "SV1 miner 2 was never disconnected");
                    }
                }
            } finally {
                a.close();
                if (b != null) {
                    b.close();
                }
            }
            double acceptedByB = b.metrics().sharesAccepted.count();
            assertEquals((long) acceptedByB, b.shareLog().flushedShares(), "every share B accepted was flushed");
            try (LedgerDatabase db = LedgerDatabase.open(ledger.url)) {
                AtomicLong inLedger = new AtomicLong();
                new ShareWindowStore(db).forEachNewestFirst(Long.MAX_VALUE, w -> {
                    inLedger.addAndGet(w.shares());
                    return true;
                });
                assertEquals((long) (acceptedByA + acceptedByB), inLedger.get(),
                        "the ledger holds every share A (" + (long) acceptedByA + ") and B (" + (long) acceptedByB + ") accepted");
            }
        }
    }

    private static TranslatorDaemon translatorOn(PoolDaemon pool, int port, int fd) throws Exception {
        TranslatorConfig tcfg = TranslatorConfig.from(DaemonConfig.load(null, List.of("sv1.listen=\"127.0.0.1:" + port + "\"",
                "admin.listen=\"127.0.0.1:0\"", "upstream.mode=per-miner", "upstream.pools=[{name=\"pool\",host=\"127.0.0.1\",port="
                        + pool.sv2Addresses().get(0).getPort() + ",authority-key=\"" + pool.security().authorityPublicKey().toBase58() + "\"}]",
                "sv1.start-difficulty=0.00001", "sv1.min-difficulty=0.000001", "tick=200ms"),
                null, TranslatorConfig.ROOT, Map.of()));
        TranslatorDaemon t = new TranslatorDaemon(tcfg, InstantSource.system())
                .inheritedSockets(List.of(new SocketActivation.Inherited(fd, TranslatorDaemon.SV1_SOCKET_NAME)));
        t.start();
        return t;
    }

    /**
     * The translator's SV1 port on a held socket (hh-translator.socket): its restart ends the SV1 sessions (they live in
     * the process), but a miner reconnecting while no translator runs is not refused: its connection waits in the
     * backlog and the new translator serves it.
     */
    @Test
    void sv1MinersReconnectingToARestartingTranslatorAreNotRefused() throws Throwable {
        try (TestDatabase ledger = TestDatabase.create("sqlite", dir, "hh_e2e_restart_");
                DevnetTp tp = new DevnetTp("0x207fffff");
                HeldListeningSocket socket = new HeldListeningSocket(1024)) {
            PoolConfig cfg = tp.poolConfig(address(0), "ledger.url=\"" + ledger.url + "\"", "ledger.flush-interval=200ms",
                    "channel.ack-interval=100ms");
            try (PoolDaemon pool = DevnetTp.pool(cfg)) {
                pool.start();
                assertTrue(Sv1MinersThroughTranslatorIT.waitFor(pool::ready, T), "pool ready");
                TranslatorDaemon a = translatorOn(pool, socket.port, socket.dup());
                TranslatorDaemon b = null;
                try {
                    assertTrue(a.socketActivated(), "translator A serves SV1 on the passed socket");
                    assertEquals(socket.port, a.sv1Address().getPort());
                    assertTrue(Sv1MinersThroughTranslatorIT.waitFor(a::ready, T), "translator A ready");
                    try (FakeSv1Miner m = FakeSv1Miner.connect(a.sv1Address(), FirmwareProfile.ANTMINER)) {
                        m.handshake(address(3) + ".rig");
                        assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> mineOnce(m) && m.acceptedShares() > 0, T),
                                "shares through translator A");
                    }
                    double before = pool.metrics().sharesAccepted.count();
                    try (ConnectProbe probe = new ConnectProbe(socket.port)) {
                        Thread.sleep(300);
                        a.close();
                        long aGone = System.nanoTime();
                        // the miner reconnects while no translator runs: the connection waits in the backlog
                        FakeSv1Miner again = FakeSv1Miner.connect(new InetSocketAddress("127.0.0.1", socket.port), FirmwareProfile.ANTMINER);
                        try (again) {
                            Thread.sleep(500);
                            long bStart = System.nanoTime();
                            b = translatorOn(pool, socket.port, socket.dup());
                            assertTrue(b.socketActivated());
                            again.handshake(address(3) + ".rig");
                            assertTrue(Sv1MinersThroughTranslatorIT.waitFor(() -> mineOnce(again)
                                    && pool.metrics().sharesAccepted.count() > before, T), "the reconnected miner's shares reach the pool");
                            probe.close();
                            assertEquals(List.of(), List.copyOf(probe.failures), "no connection refused or failed during the restart");
                            assertTrue(probe.connectedBetween(aGone, bStart) > 0,
                                    "the probe connected while no translator ran (the backlog held it)");
                        }
                    }
                } finally {
                    a.close();
                    if (b != null) {
                        b.close();
                    }
                }
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
