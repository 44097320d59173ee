package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.codec.SampleMessages;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.template.RequestTransactionDataSuccess;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.noise.NoiseInitiator;
import org.hyperhash.sv2.noise.NoiseResponder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static org.hyperhash.sv2.netty.NoiseTestSupport.AUTHORITY;
import static org.hyperhash.sv2.netty.NoiseTestSupport.client;
import static org.hyperhash.sv2.netty.NoiseTestSupport.drainOutbound;
import static org.hyperhash.sv2.netty.NoiseTestSupport.handshake;
import static org.hyperhash.sv2.netty.NoiseTestSupport.server;
import static org.hyperhash.sv2.netty.NoiseTestSupport.shuttle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** NoiseHandler's buffer handling: handshake state released, in-place decrypt of heap input, direct-buffer writes. */
class NoiseHandlerBuffersTest {
    private static final Sv2Limits LIMITS = new Sv2Limits(Sv2Limits.MAX_POSSIBLE_FRAME_BYTES, Duration.ofSeconds(10));
    private static final SetupConnection SETUP = new SetupConnection(0, 2, 2, 0, "127.0.0.1", 3333, "hh", "", "", "");

    private static NoiseHandler noise(EmbeddedChannel ch) {
        return ch.pipeline().get(NoiseHandler.class);
    }

    @Test
    void handshakeStateIsDroppedOnCompletion() {
        Recorder sr = new Recorder();
        Recorder cr = new Recorder();
        EmbeddedChannel s = server(sr, LIMITS);
        EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
        c.writeAndFlush(SETUP); // queued until the handshake is done
        assertTrue(noise(c).holdsHandshakeState());
        assertTrue(noise(s).holdsHandshakeState());
        handshake(c, s);
        shuttle(c, s, null);
        assertEquals(List.of(SETUP), sr.messages);
        assertFalse(noise(c).holdsHandshakeState());
        assertFalse(noise(s).holdsHandshakeState());
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
    }

    @Test
    void handshakeStateIsDroppedWithTheRealDrivers() {
        InstantSource clock = InstantSource.system();
        Recorder sr = new Recorder();
        Recorder cr = new Recorder();
        EmbeddedChannel s = NoiseTestSupport.channel(NoiseDrivers.responder(new NoiseResponder(NoiseTestSupport.CRYPTO,
                NoiseTestSupport.identity(Duration.ofHours(1)), clock)), sr, LIMITS);
        EmbeddedChannel c = NoiseTestSupport.channel(NoiseDrivers.initiator(new NoiseInitiator(NoiseTestSupport.CRYPTO,
                NoiseTestSupport.REAL_AUTHORITY.publicKey(), clock)), cr, LIMITS);
        handshake(c, s);
        assertTrue(noise(c).isHandshakeComplete() && noise(s).isHandshakeComplete());
        assertFalse(noise(c).holdsHandshakeState());
        assertFalse(noise(s).holdsHandshakeState());
        c.writeAndFlush(SETUP);
        shuttle(c, s, new Random(3));
        assertEquals(List.of(SETUP), sr.messages);
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
    }

    @Test
    void handshakeStateIsDroppedOnFailure() {
        Recorder sr = new Recorder();
        EmbeddedChannel s = server(sr, new Sv2Limits(1000, Duration.ofSeconds(3)));
        NoiseHandler h = noise(s);
        s.writeAndFlush(SETUP);
        assertTrue(h.holdsHandshakeState());
        s.advanceTimeBy(4, java.util.concurrent.TimeUnit.SECONDS);
        s.runScheduledPendingTasks();
        assertEquals(Sv2ErrorEvent.Kind.HANDSHAKE_TIMEOUT, sr.errors().getFirst().kind());
        assertFalse(h.holdsHandshakeState());
        s.finishAndReleaseAll();
    }

    private static List<Object> variedMessages(long seed) {
        List<Object> msgs = new ArrayList<>(SampleMessages.all().values());
        msgs.add(new UnknownFrame(0x4000, 1, OptionalInt.empty(), Bytes.EMPTY));
        for (int len : new int[]{1, 65518, 65519, 65520, 131039}) {
            byte[] b = new byte[len];
            new Random(seed + len).nextBytes(b);
            msgs.add(len > 65535 ? new RequestTransactionDataSuccess(9, Bytes.EMPTY, List.of(Bytes.wrap(b)))
                    : new SubmitSolution(1, 2, 3, 4, Bytes.wrap(b)));
        }
        return msgs;
    }

