package org.hyperhash.pool;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import org.hyperhash.base.Bytes;
import org.hyperhash.daemon.AdminServer;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.Daemon;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.pool.share.InstanceRegistration;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.downstream.AbuseGuard;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.pool.downstream.PoolContext;
import org.hyperhash.pool.downstream.PoolWarmup;
import org.hyperhash.pool.identity.UserIdentityParser;
import org.hyperhash.pool.share.MinerStats;
import org.hyperhash.pool.share.ShareLog;
import org.hyperhash.pool.upstream.BitcoindBlockSubmitter;
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.pool.upstream.UpstreamHealth;
import org.hyperhash.pool.work.JobDispatcher;
import org.hyperhash.sv2.channel.ExtranonceAllocator;
import org.hyperhash.sv2.channel.JobFactory;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool: wiring only. Start order: ledger (migrations) -> share log -> dispatcher -> template
 * source -> mining listener -> admin HTTP. Close order (graceful, bounded by
 * {@code shutdown-deadline}): stop accepting -> close miner connections -> stop the template
 * source and dispatcher -> flush the share log (every accepted share and block) -> ledger.
 */
public final class PoolDaemon implements Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(PoolDaemon.class);

    private final PoolConfig config;
    private final InstantSource clock;
    private final TemplateSource upstream;
    private final UpstreamHealth upstreamHealth;
    private final MiningServer.Security security;
    private final PrometheusMeterRegistry registry;
    private final PoolMetrics metrics;
    private final MinerStats stats;
    private final String securityDescription;
    private LedgerDatabase ledger;
    private ShareLog shareLog;
    private JobDispatcher dispatcher;
    private AbuseGuard guard;
    private MiningServer server;
    private AdminServer admin;
    private BitcoindBlockSubmitter blockSubmitter;
    private org.hyperhash.pool.jds.JobDeclarator jds;
    private List<InetSocketAddress> sv2Addresses = List.of();
    private volatile boolean closed;
    /** Listening sockets passed in (tests); null: read socket activation from the environment at start. */
    private List<org.hyperhash.daemon.SocketActivation.Inherited> inherited;
    /** {@code FileDescriptorName=} of the mining port's socket in hh-pool.socket. */
    public static final String SV2_SOCKET_NAME = "sv2";
    private final long startedMs;
    private InstanceRegistration registration;

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }

    /**
     * @param config validated configuration
     * @param clock time source
     * @param upstream where templates come from (TDP client in production)
     * @param security mining-port transport security (Noise responder in production)
     * @param securityDescription for /v1/status (e.g. "noise, authority key 9a1...")
     */
    /**
     * As {@link #PoolDaemon(PoolConfig, InstantSource, TemplateSource, MiningServer.Security, String)} with
     * {@code security.description()}.
     */
    public PoolDaemon(PoolConfig config, InstantSource clock, TemplateSource upstream, MiningServer.Security security) {
        this(config, clock, upstream, security, security.description());
    }

    /** The production wiring: mining-port security from {@code sv2.*} ({@link MiningServer.Security#fromConfig}). */
    public static PoolDaemon fromConfig(PoolConfig config, InstantSource clock, TemplateSource upstream) {
        return new PoolDaemon(config, clock, upstream, MiningServer.Security.fromConfig(config, clock));
    }

    public PoolDaemon(PoolConfig config, InstantSource clock, TemplateSource upstream, MiningServer.Security security,
            String securityDescription) {
        this(config, clock, upstream, security, securityDescription, "pool");
    }

    /**
     * What a daemon built on the pool engine adds (the Hyper Node, {@code hh jdc}): called on the start thread after
     * the dispatcher exists and before templates flow, then with every TDP event before the dispatcher sees it.
     */
    public interface Extension {
        void beforeTemplates(JobDispatcher dispatcher, TemplateSource templates);

        void onNewTemplate(org.hyperhash.sv2.message.template.NewTemplate t);

        void onSetNewPrevHash(org.hyperhash.sv2.message.template.SetNewPrevHash p);

        /** Adds the extension's part to /v1/status (served by this daemon's admin server). */
        void addStatus(Map<String, Object> status);
    }

    private final String service;
    private Extension extension;

    /** Sets the extension (before {@link #start}). */
    public void setExtension(Extension e) {
        this.extension = e;
    }

    /**
     * @param service the service name in metrics ({@code service} label, build info) and /v1/status
     */
    public PoolDaemon(PoolConfig config, InstantSource clock, TemplateSource upstream, MiningServer.Security security,
            String securityDescription, String service) {
        this.service = Objects.requireNonNull(service, "service");
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.security = Objects.requireNonNull(security, "security");
        this.securityDescription = securityDescription;
        this.registry = Metrics.newRegistry(service);
        this.upstreamHealth = new UpstreamHealth(clock, config.tdp().solutionConfirmTimeout(),
                config.tdp().maxTemplateSilence(), registry);
        this.upstream = upstreamHealth.wrap(Objects.requireNonNull(upstream, "upstream"));
        this.metrics = new PoolMetrics(registry);
        Metrics.secp256k1Provider(registry, security.cryptoProvider());
        if (security instanceof org.hyperhash.pool.downstream.NoiseSecurity ns && ns.keyReserve() != null) {
            metrics.noiseKeyReserve(ns.keyReserve());
        }
        Metrics.aeadProvider(registry, security.cryptoProvider() == null ? null : org.hyperhash.sv2.noise.AeadProviders.name(),
                org.hyperhash.sv2.noise.AeadProviders.isNative(), org.hyperhash.sv2.noise.AeadProviders.smallName(),
                org.hyperhash.sv2.noise.AeadProviders.isVector());
        this.stats = new MinerStats(clock, 100_000, MinerStats.DEFAULT_MAX_WORKERS_PER_ADDRESS,
                MinerStats.DEFAULT_MAX_WORKERS, MinerStats.DEFAULT_IDLE_EVICTION, metrics.workersRefused::increment);
        this.startedMs = clock.millis();
    }

    @Override
    public void start() throws Exception {
        if (config.network() == org.hyperhash.pool.identity.PoolNetwork.MAINNET
                && security == MiningServer.Security.PLAINTEXT) {
            throw new org.hyperhash.daemon.DaemonConfig.ConfigError("sv2.security: plaintext is refused on mainnet");
        }
        ledger = LedgerDatabase.open(config.ledger().jdbcUrl());
        LOG.info("ledger {}", ledger.displayUrl());
        registration = InstanceRegistration.register(ledger, config.instanceId(), config.ledger().instanceLease(),
                hostName() + ":" + ProcessHandle.current().pid() + ":" + Long.toHexString(new java.security.SecureRandom().nextLong()),
                "pool " + hostName() + " pid " + ProcessHandle.current().pid() + " sv2 " + config.sv2().listen());
        FoundBlockStore foundBlocks = new FoundBlockStore(ledger, clock);
        shareLog = new ShareLog(new ShareWindowStore(ledger), foundBlocks, config.instanceName(),
                clock, config.ledger().window(), config.ledger().flushInterval(), config.ledger().queueCapacity(), metrics);
        shareLog.start();
        Bytes poolScript = config.network().parse(config.payout().address());
        ExtranonceAllocator allocator = new ExtranonceAllocator(Bytes.of((byte) config.instanceId()),
                config.channel().extranonceIndexBytes(), config.channel().extranonceClientBytes());
        dispatcher = new JobDispatcher(new JobFactory(config.payout().poolTag(), ""), poolScript,
                allocator.fullExtranonceSize(), config.channel().ackInterval(), metrics);
        guard = new AbuseGuard(config.limits(), clock, metrics);
        if (config.blockSubmission().enabled()) {
            blockSubmitter = new BitcoindBlockSubmitter(config.blockSubmission(), metrics,
                    (hash, status, result) -> recordSubmitOutcome(foundBlocks, hash, status, result));
            LOG.info("found blocks also go to bitcoind: {}", config.blockSubmission());
        }
        if (config.jds().enabled()) {
            jds = new org.hyperhash.pool.jds.JobDeclarator(config.jds(), poolScript, blockSubmitter,
                    new org.hyperhash.pool.jds.JdsMetrics(registry), clock);
        }
        PoolContext px = new PoolContext(config, config.channel().toChannelConfig(), config.vardiff(), allocator,
                new UserIdentityParser(config.network(), config.payout().soloPrefix()), dispatcher, upstream, shareLog,
                stats, guard, metrics, clock, blockSubmitter, jds);
        metrics.gauge("hh.pool.hashrate.hps", "pool hashrate estimate from accepted work (10 min)",
                stats::poolHashrateHps);
        metrics.gauge("hh.pool.sharelog.queued", "accepted shares waiting for the ledger writer", shareLog::queued);
        metrics.gauge("hh.pool.ready", "1 when a template provider is connected and work is available",
                () -> ready() ? 1 : 0);
        if (extension != null) {
            extension.beforeTemplates(dispatcher, upstream);
        }
        upstream.start(new UpstreamListener(), constraints(poolScript));
        server = new MiningServer(px, security);
        List<org.hyperhash.daemon.SocketActivation.Inherited> passed = inherited != null ? inherited
                : org.hyperhash.daemon.SocketActivation.fromEnvironment(java.util.Set.of(SV2_SOCKET_NAME));
        List<org.hyperhash.daemon.SocketActivation.Inherited> sv2Fds =
                org.hyperhash.daemon.SocketActivation.named(passed, SV2_SOCKET_NAME);
        // the warm-up needs to see miners waiting in the backlog (poll(2) on the epoll listener) to end at once; on NIO it
        // could not, and would hold them for up to sv2.warmup.max-time: none there
        boolean warm = config.sv2().warmup() && Sv2Transport.canAdoptListeningSockets() && security.forWarmup() != null;
        if (sv2Fds.isEmpty()) {
            sv2Addresses = server.bind(config.sv2().listen(), !warm);
            if (warm) {
                // while no miner is there: the SV2 path through the JIT, then accept (PoolWarmup; issue 19 cold storm)
                server.acceptWhenWaiting(() -> true);
                Thread.ofPlatform().name("pool-warmup-main").daemon(true).start(() -> warmUpThenAccept(false));
            }
        } else {
            if (!Sv2Transport.canAdoptListeningSockets()) {
                throw new org.hyperhash.daemon.DaemonConfig.ConfigError("socket activation: the passed sv2 socket(s) "
                        + sv2Fds + " need the native epoll transport, but this process runs " + Sv2Transport.name());
            }
            sv2Addresses = server.adopt(sv2Fds.stream().map(org.hyperhash.daemon.SocketActivation.Inherited::fd).toList());
            LOG.info("sv2: serving on {} socket-activated listener(s) {} (sv2.listen {} is not bound)", sv2Fds.size(),
                    sv2Fds, config.sv2().listen().stream().map(Banner::hostPort).toList());
            if (warm) {
                // miners that followed Reconnect wait for work anyway: the warm-up uses that wait and ends once one
                // waits *and* there is work to hand out
                server.acceptWhenWaiting(() -> dispatcher.work().usable());
            }
            long t0 = System.nanoTime();
            Thread.ofPlatform().daemon(true).name("pool-accept-when-ready").start(() -> {
                if (warm) {
                    warmUpThenAccept(true);
                }
                acceptWhenWorkIsReady(t0);
            });
            if (!sameEndpoints(sv2Addresses, config.sv2().listen())) {
                LOG.warn("sv2: the socket unit listens on {} but sv2.listen says {}: keep them equal (the status page "
                        + "and the next restart without the socket unit use sv2.listen)",
                        sv2Addresses.stream().map(Banner::hostPort).toList(),
                        config.sv2().listen().stream().map(Banner::hostPort).toList());
            }
        }
        for (InetSocketAddress a : sv2Addresses) {
            Banner.listening(LOG, "sv2", a);
        }
        if (jds != null) {
            for (InetSocketAddress a : jds.start(security)) {
                Banner.listening(LOG, "jds", a);
            }
        }
        admin = AdminServer.start(config.adminListen(), registry, this);
        admin.addJsonRoute("/v1/miners/", (path, query) -> {
            String address = path.substring("/v1/miners/".length());
            if (address.isEmpty() || address.length() > 100) {
                return null;
            }
            return stats.describe(address, AdminServer.intParam(query, "offset", 0),
                    AdminServer.intParam(query, "limit", MinerStats.MAX_PAGE));
        });
        LOG.info("{} instance {} on {} ({}), payout {}, transport {}", service, config.instanceId(),
                config.network().name().toLowerCase(), securityDescription, config.payout().address(),
                Sv2Transport.name());
        if (security.authorityPublicKey() != null) {
            LOG.info("miners pin authority public key {}", security.authorityPublicKey().toBase58());
        }
    }

    /**
     * The submitblock outcome into the ledger (accepted / orphaned / rejected with the reason), on the submitter's
     * virtual thread: the block's row is written by the share log's writer (at most a flush interval later), so a
     * missing row is retried for a few seconds. Only a block still {@code submitted} changes.
     */
    private void recordSubmitOutcome(FoundBlockStore blocks, String hash, org.hyperhash.ledger.BlockStatus status,
            String result) {
        for (int attempt = 0; attempt < 50; attempt++) {
            if (blocks.updateStatusFrom(hash, org.hyperhash.ledger.BlockStatus.SUBMITTED, status, result)) {
                return;
            }
            if (blocks.find(hash).isPresent()) {
                return; // already past submitted (e.g. confirmed by the treasury)
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("block {}: not in the ledger after 5 s; its submitblock result ({}) is only in this log", hash,
                status.dbName());
    }

    /**
     * Socket-activated start: the miners that followed the previous process's Reconnect wait in the socket's backlog;
     * accept them once there is work to hand out (the first template), or after {@link #MAX_ACCEPT_DELAY} without
     * (template provider down: then they get the usual no-work answers rather than waiting longer).
     */
    private void acceptWhenWorkIsReady(long t0) {
        long deadline = t0 + MAX_ACCEPT_DELAY.toNanos();
        try {
            while (!closed && !server.accepting() && !dispatcher.work().usable() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            boolean work = dispatcher.work().usable();
            server.startAccepting();
            LOG.info("sv2: accepting on the socket-activated listener(s) {} ms after start{}",
                    (System.nanoTime() - t0) / 1_000_000, work ? " (work ready)" : " without work (no template yet)");
        }
    }

    /**
     * The start-up warm-up ({@link PoolWarmup}), then accepting (unless {@code adopted}: the caller then waits for work
     * first). It ends when the port starts accepting: at the first miner waiting in a backlog ({@link MiningServer}'s
     * accept-thread check).
     */
    private void warmUpThenAccept(boolean adopted) {
        try {
            warmup = PoolWarmup.run(config, server, security, () -> closed, server::accepting);
        } catch (Exception | LinkageError e) {
            LOG.warn("sv2 warm-up failed ({}); accepting miners without it", e.toString());
        } finally {
            synchronized (this) {
                if (!closed && !adopted) {
                    server.startAccepting();
                }
            }
        }
    }

    /** What the start-up warm-up did (/v1/status {@code sv2_warmup}), or null (none, or still running). */
    public org.hyperhash.sv2.netty.LoopbackWarmup.Result warmup() {
        return warmup;
    }

    /** Whether the mining port accepts miners (false while the start-up warm-up runs). */
    public boolean accepting() {
        MiningServer s = server;
        return s != null && s.accepting();
    }

    private volatile org.hyperhash.sv2.netty.LoopbackWarmup.Result warmup;

    /** How long a socket-activated pool keeps miners waiting in the backlog for its first template. */
    static final Duration MAX_ACCEPT_DELAY = Duration.ofSeconds(5);

    /** Whether the inherited listeners are the configured endpoints (port 0 in the config matches any port). */
    static boolean sameEndpoints(List<InetSocketAddress> bound, List<InetSocketAddress> configured) {
        if (bound.size() != configured.size()) {
            return false;
        }
        for (InetSocketAddress c : configured) {
            boolean found = bound.stream().anyMatch(b -> (c.getPort() == 0 || c.getPort() == b.getPort())
                    && (c.getAddress() == null || c.getAddress().isAnyLocalAddress() || c.getAddress().equals(b.getAddress())));
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** SRI: serialized size of the pool's payout outputs plus the coinbase growth they cause; sigops. */
    static CoinbaseOutputConstraints constraints(Bytes poolScript) {
        int outputSize = 8 + 1 + poolScript.length();
        // solo miners' scripts can be up to 34 bytes (P2WSH / P2TR): reserve for the largest
        int reserve = Math.max(outputSize, 8 + 1 + 34) + 43;
        return new CoinbaseOutputConstraints(reserve, OptionalInt.of(4 * 4));
    }

    /**
     * Forwards TDP events to the dispatcher (separate object so the daemon does not expose TdpListener), and to the
     * submitblock fallback's transaction prefetch first: its RequestTransactionData is then queued before any job
     * for the template exists, so it always precedes a SubmitSolution for it.
     */
    private final class UpstreamListener implements org.hyperhash.sv2.tdp.TdpListener {
        @Override
        public void onNewTemplate(org.hyperhash.sv2.message.template.NewTemplate t) {
            if (blockSubmitter != null) {
                blockSubmitter.templateReceived(t, upstream);
            }
            if (jds != null) {
                jds.templateReceived(t, upstream);
            }
            if (extension != null) {
                extension.onNewTemplate(t);
            }
            dispatcher.onNewTemplate(t);
        }

        @Override
        public void onSetNewPrevHash(org.hyperhash.sv2.message.template.SetNewPrevHash p) {
            if (blockSubmitter != null) {
                blockSubmitter.templateActivated(p, upstream);
            }
            if (extension != null) {
                extension.onSetNewPrevHash(p);
            }
            dispatcher.onSetNewPrevHash(p);
        }

        @Override
        public void onConnected(org.hyperhash.sv2.tdp.TdpEndpoint e) {
            dispatcher.onConnected(e);
        }

        @Override
        public void onDisconnected(org.hyperhash.sv2.tdp.TdpEndpoint e, String reason) {
            dispatcher.onDisconnected(e, reason);
        }
    }

    /**
     * /v1/health and the systemd watchdog: every event loop runs a probe task within
     * {@link org.hyperhash.daemon.EventLoopProbe}'s timeout (a wedged loop makes the daemon not live).
     */
    @Override
    public boolean live() {
        MiningServer s = server;
        return s != null && !closed && s.eventLoopsAnswer(java.time.Duration.ofSeconds(5));
    }

    @Override
    public boolean ready() {
        boolean tpHealthy = upstreamHealth.solutionsAccepted() && upstreamHealth.templatesFresh(); // both check timeouts
        return !closed && dispatcher != null && dispatcher.ready() && upstream.connected() && tpHealthy
                && (registration == null || registration.registered()) && accepting();
    }

    @Override
    public Map<String, Boolean> readinessChecks() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("template_provider", upstream.connected());
        m.put("template_provider_solutions", upstreamHealth.solutionsAccepted());
        m.put("templates_fresh", upstreamHealth.templatesFresh());
        m.put("work", dispatcher != null && dispatcher.work().usable());
        m.put("ledger", ledger != null && ledger.isReachable());
        m.put("instance_registered", registration != null && registration.registered());
        m.put("accepting", !closed);
        m.put("sv2_accepting", accepting());
        return m;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", service);
        m.put("instance_id", config.instanceId());
        m.put("network", config.network().name().toLowerCase());
        m.put("sv2_listen", sv2Addresses.stream().map(Banner::hostPort).toList());
        m.put("sv2_socket_activated", socketActivated());
        m.put("security", securityDescription);
        m.put("authority_public_key", security.authorityPublicKey() == null ? ""
                : security.authorityPublicKey().toBase58());
        m.put("crypto_provider", security.cryptoProvider() == null ? "" : security.cryptoProvider());
        m.put("transport", Sv2Transport.name());
        m.put("template_provider", upstream.describe());
        m.put("ready", ready());
        m.put("connections", metrics.connections.get());
        m.put("hashrate_hps", stats.poolHashrateHps());
        m.put("shares_accepted", (long) metrics.sharesAccepted.count());
        m.put("blocks_found", (long) metrics.blocksFound.count());
        m.put("active_bans", guard == null ? 0 : guard.activeBans());
        m.put("share_log_queued", shareLog == null ? 0 : shareLog.queued());
        m.put("last_error", dispatcher == null ? "" : dispatcher.lastError());
        m.put("uptime_seconds", (clock.millis() - startedMs) / 1000);
        org.hyperhash.sv2.netty.LoopbackWarmup.Result w = warmup;
        m.put("sv2_warmup", w == null ? (config.sv2().warmup() ? (accepting() ? "none" : "running") : "off")
                : Map.of("sessions", w.sessions(), "failed", w.failed(), "wall_ms", w.wallMillis(), "cpu_ms", w.cpuMillis(),
                        "stop", w.stop()));
        if (jds != null) {
            m.put("jds", jds.status());
        }
        if (extension != null) {
            extension.addStatus(m);
        }
        return m;
    }

    /**
     * Serve the mining port on these already listening sockets (the ones named {@value #SV2_SOCKET_NAME}) instead of
     * reading systemd's socket activation variables; call before {@link #start()}. What an embedding launcher or a
     * test that holds the socket itself uses.
     */
    public PoolDaemon inheritedSockets(List<org.hyperhash.daemon.SocketActivation.Inherited> sockets) {
        this.inherited = List.copyOf(sockets);
        return this;
    }

    /** Whether the mining port runs on inherited (socket-activated) sockets: a restart keeps it listening. */
    public boolean socketActivated() {
        return server != null && server.adopted();
    }

    /** The mining port's security (e.g. its authority public key for miners to pin). */
    public MiningServer.Security security() {
        return security;
    }

    public List<InetSocketAddress> sv2Addresses() {
        return sv2Addresses;
    }

    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public PoolMetrics metrics() {
        return metrics;
    }

    public MinerStats stats() {
        return stats;
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public ShareLog shareLog() {
        return shareLog;
    }

    public LedgerDatabase ledger() {
        return ledger;
    }

    public JobDispatcher dispatcher() {
        return dispatcher;
    }

    /** The job declarator, or null when {@code jds.enabled} is false. */
    public org.hyperhash.pool.jds.JobDeclarator jds() {
        return jds;
    }

    /** The JD listen addresses (port 0 resolved), empty without a JDS. */
    public List<InetSocketAddress> jdsAddresses() {
        return jds == null ? List.of() : jds.addresses();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        Duration deadline = config.shutdownDeadline();
        if (server != null) {
            server.stopAccepting();
            server.close();
        }
        if (jds != null) {
            jds.close();
        }
        if (blockSubmitter != null) {
            blockSubmitter.close(); // lets a submission in progress finish (bounded by block-submission.timeout)
        }
        upstream.close();
        if (dispatcher != null) {
            dispatcher.close();
        }
        if (shareLog != null) {
            Duration left = deadline.minusNanos(System.nanoTime() - t0).minusSeconds(2);
            shareLog.close(left.isNegative() ? Duration.ofSeconds(1) : left);
            LOG.info("share log flushed: {} shares, {} blocks recorded", shareLog.flushedShares(), shareLog.blocksRecorded());
        }
        if (admin != null) {
            admin.close();
        }
        if (registration != null) {
            registration.close();
        }
        if (ledger != null) {
            ledger.close();
        }
        LOG.info("{} stopped in {} ms", service, (System.nanoTime() - t0) / 1_000_000);
    }
}
