package org.hyperhash.sv2.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.UnknownFrame;

import java.time.Duration;

/**
 * Fuzz target for the plaintext pipeline (FrameDecoder + MessageCodecHandler): arbitrary bytes in
 * arbitrary chunks. Properties: no exception reaches the pipeline, only records / UnknownFrames /
 * typed events come out, and a typed error always closes the channel.
 */
class FrameDecoderFuzzTest {
    private static final Sv2Limits LIMITS = new Sv2Limits(8192, Duration.ofSeconds(5));

    @FuzzTest(maxDuration = "30s")
    void frames(FuzzedDataProvider data) {
        Checker checker = new Checker();
        EmbeddedChannel ch = new EmbeddedChannel(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                Sv2Pipeline.plaintext(c.pipeline(), LIMITS);
                c.pipeline().addLast(checker);
            }
        });
        while (data.remainingBytes() > 0 && ch.isOpen()) {
            int n = data.consumeInt(1, 512);
            ch.writeInbound(Unpooled.wrappedBuffer(data.consumeBytes(n)));
        }
        ch.checkException();
        if (checker.errors > 0 && ch.isOpen()) {
            throw new AssertionError("typed error without close");
        }
        ch.finishAndReleaseAll();
    }

    /** Asserts the shape of everything reaching the application. */
    public static final class Checker extends ChannelInboundHandlerAdapter {
        public int errors;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Sv2Message) && !(msg instanceof UnknownFrame)) {
                ReferenceCountUtil.release(msg);
                throw new AssertionError("unexpected inbound object " + msg.getClass());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Sv2ErrorEvent) {
                errors++;
            } else if (!(evt instanceof NoiseHandshakeEvent)) {
                throw new AssertionError("unexpected event " + evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            throw new AssertionError("exception reached the application", cause);
        }
    }
}
