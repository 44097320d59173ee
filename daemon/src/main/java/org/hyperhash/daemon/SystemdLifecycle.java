package org.hyperhash.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * What a daemon tells systemd ({@code Type=notify}): {@code READY=1} once {@link Daemon#start()} returned
 * (listeners bound, admin port serving), {@code STATUS=} with the readiness checks (the dependencies: /v1/ready),
 * {@code WATCHDOG=1} every half {@code WatchdogSec} from a heartbeat thread, sent only when {@link Daemon#live()}
 * (every event loop ran a probe task) is true, and {@code STOPPING=1} at shutdown.
 */
public final class SystemdLifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdLifecycle.class);

    private final String name;
    private final Daemon daemon;
    private final SdNotify notify;
    private final long watchdogMicros;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicLong probes = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    private Thread heartbeat;

    public SystemdLifecycle(String name, Daemon daemon, SdNotify notify, long watchdogMicros) {
        this.name = name;
        this.daemon = daemon;
        this.notify = notify;
        this.watchdogMicros = watchdogMicros;
    }

    /** The daemon's start() returned: READY=1, and the watchdog heartbeat when systemd asked for one. */
    public void started() {
        notify.send("READY=1\nSTATUS=" + status() + "\nMAINPID=" + ProcessHandle.current().pid());
        if (notify.enabled() && watchdogMicros > 0) {
            Duration every = Duration.ofNanos(watchdogMicros * 1000 / 2);
            heartbeat = Thread.ofPlatform().daemon(true).name(name + "-watchdog").start(() -> beat(every));
            LOG.info("{}: systemd watchdog heartbeat every {} ms", name, every.toMillis());
        }
    }

    private void beat(Duration every) {
        boolean wasLive = true;
        try {
            do {
                boolean live = daemon.live();
                probes.incrementAndGet();
                if (live) {
                    notify.send("WATCHDOG=1\nSTATUS=" + status());
                    pings.incrementAndGet();
                } else if (wasLive) {
                    LOG.error("{}: event loops did not answer: withholding the systemd watchdog ping", name);
                }
                wasLive = live;
            } while (!stop.await(every.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String status() {
        try {
            Map<String, Boolean> checks = daemon.readinessChecks();
            String failing = checks.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey)
                    .collect(Collectors.joining(", "));
            return failing.isEmpty() ? "ready" : "running, waiting for: " + failing;
        } catch (RuntimeException e) {
            return "running";
        }
    }

    /** Heartbeat iterations so far (tests). */
    long probes() {
        return probes.get();
    }

    long pings() {
        return pings.get();
    }

    /** Shutdown began: STOPPING=1, heartbeat stopped. */
    public void stopping() {
        stop.countDown();
        notify.send("STOPPING=1\nSTATUS=stopping");
    }

    @Override
    public void close() {
        stop.countDown();
        if (heartbeat != null) {
            try {
                heartbeat.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        notify.close();
    }
}
