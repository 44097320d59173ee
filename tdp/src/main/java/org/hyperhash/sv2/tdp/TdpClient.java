package org.hyperhash.sv2.tdp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.Reconnect;
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
import org.hyperhash.sv2.netty.UnknownFrame;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pool-side Template Distribution Protocol client: Noise initiator (the TP's authority key
 * pinned per endpoint), SetupConnection(protocol=2, version 2), CoinbaseOutputConstraints right
 * after Success, then NewTemplate/SetNewPrevHash to the {@link TdpListener}; SubmitSolution and
 * RequestTransactionData towards the TP.
 *
 * <p>Failover: endpoints are tried in configured order through {@link EndpointSelector}
 * (exponential backoff, cooldown, never a permanent ban), reconnecting forever until
 * {@link #close()}. While connected to a less preferred endpoint the client probes the preferred
 * ones whenever their cooldown ends; a probe that completes SetupConnection becomes the active
 * session (make before break, so there is no gap in templates) and the old session is kept open
 * for {@code requestTimeout} so solutions for its templates still reach the TP that issued them.
 * With {@link TdpClientConfig#failback()} off (sticky failover) there are no probes: the client
 * stays on the endpoint that works until its session drops. A reconnect then still walks the list
 * from the top (the most preferred endpoint not cooling down), not from the endpoint after the one
 * that dropped: the configured order stays the operator's statement of preference, and a primary
 * that keeps failing is skipped by its cooldown anyway, so flapping is bounded without a second
 * ordering rule.
 * A Reconnect from the TP (sv2 common message) is followed at once to its new_host:new_port with the same pinned
 * authority key, without back-off or a failure count (see {@link #followReconnect}).
 * All connection state lives on one event loop.
 */
public final class TdpClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TdpClient.class);
    static final int PROTOCOL_TEMPLATE_DISTRIBUTION = 2;
    static final int VERSION = 2;
    /** Template ids remembered to route SubmitSolution/RequestTransactionData to the session that issued them. */
    private static final int TEMPLATE_ORIGINS = 256;

    /** Connection state of the active session, reported by {@link #state()}. */
    public enum State { CONNECTING, HANDSHAKING, SETTING_UP, CONNECTED, WAITING_TO_RECONNECT, CLOSED }

    private final TdpClientConfig config;
    private final TdpListener listener;
    private final Secp256k1Provider crypto;
    private final InstantSource clock;
    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final EventLoop loop;
    private final EndpointSelector selector;
    private final Map<TdpEndpoint, AuthorityPublicKey> pins = new HashMap<>();
    private final Map<Long, PendingRequest> pendingTxData = new HashMap<>();
    private final Map<Long, Session> templateOrigin = new LinkedHashMap<>(TEMPLATE_ORIGINS * 2, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Session> e) {
            return size() > TEMPLATE_ORIGINS;
        }
    };
    private final AtomicLong sessionsEstablished = new AtomicLong();
    private final AtomicLong failbacks = new AtomicLong();
    private final AtomicLong submitsDropped = new AtomicLong();
    private final AtomicLong reconnectsFollowed = new AtomicLong();
    /** Reconnects followed since the last session that lasted {@value #STABLE_SESSION_MILLIS} ms (event loop). */
    private int redirectsInRow;
    static final int MAX_REDIRECTS_IN_ROW = 3;
    static final long STABLE_SESSION_MILLIS = 10_000;
    private volatile State state = State.CONNECTING;
    private volatile Session active;
    private Session probe;
    private ScheduledFuture<?> probeTimer;
    private volatile CoinbaseOutputConstraints constraints;
    private volatile boolean closed;

    private record PendingRequest(Session session, CompletableFuture<TransactionDataResult> future) {
    }

    /**
     * @param groupOrNull event loop group to run on; null = a private one-thread group (closed by {@link #close()})
     * @param listener receives templates on the client's event loop (must not block)
     * @throws IllegalArgumentException when an endpoint's authority key is not valid base58check
     */
    public TdpClient(TdpClientConfig config, Secp256k1Provider crypto, InstantSource clock, EventLoopGroup groupOrNull,
                     TdpListener listener) {
        this.config = Objects.requireNonNull(config, "config");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (TdpEndpoint e : config.endpoints()) {
            if (e.authorityPublicKey() != null) {
                try {
                    pins.put(e, AuthorityPublicKey.fromBase58(e.authorityPublicKey()));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("template provider " + e + ": authority key: " + ex.getMessage(), ex);
                }
            }
        }
        this.constraints = config.constraints();
        this.selector = new EndpointSelector(config.endpoints(), clock, config.initialBackoff(), config.maxBackoff(),
                config.cooldown());
        this.ownGroup = groupOrNull == null;
        this.group = ownGroup ? Sv2Transport.newEventLoopGroup(1, "tdp-client") : groupOrNull;
        this.loop = group.next();
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
        Session s = active;
        return state == State.CONNECTED && s != null ? s.endpoint : null;
    }

    /** Sessions that reached SetupConnection.Success (reconnects and failbacks included). */
    public long sessionsEstablished() {
        return sessionsEstablished.get();
    }

    /** Times a probe of a preferred endpoint succeeded and replaced the session on a less preferred one (always 0 with failback off). */
    public long failbacks() {
        return failbacks.get();
    }

    /** SubmitSolutions that could not be sent (no set-up session). */
    public long submitsDropped() {
        return submitsDropped.get();
    }

    /**
     * Sends SubmitSolution to the TP that issued the template (the active one when unknown); false
     * when no set-up session exists (the caller logs/counts it). Never blocks.
     */
    public boolean submitSolution(SubmitSolution solution) {
        Session s = route(solution.templateId());
        if (s == null) {
            submitsDropped.incrementAndGet();
            return false;
        }
        s.channel.writeAndFlush(solution).addListener(f -> {
            if (!f.isSuccess()) {
                submitsDropped.incrementAndGet();
                LOG.error("SubmitSolution for template {} to {} failed: {}", solution.templateId(), s.endpoint, f.cause().toString());
            }
        });
        LOG.info("SubmitSolution for template {} sent to {}", solution.templateId(), s.endpoint);
        return true;
    }

    private Session route(long templateId) {
        Session origin;
        synchronized (templateOrigin) {
            origin = templateOrigin.get(templateId);
        }
        if (origin != null && origin.usable()) {
            return origin;
        }
        Session a = active;
        return a != null && a.usable() ? a : null;
    }

    /**
     * Sends RequestTransactionData; the future completes on the event loop with Success, Error,
     * or Unavailable (not connected, session dropped, or no answer within {@code requestTimeout}).
     */
    public CompletableFuture<TransactionDataResult> requestTransactionData(long templateId) {
        CompletableFuture<TransactionDataResult> f = new CompletableFuture<>();
        loop.execute(() -> {
            Session s = route(templateId);
            if (s == null) {
                f.complete(new TransactionDataResult.Unavailable(templateId, "not connected"));
                return;
            }
            PendingRequest prev = pendingTxData.put(templateId, new PendingRequest(s, f));
            if (prev != null) {
                prev.future().complete(new TransactionDataResult.Unavailable(templateId, "superseded by a newer request"));
            }
            s.channel.writeAndFlush(new RequestTransactionData(templateId));
            loop.schedule(() -> {
                PendingRequest p = pendingTxData.get(templateId);
                if (p != null && p.future() == f) {
                    pendingTxData.remove(templateId);
                    f.complete(new TransactionDataResult.Unavailable(templateId, "timeout"));
                }
            }, config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        });
        return f;
    }

    /** Changes the coinbase reservation; re-sent at once when connected (the TP answers with a fresh template). */
    public void updateConstraints(CoinbaseOutputConstraints c) {
        constraints = Objects.requireNonNull(c, "constraints");
        loop.execute(() -> {
            for (Session s : new Session[] {active, probe}) {
                if (s != null && s.usable()) {
                    s.channel.writeAndFlush(c);
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------
    // connection management (event loop only)

    private void connectNext() {
        if (closed) {
            return;
        }
        // from the top of the list, failback on or off (see the class comment)
        TdpEndpoint e = selector.next();
        state = State.CONNECTING;
        active = open(e, false);
    }

    private Session open(TdpEndpoint e, boolean isProbe) {
        return open(e, isProbe, pins.get(e));
    }

    private Session open(TdpEndpoint e, boolean isProbe, AuthorityPublicKey pinned) {
        Session s = new Session(e, isProbe, pinned);
        int maxFrame = Math.min(config.maxFrameBytes() + 6, Sv2Limits.MAX_POSSIBLE_FRAME_BYTES);
        Sv2Limits limits = new Sv2Limits(maxFrame, config.handshakeTimeout());
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(Sv2Transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Sv2Pipeline.client(ch.pipeline(), crypto, pinned, clock, limits);
                        ch.pipeline().addLast("tdp-client", s.handler);
                    }
                });
        ChannelFuture cf = b.connect(e.host(), e.port());
        s.channel = cf.channel();
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                s.reason = "connect failed: " + f.cause().getMessage();
                ended(s);
            } else {
                if (s == active) {
                    state = State.HANDSHAKING;
                }
                s.setupTimer = loop.schedule(() -> {
                    if (!s.setUp) {
                        s.reason = "no SetupConnection.Success within " + config.handshakeTimeout().toMillis() + " ms";
                        s.channel.close();
                    }
                }, config.handshakeTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
                cf.channel().closeFuture().addListener(x -> ended(s));
            }
        });
        return s;
    }

    /** A session's channel is gone (or never connected). Runs once per session. */
    private void ended(Session s) {
        if (s.ended) {
            return;
        }
        s.ended = true;
        if (s.setupTimer != null) {
            s.setupTimer.cancel(false);
        }
        List<Long> orphaned = new ArrayList<>();
        pendingTxData.forEach((id, p) -> {
            if (p.session() == s) {
                orphaned.add(id);
            }
        });
        for (Long id : orphaned) {
            pendingTxData.remove(id).future().complete(new TransactionDataResult.Unavailable(id, "session closed"));
        }
        String reason = s.reason != null ? s.reason : s.setUp ? "closed by peer" : "closed during setup";
        if (s == probe) {
            probe = null;
            if (!closed) {
                selector.probeFailed(s.endpoint);
                LOG.info("preferred template provider {} still unavailable ({}); staying on {}", s.endpoint, reason,
                        active == null ? "none" : active.endpoint);
                scheduleProbe();
            }
            return;
        }
        if (s != active) {
            return; // a session we switched away from
        }
        active = null;
        cancelProbe();
        if (closed) {
            state = State.CLOSED;
            return;
        }
        selector.failed(s.endpoint);
        Duration delay = selector.delayBeforeNextAttempt();
        state = State.WAITING_TO_RECONNECT;
        LOG.warn("template provider {}: {}; next attempt in {} ms", s.endpoint, reason, delay.toMillis());
        if (s.setUp) {
            notifyDisconnected(s.endpoint, reason);
        } else if (selector.consecutiveFailures() == 1 || selector.consecutiveFailures() % selector.endpoints().size() == 0) {
            notifyDisconnected(s.endpoint, reason); // not every attempt of a long outage
        }
        loop.schedule(this::connectNext, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void notifyDisconnected(TdpEndpoint e, String reason) {
        try {
            listener.onDisconnected(e, reason);
        } catch (RuntimeException ex) {
            LOG.error("TdpListener.onDisconnected failed", ex);
        }
    }

    private void established(Session s, SetupConnectionSuccess ok) {
        s.setUp = true;
        s.setUpAtMillis = clock.millis();
        if (s.setupTimer != null) {
            s.setupTimer.cancel(false);
        }
        s.channel.writeAndFlush(constraints);
        sessionsEstablished.incrementAndGet();
        selector.succeeded(s.endpoint);
        if (s == probe) {
            Session old = active;
            probe = null;
            active = s;
            failbacks.incrementAndGet();
            LOG.info("template provider {} is back: switching from {} (kept open {} ms for late solutions)", s.endpoint,
                    old == null ? "none" : old.endpoint, config.requestTimeout().toMillis());
            if (old != null) {
                loop.schedule(() -> {
                    old.reason = "replaced by preferred provider " + s.endpoint;
                    old.channel.close();
                }, config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        state = State.CONNECTED;
        LOG.info("connected to template provider {} (version {})", s.endpoint, ok.usedVersion());
        try {
            listener.onConnected(s.endpoint);
        } catch (RuntimeException ex) {
            LOG.error("TdpListener.onConnected failed", ex);
        }
        scheduleProbe();
    }

    /**
     * While on a less preferred endpoint: probe the preferred ones when their cooldown ends. Never
     * with failback off (sticky failover): the session stays where it is until it drops.
     */
    private void scheduleProbe() {
        cancelProbe();
        Session a = active;
        if (!config.failback() || closed || a == null || !a.setUp || probe != null) {
            return;
        }
        Duration wait = selector.untilPreferredAvailable(a.endpoint);
        if (wait == null) {
            return;
        }
        long ms = Math.max(wait.toMillis(), config.initialBackoff().toMillis());
        probeTimer = loop.schedule(this::probe, ms, TimeUnit.MILLISECONDS);
    }

    private void cancelProbe() {
        if (probeTimer != null) {
            probeTimer.cancel(false);
            probeTimer = null;
        }
    }

    private void probe() {
        probeTimer = null;
        Session a = active;
        if (!config.failback() || closed || a == null || !a.setUp || probe != null) {
            return;
        }
        TdpEndpoint preferred = selector.preferredOver(a.endpoint);
        if (preferred == null) {
            scheduleProbe();
            return;
        }
        LOG.debug("probing preferred template provider {}", preferred);
        probe = open(preferred, true);
    }

    /**
     * The TP sent Reconnect (sv2 common message 0x04): follow it at once to new_host:new_port (empty host / port 0 =
     * the same), keeping the pinned authority key (same TP operator only), without back-off or a failure count. A TP
     * that keeps redirecting without a stable session ({@value #MAX_REDIRECTS_IN_ROW} in a row, each session shorter
     * than {@value #STABLE_SESSION_MILLIS} ms) is treated as failing (back-off, next endpoint).
     */
    private void followReconnect(Session s, Reconnect rc) {
        TdpEndpoint target = new TdpEndpoint(rc.newHost().isEmpty() ? s.endpoint.host() : rc.newHost(),
                rc.newPort() == 0 ? s.endpoint.port() : rc.newPort(), s.endpoint.authorityPublicKey());
        if (s != active || closed) {
            s.reason = "asked to reconnect to " + target.address() + " (not the active session)";
            s.channel.close();
            return;
        }
        long now = clock.millis();
        if (now - s.setUpAtMillis >= STABLE_SESSION_MILLIS) {
            redirectsInRow = 0;
        }
        if (++redirectsInRow > MAX_REDIRECTS_IN_ROW) {
            redirectsInRow = 0;
            s.reason = "too many Reconnect requests without a stable session";
            LOG.warn("template provider {}: {}; backing off", s.endpoint, s.reason);
            s.channel.close(); // ended(): a failure with back-off
            return;
        }
        reconnectsFollowed.incrementAndGet();
        LOG.info("template provider {} asked to reconnect to {}: following", s.endpoint, target.address());
        s.reason = "template provider asked to reconnect to " + target.address();
        cancelProbe();
        state = State.CONNECTING;
        active = open(target, false, s.pin);
        notifyDisconnected(s.endpoint, s.reason);
        s.channel.close(); // ended(s): no longer the active session, nothing more to do
    }

    /** Reconnect requests from a TP that were followed. */
    public long reconnectsFollowed() {
        return reconnectsFollowed.get();
    }

    private void recordOrigin(long templateId, Session s) {
        synchronized (templateOrigin) {
            templateOrigin.put(templateId, s);
        }
    }

    /** One TCP connection to one endpoint. */
    private final class Session {
        final TdpEndpoint endpoint;
        final boolean isProbe;
        final AuthorityPublicKey pin;
        final Handler handler = new Handler(this);
        long setUpAtMillis;
        volatile Channel channel;
        volatile boolean setUp;
        boolean ended;
        String reason;
        ScheduledFuture<?> setupTimer;

        Session(TdpEndpoint endpoint, boolean isProbe, AuthorityPublicKey pin) {
            this.endpoint = endpoint;
            this.isProbe = isProbe;
            this.pin = pin;
        }

        boolean usable() {
            Channel c = channel;
            return setUp && c != null && c.isActive();
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final Session s;

        Handler(Session s) {
            this.s = s;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                if (s == active) {
                    state = State.SETTING_UP;
                }
                TdpEndpoint e = s.endpoint;
                ctx.writeAndFlush(new SetupConnection(PROTOCOL_TEMPLATE_DISTRIBUTION, VERSION, VERSION, 0,
                        e.host().length() > 255 ? "" : e.host(), e.port(), config.vendor(), config.hardwareVersion(),
                        config.firmware(), config.deviceId()));
            } else if (evt instanceof Sv2ErrorEvent err) {
                s.reason = err.kind().label() + ": " + err.detail();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Sv2Message m)) {
                if (msg instanceof UnknownFrame u) {
                    LOG.debug("template provider {} sent an unknown frame type 0x{} (ignored)", s.endpoint,
                            Integer.toHexString(u.msgType()));
                }
                ReferenceCountUtil.release(msg);
                return;
            }
            switch (m) {
                case SetupConnectionSuccess ok -> {
                    if (s.setUp) {
                        violation(ctx, "a second SetupConnection.Success");
                    } else if (ok.usedVersion() != VERSION) {
                        violation(ctx, "SetupConnection.Success with version " + ok.usedVersion());
                    } else {
                        established(s, ok);
                    }
                }
                case SetupConnectionError e -> {
                    s.reason = "SetupConnection.Error " + e.errorCode();
                    ctx.close();
                }
                case NewTemplate t -> {
                    if (!s.setUp) {
                        violation(ctx, "NewTemplate before SetupConnection.Success");
                    } else if (s == active) {
                        recordOrigin(t.templateId(), s);
                        try {
                            listener.onNewTemplate(t);
                        } catch (RuntimeException ex) {
                            LOG.error("TdpListener.onNewTemplate failed", ex);
                        }
                    }
                }
                case SetNewPrevHash p -> {
                    if (!s.setUp) {
                        violation(ctx, "SetNewPrevHash before SetupConnection.Success");
                    } else if (s == active) {
                        try {
                            listener.onSetNewPrevHash(p);
                        } catch (RuntimeException ex) {
                            LOG.error("TdpListener.onSetNewPrevHash failed", ex);
                        }
                    }
                }
                case Reconnect rc -> {
                    if (!s.setUp) {
                        violation(ctx, "Reconnect before SetupConnection.Success");
                    } else {
                        followReconnect(s, rc);
                    }
                }
                case RequestTransactionDataSuccess ok -> complete(ok.templateId(),
                        new TransactionDataResult.Success(ok.templateId(), ok.excessData(), ok.transactionList()));
                case RequestTransactionDataError e -> complete(e.templateId(),
                        new TransactionDataResult.Error(e.templateId(), e.errorCode()));
                default -> violation(ctx, "unexpected " + m.type() + " on a template distribution connection");
            }
        }

        private void complete(long templateId, TransactionDataResult r) {
            PendingRequest p = pendingTxData.get(templateId);
            if (p != null && p.session() == s) {
                pendingTxData.remove(templateId);
                p.future().complete(r);
            }
        }

        private void violation(ChannelHandlerContext ctx, String what) {
            s.reason = "protocol violation: " + what;
            LOG.warn("template provider {}: {}; closing", s.endpoint, what);
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            s.reason = "error: " + cause;
            ctx.close();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Runnable shut = () -> {
            cancelProbe();
            for (Session s : new Session[] {probe, active}) {
                if (s != null && s.channel != null) {
                    s.reason = "client closed";
                    s.channel.close();
                }
            }
            state = State.CLOSED;
        };
        if (loop.inEventLoop()) {
            shut.run();
            return;
        }
        try {
            loop.submit(shut).awaitUninterruptibly(2_000);
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // loop already shut down
        }
        state = State.CLOSED;
        if (ownGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
    }
}
