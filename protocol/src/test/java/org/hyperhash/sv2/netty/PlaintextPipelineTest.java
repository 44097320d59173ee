package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.codec.SampleMessages;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.Sv2Message;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlaintextPipelineTest {
    private static final Sv2Limits LIMITS = new Sv2Limits(4096, Duration.ofSeconds(5));

    private static EmbeddedChannel channel(Recorder r) {
        // handlers installed at registration, before channelActive, as with a ChannelInitializer
        return new EmbeddedChannel(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                Sv2Pipeline.plaintext(c.pipeline(), LIMITS);
                c.pipeline().addLast(r);
            }
        });
    }

    private static byte[] allFrames(List<Sv2Message> msgs) {
        ByteBuf b = Unpooled.buffer();
        msgs.forEach(m -> Sv2Codec.encodeFrame(m, b));
        return ByteBufUtil.getBytes(b);
    }

    @Test
    void byteAtATimeDecodesEveryMessage() {
        List<Sv2Message> msgs = new ArrayList<>(SampleMessages.all().values());
        byte[] stream = allFrames(msgs);
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        for (byte b : stream) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[]{b}));
        }
        ch.checkException();
        assertEquals(msgs, r.messages);
        assertEquals(List.of(NoiseHandshakeEvent.Completed.PLAINTEXT), r.events);
        assertFalse(ch.finish());
    }

    @Test
    void randomChunksDecodeEveryMessage() {
        List<Sv2Message> msgs = new ArrayList<>(SampleMessages.all().values());
        byte[] stream = allFrames(msgs);
        for (long seed = 1; seed <= 20; seed++) {
            Random rnd = new Random(seed);
            Recorder r = new Recorder();
            EmbeddedChannel ch = channel(r);
            int i = 0;
            while (i < stream.length) {
                int n = Math.min(stream.length - i, 1 + rnd.nextInt(300));
                ByteBuf chunk = ch.alloc().directBuffer(n);
                chunk.writeBytes(stream, i, n);
                ch.writeInbound(chunk);
                i += n;
            }
            ch.checkException();
            assertEquals(msgs, r.messages, "seed " + seed);
            assertTrue(r.errors().isEmpty());
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void oversizedFrameClosesWithTypedErrorAndDiscardsTheRest() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ByteBuf b = Unpooled.buffer();
        b.writeShortLE(0).writeByte(0x71).writeMediumLE(4096 - 6 + 1).writeZero(100);
        ch.writeInbound(b);
        ch.checkException();
        assertEquals(1, r.errors().size());
        assertEquals(Sv2ErrorEvent.Kind.FRAME_TOO_LARGE, r.errors().getFirst().kind());
        assertEquals("msg_length 4091 exceeds limit 4090", r.errors().getFirst().detail());
        assertFalse(ch.isOpen());
        assertTrue(r.messages.isEmpty());
    }

    @Test
    void frameAtTheLimitIsAccepted() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        Sv2Message big = new org.hyperhash.sv2.message.template.SubmitSolution(1, 2, 3, 4,
                Bytes.wrap(new byte[4096 - 6 - 8 - 12 - 2]));
        ch.writeInbound(Unpooled.wrappedBuffer(allFrames(List.of(big))));
        ch.checkException();
        assertEquals(List.of(big), r.messages);
        ch.finishAndReleaseAll();
    }

    @Test
    void malformedPayloadClosesNamingTheField() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ByteBuf b = Unpooled.buffer();
        // SetExtranoncePrefix with extranonce_prefix length 40
        b.writeShortLE(0x8000).writeByte(0x19).writeMediumLE(4 + 1 + 40).writeIntLE(1).writeByte(40).writeZero(40);
        // a valid frame after it must not be delivered
        Sv2Codec.encodeFrame(SampleMessages.all().values().iterator().next(), b);
        ch.writeInbound(b);
        ch.checkException();
        assertEquals(List.of(new Sv2ErrorEvent(Sv2ErrorEvent.Kind.MALFORMED_MESSAGE,
                "SetExtranoncePrefix.extranonce_prefix: length 40 exceeds B0_32 limit 32")), r.errors());
        assertTrue(r.messages.isEmpty());
        assertFalse(ch.isOpen());
    }

    @Test
    void unknownFrameIsDeliveredNotAnError() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        ByteBuf b = Unpooled.buffer();
        b.writeShortLE(0x8abc).writeByte(0x07).writeMediumLE(6).writeIntLE(42).writeShortLE(0xbeef);
        b.writeShortLE(0x0000).writeByte(0x1e).writeMediumLE(0);
        ch.writeInbound(b);
        ch.checkException();
        assertEquals(List.of(
                new UnknownFrame(0x8abc, 0x07, OptionalInt.of(42), Bytes.fromHex("2a000000efbe")),
                new UnknownFrame(0x0000, 0x1e, OptionalInt.empty(), Bytes.EMPTY)), r.messages);
        assertTrue(r.errors().isEmpty());
        assertTrue(ch.isOpen());
        // and it re-frames identically when written
        ch.writeOutbound(r.messages.getFirst());
        ByteBuf out = ch.readOutbound();
        assertEquals("bc8a070600002a000000efbe", ByteBufUtil.hexDump(out));
        out.release();
        ch.finishAndReleaseAll();
    }

    @Test
    void truncatedStreamEmitsNothingAndLeaksNothing() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        byte[] f = allFrames(List.of(SampleMessages.all().values().iterator().next()));
        ch.writeInbound(Unpooled.wrappedBuffer(f, 0, f.length - 1));
        ch.checkException();
        assertTrue(r.messages.isEmpty());
        assertFalse(ch.finish());
        assertTrue(r.errors().isEmpty());
    }

    @Test
    void outboundEncodesRecordsAndPassesFramesThrough() {
        Recorder r = new Recorder();
        EmbeddedChannel ch = channel(r);
        Sv2Message m = SampleMessages.all().values().iterator().next();
        ch.writeOutbound(m);
        ByteBuf out = ch.readOutbound();
        assertEquals(ByteBufUtil.hexDump(allFrames(List.of(m))), ByteBufUtil.hexDump(out));
        out.release();
        ByteBuf pre = Unpooled.wrappedBuffer(allFrames(List.of(m)));
        ch.writeOutbound(pre.retainedDuplicate());
        ByteBuf passed = ch.readOutbound();
        assertEquals(ByteBufUtil.hexDump(pre), ByteBufUtil.hexDump(passed));
        passed.release();
        pre.release();
        ChannelFuture f = ch.writeAndFlush("not a message");
        assertInstanceOf(IllegalArgumentException.class, f.cause());
        ch.finishAndReleaseAll();
    }

    @Test
    void randomBytesOnlyEverCauseTypedErrors() {
        for (long seed = 1; seed <= 300; seed++) {
            Random rnd = new Random(seed);
            Recorder r = new Recorder();
            EmbeddedChannel ch = channel(r);
            byte[] junk = new byte[rnd.nextInt(2000)];
            rnd.nextBytes(junk);
            if (junk.length >= 6 && rnd.nextBoolean()) {
                // make the first header plausible so payload decoding is exercised too
                junk[0] = 0;
                junk[1] = (byte) (rnd.nextBoolean() ? 0x80 : 0);
                junk[2] = (byte) (0x10 + rnd.nextInt(0x16));
                junk[3] = (byte) rnd.nextInt(64);
                junk[4] = 0;
                junk[5] = 0;
            }
            int i = 0;
            while (i < junk.length && ch.isOpen()) {
                int n = Math.min(junk.length - i, 1 + rnd.nextInt(64));
                ch.writeInbound(Unpooled.wrappedBuffer(junk, i, n));
                i += n;
            }
            ch.checkException();
            assertTrue(r.exceptions.isEmpty(), "seed " + seed);
            for (Object e : r.events) {
                assertTrue(e instanceof Sv2ErrorEvent || e == NoiseHandshakeEvent.Completed.PLAINTEXT, "seed " + seed);
            }
            if (!r.errors().isEmpty()) {
                assertFalse(ch.isOpen(), "seed " + seed);
            }
            ch.finishAndReleaseAll();
        }
    }
}
