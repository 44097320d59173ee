package org.hyperhash.tp;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.hyperhash.daemon.AdminServer;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.Daemon;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.sv2.noise.StaticKeyPair;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.downstream.TdpServer;
import org.hyperhash.tp.downstream.TemplateHub;
import org.hyperhash.tp.downstream.TpMetrics;
import org.hyperhash.tp.node.BitcoindRpc;
import org.hyperhash.tp.node.BlockNotifier;
import org.hyperhash.tp.node.HttpBitcoindRpc;
import org.hyperhash.tp.node.LongPollNotifier;
import org.hyperhash.tp.node.ZmqBlockListener;
import org.hyperhash.tp.template.TemplateFactory;
import org.hyperhash.tp.template.TemplateUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code hh tp}: node (or devnet) -> templates -> TDP server, plus the admin HTTP surface. */
public final class TpDaemon implements Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(TpDaemon.class);

    private final TpConfig config;
    private final InstantSource clock;
    private PrometheusMeterRegistry registry;
    private TpMetrics metrics;
    private BitcoindRpc rpc;
    private TemplateHub hub;
    private TemplateUpdater updater;
    private TdpServer server;
    private AdminServer admin;
    private List<InetSocketAddress> bound = List.of();
    private String authorityPublicKey = "";
    private volatile boolean started;

    public TpDaemon(TpConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
    }

    @Override
    public void start() throws Exception {
        registry = Metrics.newRegistry("tp");
        metrics = new TpMetrics(registry);
        BlockNotifier notifier;
        if (config.backend() == TpConfig.Backend.DEVNET) {
            DevnetParams d = DevnetParams.defaults();
            DevnetChain chain = new DevnetChain(new DevnetParams(d.bits(), d.initialSubsidySats(), config.devnetHalvingInterval(),
                    config.devnetSyntheticTransactions(), d.seed(), d.maxFutureBlockTimeSeconds()), clock);
            LOG.warn("backend DEVNET: an in-process toy chain for tests and demos, not a Bitcoin node");
            rpc = chain;
            notifier = chain.notifier();
        } else {
            HttpBitcoindRpc http = new HttpBitcoindRpc(config.rpc(), (method, e) -> metrics.rpcError(method, e.kind().name().toLowerCase()));
            http.checkReady(config.network().coreChain()); // typed startup error: unreachable, 401, -28, IBD, wrong chain
            rpc = http;
            notifier = config.zmqHashblock().isEmpty()
                    ? new LongPollNotifier(http, Duration.ofSeconds(1), Duration.ofSeconds(30))
                    : new ZmqBlockListener(config.zmqHashblock());
        }
        TemplateFactory factory = new TemplateFactory(config.coinbaseStyle());
        TemplateUpdater[] updaterRef = new TemplateUpdater[1];
        hub = new TemplateHub(factory, rpc, metrics, clock.millis(), () -> updaterRef[0].refreshNow());
        updater = new TemplateUpdater(rpc, notifier, hub, config.refreshInterval(), config.feeDeltaSats());
        updaterRef[0] = updater;
        updater.start();

        Secp256k1Provider crypto = Secp256k1Providers.best();
        SecureRandom random = new SecureRandom();
        AuthorityKeyPair authority = config.authoritySecretKey().isEmpty()
                ? AuthorityKeyPair.generate(random) : AuthorityKeyPair.fromSecretBase58(config.authoritySecretKey());
        if (config.authoritySecretKey().isEmpty()) {
            LOG.warn("sv2.authority-secret-key not set: using a new random authority key (pools must re-pin it after each restart)");
        }
        StaticKeyPair staticKey = config.staticSecretKey().isEmpty()
                ? StaticKeyPair.generate(random) : StaticKeyPair.fromSecretBase58(config.staticSecretKey());
        ServerIdentity identity = ServerIdentity.signedPerHandshake(staticKey, authority, config.certificateValidity());
        server = new TdpServer(hub, metrics, config.ioThreads());
        bound = server.bind(config.listen(), crypto, identity, clock, config.maxFrameBytes(), config.handshakeTimeout(),
                config.outboundLowWaterMarkBytes(), config.outboundHighWaterMarkBytes());
        authorityPublicKey = authority.publicKey().toBase58();
        for (InetSocketAddress a : bound) {
            Banner.listening(LOG, "tdp", a);
        }
        Banner.authorityKey(LOG, authorityPublicKey);
        admin = AdminServer.start(config.adminListen(), registry, this);
        Banner.listening(LOG, "http", admin.address());
        started = true;
    }

    @Override
    public boolean ready() {
        return started && updater != null && updater.healthy();
    }

    @Override
    public Map<String, Boolean> readinessChecks() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        m.put("node_reachable_and_synced", updater != null && updater.healthy());
        m.put("tdp_listening", started);
        return m;
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("network", config.network().name().toLowerCase());
        m.put("backend", config.backend().name().toLowerCase());
        m.put("tdp_listen", bound.stream().map(Banner::hostPort).toList());
        m.put("authority_public_key", authorityPublicKey);
        m.put("connected_pools", metrics == null ? 0 : metrics.connectedPools());
        var t = hub == null ? null : hub.current();
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

    /** The bound TDP addresses (port 0 resolved). */
    public List<InetSocketAddress> tdpAddresses() {
        return bound;
    }

    public String authorityPublicKeyBase58() {
        return authorityPublicKey;
    }

    @Override
    public void close() {
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
    }
}
