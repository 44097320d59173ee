package org.hyperhash.tp.node;

import java.util.function.Consumer;

/**
 * A source of new-tip notifications. Implementations: {@link ZmqBlockListener} (Core's
 * {@code zmqpubhashblock}), {@link LongPollNotifier} (fallback) and the devnet chain.
 */
public interface BlockNotifier extends AutoCloseable {

    /** Starts delivering notifications to {@code onBlock} (from the notifier's own thread). */
    void start(Consumer<BlockNotification> onBlock);

    /** Short name for logs and /v1/status ("zmq", "longpoll", "devnet"). */
    String name();

    @Override
    void close();
}