    /** Records, per decoded frame, whether it shares the backing array of {@code wire} (decrypted in place). */
    private static final class SharesArray extends ChannelInboundHandlerAdapter {
        byte[] wire;
        final List<Boolean> inPlace = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf f = (ByteBuf) msg;
            inPlace.add(f.hasArray() && f.array() == wire);
            ctx.fireChannelRead(msg);
        }
    }

    @Test
    void wholeFramesInAHeapBufferAreDecryptedInPlace() {
        Recorder sr = new Recorder();
        Recorder cr = new Recorder();
        EmbeddedChannel s = server(sr, LIMITS);
        EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
        SharesArray probe = new SharesArray();
        s.pipeline().addAfter(Sv2Pipeline.NOISE, "probe", probe);
        handshake(c, s);
        List<Object> msgs = variedMessages(1);
        msgs.forEach(c::write);
        c.flush();
        probe.wire = drainOutbound(c);
        s.writeInbound(Unpooled.wrappedBuffer(probe.wire));
        assertEquals(msgs, sr.messages);
        assertTrue(sr.errors().isEmpty());
        // every single-chunk frame (payload <= 65519 bytes) used the input's array; multi-chunk ones were copied
        List<Boolean> expected = new ArrayList<>();
        for (Object m : msgs) {
            expected.add(payloadLength(m) <= 65519);
        }
        assertTrue(expected.contains(false) && expected.contains(true));
        assertEquals(expected, probe.inPlace);
        s.checkException();
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
    }

    private static int payloadLength(Object m) {
        if (m instanceof UnknownFrame u) {
            return u.payload().length();
        }
        ByteBuf b = Unpooled.buffer();
        Sv2Codec.encode((Sv2Message) m, b);
        int n = b.readableBytes();
        b.release();
        return n;
    }

    @Test
    void randomHeapChunksDecodeTheSame() {
        for (long seed = 1; seed <= 5; seed++) {
            Random rnd = new Random(seed);
            Recorder sr = new Recorder();
            Recorder cr = new Recorder();
            EmbeddedChannel s = server(sr, LIMITS);
            EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
            handshake(c, s);
            List<Object> msgs = variedMessages(seed);
            msgs.forEach(c::write);
            c.flush();
            byte[] wire = drainOutbound(c);
            for (int i = 0; i < wire.length; ) {
                int n = Math.min(wire.length - i, 1 + rnd.nextInt(rnd.nextBoolean() ? 300 : 70000));
                s.writeInbound(Unpooled.copiedBuffer(wire, i, n)); // heap, array-backed
                i += n;
            }
            assertEquals(msgs, sr.messages, "seed " + seed);
            assertTrue(sr.errors().isEmpty());
            s.checkException();
            s.finishAndReleaseAll();
            c.finishAndReleaseAll();
        }
    }

    @Test
    void flippedBitInAHeapBufferIsAeadFailure() {
        for (int flipAt : new int[]{0, 21, 22, 40}) {
            Recorder sr = new Recorder();
            Recorder cr = new Recorder();
            EmbeddedChannel s = server(sr, LIMITS);
            EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
            handshake(c, s);
            c.writeAndFlush(SETUP);
            byte[] wire = drainOutbound(c);
            wire[flipAt] ^= 0x01;
            s.writeInbound(Unpooled.wrappedBuffer(wire));
            assertEquals(Sv2ErrorEvent.Kind.AEAD_FAILURE, sr.errors().getFirst().kind(), "flip at " + flipAt);
            assertFalse(s.isOpen());
            assertTrue(sr.messages.isEmpty());
            s.checkException();
            s.finishAndReleaseAll();
            c.finishAndReleaseAll();
        }
    }

    @Test
    void directBufferFramesAreEncryptedInPlace() {
        Recorder sr = new Recorder();
        Recorder cr = new Recorder();
        EmbeddedChannel s = server(sr, LIMITS);
        EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
        handshake(c, s);
        List<Object> msgs = variedMessages(9);
        ByteBuf batch = c.alloc().directBuffer();
        for (Object m : msgs) {
            if (m instanceof Sv2Message sm) {
                Sv2Codec.encodeFrame(sm, batch);
            } else {
                ((UnknownFrame) m).writeFrame(batch);
            }
        }
        assertFalse(batch.hasArray());
        c.writeAndFlush(batch); // several frames in one direct buffer
        shuttle(c, s, new Random(5));
        assertEquals(msgs, sr.messages);
        assertTrue(sr.errors().isEmpty());
        s.checkException();
        c.checkException();
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
    }
}
