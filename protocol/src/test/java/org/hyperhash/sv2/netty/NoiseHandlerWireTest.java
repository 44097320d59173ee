package org.hyperhash.sv2.netty;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.hyperhash.sv2.framing.EncryptedFraming;
import org.hyperhash.sv2.framing.FrameHeader;
import org.hyperhash.sv2.noise.CipherState;
import org.hyperhash.sv2.noise.NoiseException;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * NoiseHandler's transport bytes with the real cipher ({@link CipherState}) under fixed keys: what it writes is
 * the vectors' frames (vectors/sv2_noise_handshake_derived.json) and, for every frame size, exactly the
 * header-then-chunks sequence of AEAD messages; what it reads back is the same whatever the input buffer
 * (heap, direct, read-only), however it is split and however many frames one read holds; tampering is a
 * typed AEAD failure that leaves the input untouched.
 */
class NoiseHandlerWireTest {
    private static final Sv2Limits LIMITS = new Sv2Limits(Sv2Limits.MAX_POSSIBLE_FRAME_BYTES, Duration.ofSeconds(10));
    private static final JsonNode V = Vectors.json("sv2_noise_handshake_derived.json");
    private static final byte[] K1 = step("split: k1 (initiator->responder)");
    private static final byte[] K2 = step("split: k2 (responder->initiator)");

    /** An allocator whose I/O buffers are heap buffers (a transport without direct buffers): the array output path. */
    private static final ByteBufAllocator HEAP_IO = new AbstractByteBufAllocator(false) {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return Unpooled.directBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        @Override
        public ByteBuf ioBuffer(int initialCapacity, int maxCapacity) {
            return heapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public String toString() {
            return "heap I/O buffers";
        }
    };
    private static final List<ByteBufAllocator> OUTPUTS = List.of(ByteBufAllocator.DEFAULT, HEAP_IO);

    private static byte[] step(String name) {
        for (JsonNode s : V.get("steps")) {
            if (s.get("name").asText().equals(name)) {
                return Vectors.hex(s.get("hex").asText());
            }
        }
        throw new AssertionError("no step " + name);
    }

    /** Frames that reached the end of the pipeline (copied, then released) and the errors fired. */
    private static final class Sink extends ChannelInboundHandlerAdapter {
        final List<byte[]> frames = new ArrayList<>();
        final List<Long> addresses = new ArrayList<>();
        final List<Sv2ErrorEvent> errors = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf f = (ByteBuf) msg;
            try {
                frames.add(ByteBufUtil.getBytes(f));
                addresses.add(f.hasMemoryAddress() ? f.memoryAddress() : -1L);
            } finally {
                f.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Sv2ErrorEvent e) {
                errors.add(e);
            }
        }
    }

