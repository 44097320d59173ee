package org.hyperhash.translator;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import org.hyperhash.daemon.AdminServer;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.Daemon;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.SocketActivation;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.daemon.Version;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.translator.bridge.Bridge;
import org.hyperhash.translator.sv1.Sv1Server;
import org.hyperhash.translator.sv2.PoolEndpoint;
import org.hyperhash.translator.sv2.PoolSelector;
import org.hyperhash.translator.sv2.UpstreamConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code hh translator}: SV1 firmware in, one aggregated SV2 extended channel out. Wiring only: the
 * logic is in {@link Bridge} (sans-I/O), {@link Sv1Server} and {@link UpstreamConnector}.
 */
public final class TranslatorDaemon implements Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(TranslatorDaemon.class);

    private final TranslatorConfig cfg;
    private final InstantSource clock;
    private final boolean startAdmin;
    private PrometheusMeterRegistry registry;
    private TranslatorMetrics metrics;
    private EventLoopGroup ioGroup;
    private EventLoop bridgeLoop;
    private Bridge bridge;
    private volatile Sv1Server sv1;
    private UpstreamConnector upstream;
    private AdminServer admin;
    private Secp256k1Provider crypto;
    private Map<String, AuthorityPublicKey> pinnedKeys;
    private InetSocketAddress sv1Address;
    /** Listening sockets passed in (tests, embedding); null: systemd socket activation from the environment. */
    private List<SocketActivation.Inherited> inherited;
    private volatile boolean socketActivated;
    private volatile boolean closed;
    private volatile org.hyperhash.sv2.netty.LoopbackWarmup.Result warmup;
    /** {@code FileDescriptorName=} of the SV1 port's socket in hh-translator.socket. */
    public static final String SV1_SOCKET_NAME = "sv1";

    public TranslatorDaemon(TranslatorConfig cfg, InstantSource clock) {
        this(cfg, clock, true);
    }

    /** @param startAdmin false to skip the admin HTTP server (tests that only need SV1/SV2) */
    public TranslatorDaemon(TranslatorConfig cfg, InstantSource clock, boolean startAdmin) {
        this.cfg = cfg;
        this.clock = clock;
        this.startAdmin = startAdmin;
    }

    /**
     * Serve SV1 on this already listening socket (the one named {@value #SV1_SOCKET_NAME}) instead of reading systemd's
     * socket activation variables; call before {@link #start()}.
     */
    public TranslatorDaemon inheritedSockets(List<SocketActivation.Inherited> sockets) {
        this.inherited = List.copyOf(sockets);
        return this;
    }

    /** Whether the SV1 port is an inherited (socket-activated) socket that outlives this process. */
    public boolean socketActivated() {
        return socketActivated;
    }

    @Override
    public void start() throws Exception {
        LOG.info("translator config in force: {}", cfg.summary());
        crypto = Secp256k1Providers.best();
        pinnedKeys = new HashMap<>();
        for (PoolEndpoint p : cfg.pools()) {
            if (p.encrypted()) {
                pinnedKeys.put(p.authorityKey(), AuthorityPublicKey.fromBase58(p.authorityKey()));
            } else {
                LOG.warn("upstream pool {} is plaintext SV2 (no authority-key): trusted LAN only", p.name());
            }
        }
        LOG.info("secp256k1 provider for Noise upstreams: {}", crypto.name());
        registry = Metrics.newRegistry("translator");
        Metrics.secp256k1Provider(registry, crypto.name());
        Metrics.aeadProvider(registry, org.hyperhash.sv2.noise.AeadProviders.name(), org.hyperhash.sv2.noise.AeadProviders.isNative(),
                org.hyperhash.sv2.noise.AeadProviders.smallName(), org.hyperhash.sv2.noise.AeadProviders.isVector());
        metrics = new TranslatorMetrics(registry);
        int threads = cfg.ioThreads() == 0 ? Runtime.getRuntime().availableProcessors() : cfg.ioThreads();
        ioGroup = Sv2Transport.newEventLoopGroup(threads, "hh-translator-sv1");
        // The bridge (and the upstream SV2 connection) runs on the first SV1 event loop, not on a thread of its own:
        // a request from a miner on that loop is handled and answered without a thread hop, where a bridge thread
        // costs two wake-ups per share (SV1 loop -> bridge -> SV1 loop). Issue 19: 23% less CPU per submit with
        // io-threads = 2, 33% with io-threads = 1 (bench/README.md, "SV1 submits and new-block fan-out").
        bridgeLoop = ioGroup.next();
        bridge = new Bridge(cfg.bridge(), clock, metrics, cfg.openRetry());
        bridgeLoop.scheduleAtFixedRate(() -> {
            try {
                bridge.onTick();
            } catch (RuntimeException e) {
                LOG.error("bridge tick failed", e);
            }
        }, cfg.tick().toMillis(), cfg.tick().toMillis(), TimeUnit.MILLISECONDS);
        sv1 = sv1Server(cfg, ioGroup, bridgeLoop, bridge, metrics, cfg.sv1AcceptBacklog());
        List<SocketActivation.Inherited> passed = inherited != null ? inherited
                : SocketActivation.fromEnvironment(java.util.Set.of(SV1_SOCKET_NAME));
        List<SocketActivation.Inherited> sv1Fds = SocketActivation.named(passed, SV1_SOCKET_NAME);
        // the warm-up needs to see miners waiting in the backlog (poll(2) on the epoll listener) to end at once; on NIO it
        // could not, and would hold them for up to sv1.warmup.max-time: none there
        boolean warmup = cfg.sv1WarmupSessions() > 0 && !cfg.sv1WarmupMaxTime().isZero() && Sv2Transport.canAdoptListeningSockets();
        if (sv1Fds.isEmpty()) {
            sv1Address = sv1.bind(cfg.sv1Listen(), !warmup);
        } else {
            if (sv1Fds.size() > 1) {
                throw new DaemonConfig.ConfigError("socket activation: " + sv1Fds.size() + " sockets named "
                        + SV1_SOCKET_NAME + " " + sv1Fds + ", the translator serves one SV1 port (one ListenStream= in hh-translator.socket)");
            }
            if (!Sv2Transport.canAdoptListeningSockets()) {
                throw new DaemonConfig.ConfigError("socket activation: the passed sv1 socket " + sv1Fds
                        + " needs the native epoll transport, but this process runs " + Sv2Transport.name());
            }
            sv1Address = sv1.adopt(sv1Fds.get(0).fd(), !warmup);
            socketActivated = true;
            LOG.info("sv1: serving on the socket-activated listener {} (sv1.listen {} is not bound)", sv1Fds.get(0),
                    Banner.hostPort(cfg.sv1Listen()));
            if (cfg.sv1Listen().getPort() != 0 && cfg.sv1Listen().getPort() != sv1Address.getPort()) {
                LOG.warn("sv1: the socket unit listens on port {} but sv1.listen says {}: keep them equal",
                        sv1Address.getPort(), cfg.sv1Listen().getPort());
            }
        }
        Banner.listening(LOG, "sv1", sv1Address);
        PoolSelector selector = new PoolSelector(cfg.pools().size(), cfg.backoffInitial(), cfg.backoffMax(), cfg.cooldown());
        upstream = new UpstreamConnector(cfg.pools(), selector, bridgeLoop, bridge, metrics, this::installUpstreamPipeline,
                clock, cfg.connectTimeout(), "hh-translator/" + Version.version());
        upstream.start();
        if (warmup) {
            // while no miner is there: the SV1 path through the JIT, then accept (Sv1Warmup; issue 19 cold storm)
            sv1.acceptWhenWaiting();
            Thread.ofPlatform().name("hh-translator-warmup-main").daemon().start(this::warmUpThenAccept);
        }
        if (startAdmin) {
            admin = AdminServer.start(cfg.adminListen(), registry, this);
            admin.addJsonRoute("/v1/miners", path -> onBridge(bridge::miners));
        }
    }

    /**
     * An SV1 server on {@code io} for {@code bridge}, with the configured line, queue, idle and per-IP limits, wired to
     * the bridge's job fan-out: the daemon's, and the start-up warm-up's private one (so it runs the same path).
     */
    static Sv1Server sv1Server(TranslatorConfig cfg, EventLoopGroup io, EventLoop bridgeLoop, Bridge bridge,
            TranslatorMetrics metrics, int acceptBacklog) {
        Sv1Server server = new Sv1Server(io, bridgeLoop, bridge, metrics, cfg.maxLineBytes(), cfg.maxPendingRequests(),
                cfg.idleTimeout(), new org.hyperhash.translator.sv1.Sv1Guard(cfg.sv1Limits(), InstantSource.system()),
                acceptBacklog);
        bridge.fanOut(server::broadcast);
        return server;
    }

    private void warmUpThenAccept() {
        try {
            // ends when the port starts accepting: at the first miner waiting in its backlog (Sv1Server's accept-thread
            // check, upstream ready or not: a 5,000-miner storm overflowed the 4,096 backlog while a warm-up waited
            // for the upstream or for its own set-up on a loaded box; bench/README.md "Cold connect storm")
            warmup = Sv1Warmup.run(cfg, ioGroup, bridgeLoop, cfg.sv1WarmupSessions(), cfg.sv1WarmupUntilJitIdle(),
                    cfg.sv1WarmupMaxTime(), () -> closed, sv1::accepting);
        } catch (Exception | LinkageError e) {
            LOG.warn("sv1 warm-up failed ({}); accepting miners without it", e.toString());
        } finally {
            synchronized (this) {
                if (!closed) {
                    sv1.startAccepting();
                }
            }
        }
    }

    /** What the start-up SV1 warm-up did (/v1/status {@code sv1_warmup}), or null (none, or still running). */
    public org.hyperhash.sv2.netty.LoopbackWarmup.Result warmup() {
        return warmup;
    }

    /** Whether the SV1 port accepts miners (false only while the start-up warm-up runs and no miner waits). */
    public boolean accepting() {
        Sv1Server s = sv1;
        return s != null && s.accepting();
    }

    /** Noise with the pool's pinned authority key when it has one; plaintext SV2 otherwise (trusted LAN). */
    void installUpstreamPipeline(ChannelPipeline p, PoolEndpoint pool) {
        if (pool.encrypted()) {
            Sv2Pipeline.client(p, crypto, pinnedKeys.get(pool.authorityKey()), clock, Sv2Limits.MINING);
        } else {
            Sv2Pipeline.plaintext(p, Sv2Limits.MINING);
        }
    }

    private <T> T onBridge(Callable<T> c) {
        try {
            return bridgeLoop.submit(c).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("bridge did not answer: " + e);
        }
    }

    /**
     * /v1/health and the systemd watchdog: every event loop runs a probe task within
     * {@link org.hyperhash.daemon.EventLoopProbe}'s timeout (a wedged loop makes the daemon not live).
     */
    @Override
    public boolean live() {
        EventLoopGroup io = ioGroup; // the bridge's loop is one of these
        return io != null && !io.isShuttingDown() && org.hyperhash.daemon.EventLoopProbe.allAnswer(java.time.Duration.ofSeconds(5), io);
    }

    @Override
    public boolean ready() {
        Bridge b = bridge;
        // published by the bridge on each upstream state change; not before the SV1 port accepts (start-up warm-up)
        return b != null && b.upstreamReady() && accepting();
    }

    @Override
    public Map<String, Boolean> readinessChecks() {
        Bridge b = bridge;
        return Map.of("upstream", b != null && b.upstreamReady(), "sv1_accepting", accepting());
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("service", "translator");
        s.put("version", Version.version());
        s.put("sv1_listen", sv1Address == null ? null : Banner.hostPort(sv1Address));
        s.put("sv1_socket_activated", socketActivated);
        org.hyperhash.sv2.netty.LoopbackWarmup.Result w = warmup;
        s.put("sv1_warmup", w == null ? null : Map.of("sessions", w.sessions(), "failed", w.failed(), "wall_ms", w.wallMillis(),
                "cpu_ms", w.cpuMillis(), "stopped_by", w.stop()));
        s.put("transport", Sv2Transport.name());
        s.put("crypto_provider", crypto == null ? null : crypto.name());
        // one bridge-loop task, so the bridge and the pools describe the same moment (the same upstream session)
        List<Map<String, Object>> snapshot = onBridge(() -> List.of(bridge.status(), upstream.status()));
        s.put("bridge", snapshot.get(0));
        s.put("pools", snapshot.get(1));
        s.put("config", cfg.summary());
        return s;
    }

    /** The bound SV1 address (after start). */
    public InetSocketAddress sv1Address() {
        return sv1Address;
    }

    /** The admin address (after start), or null. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public TranslatorMetrics metrics() {
        return metrics;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Runs a query on the bridge thread (tests, status). */
    public <T> T query(java.util.function.Function<Bridge, T> f) {
        return onBridge(() -> f.apply(bridge));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return; // idempotent: a second close found terminated event loops
        }
        closed = true;
        if (admin != null) {
            admin.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (sv1 != null) {
            sv1.close();
        }
        if (ioGroup != null) {
            ioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
