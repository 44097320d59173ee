package org.hyperhash.pool.downstream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics.Drop;
import org.hyperhash.sv2.netty.AcceptGate;
import org.hyperhash.sv2.netty.IdleSweeper;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SV2 mining listener: admission (limits, bans) in the initializer, then the SV2 pipeline
 * (Noise or plaintext, installed by {@code security}) and one {@link DownstreamHandler} per connection; the
 * read-idle timeout is one {@link IdleSweeper} pass per event loop.
 */
public final class MiningServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MiningServer.class);

    /**
     * Installs the transport security handlers (Noise responder or plaintext framing). Production code
     * builds it with {@link #fromConfig}; {@link #noise} / {@link NoiseSecurity} for explicit keys.
     */
    @FunctionalInterface
    public interface Security {
        void install(ChannelPipeline p, Sv2Limits limits);

        /** One line for logs and /v1/status (never a secret). */
        default String description() {
            return "custom";
        }

        /** The authority public key miners must pin, or null (plaintext). */
        default AuthorityPublicKey authorityPublicKey() {
            return null;
        }

        /** {@link Secp256k1Provider#name()} of the Noise crypto, or null (plaintext). */
        default String cryptoProvider() {
            return null;
        }

        /** Starts background work (the Noise key reserve's refill); called by the server's constructor. */
        default void start() {
        }

        /** Stops it; called by {@link MiningServer#close()} after the connections are closed. */
        default void close() {
        }

        /**
         * The responder side for the start-up warm-up's private port ({@link PoolWarmup}): the same transport and
         * classes, but nothing shared that a miner's handshake would notice (no key reserve taken from); null = this
         * security cannot be warmed (the warm-up is skipped).
         */
        default Security forWarmup() {
            return null;
        }

        /** The initiator side matching {@link #forWarmup()} (the warm-up's loopback clients). */
        default void installWarmupClient(ChannelPipeline p, Sv2Limits limits) {
            throw new UnsupportedOperationException("no warm-up client for " + description());
        }

        /** Unencrypted SV2 (trusted links and tests only). */
        Security PLAINTEXT = new Security() {
            @Override
            public void install(ChannelPipeline p, Sv2Limits limits) {
                Sv2Pipeline.plaintext(p, limits);
            }

            @Override
            public Security forWarmup() {
                return this;
            }

            @Override
            public void installWarmupClient(ChannelPipeline p, Sv2Limits limits) {
                Sv2Pipeline.plaintext(p, limits);
            }

            @Override
            public String description() {
                return "plaintext";
            }
        };

        /** Noise NX responder presenting {@code identity}'s certificate. */
        static NoiseSecurity noise(Secp256k1Provider crypto, ServerIdentity identity, InstantSource clock) {
            return new NoiseSecurity(crypto, identity, clock);
        }

        /**
         * What {@code sv2.security} asks for: {@link #PLAINTEXT}, or Noise with the configured keys (random
         * ones where not configured, see {@link NoiseSecurity#fromConfig}) on the best secp256k1 provider.
         */
        static Security fromConfig(PoolConfig config, InstantSource clock) {
            if (config.sv2().security() == PoolConfig.Security.PLAINTEXT) {
                LOG.warn("sv2.security = plaintext: miner connections are neither encrypted nor authenticated");
                return PLAINTEXT;
            }
            return NoiseSecurity.fromConfig(config.sv2(), Secp256k1Providers.best(), clock, new SecureRandom());
        }
    }

    private final PoolContext px;
    private final Security security;
    /** Whether the accept and I/O event loops each ran a probe task within the timeout (liveness). */
    public boolean eventLoopsAnswer(java.time.Duration timeout) {
        return org.hyperhash.daemon.EventLoopProbe.allAnswer(timeout, boss, workers);
    }

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup all = new DefaultChannelGroup("pool-miners", GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    /** Whether the listeners are inherited sockets ({@link #adopt}) rather than bound here. */
    private volatile boolean adopted;
    /** Accepting on the listeners (paused while the start-up warm-up runs); null before bind/adopt. */
    private volatile AcceptGate gate;
    private final Sv2Limits limits;
    /** sv2.idle-timeout: one sweep per event loop (not an IdleStateHandler per connection). */
    private final IdleSweeper idle;

    public MiningServer(PoolContext px, Security security) {
        this.px = px;
        this.security = security;
        PoolConfig.Sv2 c = px.config().sv2();
        this.limits = new Sv2Limits(c.maxFrameBytes(), c.handshakeTimeout());
        this.idle = new IdleSweeper(c.idleTimeout());
        this.boss = Sv2Transport.newEventLoopGroup(1, "pool-accept");
        this.workers = Sv2Transport.newEventLoopGroup(c.ioThreads(), "pool-io");
        security.start();
    }

    /** Binds every address; returns the bound addresses (port 0 resolved). */
    public List<InetSocketAddress> bind(List<InetSocketAddress> addresses) throws InterruptedException {
        return bind(addresses, true);
    }

    /**
     * Binds every address; with {@code accept} false the ports listen (the kernel queues connections in their
     * backlog) but nothing is accepted until {@link #startAccepting()} (the start-up warm-up runs meanwhile).
     */
    public List<InetSocketAddress> bind(List<InetSocketAddress> addresses, boolean accept) throws InterruptedException {
        ServerBootstrap b = bootstrap(px, security, all).channel(Sv2Transport.serverChannelClass())
                .option(ChannelOption.AUTO_READ, accept);
        warnIfBacklogCapped();
        List<InetSocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress addr : addresses) {
            Channel ch = b.bind(addr).sync().channel();
            listeners.add(ch);
            bound.add((InetSocketAddress) ch.localAddress());
        }
        gate = new AcceptGate(listeners, accept);
        return bound;
    }

    /**
     * A private listener on 127.0.0.1 (ephemeral port) for the start-up warm-up: the same bootstrap, handlers and
     * event loops as the mining port, but connections get {@code warmupContext} (throw-away dispatcher, guard, metrics,
     * stats, share log) and {@code warmupSecurity}, and are not counted in {@link #openConnections()}. The caller
     * closes the returned channel.
     */
    Channel bindWarmup(PoolContext warmupContext, Security warmupSecurity) throws InterruptedException {
        return bootstrap(warmupContext, warmupSecurity, null).channel(Sv2Transport.serverChannelClass())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    }

    /** The mining port's I/O event loops (the warm-up's clients run on their own). */
    EventLoopGroup workers() {
        return workers;
    }

    /** Limits of the mining pipeline (frame size, handshake timeout). */
    Sv2Limits limits() {
        return limits;
    }

    /**
     * Takes over listening sockets this process inherited (systemd socket activation: {@code fds} are bound and
     * listening already, their backlog set by the .socket unit) and returns their addresses. Nothing is accepted
     * until {@link #startAccepting()}: miners that reconnected while the previous process restarted keep waiting in
     * the backlog until this one has work for them (a channel opened before the first template would only get
     * OpenMiningChannel.Error no-work-available).
     */
    public List<InetSocketAddress> adopt(List<Integer> fds) throws InterruptedException {
        warnIfBacklogCapped();
        List<InetSocketAddress> bound = new ArrayList<>();
        for (int fd : fds) {
            org.hyperhash.daemon.SocketActivation.makeNonBlocking(fd);
            ServerBootstrap b = bootstrap(px, security, all).channelFactory(() -> Sv2Transport.inheritedServerChannel(fd))
                    .option(ChannelOption.AUTO_READ, false);
            Channel ch = b.register().sync().channel();
            if (!ch.isActive()) {
                ch.close();
                throw new IllegalStateException("inherited fd " + fd + " is not a listening socket");
            }
            listeners.add(ch);
            adopted = true;
            bound.add((InetSocketAddress) ch.localAddress());
        }
        gate = new AcceptGate(listeners, false);
        return bound;
    }

    /**
     * Starts accepting on listeners adopted ({@link #adopt}) or bound with {@code accept} false; a no-op for ones
     * that accept already. The switch runs on each listener's event loop behind the bootstrap's set-up task, so the
     * acceptor is in the pipeline before the first waiting connection is taken from the backlog.
     */
    public void startAccepting() {
        AcceptGate g = gate;
        if (g != null) {
            g.startAccepting();
        }
    }

    /** Whether the mining port accepts (see {@link #startAccepting()}). */
    public boolean accepting() {
        AcceptGate g = gate;
        return g == null || g.accepting();
    }

    /**
     * While accepting is paused: starts it as soon as a miner waits in a backlog and {@code alsoRequired} holds,
     * checked every {@value AcceptGate#WATCH_MILLIS} ms on the accept thread ({@link AcceptGate}).
     */
    public void acceptWhenWaiting(java.util.function.BooleanSupplier alsoRequired) {
        AcceptGate g = gate;
        if (g != null) {
            g.acceptWhenWaiting(alsoRequired,
                    () -> LOG.info("sv2: miners waiting in the backlog: accepting now (start-up warm-up cut short)"));
        }
    }

    /** Whether the listeners are inherited (socket-activated) sockets. */
    public boolean adopted() {
        return adopted;
    }

    /** @param group where accepted connections are tracked (closed with the server), null = not tracked (warm-up) */
    private ServerBootstrap bootstrap(PoolContext px, Security security, ChannelGroup group) {
        PoolConfig.Sv2 c = px.config().sv2();
        ServerBootstrap b = new ServerBootstrap().group(boss, workers)
                .option(ChannelOption.SO_BACKLOG, c.acceptBacklog())
                .option(ChannelOption.SO_REUSEADDR, true);
        if (!io.netty.util.internal.PlatformDependent.canEnableTcpNoDelayByDefault()) {
            // miners get TCP_NODELAY (small request/response frames): Netty's socket channels set it in their
            // constructor wherever it can (every platform but Android), so it is asked for only where it does not;
            // a second setsockopt per accepted connection otherwise (bench/README.md, storm5)
            b.childOption(ChannelOption.TCP_NODELAY, true);
        }
        return b.childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(c.outboundLowWaterMarkBytes(), c.outboundHighWaterMarkBytes()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        InetAddress ip = ch.remoteAddress().getAddress();
                        AbuseGuard.Admission a = px.guard().admit(ip);
                        if (a != AbuseGuard.Admission.OK) {
                            px.metrics().dropped(switch (a) {
                                case BANNED -> Drop.BANNED;
                                case MAX_CONNECTIONS -> Drop.MAX_CONNECTIONS;
                                default -> Drop.MAX_CONNECTIONS_PER_IP;
                            });
                            ch.close();
                            return;
                        }
                        if (group != null) {
                            group.add(ch);
                        }
                        ChannelPipeline p = ch.pipeline();
                        security.install(p, limits);
                        p.addLast("pool", new DownstreamHandler(px, ip, idle));
                    }
                });
    }

    private void warnIfBacklogCapped() {
        PoolConfig.Sv2 c = px.config().sv2();
        int cap = somaxconn();
        if (cap > 0 && cap < c.acceptBacklog()) {
            LOG.warn("sv2.accept-backlog = {} but the kernel caps it at net.core.somaxconn = {}: a reconnect storm "
                    + "of more miners than that can overflow it (SYN retransmits of 1 s and more); raise it, e.g. with "
                    + "systemd/sysctl-hyperhash.conf (docs/operations.md)", c.acceptBacklog(), cap);
        }
    }

    /** Linux's listen backlog cap, or -1 where unknown. */
    static int somaxconn() {
        try {
            // not Files.readString: on procfs (size 0) JDK 25 returned "4" for "4096\n" here; readAllLines reads to EOF
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/core/somaxconn"));
            return lines.isEmpty() ? -1 : Integer.parseInt(lines.get(0).trim());
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Stops accepting new connections (existing ones continue). */
    public void stopAccepting() {
        for (Channel l : listeners) {
            l.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    public int openConnections() {
        return all.size();
    }

    /**
     * Closes every miner connection after the listeners. When the listening sockets were inherited (systemd socket
     * activation: the socket outlives this process and the next one accepts from it) every set-up miner is first sent
     * Reconnect to the same endpoint, so it reconnects at once and its connection waits in the backlog for the new
     * process.
     */
    @Override
    public void close() {
        stopAccepting();
        boolean reconnect = adopted;
        java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
        for (Channel ch : all) {
            ch.eventLoop().execute(() -> {
                px.metrics().dropped(Drop.SHUTDOWN);
                if (reconnect && ch.pipeline().get("pool") instanceof DownstreamHandler h && h.sendReconnect()) {
                    told.incrementAndGet();
                }
                ch.flush();
                ch.close();
            });
        }
        all.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (reconnect) {
            LOG.info("socket-activated restart: {} miner connection(s) told to Reconnect to this endpoint", told.get());
        }
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        security.close();
    }
}
