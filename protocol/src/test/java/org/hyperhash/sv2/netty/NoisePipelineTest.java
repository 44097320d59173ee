package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.codec.SampleMessages;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.framing.EncryptedFraming;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.template.RequestTransactionDataSuccess;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static org.hyperhash.sv2.netty.NoiseTestSupport.AUTHORITY;
import static org.hyperhash.sv2.netty.NoiseTestSupport.client;
import static org.hyperhash.sv2.netty.NoiseTestSupport.drainOutbound;
import static org.hyperhash.sv2.netty.NoiseTestSupport.feed;
import static org.hyperhash.sv2.netty.NoiseTestSupport.handshake;
import static org.hyperhash.sv2.netty.NoiseTestSupport.server;
import static org.hyperhash.sv2.netty.NoiseTestSupport.shuttle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NoisePipelineTest {
    private static final Sv2Limits LIMITS = new Sv2Limits(Sv2Limits.MAX_POSSIBLE_FRAME_BYTES, Duration.ofSeconds(10));

    private static final SetupConnection SETUP = new SetupConnection(0, 2, 2, 0, "127.0.0.1", 3333, "hh", "", "", "");

    @Test
    void handshakeByteByByteThenEveryMessageBothWays() {
        Recorder sr = new Recorder();
        Recorder cr = new Recorder();
        EmbeddedChannel s = server(sr, LIMITS);
        EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
        byte[] act1 = drainOutbound(c);
        assertEquals(64, act1.length);
        feed(s, act1, null);
        byte[] act2 = drainOutbound(s);
        assertEquals(234, act2.length);
        feed(c, act2, null);

        NoiseHandshakeEvent.Completed sc = assertInstanceOf(NoiseHandshakeEvent.Completed.class, sr.events.getFirst());
        NoiseHandshakeEvent.Completed cc = assertInstanceOf(NoiseHandshakeEvent.Completed.class, cr.events.getFirst());
        assertTrue(sc.encrypted() && cc.encrypted());
        assertNull(sc.peerCertificate());
        assertEquals(TestNoiseDriver.certificateOf(AUTHORITY), cc.peerCertificate());

        List<Sv2Message> msgs = new ArrayList<>(SampleMessages.all().values());
        msgs.forEach(c::write);
        c.flush();
        shuttle(c, s, null);
        assertEquals(msgs, sr.messages);

        msgs.forEach(s::write);
        s.flush();
        shuttle(s, c, new Random(7));
        assertEquals(msgs, cr.messages);
        assertTrue(sr.errors().isEmpty() && cr.errors().isEmpty());
        s.checkException();
        c.checkException();
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
    }

    @Test
    void randomChunkingAndChunkBoundaries() {
        for (long seed = 1; seed <= 5; seed++) {
            Random rnd = new Random(seed);
            Recorder sr = new Recorder();
            Recorder cr = new Recorder();
            EmbeddedChannel s = server(sr, LIMITS);
            EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
            shuttle(c, s, rnd);
            shuttle(s, c, rnd);
            List<Object> sent = new ArrayList<>();
            // payload sizes around the 65519-byte chunk boundary, an empty payload and a multi-chunk one
            for (int len : new int[]{0, 1, 65518, 65519, 65520, 131038, 131039, 200000}) {
                Object m = len == 0 ? new UnknownFrame(0x4000, 1, OptionalInt.empty(), Bytes.EMPTY)
                        : new SubmitSolution(1, 2, 3, 4, Bytes.wrap(new byte[Math.min(len, 65535)]));
                if (len > 65535) {
                    m = new RequestTransactionDataSuccess(9, Bytes.EMPTY, List.of(Bytes.wrap(filled(len, (byte) seed))));
                }
                sent.add(m);
                c.writeAndFlush(m);
            }
            byte[] wire = drainOutbound(c);
            assertEquals(expectedWireBytes(sent), wire.length);
            feed(s, wire, rnd);
            assertEquals(sent, sr.messages, "seed " + seed);
            s.checkException();
            s.finishAndReleaseAll();
            c.finishAndReleaseAll();
        }
    }

    private static byte[] filled(int n, byte b) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, b);
        return a;
    }

    private static int expectedWireBytes(List<Object> msgs) {
        int total = 0;
        for (Object m : msgs) {
            int payload;
            if (m instanceof UnknownFrame u) {
                payload = u.payload().length();
            } else {
                ByteBuf b = Unpooled.buffer();
                Sv2Codec.encode((Sv2Message) m, b);
                payload = b.readableBytes();
            }
            total += EncryptedFraming.encryptedFrameLength(payload);
        }
        return total;
    }

    @Test
    void writesBeforeHandshakeAreSentAfterIt() {
        Recorder sr = new Recorder();
        Recorder cr = new Recorder();
        EmbeddedChannel s = server(sr, LIMITS);
        EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
        c.writeAndFlush(SETUP);
        assertEquals(64, drainOutboundPeek(c, s));
        shuttle(s, c, null);
        shuttle(c, s, null);
        assertEquals(List.of(SETUP), sr.messages);
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
    }

    /** Moves the client's output so far (act 1 only: SetupConnection must still be queued) to the server. */
    private static int drainOutboundPeek(EmbeddedChannel c, EmbeddedChannel s) {
        byte[] b = drainOutbound(c);
        feed(s, b, null);
        return b.length;
    }

    /**
     * When the connection closes, or fails, the handler destroys both transport ciphers (their keys are wiped) and
     * refuses later writes instead of encrypting with them.
     */
    @Test
    void transportCiphersAreDestroyedWhenTheConnectionEnds() {
        for (boolean byFailure : new boolean[] {false, true}) {
            Recorder sr = new Recorder();
            Recorder cr = new Recorder();
            TestNoiseDriver sd = TestNoiseDriver.responder(AUTHORITY);
            EmbeddedChannel s = NoiseTestSupport.channel(sd, sr, LIMITS);
            EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
            handshake(c, s);
            c.writeAndFlush(SETUP);
            shuttle(c, s, null);
            assertEquals(List.of(SETUP), sr.messages);
            assertEquals(2, sd.ciphers.size());
            assertTrue(sd.ciphers.stream().noneMatch(x -> x.destroyed));
            if (byFailure) {
                c.writeAndFlush(SETUP);
                byte[] wire = drainOutbound(c);
                wire[30] ^= 0x01;
                feed(s, wire, null);
                assertEquals(Sv2ErrorEvent.Kind.AEAD_FAILURE, sr.errors().getFirst().kind());
            } else {
                s.close();
            }
            assertFalse(s.isOpen());
            assertTrue(sd.ciphers.stream().allMatch(x -> x.destroyed), "by failure: " + byFailure);
            NoiseHandler h = s.pipeline().get(NoiseHandler.class);
            if (h != null) {
                io.netty.channel.ChannelPromise p = s.newPromise();
                h.write(s.pipeline().context(h), Unpooled.wrappedBuffer(new byte[6]), p);
                assertInstanceOf(java.nio.channels.ClosedChannelException.class, p.cause());
            }
            s.checkException();
            s.finishAndReleaseAll();
            c.finishAndReleaseAll();
        }
    }

    @Test
    void flippedBitInHeaderOrPayloadIsAeadFailureAndClose() {
        for (int flipAt : new int[]{0, 21, 22, 40}) {
            Recorder sr = new Recorder();
            Recorder cr = new Recorder();
            EmbeddedChannel s = server(sr, LIMITS);
            EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
            handshake(c, s);
            c.writeAndFlush(SETUP);
            byte[] wire = drainOutbound(c);
            wire[flipAt] ^= 0x01;
            feed(s, wire, null);
            assertEquals(Sv2ErrorEvent.Kind.AEAD_FAILURE, sr.errors().getFirst().kind(), "flip at " + flipAt);
            assertEquals(1, sr.errors().size());
            assertFalse(s.isOpen());
            assertTrue(sr.messages.isEmpty());
            s.checkException();
            s.finishAndReleaseAll();
            c.finishAndReleaseAll();
        }
    }

    @Test
    void oversizedEncryptedFrameRejectedAfterTheHeader() {
        Recorder sr = new Recorder();
        Recorder cr = new Recorder();
        EmbeddedChannel s = server(sr, new Sv2Limits(1000, Duration.ofSeconds(10)));
        EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
        handshake(c, s);
        c.writeAndFlush(new SubmitSolution(1, 2, 3, 4, Bytes.wrap(new byte[2000])));
        byte[] wire = drainOutbound(c);
        feed(s, java.util.Arrays.copyOf(wire, 22), null);
        assertEquals(Sv2ErrorEvent.Kind.FRAME_TOO_LARGE, sr.errors().getFirst().kind());
        assertFalse(s.isOpen());
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
    }

    @Test
    void handshakeTimeout() {
        Recorder sr = new Recorder();
        EmbeddedChannel s = server(sr, new Sv2Limits(1000, Duration.ofSeconds(3)));
        s.advanceTimeBy(2, java.util.concurrent.TimeUnit.SECONDS);
        s.runScheduledPendingTasks();
        assertTrue(s.isOpen());
        s.advanceTimeBy(2, java.util.concurrent.TimeUnit.SECONDS);
        s.runScheduledPendingTasks();
        assertEquals(Sv2ErrorEvent.Kind.HANDSHAKE_TIMEOUT, sr.errors().getFirst().kind());
        assertFalse(s.isOpen());
        s.finishAndReleaseAll();
    }

    @Test
    void wrongAuthorityKeyRefused() {
        Recorder sr = new Recorder();
        Recorder cr = new Recorder();
        EmbeddedChannel s = server(sr, LIMITS);
        EmbeddedChannel c = client(cr, AUTHORITY + 1, LIMITS);
        c.writeAndFlush(SETUP);
        handshake(c, s);
        assertEquals(Sv2ErrorEvent.Kind.CERTIFICATE_REJECTED, cr.errors().getFirst().kind());
        assertFalse(c.isOpen());
        assertTrue(cr.events.stream().noneMatch(e -> e instanceof NoiseHandshakeEvent));
        // the queued SetupConnection was never sent
        assertEquals(0, drainOutbound(c).length);
        s.finishAndReleaseAll();
        c.finishAndReleaseAll();
    }

    @Test
    void randomBytesIntoResponderOnlyTypedErrors() {
        for (long seed = 1; seed <= 40; seed++) {
            Random rnd = new Random(seed);
            Recorder sr = new Recorder();
            EmbeddedChannel s = server(sr, new Sv2Limits(70000, Duration.ofSeconds(10)));
            byte[] junk = new byte[rnd.nextInt(400)];
            rnd.nextBytes(junk);
            feed(s, junk, rnd);
            s.checkException();
            assertTrue(sr.exceptions.isEmpty());
            assertTrue(sr.messages.isEmpty());
            for (Object e : sr.events) {
                assertTrue(e instanceof Sv2ErrorEvent || e instanceof NoiseHandshakeEvent, "seed " + seed + ": " + e);
            }
            if (junk.length >= 64 + 22) {
                assertEquals(Sv2ErrorEvent.Kind.AEAD_FAILURE, sr.errors().getFirst().kind(), "seed " + seed);
                assertFalse(s.isOpen());
            }
            s.finishAndReleaseAll();
        }
    }

    @Test
    void randomBytesIntoInitiatorOnlyTypedErrors() {
        for (long seed = 1; seed <= 20; seed++) {
            Random rnd = new Random(seed);
            Recorder cr = new Recorder();
            EmbeddedChannel c = client(cr, AUTHORITY, LIMITS);
            drainOutbound(c);
            byte[] junk = new byte[234 + rnd.nextInt(100)];
            rnd.nextBytes(junk);
            junk[233] = (byte) (AUTHORITY + 1); // the test driver's "certificate" check must fail
            feed(c, junk, rnd);
            c.checkException();
            assertTrue(cr.exceptions.isEmpty());
            assertEquals(1, cr.errors().size(), "seed " + seed);
            assertEquals(Sv2ErrorEvent.Kind.CERTIFICATE_REJECTED, cr.errors().getFirst().kind());
            assertFalse(c.isOpen());
            c.finishAndReleaseAll();
        }
    }
}
