package org.hyperhash.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DaemonGroupTest {
    private final List<String> events = new ArrayList<>();

    /** A daemon that records its start and close, ready after {@code readyAfter} readiness polls. */
    private final class Fake implements Daemon {
        final String name;
        final int readyAfter;
        final boolean failStart;
        final AtomicInteger polls = new AtomicInteger();
        final AtomicBoolean live = new AtomicBoolean(true);

        Fake(String name, int readyAfter, boolean failStart) {
            this.name = name;
            this.readyAfter = readyAfter;
            this.failStart = failStart;
        }

        @Override
        public void start() throws Exception {
            synchronized (events) {
                events.add("start " + name);
            }
            if (failStart) {
                throw new java.io.IOException("port in use");
            }
        }

        @Override
        public void close() {
            synchronized (events) {
                events.add("close " + name);
            }
        }

        @Override
        public boolean live() {
            return live.get();
        }

        @Override
        public boolean ready() {
            return polls.incrementAndGet() > readyAfter;
        }

        @Override
        public Map<String, Boolean> readinessChecks() {
            synchronized (events) {
                events.add("ready? " + name);
            }
            return Map.of("upstream", ready());
        }

        @Override
        public Map<String, Object> status() {
            return Map.of("name", name);
        }
    }

    @Test
    void startsInOrderWaitingForEachOnesReadinessAndClosesInReverse() throws Exception {
        Fake tp = new Fake("tp", 2, false);
        Fake pool = new Fake("pool", 0, false);
        Fake tr = new Fake("translator", 0, false);
        DaemonGroup g = new DaemonGroup("test", Duration.ofMinutes(1))
                .add("tp", () -> tp, Duration.ofSeconds(15))
                .add("pool", () -> pool, Duration.ofSeconds(30))
                .add("translator", () -> tr, Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(55), g.shutdownDeadline());
        g.start();
        // the pool starts only after the tp answered ready (third poll); the last member is not awaited
        assertEquals(List.of("start tp", "ready? tp", "ready? tp", "ready? tp", "start pool", "ready? pool", "start translator"),
                List.copyOf(events));
        assertEquals(List.of("tp", "pool", "translator"), g.members());
        assertTrue(g.live());
        assertEquals(Map.of("name", "pool"), ((Map<?, ?>) g.status()).get("pool"));
        assertTrue(g.readinessChecks().containsKey("translator upstream"));
        pool.live.set(false);
        assertFalse(g.live(), "one member's loops not answering makes the process not live (systemd watchdog)");
        events.clear();
        g.close();
        g.close(); // idempotent
        assertEquals(List.of("close translator", "close pool", "close tp"), events);
    }

    @Test
    void aMemberThatFailsToStartIsNamedAndTheOnesBeforeItAreClosed() {
        Fake tp = new Fake("tp", 0, false);
        Fake pool = new Fake("pool", 0, true);
        AtomicBoolean translatorCreated = new AtomicBoolean();
        DaemonGroup g = new DaemonGroup("test", Duration.ofMinutes(1))
                .add("tp", () -> tp, Duration.ofSeconds(1))
                .add("pool", () -> pool, Duration.ofSeconds(1))
                .add("translator", () -> {
                    translatorCreated.set(true);
                    return new Fake("translator", 0, false);
                }, Duration.ofSeconds(1));
        DaemonGroup.MemberFailure e = assertThrows(DaemonGroup.MemberFailure.class, g::start);
        assertEquals("pool", e.member());
        assertEquals("pool: failed to start: port in use", e.getMessage());
        assertFalse(translatorCreated.get(), "nothing after the failed member is created");
        assertEquals(List.of("start tp", "ready? tp", "start pool", "close pool", "close tp"), events);
    }

    @Test
    void aConfigurationErrorAtCreationKeepsItsKindWithTheMembersName() {
        DaemonGroup g = new DaemonGroup("test", Duration.ofMinutes(1))
                .add("tp", () -> {
                    throw new DaemonConfig.ConfigError("hyperhash.tp.sv2.authority-secret-key: not a key");
                }, Duration.ofSeconds(1));
        DaemonConfig.ConfigError e = assertThrows(DaemonConfig.ConfigError.class, g::start);
        assertEquals("tp: hyperhash.tp.sv2.authority-secret-key: not a key", e.getMessage());
    }

    @Test
    void theWatchReportsAMemberWhoseLoopsStopAnswering() throws Exception {
        Fake tp = new Fake("tp", 0, false);
        Fake pool = new Fake("pool", 0, false);
        DaemonGroup g = new DaemonGroup("test", Duration.ofMinutes(1))
                .add("tp", () -> tp, Duration.ofSeconds(1)).add("pool", () -> pool, Duration.ofSeconds(1));
        java.util.concurrent.CompletableFuture<String> dead = new java.util.concurrent.CompletableFuture<>();
        tp.live.set(false); // busy in its start: not probed before every member started
        g.watch(Duration.ofMillis(10), 3, dead::complete);
        Thread.sleep(200);
        assertFalse(dead.isDone(), "no probes before start()");
        tp.live.set(true);
        g.start();
        pool.live.set(false);
        assertEquals("pool", dead.get(30, java.util.concurrent.TimeUnit.SECONDS));
        g.close();
    }
}
