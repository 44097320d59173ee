package org.hyperhash.tp.downstream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.netty.UnknownFrame;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TDP server: Noise responder + SV2 framing from {@link Sv2Pipeline}, one {@link TdpSession}
 * per pool. Fan-out never blocks: the hub hands messages to {@code channel.writeAndFlush} (queued
 * onto the connection's event loop); a connection whose outbound buffer is above the high-water
 * mark is not writable, so the message is dropped, counted and the pool disconnected.
 */
public final class TdpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TdpServer.class);

    private final TemplateHub hub;
    private final TpMetrics metrics;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<Channel> listeners = new ArrayList<>();

    public TdpServer(TemplateHub hub, TpMetrics metrics, int ioThreads) {
        this.hub = hub;
        this.metrics = metrics;
        this.boss = Sv2Transport.newEventLoopGroup(1, "tp-accept");
        this.workers = Sv2Transport.newEventLoopGroup(ioThreads, "tp-io");
    }

    /** Binds every address; returns the bound addresses (port 0 resolved). */
    public List<InetSocketAddress> bind(List<InetSocketAddress> addresses, Secp256k1Provider crypto, ServerIdentity identity,
                                        InstantSource clock, int maxFrameBytes, Duration handshakeTimeout,
                                        int lowWaterMarkBytes, int highWaterMarkBytes) throws InterruptedException {
        Sv2Limits limits = new Sv2Limits(maxFrameBytes, handshakeTimeout);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(Sv2Transport.serverChannelClass())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(lowWaterMarkBytes, highWaterMarkBytes))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Sv2Pipeline.server(ch.pipeline(), crypto, identity, clock, limits);
                        ch.pipeline().addLast("tdp-session", new Handler());
                    }
                });
        List<InetSocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            Channel ch = b.bind(a).sync().channel();
            listeners.add(ch);
            bound.add((InetSocketAddress) ch.localAddress());
        }
        return bound;
    }

    private final class Handler extends SimpleChannelInboundHandler<Sv2Message> {
        private TdpSession session;
        private String closeReason = "closed";

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            Channel ch = ctx.channel();
            String peer = String.valueOf(ch.remoteAddress());
            session = new TdpSession(hub, new TdpSession.Outbound() {
                @Override
                public boolean sendAll(List<Sv2Message> messages, long notifiedNanos) {
                    if (!ch.isActive()) {
                        return true; // closing anyway
                    }
                    if (!ch.isWritable()) {
                        metrics.outboundDropped();
                        return false;
                    }
                    for (int i = 0; i < messages.size(); i++) {
                        Sv2Message m = messages.get(i);
                        boolean last = i == messages.size() - 1;
                        var f = last ? ch.writeAndFlush(m) : ch.write(m);
                        if (m instanceof NewTemplate t) {
                            f.addListener(x -> {
                                if (x.isSuccess()) {
                                    metrics.templateSent(t.futureTemplate());
                                }
                            });
                        } else if (m instanceof SetNewPrevHash) {
                            f.addListener(x -> {
                                if (x.isSuccess()) {
                                    metrics.prevHashSent(notifiedNanos);
                                }
                            });
                        }
                    }
                    return true;
                }

                @Override
                public void close(String reason) {
                    closeReason = reason;
                    ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                }
            }, peer);
            metrics.poolConnected();
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Sv2ErrorEvent) {
                closeReason = "decode-or-handshake-error";
            } else if (evt instanceof NoiseHandshakeEvent.Completed) {
                LOG.debug("Noise handshake with {} complete", ctx.channel().remoteAddress());
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Sv2Message msg) {
            session.onMessage(msg);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof UnknownFrame u) {
                LOG.debug("ignoring unknown frame from {}: {}", ctx.channel().remoteAddress(), u);
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (session != null) {
                session.closed();
            }
            metrics.poolDisconnected();
            metrics.sessionClosed(closeReason);
            LOG.info("pool {} disconnected ({})", ctx.channel().remoteAddress(), closeReason);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("pool {}: {}", ctx.channel().remoteAddress(), cause.toString());
            closeReason = "error";
            ctx.close();
        }
    }

    @Override
    public void close() {
        for (Channel c : listeners) {
            c.close().awaitUninterruptibly(2_000);
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }
}
