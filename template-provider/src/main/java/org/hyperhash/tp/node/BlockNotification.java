package org.hyperhash.tp.node;

import org.hyperhash.base.Hash256;

/**
 * A new chain tip announced by the node (ZMQ {@code hashblock}, a long-poll return or the devnet).
 *
 * @param blockHash the new tip
 * @param sequence the publisher's sequence number (-1 when the source has none)
 * @param receivedNanos {@link System#nanoTime()} when the notification arrived: start of the
 *     template latency measurement
 * @param template the node's template for the new tip when the source already has it (a long-poll
 *     {@code getblocktemplate} return), so no second fetch is needed; null otherwise (ZMQ, devnet)
 */
public record BlockNotification(Hash256 blockHash, long sequence, long receivedNanos, BlockTemplate template) {
    public BlockNotification {
        java.util.Objects.requireNonNull(blockHash, "blockHash");
    }

    /** A notification without a template (the receiver fetches one). */
    public BlockNotification(Hash256 blockHash, long sequence, long receivedNanos) {
        this(blockHash, sequence, receivedNanos, null);
    }
}
