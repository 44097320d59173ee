package org.hyperhash.tp.downstream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
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
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The TDP server: Noise responder + SV2 framing from {@link Sv2Pipeline}, one {@link TdpSession}
 * per pool. Fan-out never blocks: the hub hands messages to {@code channel.write} (queued onto
 * the connection's event loop). Each connection's outbound buffer is bounded by its write-buffer
 * high-water mark: a pool that stops reading fills it, the connection turns unwritable, and the
 * next message for it is dropped, counted ({@code hh_tp_outbound_dropped_total}) and the connection
 * closed at once, so other pools are never delayed.
 */
public final class TdpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TdpServer.class);
    /** How long a graceful close (after SetupConnection.Error, protocol errors) may wait for the flush. */
    private static final long CLOSE_FLUSH_MILLIS = 2_000;

    private final TemplateHub hub;
    private final TpMetrics metrics;
    /** Whether the accept and I/O event loops each ran a probe task within the timeout (liveness). */
    public boolean eventLoopsAnswer(java.time.Duration timeout) {
        return org.hyperhash.daemon.EventLoopProbe.allAnswer(timeout, boss, workers);
    }

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<Channel> listeners = new CopyOnWriteArrayList<>();

    public TdpServer(TemplateHub hub, TpMetrics metrics, int ioThreads) {
        this.hub = hub;
        this.metrics = metrics;
        this.boss = Sv2Transport.newEventLoopGroup(1, "tp-accept");
        this.workers = Sv2Transport.newEventLoopGroup(ioThreads, "tp-io");
    }

    /**
     * Binds every address; returns the bound addresses (port 0 resolved).
     *
     * @param outboundBuffer per-connection outbound bound: above {@code high} a pool is too slow and is dropped
     */
    public List<InetSocketAddress> bind(List<InetSocketAddress> addresses, Secp256k1Provider crypto, ServerIdentity identity,
                                        InstantSource clock, Sv2Limits limits, WriteBufferWaterMark outboundBuffer)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(Sv2Transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true) // rebind at once after a restart
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, outboundBuffer)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Sv2Pipeline.server(ch.pipeline(), crypto, identity, clock, limits);
                        ch.pipeline().addLast("tdp-session", new Handler());
                    }
                });
        List<InetSocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            ChannelFuture f = b.bind(a).await();
            if (!f.isSuccess()) {
                throw new java.io.UncheckedIOException(new java.net.BindException("cannot listen for TDP on " + a + ": "
                        + f.cause().getMessage()));
            }
            listeners.add(f.channel());
            bound.add((InetSocketAddress) f.channel().localAddress());
        }
        return bound;
    }

    /** The connection's side of {@link TdpSession.Outbound}; callable from any thread. */
    private final class ChannelOutbound implements TdpSession.Outbound {
        private final Channel ch;
        private final Handler handler;

        ChannelOutbound(Channel ch, Handler handler) {
            this.ch = ch;
            this.handler = handler;
        }

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
                ChannelFuture f = last ? ch.writeAndFlush(m) : ch.write(m);
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
            handler.closeReason = reason;
            if ("slow-consumer".equals(reason)) {
                ch.close(); // its buffer will not drain: waiting for a flush would keep it forever
                return;
            }
            // flush what was queued (e.g. SetupConnection.Error), then close; force it if the peer does not read
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ch.close());
            ch.eventLoop().schedule(() -> {
                ch.close();
            }, CLOSE_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private TdpSession session;
        volatile String closeReason = "closed";

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            Channel ch = ctx.channel();
            session = new TdpSession(hub, new ChannelOutbound(ch, this), String.valueOf(ch.remoteAddress()));
            metrics.poolConnected();
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof Sv2ErrorEvent e) {
                closeReason = e.kind() == Sv2ErrorEvent.Kind.MALFORMED_MESSAGE || e.kind() == Sv2ErrorEvent.Kind.FRAME_TOO_LARGE
                        ? "decode-error" : "handshake-error";
                LOG.info("pool {}: {} ({})", ctx.channel().remoteAddress(), e.kind().label(), e.detail());
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Sv2Message m) {
                session.onMessage(m);
            } else {
                if (msg instanceof UnknownFrame u) {
                    LOG.debug("ignoring unknown frame type 0x{} from {}", Integer.toHexString(u.msgType()),
                            ctx.channel().remoteAddress());
                }
                ReferenceCountUtil.release(msg);
            }
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