    /** A NoiseHandler past its handshake, sending with {@code sendKey} and receiving with {@code receiveKey}, nonces 0. */
    private static EmbeddedChannel channel(byte[] sendKey, byte[] receiveKey, ByteBufAllocator alloc, Sink sink) {
        NoiseHandshakeDriver fixedKeys = new NoiseHandshakeDriver() {
            @Override
            public byte[] firstMessage() {
                return null;
            }

            @Override
            public int expectedLength() {
                return 64;
            }

            @Override
            public Outcome onMessage(byte[] message) {
                return new Outcome(new byte[234], NoiseDrivers.cipher(new CipherState(sendKey)),
                        NoiseDrivers.cipher(new CipherState(receiveKey)), null);
            }
        };
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.config().setAllocator(alloc);
        ch.pipeline().addLast(new NoiseHandler(fixedKeys, LIMITS), sink);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[64]));
        ReferenceCountUtil.release(ch.readOutbound()); // act 2
        assertTrue(ch.pipeline().get(NoiseHandler.class).isHandshakeComplete());
        return ch;
    }

    private static byte[] drain(EmbeddedChannel ch) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            all.writeBytes(ByteBufUtil.getBytes(b));
            b.release();
        }
        return all.toByteArray();
    }

    private static ByteBuf buffer(byte[] bytes, boolean direct) {
        ByteBuf b = direct ? Unpooled.directBuffer(bytes.length) : Unpooled.buffer(bytes.length);
        return b.writeBytes(bytes);
    }

    private static byte[] frame(int extensionType, int msgType, byte[] payload) {
        byte[] f = new byte[FrameHeader.SIZE + payload.length];
        f[0] = (byte) extensionType;
        f[1] = (byte) (extensionType >>> 8);
        f[2] = (byte) msgType;
        f[3] = (byte) payload.length;
        f[4] = (byte) (payload.length >>> 8);
        f[5] = (byte) (payload.length >>> 16);
        System.arraycopy(payload, 0, f, FrameHeader.SIZE, payload.length);
        return f;
    }

    /** The reference: each frame as the header AEAD message then its payload in 65519-byte chunks, one nonce each. */
    private static byte[] seal(byte[] key, List<byte[]> frames) throws NoiseException {
        CipherState c = new CipherState(key);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] f : frames) {
            int len = f.length - FrameHeader.SIZE;
            byte[] wire = new byte[EncryptedFraming.encryptedFrameLength(len)];
            c.encrypt(f, 0, FrameHeader.SIZE, wire, 0);
            int in = FrameHeader.SIZE;
            int at = EncryptedFraming.ENCRYPTED_HEADER_LEN;
            for (int left = len; left > 0; ) {
                int n = Math.min(left, EncryptedFraming.MAX_PLAINTEXT_CHUNK);
                c.encrypt(f, in, n, wire, at);
                in += n;
                at += n + EncryptedFraming.MAC_LEN;
                left -= n;
            }
            out.writeBytes(wire);
        }
        return out.toByteArray();
    }

    private static byte[] vectorPlaintext(JsonNode t) {
        byte[] h = Vectors.hex(t.get("plaintext_header").asText());
        byte[] p = Vectors.hex(t.get("plaintext_payload").asText());
        byte[] f = Arrays.copyOf(h, h.length + p.length);
        System.arraycopy(p, 0, f, h.length, p.length);
        return f;
    }

    @Test
    void writesTheVectorFramesFromHeapAndDirectIntoHeapAndDirectOutput() {
        JsonNode up = V.get("transport").get(0);
        JsonNode down = V.get("transport").get(1);
        for (ByteBufAllocator alloc : OUTPUTS) {
            for (boolean directSource : new boolean[] {false, true}) {
                EmbeddedChannel initiator = channel(K1, K2, alloc, new Sink());
                EmbeddedChannel responder = channel(K2, K1, alloc, new Sink());
                initiator.writeAndFlush(buffer(vectorPlaintext(up), directSource));
                responder.writeAndFlush(buffer(vectorPlaintext(down), directSource));
                String how = alloc + ", direct source " + directSource;
                assertEquals(up.get("frame_hex").asText(), Vectors.hex(drain(initiator)), how);
                assertEquals(down.get("frame_hex").asText(), Vectors.hex(drain(responder)), how);
                assertFalse(initiator.finishAndReleaseAll());
                assertFalse(responder.finishAndReleaseAll());
            }
        }
    }

    /** Every way of handing the responder the vector's first frame, and the initiator its second. */
    @Test
    void readsTheVectorFramesFromAnyBufferAndAnySplit() {
        for (JsonNode t : V.get("transport")) {
            boolean toResponder = t.get("cipher").asText().equals("k1");
            byte[] wire = Vectors.hex(t.get("frame_hex").asText());
            byte[] plain = vectorPlaintext(t);
            List<List<ByteBuf>> ways = new ArrayList<>();
            for (boolean direct : new boolean[] {false, true}) {
                ways.add(List.of(buffer(wire, direct)));
                ways.add(List.of(buffer(wire, direct).asReadOnly()));
                for (int cut = 1; cut < wire.length; cut++) {
                    ways.add(List.of(buffer(Arrays.copyOfRange(wire, 0, cut), direct),
                            buffer(Arrays.copyOfRange(wire, cut, wire.length), direct)));
                }
                List<ByteBuf> bytes = new ArrayList<>();
                for (byte b : wire) {
                    bytes.add(buffer(new byte[] {b}, direct));
                }
                ways.add(bytes);
            }
            for (int w = 0; w < ways.size(); w++) {
                Sink sink = new Sink();
                EmbeddedChannel ch = toResponder ? channel(K2, K1, ByteBufAllocator.DEFAULT, sink)
                        : channel(K1, K2, ByteBufAllocator.DEFAULT, sink);
                for (ByteBuf b : ways.get(w)) {
                    ch.writeInbound(b);
                }
                assertEquals(1, sink.frames.size(), "way " + w);
                assertArrayEquals(plain, sink.frames.getFirst(), "way " + w);
                assertTrue(sink.errors.isEmpty());
                ch.checkException();
                assertFalse(ch.finishAndReleaseAll());
            }
        }
    }

    private static List<byte[]> framesOfEverySize(Random rnd) {
        List<byte[]> frames = new ArrayList<>();
        for (int len : new int[] {0, 1, 15, 16, 17, 100, 319, 320, NoiseHandler.SCRATCH_DECRYPT_MAX - 1,
                NoiseHandler.SCRATCH_DECRYPT_MAX, NoiseHandler.SCRATCH_DECRYPT_MAX + 1, 65518, 65519, 65520, 0, 131038,
                131039, 131040, 200_000, 6}) {
            byte[] p = new byte[len];
            rnd.nextBytes(p);
            frames.add(frame(rnd.nextInt(0x10000), rnd.nextInt(256), p));
        }
        return frames;
    }

    @Test
    void everyFrameSizeIsTheHeaderThenChunkSequence() throws Exception {
        List<byte[]> frames = framesOfEverySize(new Random(11));
        byte[] expected = seal(K1, frames);
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        frames.forEach(batch::writeBytes);
        for (ByteBufAllocator alloc : OUTPUTS) {
            for (boolean directSource : new boolean[] {false, true}) {
                String how = alloc + ", direct source " + directSource;
                EmbeddedChannel one = channel(K1, K2, alloc, new Sink());
                for (byte[] f : frames) {
                    one.write(buffer(f, directSource)); // one write per frame
                }
                one.flush();
                assertArrayEquals(expected, drain(one), how);
                EmbeddedChannel all = channel(K1, K2, alloc, new Sink());
                all.writeAndFlush(buffer(batch.toByteArray(), directSource)); // all frames in one write
                assertArrayEquals(expected, drain(all), how);
                assertFalse(one.finishAndReleaseAll());
                assertFalse(all.finishAndReleaseAll());
            }
        }
    }

    @Test
    void everyFrameSizeDecodesFromOneReadOrRandomReads() throws Exception {
        List<byte[]> frames = framesOfEverySize(new Random(12));
        byte[] wire = seal(K1, frames);
        for (boolean direct : new boolean[] {false, true}) {
            for (long seed = 0; seed <= 4; seed++) {
                Sink sink = new Sink();
                EmbeddedChannel ch = channel(K2, K1, ByteBufAllocator.DEFAULT, sink);
                if (seed == 0) {
                    ch.writeInbound(buffer(wire, direct)); // several frames in one read
                } else {
                    Random rnd = new Random(seed);
                    for (int i = 0; i < wire.length; ) {
                        int n = Math.min(wire.length - i, 1 + rnd.nextInt(rnd.nextBoolean() ? 200 : 70_000));
                        ch.writeInbound(buffer(Arrays.copyOfRange(wire, i, i + n), direct));
                        i += n;
                    }
                }
                assertEquals(frames.size(), sink.frames.size(), "direct " + direct + ", seed " + seed);
                for (int i = 0; i < frames.size(); i++) {
                    assertArrayEquals(frames.get(i), sink.frames.get(i), "frame " + i + ", direct " + direct + ", seed " + seed);
                }
                assertTrue(sink.errors.isEmpty());
                ch.checkException();
                assertFalse(ch.finishAndReleaseAll());
            }
        }
    }

    @Test
    void smallSingleChunkFramesInADirectReadAreSlicesOfIt() throws Exception {
        List<byte[]> frames = framesOfEverySize(new Random(13));
        byte[] wire = seal(K1, frames);
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(K2, K1, ByteBufAllocator.DEFAULT, sink);
        ByteBuf in = buffer(wire, true);
        if (!in.hasMemoryAddress()) {
            in.release();
            ch.finishAndReleaseAll();
            return; // no Unsafe: nothing to compare addresses with
        }
        long lo = in.memoryAddress();
        long hi = lo + in.capacity();
        ch.writeInbound(in);
        assertEquals(frames.size(), sink.frames.size());
        for (int i = 0; i < frames.size(); i++) {
            long a = sink.addresses.get(i);
            boolean inPlace = a >= lo && a < hi;
            int len = frames.get(i).length - FrameHeader.SIZE;
            assertEquals(len <= NoiseHandler.SCRATCH_DECRYPT_MAX, inPlace, "frame " + i + " (" + len + " bytes)");
            assertArrayEquals(frames.get(i), sink.frames.get(i));
        }
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void largestFrameRoundTrips() throws Exception {
        byte[] p = new byte[FrameHeader.MAX_MSG_LENGTH];
        new Random(14).nextBytes(p);
        byte[] f = frame(0, 0x70, p);
        byte[] expected = seal(K1, List.of(f));
        for (ByteBufAllocator alloc : OUTPUTS) {
            Sink sink = new Sink();
            EmbeddedChannel tx = channel(K1, K2, alloc, new Sink());
            tx.writeAndFlush(buffer(f, false));
            byte[] wire = drain(tx);
            assertArrayEquals(expected, wire, alloc.toString());
            EmbeddedChannel rx = channel(K2, K1, alloc, sink);
            rx.writeInbound(buffer(wire, true));
            assertEquals(1, sink.frames.size());
            assertArrayEquals(f, sink.frames.getFirst());
            assertFalse(tx.finishAndReleaseAll());
            assertFalse(rx.finishAndReleaseAll());
        }
    }

    @Test
    void tamperedFramesAreAeadFailuresAndLeaveTheInputAlone() throws Exception {
        for (int len : new int[] {0, 100, NoiseHandler.SCRATCH_DECRYPT_MAX + 1, 70_000}) {
            byte[] p = new byte[len];
            new Random(len).nextBytes(p);
            byte[] wire = seal(K1, List.of(frame(0, 0x1b, p)));
            // header ciphertext, header tag, first payload byte, last byte (the payload's or the header's tag)
            for (int flip : java.util.stream.IntStream.of(0, 5, 21, 22, wire.length - 1).filter(i -> i < wire.length)
                    .distinct().toArray()) {
                for (boolean direct : new boolean[] {false, true}) {
                    byte[] bad = wire.clone();
                    bad[flip] ^= 0x40;
                    Sink sink = new Sink();
                    EmbeddedChannel ch = channel(K2, K1, ByteBufAllocator.DEFAULT, sink);
                    ByteBuf in = buffer(bad, direct);
                    in.retain(); // keep it readable after the handler let go of it
                    ch.writeInbound(in);
                    String how = len + " bytes, flip " + flip + ", direct " + direct;
                    assertEquals(List.of(Sv2ErrorEvent.Kind.AEAD_FAILURE), sink.errors.stream().map(Sv2ErrorEvent::kind).toList(), how);
                    assertTrue(sink.frames.isEmpty(), how);
                    assertFalse(ch.isOpen(), how);
                    assertArrayEquals(bad, ByteBufUtil.getBytes(in, 0, bad.length), "input rewritten: " + how);
                    in.release();
                    ch.checkException();
                    ch.finishAndReleaseAll();
                }
            }
        }
    }
}
