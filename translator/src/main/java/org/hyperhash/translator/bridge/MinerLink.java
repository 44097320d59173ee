package org.hyperhash.translator.bridge;

import java.net.SocketAddress;
import java.util.concurrent.Executor;

/** The bridge's view of one SV1 connection. Implementations are thread-safe (Netty channel writes). */
public interface MinerLink {

    /** Writes one line: an {@link org.hyperhash.sv1.Sv1Message} or a pre-serialized JSON String. */
    void send(Object message);

    /** Writes then closes after the write completes. */
    void sendAndClose(Object message);

    void close();

    SocketAddress remoteAddress();

    /**
     * Runs {@code task} on this connection's own loop (the thread that owns the miner's share state: duplicate set,
     * vardiff, accepted count), in order with the lines {@link #send} queued before it, and before this loop judges
     * another share of the miner itself. Inline when called on that loop (and by default: tests, one thread).
     */
    default void onLoop(Runnable task) {
        task.run();
    }

    /**
     * This connection's loop as an executor for work that has nothing to keep in order with its lines (the vardiff
     * tick); by default the caller's thread.
     */
    default Executor loop() {
        return Runnable::run;
    }

    /**
     * Runs {@code task} on the bridge's thread, from this connection's loop (a credited share's upstream submission, a
     * vardiff retarget), counted in the connection's bound of work pending on the bridge. Inline when called on the
     * bridge's thread (and by default).
     */
    default void onBridge(Runnable task) {
        task.run();
    }
}
