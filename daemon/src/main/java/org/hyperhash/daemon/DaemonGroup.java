package org.hyperhash.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Several daemons in one process, each still the daemon it is alone (its own config, ports, admin endpoint and
 * metrics registry): started in order, each one's readiness awaited (bounded) before the next starts, closed in
 * reverse order. Used by {@code hh stack} (the SV1 path in one JVM on a small box) and {@code hh demo}.
 *
 * <p>As a {@link Daemon} the group is live only while every member is, so one wedged member withholds the systemd
 * watchdog ping of the whole process; {@link #watch} also exits the process when a member stops answering without
 * a watchdog (compose, a terminal).
 */
public final class DaemonGroup implements Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonGroup.class);

    /** Creates a member when its turn to start comes (so it sees the members before it running). */
    @FunctionalInterface
    public interface Factory {
        Daemon create() throws Exception;
    }

    /** A member that failed to start: the message names it, the cause says why. */
    public static final class MemberFailure extends Exception {
        private final String member;

        MemberFailure(String member, Throwable cause) {
            super(member + ": failed to start: " + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
            this.member = member;
        }

        public String member() {
            return member;
        }
    }

    private record Planned(String name, Factory factory, Duration shutdownDeadline) {
    }

    private record Running(String name, Daemon daemon, Duration shutdownDeadline) {
    }

    private final String name;
    private final Duration readyTimeout;
    private final List<Planned> planned = new ArrayList<>();
    private final List<Running> running = new ArrayList<>();
    private final CountDownLatch stopWatch = new CountDownLatch(1);
    /** Released when {@link #start()} has started every member: the watch begins only then. */
    private final CountDownLatch allStarted = new CountDownLatch(1);

    /**
     * @param name         the process's name in log lines ({@code hh-stack})
     * @param readyTimeout how long {@link #start()} waits for a member's readiness before starting the next one
     *                     anyway (a TP waits for its node's sync, which can take hours: the next daemon then waits in
     *                     its own retry loop, as it would as a separate unit)
     */
    public DaemonGroup(String name, Duration readyTimeout) {
        this.name = name;
        this.readyTimeout = readyTimeout;
    }

    /** Plans a member for {@link #start()} (in call order). */
    public synchronized DaemonGroup add(String member, Factory factory, Duration shutdownDeadline) {
        planned.add(new Planned(member, factory, shutdownDeadline));
        return this;
    }

    /**
     * Starts the planned members in order, waiting for each one's readiness before the next. On a failure the
     * members already running are closed (in reverse) and a {@link MemberFailure} naming the member is thrown
     * ({@link DaemonConfig.ConfigError}s pass through, prefixed with the member, for exit code 2).
     */
    @Override
    public void start() throws Exception {
        List<Planned> todo;
        synchronized (this) {
            todo = List.copyOf(planned);
            planned.clear();
        }
        for (int i = 0; i < todo.size(); i++) {
            Planned p = todo.get(i);
            Daemon d;
            try {
                d = p.factory().create();
            } catch (DaemonConfig.ConfigError e) {
                close();
                throw new DaemonConfig.ConfigError(p.name() + ": " + e.getMessage());
            } catch (Exception | Error e) {
                close();
                throw new MemberFailure(p.name(), e);
            }
            startMember(p.name(), d, p.shutdownDeadline());
            if (i + 1 < todo.size()) {
                awaitReady(p.name(), d);
            }
        }
        allStarted.countDown();
    }

    /**
     * Starts one member now and keeps it for {@link #close()}. On failure closes it and every member before it.
     */
    public <D extends Daemon> D startMember(String member, D daemon, Duration shutdownDeadline) throws Exception {
        synchronized (this) {
            running.add(new Running(member, daemon, shutdownDeadline));
        }
        try {
            daemon.start();
            LOG.info("{}: {} started", name, member);
            return daemon;
        } catch (DaemonConfig.ConfigError e) {
            close();
            throw new DaemonConfig.ConfigError(member + ": " + e.getMessage());
        } catch (Exception | Error e) {
            close();
            throw new MemberFailure(member, e);
        }
    }

    private void awaitReady(String member, Daemon d) throws InterruptedException {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        long nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Map<String, Boolean> checks = checks(d);
            List<String> failing = checks.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
            if (failing.isEmpty()) {
                LOG.info("{}: {} ready", name, member);
                return;
            }
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                LOG.warn("{}: {} not ready after {} s (waiting for: {}); starting the next daemon anyway", name, member,
                        readyTimeout.toSeconds(), String.join(", ", failing));
                return;
            }
            if (now - nextLog >= 0) {
                LOG.info("{}: waiting for {} (not ready: {})", name, member, String.join(", ", failing));
                nextLog = now + TimeUnit.SECONDS.toNanos(5);
            }
            Thread.sleep(50);
        }
    }

    private static Map<String, Boolean> checks(Daemon d) {
        try {
            return d.readinessChecks();
        } catch (RuntimeException e) {
            return Map.of("readiness (" + e + ")", false);
        }
    }

    /**
     * Exits through {@code onDead} when a member's event loops stop answering {@code misses} times in a row, probed
     * {@code every}: a process that keeps running with one of its daemons wedged would look healthy to everything
     * but that daemon's own admin port. Probing begins once {@link #start()} has started every member (a daemon
     * busy in its own start, e.g. a devnet tp mining its first blocks on a loaded box, is not dead). The probe thread
     * is a daemon thread and stops at {@link #close()}.
     */
    public void watch(Duration every, int misses, Consumer<String> onDead) {
        Thread.ofPlatform().daemon(true).name(name + "-members").start(() -> {
            Map<String, Integer> missed = new LinkedHashMap<>();
            try {
                while (allStarted.getCount() > 0) {
                    if (stopWatch.await(every.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                }
                while (!stopWatch.await(every.toMillis(), TimeUnit.MILLISECONDS)) {
                    for (Running r : snapshot()) {
                        boolean live;
                        try {
                            live = r.daemon().live();
                        } catch (RuntimeException e) {
                            live = false;
                        }
                        int m = live ? 0 : missed.getOrDefault(r.name(), 0) + 1;
                        missed.put(r.name(), m);
                        if (m == 1) {
                            LOG.warn("{}: {} did not answer its liveness probe", name, r.name());
                        }
                        if (m >= misses) {
                            stopWatch.countDown();
                            onDead.accept(r.name());
                            return;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private synchronized List<Running> snapshot() {
        return List.copyOf(running);
    }

    /** The sum of the members' graceful-stop deadlines (they stop one after another). */
    public synchronized Duration shutdownDeadline() {
        Duration d = Duration.ZERO;
        for (Planned p : planned) {
            d = d.plus(p.shutdownDeadline());
        }
        for (Running r : running) {
            d = d.plus(r.shutdownDeadline());
        }
        return d;
    }

    /** Member names, in start order. */
    public synchronized List<String> members() {
        List<String> n = new ArrayList<>();
        running.forEach(r -> n.add(r.name()));
        planned.forEach(p -> n.add(p.name()));
        return n;
    }

    /** The running member of that name, or null. */
    public synchronized Daemon member(String member) {
        return running.stream().filter(r -> r.name().equals(member)).map(Running::daemon).findFirst().orElse(null);
    }

    @Override
    public boolean live() {
        return snapshot().stream().allMatch(r -> r.daemon().live());
    }

    @Override
    public boolean ready() {
        return readinessChecks().values().stream().allMatch(Boolean::booleanValue);
    }

    /** Every member's checks, each prefixed with the member's name (the systemd STATUS= line). */
    @Override
    public Map<String, Boolean> readinessChecks() {
        Map<String, Boolean> all = new LinkedHashMap<>();
        for (Running r : snapshot()) {
            checks(r.daemon()).forEach((k, v) -> all.put(r.name() + " " + k, v));
        }
        return all;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        for (Running r : snapshot()) {
            s.put(r.name(), r.daemon().status());
        }
        return s;
    }

    /** Closes the running members in reverse start order (the pool still tells miners to Reconnect). Idempotent. */
    @Override
    public void close() {
        stopWatch.countDown();
        List<Running> toClose;
        synchronized (this) {
            toClose = new ArrayList<>(running);
            running.clear();
        }
        for (int i = toClose.size() - 1; i >= 0; i--) {
            Running r = toClose.get(i);
            try {
                LOG.info("{}: stopping {}", name, r.name());
                r.daemon().close();
            } catch (RuntimeException e) {
                LOG.error("{}: closing {}: {}", name, r.name(), e.toString());
            }
        }
    }
}
