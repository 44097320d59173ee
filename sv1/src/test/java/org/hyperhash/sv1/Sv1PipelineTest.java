package org.hyperhash.sv1;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Sv1PipelineTest {

    private static final class Capture extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }
    }

    private static EmbeddedChannel channel(Capture c, int max) {
        EmbeddedChannel ch = new EmbeddedChannel();
        Sv1Pipeline.install(ch.pipeline(), max);
        ch.pipeline().addLast(c);
        return ch;
    }

    @Test
    void pipelinedRequestsSplitAtAnyByte() {
        String in = "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"bmminer/2.0.0\"]}\r\n\n"
                + "{\"id\":\"x\",\"method\":\"mining.authorize\",\"params\":[\"a.w\",\"p\"]}\n";
        byte[] b = in.getBytes(StandardCharsets.UTF_8);
        Capture c = new Capture();
        EmbeddedChannel ch = channel(c, 1024);
        for (byte x : b) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {x}));
        }
        assertEquals(2, c.seen.size());
        assertEquals("mining.subscribe", ((Sv1Message.Request) c.seen.get(0)).method());
        assertEquals("x", ((Sv1Message.Request) c.seen.get(1)).id().asText());
        ch.finishAndReleaseAll();
    }

    @Test
    void malformedLineBecomesSv1MalformedAndStreamContinues() {
        Capture c = new Capture();
        EmbeddedChannel ch = channel(c, 1024);
        ch.writeInbound(Unpooled.copiedBuffer("not json\n{\"id\":2,\"method\":\"m\"}\n", StandardCharsets.UTF_8));
        assertInstanceOf(Sv1Malformed.class, c.seen.get(0));
        assertInstanceOf(Sv1Message.Request.class, c.seen.get(1));
        ch.finishAndReleaseAll();
    }

    @Test
    void hugeLineFailsFastWithoutBuffering() {
        Capture c = new Capture();
        EmbeddedChannel ch = channel(c, 128);
        ch.writeInbound(Unpooled.copiedBuffer("x".repeat(200), StandardCharsets.UTF_8));
        assertEquals(1, c.errors.size());
        assertInstanceOf(TooLongFrameException.class, c.errors.get(0));
        assertTrue(c.seen.isEmpty());
        ch.finishAndReleaseAll();
    }

    @Test
    void blankLinesBetweenRequestsAreSkipped() {
        Capture c = new Capture();
        EmbeddedChannel ch = channel(c, 1024);
        ch.writeInbound(Unpooled.copiedBuffer(" \t \r\n\n{\"id\":1,\"method\":\"m\"}\n   \n", StandardCharsets.UTF_8));
        assertEquals(1, c.seen.size());
        assertEquals("m", ((Sv1Message.Request) c.seen.get(0)).method());
        ch.finishAndReleaseAll();
    }

    @Test
    void encodeGivesTheEncodersBytesAndRefusesOtherObjects() {
        Object[] lines = {Sv1Message.Response.ok(null, com.fasterxml.jackson.databind.node.BooleanNode.TRUE),
            Sv1Message.Response.ok(com.fasterxml.jackson.databind.node.IntNode.valueOf(2),
                    new SubscribeResult("ab", "ab", org.hyperhash.base.Bytes.fromHex("0102"), 8).toJson()),
            Sv1Message.Request.notification("mining.set_difficulty",
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(65536.0)),
            "{\"x\":\"\u00e9\"}"};
        for (Object m : lines) {
            EmbeddedChannel ch = channel(new Capture(), 1024);
            ch.writeOutbound(m);
            ByteBuf viaEncoder = ch.readOutbound();
            ByteBuf direct = Sv1Pipeline.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, m);
            assertEquals(viaEncoder.toString(StandardCharsets.UTF_8), direct.toString(StandardCharsets.UTF_8));
            assertTrue(direct.toString(StandardCharsets.UTF_8).endsWith("}\n"));
            viaEncoder.release();
            direct.release();
            ch.finishAndReleaseAll();
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Sv1Pipeline.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, 42));
    }

    @Test
    void setDifficultyLinesAreJacksonsBytesForEachDifficulty() {
        double[] ds = {65536.0, 65536.0, 1e-5, 65536.0, 0.001, 1024.5, 1e-300, 3.0e20, 65536.0};
        for (double d : ds) {
            Sv1Message.Request r = Sv1Message.Request.notification("mining.set_difficulty",
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(d));
            ByteBuf out = Sv1Pipeline.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, r);
            assertEquals(Sv1Json.write(r) + "\n", out.toString(StandardCharsets.UTF_8));
            out.release();
        }
        // not the plain shape (an id, an int parameter, two parameters): Jackson's bytes too
        Sv1Message.Request[] others = {
            new Sv1Message.Request(com.fasterxml.jackson.databind.node.IntNode.valueOf(3), "mining.set_difficulty",
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(65536.0)),
            Sv1Message.Request.notification("mining.set_difficulty",
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(8)),
            Sv1Message.Request.notification("mining.set_difficulty",
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(8.0).add(9.0))};
        for (Sv1Message.Request r : others) {
            ByteBuf out = Sv1Pipeline.encode(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT, r);
            assertEquals(Sv1Json.write(r) + "\n", out.toString(StandardCharsets.UTF_8));
            out.release();
        }
    }

    @Test
    void encoderWritesLinesForMessagesAndPreSerializedStrings() {
        Capture c = new Capture();
        EmbeddedChannel ch = channel(c, 1024);
        ch.writeOutbound(Sv1Message.Response.ok(null, com.fasterxml.jackson.databind.node.BooleanNode.TRUE), "{\"x\":1}");
        ByteBuf a = ch.readOutbound();
        ByteBuf b = ch.readOutbound();
        assertEquals("{\"id\":null,\"result\":true,\"error\":null}\n", a.toString(StandardCharsets.UTF_8));
        assertEquals("{\"x\":1}\n", b.toString(StandardCharsets.UTF_8));
        a.release();
        b.release();
        ch.finishAndReleaseAll();
    }
}
