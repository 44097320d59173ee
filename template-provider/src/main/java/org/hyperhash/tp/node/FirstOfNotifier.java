package org.hyperhash.tp.node;

import java.util.List;
import java.util.function.Consumer;

/**
 * Several block notifiers at once (long-poll and ZMQ {@code hashblock}): every notification goes to the receiver,
 * which acts on the first one that shows a new tip; the later ones find the tip already served and cost one cheap
 * comparison (or one {@code getblocktemplate} for a ZMQ trigger). A second source also covers for one that stalls.
 */
public final class FirstOfNotifier implements BlockNotifier {
    private final List<BlockNotifier> sources;

    public FirstOfNotifier(List<BlockNotifier> sources) {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no notifier");
        }
        this.sources = List.copyOf(sources);
    }

    @Override
    public String name() {
        return String.join("+", sources.stream().map(BlockNotifier::name).toList());
    }

    @Override
    public void start(Consumer<BlockNotification> onBlock) {
        for (BlockNotifier n : sources) {
            n.start(onBlock);
        }
    }

    @Override
    public void close() {
        for (BlockNotifier n : sources) {
            n.close();
        }
    }
}
