package org.hyperhash.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a daemon in the foreground until SIGTERM/SIGINT, then closes it gracefully within a deadline. Under systemd
 * ({@code Type=notify}) it reports READY/WATCHDOG/STOPPING ({@link SystemdLifecycle}); SIGHUP reloads the logging
 * configuration instead of stopping the daemon ({@link Hangup}).
 * Exit codes: 0 clean stop, 1 failed to start (the message says why), 2 configuration error.
 */
public final class DaemonRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonRunner.class);

    private DaemonRunner() {
    }

    public static int runUntilSignalled(String name, Daemon daemon, Duration shutdownDeadline) {
        CountDownLatch stopped = new CountDownLatch(1);
        Hangup.install(name);
        SystemdLifecycle systemd = new SystemdLifecycle(name, daemon, SdNotify.fromEnvironment(), SdNotify.watchdogMicros());
        try {
            daemon.start();
        } catch (DaemonConfig.ConfigError e) {
            LOG.error("{}: configuration error: {}", name, e.getMessage());
            safeClose(daemon);
            return 2;
        } catch (Exception e) {
            LOG.error("{}: failed to start: {}", name, e.toString());
            safeClose(daemon);
            return 1;
        }
        Thread hook = new Thread(() -> {
            systemd.stopping();
            LOG.info("{}: shutting down (deadline {} s)", name, shutdownDeadline.toSeconds());
            Thread closer = Thread.ofPlatform().name(name + "-shutdown").start(() -> safeClose(daemon));
            try {
                closer.join(shutdownDeadline.toMillis());
                if (closer.isAlive()) {
                    LOG.error("{}: graceful shutdown exceeded {} s", name, shutdownDeadline.toSeconds());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, name + "-signal");
        Runtime.getRuntime().addShutdownHook(hook);
        systemd.started();
        LOG.info("{}: running", name);
        try {
            while (!stopped.await(1, TimeUnit.HOURS)) {
                // wait for the signal
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static void safeClose(Daemon d) {
        try {
            d.close();
        } catch (RuntimeException e) {
            LOG.error("error during shutdown: {}", e.toString());
        }
    }
}
