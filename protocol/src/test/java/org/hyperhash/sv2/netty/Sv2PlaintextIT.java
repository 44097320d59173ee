package org.hyperhash.sv2.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import org.hyperhash.sv2.codec.SampleMessages;
import org.hyperhash.sv2.message.Sv2Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Plaintext pipelines over real loopback sockets (port 0), on the process transport (epoll or NIO). */
class Sv2PlaintextIT {
    private static EventLoopGroup group;

    @BeforeAll
    static void start() {
        group = Sv2Transport.newEventLoopGroup(2, "sv2-plain-it");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Echoes every record back; records events. */
    static final class Echo extends ChannelInboundHandlerAdapter {
        final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg);
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            seen.add("inactive");
        }
    }

    private static Channel bind(Echo app, Sv2Limits limits) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(Sv2Transport.serverChannelClass())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Sv2Pipeline.plaintext(ch.pipeline(), limits);
                        ch.pipeline().addLast(app);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private static Object next(BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.poll(20, TimeUnit.SECONDS);
        assertNotNull(o, "nothing received within 20 s");
        return o;
    }

    @Test
    void everyMessageRoundTripsOverLoopback() throws InterruptedException {
        Echo server = new Echo();
        Channel s = bind(server, Sv2Limits.MINING);
        BlockingQueue<Object> clientSeen = new LinkedBlockingQueue<>();
        Channel c = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Sv2Pipeline.plaintext(ch.pipeline(), Sv2Limits.MINING);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                clientSeen.add(msg);
                            }
                        });
                    }
                }).connect(s.localAddress()).sync().channel();
        try {
            List<Sv2Message> msgs = new ArrayList<>(SampleMessages.all().values());
            msgs.forEach(c::write);
            c.flush();
            assertEquals(NoiseHandshakeEvent.Completed.PLAINTEXT, next(server.seen));
            for (Sv2Message m : msgs) {
                assertEquals(m, next(server.seen));
            }
            for (Sv2Message m : msgs) {
                assertEquals(m, next(clientSeen));
            }
        } finally {
            c.close().sync();
            s.close().sync();
        }
    }

    @Test
    void oversizedFrameFromRawPeerClosesTheConnection() throws InterruptedException {
        Echo server = new Echo();
        Channel s = bind(server, new Sv2Limits(1024, java.time.Duration.ofSeconds(5)));
        BlockingQueue<Object> raw = new LinkedBlockingQueue<>();
        Channel c = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        raw.add("closed");
                    }
                }).connect(s.localAddress()).sync().channel();
        try {
            ByteBuf b = c.alloc().buffer();
            b.writeShortLE(0).writeByte(0x74).writeMediumLE(1_000_000).writeZero(64);
            c.writeAndFlush(b);
            assertEquals(NoiseHandshakeEvent.Completed.PLAINTEXT, next(server.seen));
            Sv2ErrorEvent e = assertInstanceOf(Sv2ErrorEvent.class, next(server.seen));
            assertEquals(Sv2ErrorEvent.Kind.FRAME_TOO_LARGE, e.kind());
            assertEquals("closed", next(raw));
        } finally {
            c.close().sync();
            s.close().sync();
        }
    }
}
