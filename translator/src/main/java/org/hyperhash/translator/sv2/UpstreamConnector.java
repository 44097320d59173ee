package org.hyperhash.translator.sv2;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.Reconnect;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.translator.TranslatorMetrics;
import org.hyperhash.translator.bridge.Bridge;
import org.hyperhash.translator.bridge.UpstreamLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one SV2 upstream session alive over a prioritised pool list: connect, SetupConnection
 * (mining, version 2, REQUIRES_VERSION_ROLLING), hand the session to the {@link Bridge}; on loss,
 * fail over with back-off ({@link PoolSelector}); while on a backup, probe the primary after its
 * cooldown and switch back once it accepts a connection. Every callback runs on the bridge loop.
 */
public final class UpstreamConnector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamConnector.class);
    /** SetupConnection flag (mining, client): REQUIRES_VERSION_ROLLING. */
    static final int REQUIRES_VERSION_ROLLING = 1 << 2;
    /** A session that lived this long resets its pool's back-off when it ends. */
    static final long STABLE_SESSION_MILLIS = 30_000;
    /** Pool-requested Reconnects followed at once in a row (without a stable session); more count as failures. */
    static final int MAX_REDIRECTS_IN_ROW = 3;

    /** Installs the SV2 handlers for a pool (Noise with the pinned key, or plaintext). */
    @FunctionalInterface
    public interface PipelineInstaller {
        void install(ChannelPipeline p, PoolEndpoint pool);
    }

    private final List<PoolEndpoint> pools;
    private final PoolSelector selector;
    private final EventLoop loop;
    private final Bridge bridge;
    private final TranslatorMetrics metrics;
    private final PipelineInstaller installer;
    private final InstantSource clock;
    private final Duration connectTimeout;
    private final String firmware;
    private Session current;
    private Session probe;
    private Session connecting;
    /**
     * per-miner mode: more connections to {@code current}'s endpoint (the bridge asks for one when its channels
     * exceed {@code upstream.channels-per-connection}); bounded by the bridge, which asks for one at a time and only
     * when all are full. They follow {@code current}: closed when it is lost or replaced, so a failover or Reconnect
     * re-opens them at the new pool as the bridge re-opens its channels.
     */
    private final List<Session> extras = new ArrayList<>();
    private Session extraConnecting;
    private int lastActiveIndex = -1;
    private ScheduledFuture<?> retry;
    private ScheduledFuture<?> probeTimer;
    private volatile boolean closed;
    /** Last failure per pool, for /v1/status (bridge loop only; no key material). */
    private final String[] lastError;
    private final int[] redirectsInRow;
    /**
     * Where a pool's Reconnect pointed (null: its configured endpoint). Retries go there too, so one failed connect
     * right after a Reconnect does not send the miners back to the endpoint that asked them to leave; after
     * {@link #MAX_REDIRECT_FAILURES} failed attempts in a row the configured endpoint is tried again.
     */
    private final PoolEndpoint[] redirect;
    private final int[] redirectFailures;
    static final int MAX_REDIRECT_FAILURES = 3;

    public UpstreamConnector(List<PoolEndpoint> pools, PoolSelector selector, EventLoop bridgeLoop, Bridge bridge,
            TranslatorMetrics metrics, PipelineInstaller installer, InstantSource clock, Duration connectTimeout,
            String firmware) {
        this.pools = List.copyOf(pools);
        this.selector = selector;
        this.loop = bridgeLoop;
        this.bridge = bridge;
        this.metrics = metrics;
        this.installer = installer;
        this.clock = clock;
        this.connectTimeout = connectTimeout;
        this.firmware = firmware;
        this.lastError = new String[this.pools.size()];
        this.redirectsInRow = new int[this.pools.size()];
        this.redirect = new PoolEndpoint[this.pools.size()];
        this.redirectFailures = new int[this.pools.size()];
    }

    /** Starts connecting (asynchronously, on the bridge loop). */
    public void start() {
        loop.execute(this::scheduleNext);
        probeTimer = loop.scheduleAtFixedRate(this::maybeProbe, 1, 1, TimeUnit.SECONDS);
    }

    private void scheduleNext() {
        if (closed || current != null || connecting != null || (retry != null && !retry.isDone())) {
            return;
        }
        PoolSelector.Choice c = selector.next(clock.millis());
        retry = loop.schedule(() -> {
            retry = null;
            if (!closed && current == null && connecting == null) {
                connecting = attempt(c.index(), false);
            }
        }, Math.max(0, c.delayMillis()), TimeUnit.MILLISECONDS);
    }

    private void maybeProbe() {
        if (closed || current == null || probe != null) {
            return;
        }
        int p = selector.probeCandidate(current.index, clock.millis());
        if (p >= 0) {
            LOG.info("probing higher-priority pool {}", pools.get(p).name());
            probe = attempt(p, true);
        }
    }

    private Session attempt(int index, boolean isProbe) {
        return attempt(index, isProbe, redirect[index] != null ? redirect[index] : pools.get(index));
    }

    /** @param pool the configured endpoint of {@code index}, or where that pool redirected us (same authority key) */
    private Session attempt(int index, boolean isProbe, PoolEndpoint pool) {
        return attempt(index, isProbe, pool, false);
    }

    private Session attempt(int index, boolean isProbe, PoolEndpoint pool, boolean extra) {
        Session s = new Session(index, pool, isProbe, extra);
        Bootstrap b = new Bootstrap().group(loop).channel(Sv2Transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        installer.install(ch.pipeline(), pool);
                        ch.pipeline().addLast("translator-upstream", s);
                    }
                });
        b.connect(pool.host(), pool.port()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                String why = f.cause() == null ? "?" : f.cause().getMessage();
                LOG.warn("cannot connect to pool {}: {}", pool.name(), why);
                lastError[index] = "connect: " + why;
                sessionFailed(s);
            } else {
                s.channel = f.channel();
            }
        });
        // SetupConnection.Success must arrive within twice the connect timeout (plaintext links have no handshake timer)
        loop.schedule(() -> {
            if (!s.ready && !s.failed && s.channel != null) {
                LOG.warn("pool {}: no SetupConnection.Success in time", pool.name());
                lastError[index] = "no SetupConnection.Success in time";
                s.channel.close();
            }
        }, connectTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        return s;
    }

    private void sessionFailed(Session s) {
        if (s.failed) {
            return;
        }
        s.failed = true;
        metrics.connectFailure();
        if (s.extra) {
            // an extra connection's failure says nothing new about the pool: the primary's fate drives failover
            if (s == extraConnecting) {
                extraConnecting = null;
                bridge.onSiblingFailed();
            } else if (extras.remove(s)) {
                bridge.onUpstreamDown(s);
            }
            return;
        }
        if (s.ready && clock.millis() - s.readyAtMillis >= STABLE_SESSION_MILLIS) {
            selector.onConnected(s.index, clock.millis()); // a long session resets the back-off
        }
        if (!s.ready && s.pool.equals(redirect[s.index]) && ++redirectFailures[s.index] >= MAX_REDIRECT_FAILURES) {
            LOG.warn("pool {}: {} attempts at {}:{} (where its Reconnect pointed) failed; back to the configured endpoint",
                    s.pool.name(), redirectFailures[s.index], s.pool.host(), s.pool.port());
            redirect[s.index] = null;
            redirectFailures[s.index] = 0;
        }
        selector.onFailure(s.index, clock.millis());
        if (s == probe) {
            probe = null;
            return;
        }
        if (s == connecting) {
            connecting = null;
        }
        if (s == current) {
            current = null;
            closeExtras("primary upstream connection lost");
            bridge.onUpstreamDown(s);
            LOG.warn("lost upstream pool {}", s.pool.name());
        }
        scheduleNext();
    }

    /**
     * The pool sent Reconnect: follow it at once to new_host:new_port (empty host = same endpoint), keeping the
     * pinned authority key; no back-off unless the pool keeps redirecting without a stable session.
     */
    /**
     * Where a Reconnect points (spec 4.1: an empty new_host is the same host, a zero new_port the same port; the two
     * are independent, so an empty host with a port is this host on that port). The pinned key stays.
     */
    static PoolEndpoint reconnectTarget(PoolEndpoint current, String name, Reconnect rc) {
        if (rc.newHost().isEmpty() && rc.newPort() == 0) {
            return current;
        }
        return new PoolEndpoint(name, rc.newHost().isEmpty() ? current.host() : rc.newHost(),
                rc.newPort() == 0 ? current.port() : rc.newPort(), current.authorityKey());
    }

    private void poolRequestedReconnect(Session s, Reconnect rc) {
        if (s.extra) {
            // a Reconnect on any connection moves them all: follow it with the primary; the extras re-open there
            if (extras.contains(s) && current != null) {
                poolRequestedReconnect(current, rc);
            } else {
                s.retired = true;
                s.close("pool asked to reconnect");
            }
            return;
        }
        PoolEndpoint target = reconnectTarget(s.pool, pools.get(s.index).name(), rc);
        LOG.info("pool {} asked to reconnect to {}:{}", s.pool.name(), target.host(), target.port());
        if (s != current) {
            s.retired = true;
            s.close("pool asked to reconnect");
            if (s == probe) {
                probe = null;
            }
            return;
        }
        long now = clock.millis();
        if (now - s.readyAtMillis >= STABLE_SESSION_MILLIS) {
            redirectsInRow[s.index] = 0;
        }
        if (++redirectsInRow[s.index] > MAX_REDIRECTS_IN_ROW) {
            lastError[s.index] = "too many Reconnect requests in a row";
            LOG.warn("pool {}: {} Reconnects without a stable session; backing off", s.pool.name(), redirectsInRow[s.index]);
            redirectsInRow[s.index] = 0;
            s.close("too many Reconnect requests"); // channelInactive: a failure with back-off
            return;
        }
        metrics.poolReconnect();
        redirect[s.index] = target.equals(pools.get(s.index)) ? null : target;
        redirectFailures[s.index] = 0;
        s.retired = true;
        current = null;
        closeExtras("pool asked to reconnect");
        bridge.onUpstreamDown(s);
        s.close("pool asked to reconnect");
        if (!closed && connecting == null) {
            if (retry != null) {
                retry.cancel(false);
                retry = null;
            }
            connecting = attempt(s.index, false, target);
        }
    }

    /** Closes the extra connections (they follow the primary, which is gone or replaced). */
    private void closeExtras(String reason) {
        List<Session> all = new ArrayList<>(extras);
        if (extraConnecting != null) {
            all.add(extraConnecting);
            extraConnecting = null;
        }
        extras.clear();
        for (Session e : all) {
            e.retired = true;
            e.close(reason);
        }
    }

    /** The bridge asks for one more connection to the pool of {@code s} (which must be the primary). */
    private boolean openExtra(Session s) {
        if (closed || s != current || extraConnecting != null) {
            return false;
        }
        extraConnecting = attempt(s.index, false, s.pool, true);
        return true;
    }

    private void sessionReady(Session s) {
        s.readyAtMillis = clock.millis();
        if (s.extra) {
            if (s == extraConnecting && current != null && current.pool.equals(s.pool)) {
                extraConnecting = null;
                extras.add(s);
                bridge.onSiblingUp(s);
            } else {
                s.retired = true;
                s.close("primary upstream connection changed");
            }
            return;
        }
        Session old = current;
        if (s.pool.equals(redirect[s.index])) {
            redirectFailures[s.index] = 0;
        }
        if (s == probe) {
            probe = null;
        }
        if (s == connecting) {
            connecting = null;
        }
        current = s;
        if (lastActiveIndex >= 0 && lastActiveIndex != s.index) {
            metrics.failover();
            LOG.info("upstream switched from pool {} to {}", pools.get(lastActiveIndex).name(), s.pool.name());
        }
        lastActiveIndex = s.index;
        if (old != null && old != s) {
            closeExtras("switched to higher-priority pool");
        }
        bridge.onUpstreamUp(s);
        if (old != null && old != s) {
            old.retired = true;
            old.close("switched to higher-priority pool");
        }
    }

    /** Name of the connected pool, or null. */
    public String currentPool() {
        Session c = current;
        return c == null ? null : c.pool.name();
    }

    /** Per-pool failure counts (status). */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < pools.size(); i++) {
            PoolEndpoint p = pools.get(i);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("priority", i);
            e.put("encrypted", p.encrypted());
            e.put("authority_key", p.encrypted() ? p.authorityKey() : null);
            e.put("consecutive_failures", selector.failures(i));
            e.put("last_error", lastError[i]);
            e.put("redirected_to", redirect[i] == null ? null : redirect[i].host() + ":" + redirect[i].port());
            e.put("connected", current != null && current.index == i);
            e.put("connections", current != null && current.index == i ? 1 + extras.size() : 0);
            m.put(p.name(), e);
        }
        return m;
    }

    @Override
    public void close() {
        closed = true;
        loop.execute(() -> {
            if (retry != null) {
                retry.cancel(false);
            }
            if (probeTimer != null) {
                probeTimer.cancel(false);
            }
            closeExtras("shutdown");
            for (Session s : new Session[] {current, probe, connecting}) {
                if (s != null) {
                    s.retired = true;
                    s.close("shutdown");
                }
            }
        });
    }

    /** One upstream connection attempt (Netty handler + the bridge's link). */
    private final class Session extends ChannelInboundHandlerAdapter implements UpstreamLink {
        final int index;
        final PoolEndpoint pool;
        final boolean isProbe;
        /** An extra connection beside {@code current} (per-miner mode). */
        final boolean extra;
        Channel channel;
        boolean ready;
        boolean failed;
        boolean retired;
        long readyAtMillis;

        Session(int index, PoolEndpoint pool, boolean isProbe, boolean extra) {
            this.index = index;
            this.pool = pool;
            this.isProbe = isProbe;
            this.extra = extra;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                ctx.writeAndFlush(new SetupConnection(0, 2, 2, REQUIRES_VERSION_ROLLING, pool.host(), pool.port(),
                        "hyperhash", "", firmware, ""));
            } else if (evt instanceof Sv2ErrorEvent e) {
                // a wrong/expired certificate is a pool failure like any other: back-off and failover, never a ban
                LOG.warn("pool {}: {} ({})", pool.name(), e.kind().label(), e.detail());
                metrics.upstreamError(e.kind());
                lastError[index] = e.kind().label() + ": " + e.detail();
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Sv2Message m)) {
                return; // UnknownFrame: not an error
            }
            if (!ready) {
                switch (m) {
                    case SetupConnectionSuccess ok -> {
                        ready = true;
                        sessionReady(this);
                    }
                    case SetupConnectionError err -> {
                        LOG.warn("pool {} refused SetupConnection: {}", pool.name(), err.errorCode());
                        lastError[index] = "SetupConnection.Error: " + err.errorCode();
                        ctx.close();
                    }
                    default -> LOG.debug("pool {}: {} before SetupConnection.Success ignored", pool.name(), m.type());
                }
                return;
            }
            if (m instanceof Reconnect rc) {
                poolRequestedReconnect(this, rc);
            } else if (this == current || (extra && extras.contains(this))) {
                bridge.onUpstreamMessage(this, m);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (!retired) {
                sessionFailed(this);
            } else if (extra) {
                if (this == extraConnecting) {
                    extraConnecting = null;
                    bridge.onSiblingFailed();
                } else if (extras.remove(this)) {
                    bridge.onUpstreamDown(this);
                }
            } else if (this == current) {
                current = null;
                closeExtras("primary upstream connection closed");
                bridge.onUpstreamDown(this);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("pool {}: {}", pool.name(), cause.toString());
            ctx.close();
        }

        @Override
        public void send(Sv2Message message) {
            Channel c = channel;
            if (c != null && c.isActive()) {
                c.writeAndFlush(message);
            }
        }

        @Override
        public boolean openSibling() {
            return openExtra(this);
        }

        @Override
        public void close(String reason) {
            if (extra) {
                retired = true; // the bridge closes an extra connection when its last channel closes: not a failure
            }
            Channel c = channel;
            if (c != null) {
                LOG.info("closing upstream {}: {}", pool.name(), reason);
                c.close();
            }
        }

        @Override
        public boolean failback() {
            return isProbe;
        }

        @Override
        public String poolName() {
            return pool.name();
        }
    }
}
