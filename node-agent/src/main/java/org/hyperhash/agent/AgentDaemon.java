package org.hyperhash.agent;

import org.hyperhash.agent.install.AgentState;
import org.hyperhash.agent.install.StateStore;
import org.hyperhash.agent.json.Json;
import org.hyperhash.agent.manifest.Ed25519;
import org.hyperhash.agent.manifest.KeyFiles;
import org.hyperhash.agent.manifest.RefusedException;
import org.hyperhash.agent.manifest.Signed;
import org.hyperhash.agent.registration.Registration;
import org.hyperhash.agent.status.StatusServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * {@code hh node-agent run}: repairs, serves node status, registers with the core, then checks for releases
 * every {@code poll.interval-seconds} plus a random jitter, until {@link #close()}.
 */
public final class AgentDaemon implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("org.hyperhash.agent");
    private static final Duration PROBE_EVERY = Duration.ofSeconds(15);
    private final Agent agent;
    private final RandomGenerator random;
    private final String agentVersion;
    private final CountDownLatch stop = new CountDownLatch(1);
    private StatusServer server;
    private Thread poller;
    private Thread prober;
    private volatile Instant nextCheck;
    private volatile Map<String, Object> probes = Map.of();
    private volatile boolean registered;

    public AgentDaemon(Agent agent, RandomGenerator random, String agentVersion) {
        this.agent = agent;
        this.random = random;
        this.agentVersion = agentVersion;
    }

    /** Repairs, starts the status server and the poll loop (first check after a jittered delay of at most one jitter). */
    public void start() throws IOException {
        agent.repair();
        AgentConfig cfg = agent.config();
        var hp = AgentConfig.hostPort(cfg.statusListen(), "status.listen", true);
        refreshProbes();
        // probes (systemctl, HTTP, TCP) can take seconds: refreshed here, never in a status request
        prober = Thread.ofPlatform().name("hh-agent-probe").daemon(true).start(this::probeLoop);
        server = new StatusServer(new InetSocketAddress(hp.getKey(), hp.getValue()), agentVersion, () -> Json.pretty(status()),
                this::readiness, this::metricsText);
        LOG.log(System.Logger.Level.INFO, "node status listening on " + server.address()
                + " (/v1/status /v1/health /v1/ready /metrics)");
        poller = Thread.ofPlatform().name("hh-agent-poll").daemon(true).start(this::loop);
    }

    public InetSocketAddress statusAddress() {
        return server.address();
    }

    /** Blocks until {@link #close()}. */
    public void awaitStop() throws InterruptedException {
        stop.await();
    }

    private void loop() {
        Duration delay = jitter();
        while (true) {
            nextCheck = Instant.now().plus(delay);
            try {
                if (stop.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                registerIfNeeded();
                Agent.CheckResult r = agent.checkOnce();
                LOG.log(System.Logger.Level.INFO, "check: " + Agent.describe(r));
                refreshProbes();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "check crashed: " + e);
            }
            delay = agent.config().pollInterval().plus(jitter());
        }
    }

    private Duration jitter() {
        long j = agent.config().pollJitter().toMillis();
        return Duration.ofMillis(j <= 0 ? 0 : random.nextLong(j));
    }

    /** Registers with the core when configured and no valid acknowledgement is stored. Returns whether registered. */
    public boolean registerIfNeeded() {
        AgentConfig cfg = agent.config();
        if (cfg.coreRegisterUrl() == null) {
            return false;
        }
        PublicKey core = Ed25519.publicFromRaw(Base64.getDecoder().decode(cfg.corePublicKey()));
        if (Registration.stored(cfg.stateDir(), core).isPresent()) {
            registered = true;
            agent.metrics().registered(true);
            return true;
        }
        try {
            var key = Registration.nodeKey(cfg.stateDir());
            AgentState s = agent.state();
            byte[] nonce = new byte[16];
            new java.security.SecureRandom().nextBytes(nonce);
            Signed req = Registration.request(key, cfg.nodeName(), agentVersion,
                    s.committed() == null ? 0 : s.committed().version(), Instant.now(), nonce);
            Registration.register(agent.fetcher(), cfg.coreRegisterUrl(), cfg.stateDir(), req, core);
            LOG.log(System.Logger.Level.INFO, "registered with the core as node " + key.keyId());
            agent.metrics().registration(true);
            registered = true;
        } catch (IOException | RefusedException e) {
            LOG.log(System.Logger.Level.WARNING, "registration with the core failed: " + e.getMessage());
            agent.metrics().registration(false);
            registered = false;
        }
        agent.metrics().registered(registered);
        return registered;
    }

    /** /v1/ready checks: the state journal is readable and a trusted root is loaded. */
    private Map<String, Boolean> readiness() {
        Map<String, Boolean> m = new LinkedHashMap<>();
        boolean state;
        try {
            agent.state();
            state = true;
        } catch (IOException e) {
            state = false;
        }
        m.put("state_readable", state);
        m.put("trusted_root", Files.exists(agent.config().stateDir().resolve("root.json"))
                || Files.exists(agent.config().trustRootFile()));
        return m;
    }

    /**
     * /metrics: the gauges that describe the installed release are refreshed from the state journal at each scrape,
     * so a rollback or upgrade made by the CLI (another process) shows at once instead of the daemon's last value.
     */
    private String metricsText() {
        try {
            AgentState s = agent.state();
            agent.metrics().installedVersion(s.committed() == null ? 0 : s.committed().version());
            agent.metrics().trustedManifestVersion(s.trustedManifestVersion());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "metrics: state journal unreadable: " + e.getMessage());
        }
        return agent.metrics().render();
    }

    private void probeLoop() {
        try {
            while (!stop.await(PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
                try {
                    refreshProbes();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "status probes failed: " + e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Probes units (state and version) and dependencies; cached for the status page. */
    public synchronized void refreshProbes() {
        Map<String, Object> p = new LinkedHashMap<>(probe(agent, agent.metrics()));
        p.put("probed_at", Instant.now().toString());
        probes = p;
    }

    /** Live probes of units and dependencies (used by {@code status} on the command line too). */
    static Map<String, Object> probe(Agent agent, org.hyperhash.agent.status.AgentMetrics metrics) {
        AgentConfig cfg = agent.config();
        List<Object> units = new ArrayList<>();
        for (String u : cfg.units()) {
            Map<String, Object> m = new LinkedHashMap<>();
            String st = agent.health().activeStateOf(u);
            m.put("unit", u);
            m.put("active_state", st);
            metrics.unitActive(u, "active".equals(st));
            URI admin = cfg.adminUrls().get(u);
            Object version = Json.NULL;
            if (admin != null) {
                String body = agent.health().getBody(admin.resolve("/v1/status"), 1000);
                if (body != null) {
                    try {
                        if (Json.parse(body) instanceof Map<?, ?> sm && sm.get("version") instanceof String v) {
                            version = v;
                        }
                    } catch (IllegalArgumentException e) {
                        // not our JSON dialect (floats etc.): version stays unknown
                    }
                }
            }
            m.put("version", version);
            units.add(m);
        }
        Map<String, Object> deps = new LinkedHashMap<>();
        for (var e : Map.of("bitcoind", cfg.bitcoindAddress(), "lnd", cfg.lndAddress()).entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            boolean up = reachable(e.getValue());
            metrics.reachable(e.getKey(), up);
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("address", e.getValue());
            d.put("reachable", up);
            deps.put(e.getKey(), d);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("units", units);
        out.put("dependencies", new java.util.TreeMap<>(deps));
        return out;
    }

    private static boolean reachable(String hostPort) {
        var hp = AgentConfig.hostPort(hostPort, "reach", false);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hp.getKey(), hp.getValue()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The /v1/status document (probes as last refreshed, at most {@link #PROBE_EVERY} old). */
    public Map<String, Object> status() {
        Map<String, Object> doc = statusDocument(agent, agentVersion, probes, nextCheck, registered);
        Map<String, Object> m = StatusServer.header(agentVersion);
        m.put("ready", readiness().values().stream().allMatch(Boolean::booleanValue));
        m.putAll(doc);
        return m;
    }

    static Map<String, Object> statusDocument(Agent agent, String agentVersion, Map<String, Object> probes, Instant nextCheck,
                                              boolean registered) {
        Map<String, Object> m = org.hyperhash.agent.status.StatusServer.header(agentVersion);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("version", agentVersion);
        a.put("manifest_url", agent.config().manifestUrl() == null ? Json.NULL : agent.config().manifestUrl().toString());
        a.put("next_check", nextCheck == null ? Json.NULL : nextCheck.toString());
        m.put("agent", a);
        try {
            AgentState s = agent.state();
            Map<String, Object> st = StateStore.json(s);
            m.put("release", st.get("committed"));
            m.put("previous", st.get("history"));
            m.put("pending", st.get("pending"));
            m.put("trusted_manifest_version", s.trustedManifestVersion());
            m.put("failed_versions", st.get("failed_versions"));
            m.put("last_check", st.get("last_check"));
        } catch (IOException e) {
            m.put("state_error", String.valueOf(e.getMessage()));
        }
        try {
            var rootFile = agent.config().stateDir().resolve("root.json");
            if (Files.exists(rootFile)) {
                var root = org.hyperhash.agent.manifest.Root.of(Signed.parse(Files.readAllBytes(rootFile)));
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("version", root.version());
                r.put("expires", root.expires().toString());
                r.put("threshold", (long) root.threshold());
                r.put("keys", (long) root.keys().size());
                m.put("trusted_root", r);
            }
        } catch (IOException | RefusedException e) {
            m.put("trusted_root", "unreadable: " + e.getMessage());
        }
        m.putAll(probes);
        Map<String, Object> reg = new LinkedHashMap<>();
        reg.put("configured", agent.config().coreRegisterUrl() != null);
        reg.put("registered", registered);
        try {
            if (Files.exists(agent.config().stateDir().resolve("node.pub"))) {
                reg.put("node_id", Ed25519.keyId(KeyFiles.readPublicRaw(agent.config().stateDir().resolve("node.pub"))));
            }
        } catch (IOException e) {
            reg.put("node_id", Json.NULL);
        }
        m.put("registration", reg);
        return m;
    }

    /** For the CLI: a one-shot status with live probes. */
    public static Map<String, Object> statusNow(Agent agent, String agentVersion) {
        AgentConfig cfg = agent.config();
        boolean reg = cfg.coreRegisterUrl() != null && Registration.stored(cfg.stateDir(),
                Ed25519.publicFromRaw(Base64.getDecoder().decode(cfg.corePublicKey()))).isPresent();
        return statusDocument(agent, agentVersion, probe(agent, agent.metrics()), null, reg);
    }

    Optional<Instant> nextCheck() {
        return Optional.ofNullable(nextCheck);
    }

    @Override
    public void close() {
        stop.countDown();
        if (poller != null) {
            // no interrupt: a running install finishes (or is repaired at the next start if systemd kills us)
            try {
                poller.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (server != null) {
            server.close();
        }
    }
}
