package org.hyperhash.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.time.Duration;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** READY/WATCHDOG/STOPPING against a fake NOTIFY_SOCKET: an AF_UNIX datagram socket bound by the test. */
@Timeout(30)
class SystemdLifecycleTest {
    @TempDir
    Path dir;

    /** A bound AF_UNIX datagram socket, read without blocking. */
    static final class FakeNotifySocket implements AutoCloseable {
        final String path;
        final int fd;

        FakeNotifySocket(String path) throws Throwable {
            this.path = path;
            fd = (int) SdNotify.Libc.SOCKET.invokeExact(SdNotify.AF_UNIX, SdNotify.SOCK_DGRAM, 0);
            assertTrue(fd >= 0);
            try (Arena a = Arena.ofConfined()) {
                int r = (int) SdNotify.Libc.BIND.invokeExact(fd, SdNotify.sockaddr(a, path), (int) SdNotify.addrLength(path));
                assertEquals(0, r, "bind " + path);
            }
        }

        /** Every datagram queued now. */
        List<String> drain() throws Throwable {
            List<String> out = new ArrayList<>();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(4096);
                while (true) {
                    long n = (long) SdNotify.Libc.RECV.invokeExact(fd, buf, 4096L, SdNotify.MSG_DONTWAIT);
                    if (n < 0) {
                        return out;
                    }
                    byte[] b = new byte[(int) n];
                    MemorySegment.copy(buf, JAVA_BYTE, 0, b, 0, (int) n);
                    out.add(new String(b, StandardCharsets.UTF_8));
                }
            }
        }

        /** Waits (hang guard: the class timeout) for a datagram containing {@code line}. */
        String await(String line) throws Throwable {
            while (true) {
                for (String m : drain()) {
                    if (m.lines().anyMatch(line::equals)) {
                        return m;
                    }
                }
                Thread.sleep(10);
            }
        }

        @Override
        public void close() {
            try {
                int ignored = (int) SdNotify.Libc.CLOSE.invokeExact(fd);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    static final class FakeDaemon implements Daemon {
        final AtomicBoolean live = new AtomicBoolean(true);

        @Override
        public void start() {
        }

        @Override
        public boolean live() {
            return live.get();
        }

        @Override
        public boolean ready() {
            return false;
        }

        @Override
        public Map<String, Boolean> readinessChecks() {
            return Map.of("template_provider", false);
        }

        @Override
        public Map<String, Object> status() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void readyWatchdogWhileLiveAndStopping() throws Throwable {
        for (String socket : List.of(dir.resolve("notify").toString(), "@hh-test-notify-" + ProcessHandle.current().pid())) {
            FakeDaemon d = new FakeDaemon();
            try (FakeNotifySocket fake = new FakeNotifySocket(socket);
                 SystemdLifecycle s = new SystemdLifecycle("testd", d, new SdNotify(socket), 40_000)) {
                s.started();
                String ready = fake.await("READY=1");
                assertTrue(ready.contains("STATUS=running, waiting for: template_provider"), ready);
                fake.await("WATCHDOG=1");
                // a wedged event loop: the heartbeat keeps probing but stops pinging
                d.live.set(false);
                long p0 = s.probes();
                while (s.probes() < p0 + 2) { // the probe in flight when the flag flipped has finished
                    Thread.sleep(5);
                }
                long pings = s.pings();
                fake.drain();
                while (s.probes() < p0 + 5) {
                    Thread.sleep(5);
                }
                assertEquals(pings, s.pings(), "no ping while not live");
                assertFalse(fake.drain().stream().anyMatch(m -> m.contains("WATCHDOG=1")), "no WATCHDOG=1 while not live");
                d.live.set(true);
                fake.await("WATCHDOG=1");
                s.stopping();
                fake.await("STOPPING=1");
            }
        }
    }

    @Test
    void withoutNotifySocketEverythingIsANoOp() {
        SdNotify n = new SdNotify(null);
        assertFalse(n.enabled());
        assertFalse(n.send("READY=1"));
        try (SystemdLifecycle s = new SystemdLifecycle("testd", new FakeDaemon(), n, 40_000)) {
            s.started();
            s.stopping();
            assertEquals(0, s.probes(), "no heartbeat without systemd");
        }
    }

    @Test
    void eventLoopProbeFailsOnABlockedLoop() throws Exception {
        ExecutorService free = Executors.newSingleThreadExecutor();
        ExecutorService stuck = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            stuck.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(EventLoopProbe.allAnswer(Duration.ofSeconds(10), List.of(free)));
            assertFalse(EventLoopProbe.allAnswer(Duration.ofMillis(100), List.of(free, stuck)));
            release.countDown();
            assertTrue(EventLoopProbe.allAnswer(Duration.ofSeconds(10), List.of(free, stuck)));
        } finally {
            release.countDown();
            free.shutdownNow();
            stuck.shutdownNow();
        }
    }

    /** SIGHUP is handled (the JVM's default would exit 129): sent to this very JVM once the handler is in. */
    @Test
    void sighupRunsTheHandlerInsteadOfStopping() throws Exception {
        CountDownLatch hup = new CountDownLatch(1);
        assertTrue(Hangup.install("testd", hup::countDown));
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid())).start();
        assertEquals(0, kill.waitFor());
        hup.await();
        Hangup.reloadLogging("testd"); // the real handler: reloads logback without throwing
    }
}
