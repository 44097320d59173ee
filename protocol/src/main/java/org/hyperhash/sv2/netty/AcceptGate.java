package org.hyperhash.sv2.netty;

import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Accepting on listening channels bound or adopted with auto-read off (the kernel queues connections in their
 * backlog meanwhile), for a daemon's start-up warm-up: {@link #startAccepting()} switches auto-read on;
 * {@link #acceptWhenWaiting} does so by itself as soon as a connection waits in a backlog ({@code poll(2)} on the
 * listening socket, {@link Sv2Transport#connectionsWaiting}), checked every {@value #WATCH_MILLIS} ms on the first
 * listener's event loop, so a warm-up never holds a miner back longer than that. On NIO the wait cannot be seen; only
 * {@link #startAccepting()} then opens the gate (callers skip warm-ups there). Thread-safe.
 */
public final class AcceptGate {
    /** How often {@link #acceptWhenWaiting} looks at the backlogs. */
    public static final int WATCH_MILLIS = 5;

    private final List<Channel> listeners;
    private volatile boolean accepting;
    /** The watch task; only touched on the first listener's event loop. */
    private io.netty.util.concurrent.ScheduledFuture<?> watch;

    /** @param accepting whether the listeners were bound with auto-read on (then this gate is open already) */
    public AcceptGate(List<? extends Channel> listeners, boolean accepting) {
        this.listeners = List.copyOf(listeners);
        this.accepting = accepting || this.listeners.isEmpty();
    }

    /** Whether the listeners accept (open from the start, or {@link #startAccepting()} ran). */
    public boolean accepting() {
        return accepting;
    }

    /** Whether a connection waits in any listener's backlog (false when unknown: NIO, closed). */
    public boolean connectionsWaiting() {
        for (Channel l : listeners) {
            if (l instanceof ServerChannel sc && Sv2Transport.connectionsWaiting(sc)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Starts accepting (idempotent). The switch runs on each listener's event loop behind any set-up task queued there
     * (a bootstrap's acceptor), so the acceptor is in the pipeline before the first waiting connection is taken.
     */
    public void startAccepting() {
        accepting = true;
        for (Channel l : listeners) {
            try {
                l.eventLoop().execute(() -> {
                    l.config().setAutoRead(true);
                    if (watch != null && l == listeners.get(0)) {
                        watch.cancel(false);
                    }
                });
            } catch (RejectedExecutionException closing) {
                return; // the daemon closes meanwhile: nothing to accept any more
            }
        }
    }

    /**
     * While the gate is closed: opens it as soon as a connection waits in a backlog and {@code alsoRequired} holds
     * (e.g. work to hand out; {@code () -> true} for none), then runs {@code onOpen} on the accept thread (a log line).
     */
    public void acceptWhenWaiting(BooleanSupplier alsoRequired, Runnable onOpen) {
        if (accepting) {
            return;
        }
        Channel first = listeners.get(0);
        try {
            first.eventLoop().execute(() -> {
                if (accepting) {
                    return;
                }
                watch = first.eventLoop().scheduleAtFixedRate(() -> {
                    if (!accepting && connectionsWaiting() && alsoRequired.getAsBoolean()) {
                        startAccepting();
                        onOpen.run();
                    }
                }, WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
            });
        } catch (RejectedExecutionException closing) {
            // closing: nothing to watch
        }
    }
}
