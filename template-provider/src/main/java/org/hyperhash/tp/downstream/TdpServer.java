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

import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import org.hyperhash.daemon.ConnectionGuard;
import org.hyperhash.daemon.LogLimiter;
import org.hyperhash.sv2.message.MessageType;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
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
 *
 * <p>The port is open to unauthenticated clients, so every connection is bounded: admission by the shared
 * {@link ConnectionGuard} (allowlist, total and per-IP caps, bans with expiry), the Noise handshake timeout, a setup
 * timeout (accept to CoinbaseOutputConstraints, which also catches a client that stops after act 1), an idle timeout,
 * per-message-type inbound frame limits ({@link #inboundLimits}), per-session rate limits ({@link TdpSession.Limits}).
 * Protocol errors, bad frames, failed handshakes, timeouts and limits are violations; enough of them ban the IP. Log
 * lines a client can trigger go through {@link LogLimiter}s (one per pattern per 10 s, with a count).
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
    private final TdpSession.Limits sessionLimits;
    private final ConnectionGuard guard;
    private final Duration setupTimeout;
    private final Duration idleTimeout;
    private final LogLimiter connLog = new LogLimiter(LOG, Duration.ofSeconds(10));
    /** nanoTime of the last handshake that failed on our side (crypto provider), and of the last that completed. */
    private final AtomicLong lastInternalFailureNanos = new AtomicLong();
    private final AtomicLong lastHandshakeNanos = new AtomicLong();
    private volatile String lastInternalFailure = "";

    /** With default port limits (tests). */
    public TdpServer(TemplateHub hub, TpMetrics metrics, int ioThreads) {
        this(hub, metrics, ioThreads, new ConnectionGuard(new ConnectionGuard.Limits(256, 16, 5, Duration.ofMinutes(10),
                Duration.ofHours(1), 64, List.of()), InstantSource.system(), ConnectionGuard.Events.NONE),
                TdpSession.Limits.DEFAULT, Duration.ofSeconds(10), Duration.ofHours(2));
    }

    /**
     * @param guard admission, violations and bans
     * @param setupTimeout accept to CoinbaseOutputConstraints
     * @param idleTimeout no traffic either way for this long closes the session (zero = never)
     */
    public TdpServer(TemplateHub hub, TpMetrics metrics, int ioThreads, ConnectionGuard guard, TdpSession.Limits sessionLimits,
                     Duration setupTimeout, Duration idleTimeout) {
        this.hub = hub;
        this.metrics = metrics;
        this.guard = guard;
        this.sessionLimits = sessionLimits;
        this.setupTimeout = setupTimeout;
        this.idleTimeout = idleTimeout;
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
                        InetAddress ip = ch.remoteAddress().getAddress();
                        ConnectionGuard.Admission a = guard.admit(ip);
                        if (a != ConnectionGuard.Admission.OK) {
                            String reason = a.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
                            metrics.connectionRefused(reason);
                            connLog.info("refused-" + reason, "TDP connection from {} refused: {}", ip.getHostAddress(), reason);
                            ch.close();
                            return;
                        }
                        if (!idleTimeout.isZero()) {
                            ch.pipeline().addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
                        }
                        Sv2Pipeline.server(ch.pipeline(), crypto, identity, clock, inboundLimits(limits));
                        ch.pipeline().addLast("tdp-session", new Handler(ip));
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

    private final SharedFrames frames = new SharedFrames();

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
                // templates and tips go to every session: serialized once, shared (SharedFrames)
                Object wire = m instanceof NewTemplate || m instanceof SetNewPrevHash ? frames.wire(m) : m;
                ChannelFuture f = last ? ch.writeAndFlush(wire) : ch.write(wire);
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

    /**
     * The inbound frame limits: {@code base}'s overall cap, and per message type what a TDP client can legitimately
     * send (SubmitSolution gets the overall cap; SetupConnection and unknown types 1 KiB; CoinbaseOutputConstraints
     * 6 bytes; RequestTransactionData 8 bytes). Checked on the frame header, before any payload is buffered.
     */
    public static Sv2Limits inboundLimits(Sv2Limits base) {
        java.util.Map<Integer, Integer> byType = new java.util.HashMap<>();
        for (int t = 0; t < 256; t++) {
            byType.put(t, SMALL_MESSAGE_BYTES);
        }
        byType.put(MessageType.COINBASE_OUTPUT_CONSTRAINTS.msgType(), 6);
        byType.put(MessageType.REQUEST_TRANSACTION_DATA.msgType(), 8);
        byType.remove(MessageType.SUBMIT_SOLUTION.msgType());
        return base.withMaxPayloadByType(byType);
    }

    /** msg_length limit of SetupConnection and of message types a TDP client never sends. */
    static final int SMALL_MESSAGE_BYTES = 1024;

    /**
     * False once a handshake failed on our side (e.g. the JCE provider cannot load after running out of file
     * descriptors) and none completed since: the TP cannot serve new pools.
     */
    public boolean cryptoHealthy() {
        return lastInternalFailureNanos.get() == 0 || lastHandshakeNanos.get() - lastInternalFailureNanos.get() > 0;
    }

    public String lastInternalFailure() {
        return lastInternalFailure;
    }

    private void internalFailure(String detail) {
        lastInternalFailureNanos.set(Math.max(1, System.nanoTime()));
        lastInternalFailure = detail;
    }

    /** The admission guard (connections, bans). */
    public ConnectionGuard guard() {
        return guard;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final InetAddress ip;
        private TdpSession session;
        private ScheduledFuture<?> setupTimer;
        volatile String closeReason = "closed";
        private boolean violated;

        Handler(InetAddress ip) {
            this.ip = ip;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            Channel ch = ctx.channel();
            session = new TdpSession(hub, new ChannelOutbound(ch, this), String.valueOf(ch.remoteAddress()), sessionLimits,
                    InstantSource.system(), metrics);
            metrics.poolConnected();
            setupTimer = ctx.executor().schedule(() -> {
                if (session.state() != TdpSession.State.ACTIVE && session.state() != TdpSession.State.CLOSED) {
                    metrics.sessionLimit("setup-timeout");
                    connLog.info("setup-timeout", "pool {}: no CoinbaseOutputConstraints within {}; closing",
                            ch.remoteAddress(), setupTimeout);
                    closeReason = "setup-timeout";
                    violation();
                    ch.close();
                }
            }, setupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            super.channelActive(ctx);
        }

        /** Counts a violation once per connection; enough of them ban the IP. */
        void violation() {
            if (violated) {
                return;
            }
            violated = true;
            if (guard.violation(ip)) {
                connLog.warn("ban", "TDP client {} banned for {} after {} violations", ip.getHostAddress(),
                        guard.limits().banDuration(), guard.limits().banViolations());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                lastHandshakeNanos.set(System.nanoTime());
            } else if (evt instanceof Sv2ErrorEvent e) {
                closeReason = e.kind() == Sv2ErrorEvent.Kind.MALFORMED_MESSAGE || e.kind() == Sv2ErrorEvent.Kind.FRAME_TOO_LARGE
                        ? "decode-error" : "handshake-error";
                if (e.kind() == Sv2ErrorEvent.Kind.FRAME_TOO_LARGE) {
                    metrics.sessionLimit("frame-size");
                }
                if (e.kind() == Sv2ErrorEvent.Kind.INTERNAL_ERROR) {
                    closeReason = "error";
                    internalFailure(e.detail());
                    connLog.error("internal-" + e.kind().label(), "pool {}: {} ({})", ctx.channel().remoteAddress(),
                            e.kind().label(), e.detail());
                } else {
                    violation();
                    connLog.info(e.kind().label(), "pool {}: {} ({})", ctx.channel().remoteAddress(), e.kind().label(),
                            e.detail());
                }
            } else if (evt instanceof IdleStateEvent) {
                metrics.sessionLimit("idle-timeout");
                closeReason = "idle-timeout";
                connLog.info("idle-timeout", "pool {}: no traffic for {}; closing", ctx.channel().remoteAddress(), idleTimeout);
                ctx.close();
                return;
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
            if (setupTimer != null) {
                setupTimer.cancel(false);
            }
            if (session != null) {
                session.closed();
            }
            guard.release(ip);
            if ("protocol-error".equals(closeReason) || "limit-exceeded".equals(closeReason)
                    || "setup-error".equals(closeReason)) {
                violation();
            }
            metrics.poolDisconnected();
            metrics.sessionClosed(closeReason);
            connLog.info("closed-" + closeReason, "pool {} disconnected ({})", ctx.channel().remoteAddress(), closeReason);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof Error) { // e.g. NoClassDefFoundError javax.crypto.JceSecurity after fd exhaustion
                internalFailure(cause.toString());
            }
            connLog.warn("exception-" + cause.getClass().getSimpleName(), "pool {}: {}", ctx.channel().remoteAddress(),
                    cause.toString());
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
