package org.hyperhash.tp.node;

import org.hyperhash.bitcoind.rpc.RpcException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * New-block detection by long-poll, the fastest source Core offers: one thread keeps one long-poll
 * {@code getblocktemplate} outstanding at all times (the next request goes out as soon as one returns) and reports
 * every template it returns, with the template itself ({@link BlockNotification#template()}), so the receiver uses it
 * at once instead of fetching another one. Core answers a long-poll within ~1 ms of connecting a block (its ZMQ
 * {@code hashblock} comes ~100 ms later), and also when the mempool changed after a while (a fee update). Runs alone
 * or next to ZMQ ({@link FirstOfNotifier}): whichever reports a tip first wins. Errors back off (doubling up to
 * {@code maxBackoff}) and are logged once per distinct message, never fatal.
 */
public final class LongPollNotifier implements BlockNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(LongPollNotifier.class);

    private final BitcoindRpc rpc;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private volatile boolean running;
    private Thread thread;

    public LongPollNotifier(BitcoindRpc rpc, Duration initialBackoff, Duration maxBackoff) {
        this.rpc = rpc;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    @Override
    public String name() {
        return "longpoll";
    }

    @Override
    public synchronized void start(Consumer<BlockNotification> onBlock) {
        running = true;
        // a platform thread: the block path's first hop is then one OS wake-up, not a virtual thread's re-mount on a
        // carrier (which needs its own wake-up on a busy machine); one thread for the TP's lifetime
        thread = Thread.ofPlatform().daemon().name("tp-longpoll").start(() -> loop(onBlock));
    }

    private void loop(Consumer<BlockNotification> onBlock) {
        org.hyperhash.base.Hash256 lastPrev = null;
        String longPollId = null;
        Duration backoff = initialBackoff;
        String lastError = null;
        while (running) {
            try {
                BlockTemplate t = longPollId == null ? rpc.getBlockTemplate() : rpc.getBlockTemplateLongPoll(longPollId);
                long now = System.nanoTime();
                backoff = initialBackoff;
                lastError = null;
                longPollId = t.longPollId().isEmpty() ? null : t.longPollId();
                if (lastPrev != null) {
                    // a new tip (the template's parent) or a mempool update on the same tip: the template is the answer
                    onBlock.accept(new BlockNotification(t.previousBlockHash(), -1, now, t));
                }
                lastPrev = t.previousBlockHash();
                if (longPollId == null) {
                    sleep(initialBackoff); // node without long-poll support: plain polling
                }
            } catch (RpcException e) {
                if (!running) {
                    break;
                }
                if (!e.getMessage().equals(lastError)) {
                    LOG.warn("long-poll getblocktemplate failed: {}", e.getMessage());
                    lastError = e.getMessage();
                }
                longPollId = null;
                sleep(backoff);
                Duration next = backoff.multipliedBy(2);
                backoff = next.compareTo(maxBackoff) > 0 ? maxBackoff : next;
            } catch (RuntimeException e) {
                LOG.error("long-poll notifier handler failed", e);
                sleep(backoff);
            }
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
