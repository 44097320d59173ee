package org.hyperhash.translator.bridge;

import java.util.List;

/**
 * Writes one pre-serialised SV1 line (a {@code mining.notify}) to many miners at once: a new job goes to every miner
 * of a channel. The SV1 server's implementation encodes the line once and writes the same bytes to every connection,
 * one task per event loop instead of one per miner; {@link #EACH} is the plain per-link path (tests, other links).
 * Called on the bridge loop; per link, the order relative to that link's other writes from the bridge is kept.
 */
@FunctionalInterface
public interface LineFanOut {
    /** Each link's own {@link MinerLink#send}. */
    LineFanOut EACH = (links, line) -> {
        for (MinerLink l : links) {
            l.send(line);
        }
    };

    void send(List<MinerLink> links, String line);
}
