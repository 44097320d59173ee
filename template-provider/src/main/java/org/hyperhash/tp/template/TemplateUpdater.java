package org.hyperhash.tp.template;

import org.hyperhash.tp.node.BitcoindRpc;
import org.hyperhash.tp.node.BlockNotification;
import org.hyperhash.tp.node.BlockNotifier;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps the current node template: one thread fetches {@code getblocktemplate}
 * when the {@link BlockNotifier} reports a block and every {@code refreshInterval}. A notification that carries the
 * node's template (a long-poll return) is applied at once on the notifier's own thread when the updater is idle (one
 * thread hand-off less on the block path); templates are applied one at a time (a lock) in any case. A different
 * previous block means a new tip ({@link TemplateListener#onNewTip}), the same tip with fees up by
 * at least {@code feeDeltaSats} means {@link TemplateListener#onFeeRise}. Triggers go through a
 * bounded queue; when it is full the trigger is dropped and counted (harmless: every fetch reads
 * the node's latest state). RPC failures are logged once per distinct message and retried on the
 * next trigger/tick; they never stop the updater.
 */
public final class TemplateUpdater implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TemplateUpdater.class);
    /** What woke the updater: a notification (with the node's template when it carried one), a refresh or a tick. */
    private record Trigger(long notifiedNanos, BlockTemplate template, boolean fromNotification) {
    }

    private static final Trigger REFRESH = new Trigger(0, null, false);

    private final BitcoindRpc rpc;
    private final BlockNotifier notifier;
    private final TemplateListener listener;
    private final Duration refreshInterval;
    private final long feeDeltaSats;
    private final BlockingQueue<Trigger> triggers = new ArrayBlockingQueue<>(16);
    private final AtomicLong droppedTriggers = new AtomicLong();
    private final AtomicLong fetchErrors = new AtomicLong();
    /** Serializes {@link #apply}: the updater thread, or a notifier's thread while the updater is idle. */
    private final java.util.concurrent.locks.ReentrantLock applyLock = new java.util.concurrent.locks.ReentrantLock();
    private volatile BlockTemplate current;
    private volatile boolean running;
    private volatile String lastError;
    private volatile long lastSuccessNanos;
    private Thread thread;

    public TemplateUpdater(BitcoindRpc rpc, BlockNotifier notifier, TemplateListener listener, Duration refreshInterval,
                           long feeDeltaSats) {
        this.rpc = rpc;
        this.notifier = notifier;
        this.listener = listener;
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refresh-interval must be positive, got " + refreshInterval);
        }
        if (feeDeltaSats < 0) {
            throw new IllegalArgumentException("fee-delta-sats must be >= 0, got " + feeDeltaSats);
        }
        this.refreshInterval = refreshInterval;
        this.feeDeltaSats = feeDeltaSats;
    }

    /**
     * Fetches the first template synchronously (so startup fails with the node's typed error),
     * reports it as a new tip, then starts the notifier and the refresh loop.
     */
    public synchronized void start() throws RpcException {
        BlockTemplate first = rpc.getBlockTemplate();
        lastSuccessNanos = System.nanoTime();
        current = first;
        listener.onNewTip(first, System.nanoTime());
        running = true;
        thread = Thread.ofPlatform().daemon().name("tp-template-updater").start(this::loop);
        notifier.start(this::onBlock);
    }

    /** Notification entry point (any thread). */
    public void onBlock(BlockNotification n) {
        if (n.template() != null && running && applyLock.tryLock()) {
            try { // the updater is idle: use the carried template here instead of waking it
                lastSuccessNanos = System.nanoTime();
                apply(n.template(), n.receivedNanos(), true);
            } finally {
                applyLock.unlock();
            }
            return;
        }
        if (!triggers.offer(new Trigger(n.receivedNanos(), n.template(), true))) {
            droppedTriggers.incrementAndGet();
        }
    }

    /** Asks for an immediate refresh (any thread), e.g. after a submitted block. */
    public void refreshNow() {
        if (!triggers.offer(REFRESH)) {
            droppedTriggers.incrementAndGet();
        }
    }

    private void loop() {
        java.util.List<Trigger> pending = new java.util.ArrayList<>();
        while (running) {
            Trigger trigger;
            try {
                trigger = triggers.poll(refreshInterval.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            if (!running) {
                break;
            }
            if (trigger == null) {
                applyLock.lock();
                try {
                    fetch(System.nanoTime(), false);
                } finally {
                    applyLock.unlock();
                }
                continue;
            }
            // coalesce everything pending: the newest template carried by a notification is used as is (no fetch);
            // otherwise one fetch covers them all. Latency counts from the earliest notification.
            pending.clear();
            pending.add(trigger);
            triggers.drainTo(pending);
            long notifiedNanos = Long.MAX_VALUE;
            boolean fromNotification = false;
            BlockTemplate carried = null;
            for (Trigger x : pending) {
                if (x.fromNotification()) {
                    fromNotification = true;
                    notifiedNanos = Math.min(notifiedNanos, x.notifiedNanos());
                }
                if (x.template() != null) {
                    carried = x.template();
                }
            }
            if (!fromNotification) {
                notifiedNanos = System.nanoTime();
            }
            applyLock.lock();
            try {
                if (carried != null) {
                    lastSuccessNanos = System.nanoTime();
                    apply(carried, notifiedNanos, true);
                } else {
                    fetch(notifiedNanos, fromNotification);
                }
            } finally {
                applyLock.unlock();
            }
        }
    }

    private void fetch(long notifiedNanos, boolean fromNotification) {
        BlockTemplate t;
        try {
            t = rpc.getBlockTemplate();
            lastSuccessNanos = System.nanoTime();
            if (lastError != null) {
                LOG.info("getblocktemplate works again");
                lastError = null;
            }
        } catch (RpcException e) {
            fetchErrors.incrementAndGet();
            if (!e.getMessage().equals(lastError)) {
                LOG.warn("getblocktemplate failed: {}", e.getMessage());
                lastError = e.getMessage();
            }
            return;
        }
        apply(t, notifiedNanos, fromNotification);
    }

    /** A template from the node: a new tip, a fee rise, or nothing new. Holder of {@link #applyLock} only. */
    private void apply(BlockTemplate t, long notifiedNanos, boolean fromNotification) {
        BlockTemplate prev = current;
        try {
            if (prev == null || !prev.previousBlockHash().equals(t.previousBlockHash())) {
                current = t;
                if (!fromNotification && prev != null) {
                    LOG.info("new tip found by refresh (notification missed?): height {}", t.height());
                }
                listener.onNewTip(t, notifiedNanos);
            } else if (t.coinbaseValueSats() >= prev.coinbaseValueSats() + Math.max(1, feeDeltaSats)) {
                current = t;
                listener.onFeeRise(t);
            }
        } catch (RuntimeException e) {
            LOG.error("template listener failed", e);
        }
    }

    /** The latest template (null before start). */
    public BlockTemplate current() {
        return current;
    }

    /** Whether the last fetch succeeded within a few refresh intervals. */
    public boolean healthy() {
        return running && lastError == null
                && System.nanoTime() - lastSuccessNanos < refreshInterval.multipliedBy(3).toNanos();
    }

    public String lastError() {
        return lastError;
    }

    public long droppedTriggers() {
        return droppedTriggers.get();
    }

    public long fetchErrors() {
        return fetchErrors.get();
    }

    public String notifierName() {
        return notifier.name();
    }

    @Override
    public synchronized void close() {
        running = false;
        notifier.close();
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
