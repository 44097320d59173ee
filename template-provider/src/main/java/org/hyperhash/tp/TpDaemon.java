package org.hyperhash.tp;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.WriteBufferWaterMark;
import org.hyperhash.daemon.AdminServer;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.Daemon;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.sv2.noise.StaticKeyPair;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.daemon.ConnectionGuard;
import org.hyperhash.tp.downstream.TdpServer;
import org.hyperhash.tp.downstream.TdpSession;
import org.hyperhash.tp.downstream.TemplateHub;
import org.hyperhash.tp.downstream.TpMetrics;
import org.hyperhash.tp.node.BitcoindRpc;
import org.hyperhash.tp.node.BlockNotifier;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.node.HttpBitcoindRpc;
import org.hyperhash.tp.node.FirstOfNotifier;
import org.hyperhash.tp.node.LongPollNotifier;
import org.hyperhash.tp.node.ZmqBlockListener;
import org.hyperhash.tp.template.TemplateFactory;
import org.hyperhash.tp.template.TemplateUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code hh tp}: node (bitcoind or the embedded devnet) -> templates -> TDP server, plus the admin
 * HTTP surface. {@link #start()} fails with the node's typed {@link org.hyperhash.bitcoind.rpc.RpcException}
 * (unreachable, 401, -28 warming up, IBD, wrong chain) or a {@link ConfigError} (keys).
 */
public final class TpDaemon implements Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(TpDaemon.class);

    private final TpConfig config;
    private final InstantSource clock;
    private final Secp256k1Provider crypto;
    private PrometheusMeterRegistry registry;
    private TpMetrics metrics;
    private BitcoindRpc rpc;
    private DevnetChain devnet;
    private TemplateHub hub;
    private TemplateUpdater updater;
    private TdpServer server;
    private ConnectionGuard guard;
    private AdminServer admin;
    private volatile List<InetSocketAddress> bound = List.of();
    private volatile String authorityPublicKey = "";
    private volatile boolean started;
    private volatile boolean closed;

    /** With the best available secp256k1 provider (native libsecp256k1 when it loads). */
    public TpDaemon(TpConfig config, InstantSource clock) {
        this(config, clock, Secp256k1Providers.best());
    }

    public TpDaemon(TpConfig config, InstantSource clock, Secp256k1Provider crypto) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.crypto = Objects.requireNonNull(crypto, "crypto");
    }

    @Override
    public void start() throws Exception {
        SecureRandom random = new SecureRandom();
        AuthorityKeyPair authority = authorityKey(random);
        StaticKeyPair staticKey = loadKey(config.staticSecretKey(), config.staticSecretKeyFile(), "static",
                StaticKeyPair::fromSecretBase58);
        if (staticKey == null) {
            staticKey = StaticKeyPair.generate(random);
        }
        registry = Metrics.newRegistry("tp");
        Metrics.secp256k1Provider(registry, crypto.name());
        Metrics.aeadProvider(registry, org.hyperhash.sv2.noise.AeadProviders.name(), org.hyperhash.sv2.noise.AeadProviders.isNative(),
                org.hyperhash.sv2.noise.AeadProviders.smallName(), org.hyperhash.sv2.noise.AeadProviders.isVector());
        metrics = new TpMetrics(registry);
        BlockNotifier notifier;
        if (config.backend() == TpConfig.Backend.DEVNET) {
            DevnetParams d = DevnetParams.defaults();
            devnet = new DevnetChain(new DevnetParams(config.devnetBits(), d.initialSubsidySats(), config.devnetHalvingInterval(),
                    config.devnetSyntheticTransactions(), d.seed(), d.maxFutureBlockTimeSeconds()), clock);
            LOG.warn("backend DEVNET: an in-process toy chain for tests and demos, not a Bitcoin node");
            rpc = devnet;
            notifier = devnet.notifier();
        } else {
            HttpBitcoindRpc http = new HttpBitcoindRpc(config.rpc(),
                    (method, e) -> metrics.rpcError(method, TpMetrics.kindLabel(e.kind())));
            LOG.info("bitcoind at {}:{}", config.rpc().url().getHost(), config.rpc().url().getPort()); // never the userinfo
            http.checkReady(config.network().coreChain()); // typed startup error: unreachable, 401, -28, IBD, wrong chain
            rpc = http;
            // long-poll always (Core answers it ~1 ms after a block, with the template); ZMQ too when configured
            // (~100 ms later on Core, a second trigger whichever comes first)
            LongPollNotifier longPoll = new LongPollNotifier(http, Duration.ofSeconds(1), Duration.ofSeconds(30));
            notifier = config.zmqHashblock().isEmpty() ? longPoll
                    : new FirstOfNotifier(List.of(longPoll, new ZmqBlockListener(config.zmqHashblock())));
        }
        TemplateFactory factory = new TemplateFactory(config.coinbaseStyle());
        TemplateUpdater[] updaterRef = new TemplateUpdater[1];
        TpConfig.PortLimits pl = config.limits();
        hub = new TemplateHub(factory, rpc, metrics, clock.millis(), () -> {
            TemplateUpdater u = updaterRef[0];
            if (u != null) {
                u.refreshNow();
            }
        }, new TemplateHub.Limits(pl.maxTemplatesPerSession(), pl.staleTemplateGrace(), TemplateHub.Limits.DEFAULT.maxRetiredSessions()),
                clock, new TemplateHub.Options(config.emptyTemplateFirst(), null));
        updater = new TemplateUpdater(rpc, notifier, hub, config.refreshInterval(), config.feeDeltaSats());
        updaterRef[0] = updater;
        updater.start(); // first getblocktemplate: fails here with the node's typed error

        ServerIdentity identity = ServerIdentity.signedPerHandshake(staticKey, authority, config.certificateValidity());
        guard = new ConnectionGuard(pl.guard(), clock, new ConnectionGuard.Events() {
            @Override
            public void banned() {
                metrics.banIssued();
            }

            @Override
            public void banRefused() {
            }

            @Override
            public void bannedChanged(int delta) {
            }
        });
        if (!pl.guard().allow().isEmpty()) {
            LOG.info("TDP clients allowed from {} only", pl.guard().allow());
        }
        server = new TdpServer(hub, metrics, config.ioThreads(), guard,
                TdpSession.Limits.perMinute(pl.constraintChangesPerMinute(), pl.transactionDataRequestsPerMinute(),
                        pl.refusedSolutionsPerMinute()), pl.setupTimeout(), pl.idleTimeout());
        bound = server.bind(config.listen(), crypto, identity, clock,
                new Sv2Limits(Math.min(config.maxFrameBytes() + 6, Sv2Limits.MAX_POSSIBLE_FRAME_BYTES), config.handshakeTimeout()),
                new WriteBufferWaterMark(config.outboundLowWaterMarkBytes(), config.outboundHighWaterMarkBytes()));
        authorityPublicKey = authority.publicKey().toBase58();
        for (InetSocketAddress a : bound) {
            Banner.listening(LOG, "tdp", a);
        }
        Banner.authorityKey(LOG, authorityPublicKey);
        admin = AdminServer.start(config.adminListen(), registry, this); // logs its own "listening http" line
        LOG.info("template provider up: network {}, backend {}, crypto {}, transport {}",
                config.network().name().toLowerCase(Locale.ROOT), config.backend().name().toLowerCase(Locale.ROOT),
                crypto.name(), Sv2Transport.name());
        started = true;
    }

    /**
     * What {@link #start()} checks about the keys, without starting (for {@code --check-config}): the configured
     * secrets parse and an authority key is present except on devnet.
     */
    static String checkKeys(TpConfig config) {
        AuthorityKeyPair a = loadKey(config.authoritySecretKey(), config.authoritySecretKeyFile(), "authority",
                AuthorityKeyPair::fromSecretBase58);
        if (a == null && config.network() != TpConfig.Network.DEVNET) {
            throw new ConfigError("sv2.authority-secret-key or sv2.authority-secret-key-file is required on "
                    + config.network().name().toLowerCase(Locale.ROOT) + " (pools pin its public key; generate one with "
                    + "`hh keygen --out DIR`)");
        }
        loadKey(config.staticSecretKey(), config.staticSecretKeyFile(), "static", StaticKeyPair::fromSecretBase58);
        return a == null ? "no authority key: a new random one each start (devnet only)"
                : "authority public key " + a.publicKey().toBase58();
    }

    private AuthorityKeyPair authorityKey(SecureRandom random) {
        AuthorityKeyPair k = loadKey(config.authoritySecretKey(), config.authoritySecretKeyFile(), "authority",
                AuthorityKeyPair::fromSecretBase58);
        if (k != null) {
            return k;
        }
        if (config.network() != TpConfig.Network.DEVNET) {
            throw new ConfigError("sv2.authority-secret-key or sv2.authority-secret-key-file is required on "
                    + config.network().name().toLowerCase(Locale.ROOT)
                    + " (pools pin its public key; generate one with `hh keygen`)");
        }
        k = AuthorityKeyPair.generate(random);
        LOG.warn("no authority key configured: using a new random one for this devnet run; pools must pin {}",
                k.publicKey().toBase58());
        return k;
    }

    /** Inline base58check secret or a file holding it; null when neither is set. Errors never echo the secret. */
    private static <K> K loadKey(String inline, String file, String what, Function<String, K> parse) {
        String text = inline;
        String source = "sv2." + what + "-secret-key";
        if (text.isEmpty() && !file.isEmpty()) {
            source = "sv2." + what + "-secret-key-file (" + file + ")";
            try {
                text = Files.readString(Path.of(file), StandardCharsets.US_ASCII).trim();
            } catch (IOException | RuntimeException e) {
                throw new ConfigError(source + ": cannot read: " + e.getClass().getSimpleName());
            }
        }
        if (text.isEmpty()) {
            return null;
        }
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(source + ": not a valid base58check secret key");
        }
    }

    /**
     * /v1/health and the systemd watchdog: every event loop runs a probe task within
     * {@link org.hyperhash.daemon.EventLoopProbe}'s timeout (a wedged loop makes the daemon not live).
     */
    @Override
    public boolean live() {
        TdpServer s = server;
        return s != null && started && !closed && s.eventLoopsAnswer(java.time.Duration.ofSeconds(5));
    }

    @Override
    public boolean ready() {
        TemplateUpdater u = updater;
        TdpServer srv = server;
        return started && !closed && u != null && u.healthy() && hub.current() != null && srv != null && srv.cryptoHealthy();
    }

    @Override
    public Map<String, Boolean> readinessChecks() {
        TemplateUpdater u = updater;
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("node_reachable_and_synced", u != null && u.healthy());
        m.put("template_available", hub != null && hub.current() != null);
        m.put("tdp_listening", started && !closed);
        m.put("crypto_provider_works", server != null && server.cryptoHealthy());
        return m;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", "tp");
        m.put("network", config.network().name().toLowerCase(Locale.ROOT));
        m.put("backend", config.backend().name().toLowerCase(Locale.ROOT));
        m.put("tdp_listen", bound.stream().map(Banner::hostPort).toList());
        m.put("admin_listen", admin == null ? "" : Banner.hostPort(admin.address()));
        m.put("authority_public_key", authorityPublicKey);
        m.put("crypto_provider", crypto.name());
        m.put("transport", Sv2Transport.name());
        m.put("ready", ready());
        m.put("connected_pools", metrics == null ? 0 : metrics.connectedPools());
        m.put("active_bans", guard == null ? 0 : guard.activeBans());
        if (server != null && !server.cryptoHealthy()) {
            m.put("last_crypto_failure", server.lastInternalFailure());
        }
        BlockTemplate t = hub == null ? null : hub.current();
        if (t != null) {
            m.put("height", t.height());
            m.put("prev_hash", t.previousBlockHash().toDisplayHex());
            m.put("transactions", t.transactions().size());
            m.put("coinbase_value_sats", t.coinbaseValueSats());
        }
        if (updater != null) {
            m.put("block_notifier", updater.notifierName());
            m.put("last_node_error", updater.lastError() == null ? "" : updater.lastError());
        }
        m.put("last_submit_result", hub == null ? "none" : hub.lastSubmitResult());
        return m;
    }

    /** The bound TDP addresses (port 0 resolved); empty before {@link #start()}. */
    public List<InetSocketAddress> tdpAddresses() {
        return bound;
    }

    /** The bound admin HTTP address, or null before {@link #start()}. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    /** The authority public key in base58check (what pools pin); empty before {@link #start()}. */
    public String authorityPublicKeyBase58() {
        return authorityPublicKey;
    }

    /** The embedded chain on the devnet backend (demos use it to add transactions), else null. */
    public DevnetChain devnetChain() {
        return devnet;
    }

    /** The template hub (null before {@link #start()}). */
    public TemplateHub hub() {
        return hub;
    }

    /** The meters (null before {@link #start()}). */
    public TpMetrics metrics() {
        return metrics;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        started = false;
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
        if (updater != null) {
            updater.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (rpc instanceof AutoCloseable c && rpc != devnet) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debug("closing the RPC client: {}", e.toString());
            }
        }
    }
}
