package org.hyperhash.tp.node;

import org.hyperhash.base.Hash256;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMQException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Subscribes to Bitcoin Core's {@code zmqpubhashblock} with JeroMQ. Each message has three
 * frames: topic {@code "hashblock"}, the 32-byte block hash in display (RPC) byte order, and a
 * 4-byte little-endian per-topic sequence number. A gap in the sequence (missed notifications,
 * e.g. after a node restart) is counted; the notification is still delivered since the consumer
 * always fetches a fresh template. Runs on one platform thread; malformed messages are counted
 * and dropped, never fatal.
 */
public final class ZmqBlockListener implements BlockNotifier {
    private static final Logger LOG = LoggerFactory.getLogger(ZmqBlockListener.class);
    static final byte[] TOPIC = "hashblock".getBytes(StandardCharsets.US_ASCII);
    private static final int RECEIVE_TIMEOUT_MILLIS = 250;

    private final String endpoint;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong sequenceGaps = new AtomicLong();
    private volatile boolean running;
    private ZContext context;
    private Thread thread;
    private long lastSequence = -1;

    /** @param endpoint e.g. {@code tcp://127.0.0.1:28332} (Core's {@code -zmqpubhashblock}) */
    public ZmqBlockListener(String endpoint) {
        this.endpoint = java.util.Objects.requireNonNull(endpoint, "zmq endpoint");
    }

    @Override
    public String name() {
        return "zmq";
    }

    @Override
    public synchronized void start(Consumer<BlockNotification> onBlock) {
        if (running) {
            throw new IllegalStateException("already started");
        }
        running = true;
        context = new ZContext(1);
        ZMQ.Socket sub = context.createSocket(SocketType.SUB);
        sub.setReceiveTimeOut(RECEIVE_TIMEOUT_MILLIS);
        sub.setReconnectIVL(500);
        sub.setReconnectIVLMax(5_000);
        sub.setRcvHWM(1_000);
        sub.subscribe(TOPIC);
        sub.connect(endpoint);
        thread = Thread.ofPlatform().daemon().name("tp-zmq-hashblock").start(() -> loop(sub, onBlock));
        LOG.info("subscribed to ZMQ hashblock at {}", endpoint);
    }

    private void loop(ZMQ.Socket sub, Consumer<BlockNotification> onBlock) {
        while (running) {
            List<byte[]> frames = new ArrayList<>(3);
            try {
                byte[] first = sub.recv(0);
                if (first == null) {
                    continue; // receive timeout: re-check running
                }
                frames.add(first);
                while (sub.hasReceiveMore() && frames.size() < 8) {
                    frames.add(sub.recv(0));
                }
                while (sub.hasReceiveMore()) {
                    sub.recv(0); // drain an over-long message
                    frames.add(new byte[0]);
                }
            } catch (ZMQException e) {
                if (running) {
                    LOG.warn("ZMQ receive failed: {}", e.toString());
                }
                continue;
            } catch (RuntimeException e) {
                if (!running) {
                    break;
                }
                LOG.warn("ZMQ receive failed: {}", e.toString());
                continue;
            }
            BlockNotification n;
            try {
                n = parse(frames, System.nanoTime());
            } catch (IllegalArgumentException e) {
                malformed.incrementAndGet();
                LOG.warn("dropped malformed ZMQ hashblock message: {}", e.getMessage());
                continue;
            }
            received.incrementAndGet();
            if (lastSequence >= 0 && n.sequence() != ((lastSequence + 1) & 0xFFFFFFFFL)) {
                sequenceGaps.incrementAndGet();
                LOG.warn("ZMQ hashblock sequence jumped from {} to {} (missed notifications)", lastSequence, n.sequence());
            }
            lastSequence = n.sequence();
            try {
                onBlock.accept(n);
            } catch (RuntimeException e) {
                LOG.error("block notification handler failed", e);
            }
        }
        sub.close();
    }

    /**
     * Parses the frames of one {@code hashblock} message.
     *
     * @throws IllegalArgumentException naming the frame that is wrong
     */
    public static BlockNotification parse(List<byte[]> frames, long receivedNanos) {
        if (frames.size() != 3) {
            throw new IllegalArgumentException("hashblock message must have 3 frames, got " + frames.size());
        }
        if (!java.util.Arrays.equals(TOPIC, frames.get(0))) {
            throw new IllegalArgumentException("frame 0 (topic) is not 'hashblock'");
        }
        byte[] hash = frames.get(1);
        if (hash.length != 32) {
            throw new IllegalArgumentException("frame 1 (block hash) must be 32 bytes, got " + hash.length);
        }
        byte[] seq = frames.get(2);
        if (seq.length != 4) {
            throw new IllegalArgumentException("frame 2 (sequence) must be 4 bytes, got " + seq.length);
        }
        long sequence = (seq[0] & 0xFFL) | (seq[1] & 0xFFL) << 8 | (seq[2] & 0xFFL) << 16 | (seq[3] & 0xFFL) << 24;
        // Core publishes the hash in display order (as RPC prints it); Hash256 keeps internal order
        return new BlockNotification(Hash256.fromDisplayHex(org.hyperhash.base.Hex.encode(hash)), sequence, receivedNanos);
    }

    public long receivedCount() {
        return received.get();
    }

    public long malformedCount() {
        return malformed.get();
    }

    public long sequenceGapCount() {
        return sequenceGaps.get();
    }

    @Override
    public synchronized void close() {
        if (!running) {
            return;
        }
        running = false;
        if (thread != null) {
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (context != null) {
            context.close();
        }
    }
}
