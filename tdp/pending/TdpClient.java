package org.hyperhash.sv2.tdp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.RequestTransactionData;
import org.hyperhash.sv2.message.template.RequestTransactionDataError;
import org.hyperhash.sv2.message.template.RequestTransactionDataSuccess;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The pool-side Template Distribution Protocol client: Noise initiator (the TP's authority key
 * pinned per endpoint), SetupConnection(protocol=2, version 2), CoinbaseOutputConstraints right
 * after Success, then NewTemplate/SetNewPrevHash to the {@link TdpListener}; SubmitSolution and
 * RequestTransactionData towards the TP. Fails over across {@link TdpClientConfig#endpoints()}
 * with {@link EndpointSelector} (exponential backoff, cooldown, never a permanent ban) and
 * reconnects forever until {@link #close()}. All connection state lives on one event loop.
 */
public final class TdpClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TdpClient.class);

    /** Connection state reported by {@link #state()}. */
    public enum State { CONNECTING, HANDSHAKING, SETTING_UP, CONNECTED, WAITING_TO_RECONNECT, CLOSED }

    private final TdpClientConfig config;
    private final TdpListener listener;
    private final Secp256k1Provider crypto;
    private final InstantSource clock;
    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final io.netty.channel.EventLoop loop;
    private final EndpointSelector selector;
    private final Map<Long, CompletableFuture<TransactionDataResult>> pendingTxData = new HashMap<>();
    private volatile State state = State.CONNECTING;
    private volatile TdpEndpoint current;
    private volatile Channel channel;
    private volatile CoinbaseOutputConstraints constraints;
    private volatile boolean closed;

    public TdpClient(TdpClientConfig config, Secp256k1Provider crypto, InstantSource clock, EventLoopGroup groupOrNull,
                     TdpListener listener) {
        this.config = config;
        this.listener = listener;
        this.crypto = crypto;
        this.clock = clock;
        this.ownGroup = groupOrNull == null;
        this.group = ownGroup ? Sv2Transport.newEventLoopGroup(1, "tdp-client") : groupOrNull;
        this.loop = group.next();
        this.constraints = config.constraints();
        this.selector = new EndpointSelector(config.endpoints(), clock, config.initialBackoff(), config.maxBackoff(),
                config.cooldown());
        for (TdpEndpoint e : config.endpoints()) {
            if (e.authorityPublicKey() != null) {
                AuthorityPublicKey.fromBase58(e.authorityPublicKey()); // fail fast on a bad key, naming the problem
            }
        }
    }

    /** Starts connecting (returns at once). */
    public void start() {
        loop.execute(this::connectNext);
    }

    public State state() {
        return state;
    }

    /** The endpoint of the established session, or null. */
    public TdpEndpoint connectedEndpoint() {
        return state == State.CONNECTED ? current : null;
    }

    /** Sends SubmitSolution on the current session; false when not connected (the caller logs/counts it). */
    public boolean submitSolution(SubmitSolution solution) {
        Channel ch = channel;
        if (state != State.CONNECTED || ch == null) {
            return false;
        }
        ch.writeAndFlush(solution);
        return true;
    }

    /**
     * Sends RequestTransactionData; the future completes on the event loop with Success, Error,
     * or Unavailable (not connected, session dropped, or no answer within {@code requestTimeout}).
     */
    public CompletableFuture<TransactionDataResult> requestTransactionData(long templateId) {
        CompletableFuture<TransactionDataResult> f = new CompletableFuture<>();
        loop.execute(() -> {
            Channel ch = channel;
            if (state != State.CONNECTED || ch == null) {
                f.complete(new TransactionDataResult.Unavailable(templateId, "not connected"));
                return;
            }
            CompletableFuture<TransactionDataResult> prev = pendingTxData.put(templateId, f);
            if (prev != null) {
                prev.complete(new TransactionDataResult.Unavailable(templateId, "superseded by a newer request"));
            }
            ch.writeAndFlush(new RequestTransactionData(templateId));
            loop.schedule(() -> {
                if (pendingTxData.remove(templateId, f)) {
                    f.complete(new TransactionDataResult.Unavailable(templateId, "timeout"));
                }
            }, config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        });
        return f;
    }

    /** Changes the coinbase reservation; re-sent at once when connected (the TP answers with a fresh template). */
    public void updateConstraints(CoinbaseOutputConstraints c) {
        constraints = c;
        Channel ch = channel;
        if (state == State.CONNECTED && ch != null) {
            ch.writeAndFlush(c);
        }
    }

    private void connectNext() {
        if (closed) {
            return;
        }
        TdpEndpoint e = selector.next();
        current = e;
        state = State.CONNECTING;
        AuthorityPublicKey pinned = e.authorityPublicKey() == null ? null : AuthorityPublicKey.fromBase58(e.authorityPublicKey());
        Sv2Limits limits = new Sv2Limits(config.maxFrameBytes(), config.handshakeTimeout());
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Sv2Transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Sv2Pipeline.client(ch.pipeline(), crypto, pinned, clock, limits);
                        ch.pipeline().addLast("tdp-client", new Handler(e));
                    }
                });
        ChannelFuture cf = b.connect(e.host(), e.port());
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                failed(e, "connect failed: " + f.cause());
            } else {
                state = State.HANDSHAKING;
                channel = cf.channel();
                cf.channel().closeFuture().addListener(x -> onClosed(e));
            }
        });
    }

    private String pendingReason;

    private void onClosed(TdpEndpoint e) {
        channel = null;
        for (CompletableFuture<TransactionDataResult> f : pendingTxData.values()) {
            f.complete(new TransactionDataResult.Unavailable(-1, "session closed"));
        }
        pendingTxData.clear();
        boolean wasConnected = state == State.CONNECTED;
        failed(e, pendingReason != null ? pendingReason : wasConnected ? "closed by peer" : "closed during setup");
        pendingReason = null;
    }

    private void failed(TdpEndpoint e, String reason) {
        if (closed) {
            state = State.CLOSED;
            return;
        }
        selector.failed(e);
        Duration delay = selector.delayBeforeNextAttempt();
        state = State.WAITING_TO_RECONNECT;
        LOG.warn("template provider {}: {}; next attempt in {} ms", e, reason, delay.toMillis());
        try {
            listener.onDisconnected(e, reason);
        } catch (RuntimeException ex) {
            LOG.error("TdpListener.onDisconnected failed", ex);
        }
        loop.schedule(this::connectNext, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private final class Handler extends SimpleChannelInboundHandler<Sv2Message> {
        private final TdpEndpoint endpoint;

        Handler(TdpEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                state = State.SETTING_UP;
                ctx.writeAndFlush(new SetupConnection(2, 2, 2, 0, endpoint.host(), endpoint.port(), config.vendor(),
                        config.hardwareVersion(), config.firmware(), config.deviceId()));
            } else if (evt instanceof Sv2ErrorEvent err) {
                pendingReason = "protocol/handshake error: " + err;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Sv2Message m) {
            switch (m) {
                case SetupConnectionSuccess s -> {
                    if (state != State.SETTING_UP) {
                        violation(ctx, "unexpected SetupConnection.Success");
                        return;
                    }
                    ctx.writeAndFlush(constraints);
                    state = State.CONNECTED;
                    selector.succeeded(endpoint);
                    LOG.info("connected to template provider {} (version {})", endpoint, s.usedVersion());
                    listener.onConnected(endpoint);
                }
                case SetupConnectionError e -> {
                    pendingReason = "SetupConnection.Error " + e.errorCode();
                    ctx.close();
                }
                case NewTemplate t -> {
                    if (state == State.CONNECTED) {
                        listener.onNewTemplate(t);
                    } else {
                        violation(ctx, "NewTemplate before setup");
                    }
                }
                case SetNewPrevHash p -> {
                    if (state == State.CONNECTED) {
                        listener.onSetNewPrevHash(p);
                    } else {
                        violation(ctx, "SetNewPrevHash before setup");
                    }
                }
                case RequestTransactionDataSuccess s -> complete(s.templateId(),
                        new TransactionDataResult.Success(s.templateId(), s.excessData(), s.transactionList()));
                case RequestTransactionDataError e -> complete(e.templateId(),
                        new TransactionDataResult.Error(e.templateId(), e.errorCode()));
                default -> LOG.debug("template provider {} sent {} (ignored)", endpoint, m.type());
            }
        }

        private void complete(long templateId, TransactionDataResult r) {
            CompletableFuture<TransactionDataResult> f = pendingTxData.remove(templateId);
            if (f != null) {
                f.complete(r);
            }
        }

        private void violation(ChannelHandlerContext ctx, String what) {
            pendingReason = "protocol violation: " + what;
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            pendingReason = "error: " + cause;
            ctx.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(2_000);
        }
        state = State.CLOSED;
        if (ownGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
    }
}
