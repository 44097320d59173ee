package org.hyperhash.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Liveness of event loops: a no-op task is queued on each loop and every one must run it within the timeout. A
 * loop stuck in a blocking call or an endless loop fails the probe, so /v1/health says down and the systemd
 * watchdog pings stop (systemd restarts the daemon).
 */
public final class EventLoopProbe {
    private EventLoopProbe() {
    }

    /** @param loops e.g. Netty EventLoopGroups (each is an Iterable of its executors) */
    @SafeVarargs
    public static boolean allAnswer(Duration timeout, Iterable<? extends Executor>... loops) {
        List<Executor> all = new ArrayList<>();
        for (Iterable<? extends Executor> group : loops) {
            if (group == null) {
                return false;
            }
            group.forEach(all::add);
        }
        CountDownLatch answered = new CountDownLatch(all.size());
        try {
            for (Executor e : all) {
                e.execute(answered::countDown);
            }
            return answered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return false; // shutting down
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
