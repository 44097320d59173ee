package org.hyperhash.tp.downstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.Sv2Message;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The hub hands the same NewTemplate and SetNewPrevHash instances to every session of a reservation, so their frames are
 * serialized once and each session writes a wrapped copy of the shared bytes (Noise still encrypts per session). A few
 * recent messages are kept, keyed by identity (not equality); two threads that miss at once both encode, harmlessly.
 * Thread-safe.
 */
final class SharedFrames {
    private static final int SLOTS = 16;

    private record Encoded(Sv2Message message, byte[] frame) {
    }

    private final AtomicReferenceArray<Encoded> slots = new AtomicReferenceArray<>(SLOTS);
    private final AtomicInteger next = new AtomicInteger();
    private final LongAdder encodes = new LongAdder();

    /** The frame (header + payload) of {@code m}, serialized at most once while it is among the recent ones. */
    byte[] frame(Sv2Message m) {
        for (int i = 0; i < SLOTS; i++) {
            Encoded e = slots.get(i);
            if (e != null && e.message() == m) {
                return e.frame();
            }
        }
        ByteBuf b = Unpooled.buffer(256);
        try {
            Sv2Codec.encodeFrame(m, b);
            byte[] f = ByteBufUtil.getBytes(b);
            encodes.increment();
            slots.set(Math.floorMod(next.getAndIncrement(), SLOTS), new Encoded(m, f));
            return f;
        } finally {
            b.release();
        }
    }

    /** What {@code ch.write} gets: a buffer over the shared frame (the codec passes a ByteBuf frame through). */
    ByteBuf wire(Sv2Message m) {
        return Unpooled.wrappedBuffer(frame(m));
    }

    /** Serializations so far (tests). */
    long encodes() {
        return encodes.sum();
    }
}
