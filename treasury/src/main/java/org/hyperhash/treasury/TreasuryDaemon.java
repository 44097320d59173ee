package org.hyperhash.treasury;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.hyperhash.daemon.AdminServer;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.Daemon;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.daemon.Version;
import org.hyperhash.ledger.Dialect;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.Lease;
import org.hyperhash.treasury.lightning.Destinations;
import org.hyperhash.treasury.lightning.LightningNode;
import org.hyperhash.treasury.lightning.LndException;
import org.hyperhash.treasury.lightning.LndGrpcNode;
import org.hyperhash.treasury.lightning.LnurlPay;
import org.hyperhash.treasury.lightning.NoLightningNode;
import org.hyperhash.treasury.lightning.PayoutEngine;
import org.hyperhash.treasury.proof.AddressProof;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The treasury daemon: a loop (one virtual thread) that tracks found blocks to maturity and credits them, then
 * reconciles open payouts and pays eligible balances; plus the admin HTTP surface. Cold path throughout.
 */
public final class TreasuryDaemon implements Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(TreasuryDaemon.class);

    private final TreasuryConfig cfg;
    private final PayoutEngine.FaultHook faults;
    private final InstantSource clock;
    private final PrometheusMeterRegistry registry = Metrics.newRegistry("treasury");
    private final TreasuryMetrics metrics = new TreasuryMetrics(registry);
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean lndOk = new AtomicBoolean();
    private final AtomicReference<String> lastError = new AtomicReference<>("");
    private LedgerDatabase db;
    /** {@link #db} seen through the leader lease's fence: every treasury write commits only under a current token. */
    private LedgerDatabase fencedDb;
    private Lease lease;
    private Thread election;
    private final AtomicBoolean leading = new AtomicBoolean();
    private AuditLog audit;
    private LightningNode node;
    private PayoutEngine engine;
    private BlockRewards rewards;
    private BitcoindRpc bitcoind;
    private Accounts accounts;
    private AdminServer admin;
    private Thread loop;
    private Thread retentionThread;
    private Retention retention;

    public TreasuryDaemon(TreasuryConfig cfg, InstantSource clock) {
        this(cfg, clock, null);
    }

    /**
     * @param bitcoindOrNull block-maturity source to use instead of the configured JSON-RPC endpoint (the
     *                       demo passes its in-process devnet chain); null = from {@code bitcoind.url}
     */
    public TreasuryDaemon(TreasuryConfig cfg, InstantSource clock, BitcoindRpc bitcoindOrNull) {
        this(cfg, clock, bitcoindOrNull, PayoutEngine.NO_FAULTS);
    }

    /** @param faults payout crash points (fault-injection tests only) */
    public TreasuryDaemon(TreasuryConfig cfg, InstantSource clock, BitcoindRpc bitcoindOrNull, PayoutEngine.FaultHook faults) {
        this.cfg = cfg;
        this.clock = clock;
        this.bitcoind = bitcoindOrNull;
        this.faults = faults;
    }

    /** Name of the treasury's leader lease in the ledger. */
    public static final String LEADER_LEASE = "treasury-leader";

    @Override
    public void start() throws Exception {
        db = LedgerDatabase.open(cfg.ledgerUrl(), new LedgerDatabase.Options(cfg.ledgerPoolSize(), java.time.Duration.ofSeconds(30),
                java.time.Duration.ofSeconds(10)), clock);
        audit = AuditLog.open(cfg.auditLog(), clock);
        String host = cfg.leaderId().isBlank() ? hostName() : cfg.leaderId();
        lease = new Lease(db, LEADER_LEASE, host + ":" + ProcessHandle.current().pid() + ":" + Long.toHexString(new java.security.SecureRandom().nextLong()),
                "treasury " + Version.version() + " on " + hostName(), cfg.leaderLease());
        fencedDb = db.fenced(lease::check);
        metrics.leader = lease::held;
        if (db.dialect() == Dialect.SQLITE) {
            LOG.info("ledger is SQLite: single-instance treasury (the leader lease only refuses a second process on the same file; "
                    + "use PostgreSQL for a standby treasury)");
        } else {
            LOG.info("leader election on the ledger: lease {} renewed every {}; this process is {}", cfg.leaderLease(),
                    cfg.leaderRenewInterval(), lease.holder());
        }
        accounts = new Accounts(fencedDb);
        rewards = new BlockRewards(fencedDb, cfg.rewards(), clock);
        if (bitcoind == null && !cfg.bitcoindUrl().isBlank()) {
            bitcoind = new HttpBitcoindRpc(URI.create(cfg.bitcoindUrl()), cfg.bitcoindCookieFile().isBlank() ? null : Path.of(cfg.bitcoindCookieFile()),
                    cfg.bitcoindUser(), cfg.bitcoindPassword(), cfg.bitcoindTimeout());
        }
        if (cfg.policy().dryRun()) {
            node = new NoLightningNode();
            LOG.warn("payouts in DRY-RUN mode: balances are credited, nothing is paid ({})",
                    cfg.lndHost().isBlank() ? "no lnd.host configured" : "payouts.dry-run=true");
        } else {
            node = new LndGrpcNode(cfg.lndHost(), cfg.lndPort(), Path.of(cfg.lndTlsCert()), Path.of(cfg.lndMacaroon()),
                    cfg.lndAuthority(), cfg.lndCallTimeout());
            metrics.lndTlsCert(Path.of(cfg.lndTlsCert()));
        }
        Destinations destinations = new Destinations(fencedDb, new AddressProof(cfg.network(), cfg.proofMaxSkew().toSeconds()), cfg.lnNetwork(), clock);
        engine = new PayoutEngine(fencedDb, node, destinations, new LnurlPay(cfg.lnurlTimeout(), cfg.lnurlInsecure()), cfg.policy(), audit,
                metrics, clock, faults, lease::held);
        audit.append("treasury.start", Map.of("version", Version.version(), "dry_run", cfg.policy().dryRun(), "ledger", db.displayUrl()));
        admin = AdminServer.start(Banner.parseHostPort(cfg.adminListen()), registry, this);
        admin.addJsonRoute("/v1/miners/", this::minerRoute);
        running.set(true);
        elect();
        election = Thread.ofVirtual().name("treasury-election").start(this::runElection);
        loop = Thread.ofVirtual().name("treasury-loop").start(this::runLoop);
        retention = new Retention(fencedDb, cfg.retention(), cfg.rewards(), clock, metrics, () -> running.get() && lease.held());
        if (cfg.retention().enabled()) {
            retentionThread = Thread.ofVirtual().name("treasury-retention").start(this::runRetentionLoop);
        } else {
            LOG.warn("ledger retention disabled (retention.enabled = false): share_windows and worker_hours grow without bound");
        }
    }

    /** The retention job (after {@link #start()}). */
    public Retention retention() {
        return retention;
    }

    /**
     * One retention run now, if this process is the leader; never throws (a failure is logged and counted as
     * {@code hh_treasury_errors_total{stage="retention"}}). Runs never overlap.
     */
    public Optional<Retention.Run> runRetention() {
        return retentionPass();
    }

    private final Object retentionLock = new Object();
    /** Whether the last retention pass ran (complete, stopped early or failed), as opposed to skipped (not the leader). */
    private volatile boolean retentionRan;

    private Optional<Retention.Run> retentionPass() {
        synchronized (retentionLock) {
            retentionRan = false;
            if (!running.get() || !lease.held()) {
                return Optional.empty();
            }
            retentionRan = true;
            try {
                return Optional.of(retention.runOnce());
            } catch (RuntimeException e) {
                metrics.error("retention");
                lastError.set("retention: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                LOG.error("ledger retention run failed (next try in {}): {}", cfg.retention().interval(), e.toString());
                return Optional.empty();
            }
        }
    }

    private void runRetentionLoop() {
        // the first run a minute after start (or after winning the lease), then every retention.interval (also after a
        // failure: one ERROR line per interval, not per minute)
        long waitMs = Math.min(60_000, cfg.retention().interval().toMillis());
        while (running.get()) {
            try {
                Thread.sleep(waitMs);
            } catch (InterruptedException e) {
                return;
            }
            retentionPass();
            waitMs = retentionRan ? cfg.retention().interval().toMillis() : Math.min(60_000, cfg.retention().interval().toMillis());
        }
    }

    /** Balances (after {@link #start()}). */
    public Accounts accounts() {
        return accounts;
    }

    private Object minerRoute(String path) {
        // /v1/miners/{address}/balance
        String rest = path.substring("/v1/miners/".length());
        if (!rest.endsWith("/balance")) {
            return null;
        }
        String account = rest.substring(0, rest.length() - "/balance".length());
        if (account.isEmpty() || account.length() > 200) {
            return null;
        }
        Optional<Accounts.Balance> b = accounts.find(account);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("address", account);
        m.put("balance_msat", b.map(Accounts.Balance::balanceMsat).orElse(0L));
        m.put("balance_sats", b.map(x -> x.balanceMsat() / 1000).orElse(0L));
        m.put("dry_run", cfg.policy().dryRun());
        return m;
    }

    private void runLoop() {
        while (running.get()) {
            if (lease.held()) {
                tick();
            }
            try {
                synchronized (leading) {
                    // a standby that just became leader starts at once instead of after a whole poll interval
                    leading.wait(cfg.pollInterval().toMillis());
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void runElection() {
        while (running.get()) {
            try {
                Thread.sleep(cfg.leaderRenewInterval());
            } catch (InterruptedException e) {
                return;
            }
            elect();
        }
    }

    /** One election round: renew or acquire the leader lease, report transitions. */
    void elect() {
        boolean now = lease.renewOrAcquire();
        boolean was = leading.getAndSet(now);
        if (now && !was) {
            metrics.leaderChange();
            LOG.info("this treasury is now the leader (lease token {}): it computes PPLNS and pays", lease.token());
            audit.append("treasury.leader", Map.of("holder", lease.holder(), "token", lease.token()));
            synchronized (leading) {
                leading.notifyAll();
            }
        } else if (!now && was) {
            metrics.leaderChange();
            LOG.warn("this treasury lost the leader lease ({}): standing by, no payouts", lease.lastError().isEmpty()
                    ? "another process holds it" : lease.lastError());
            audit.append("treasury.standby", Map.of("holder", lease.holder()));
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown-host";
        }
    }

    /** The leader lease (after {@link #start()}). */
    public Lease lease() {
        return lease;
    }

    /** One pass: maturity, payouts, gauges. Never throws; passes never overlap. Does nothing unless this is the leader. */
    public synchronized void tick() {
        if (!lease.held()) {
            return;
        }
        try {
            if (bitcoind != null) {
                BlockRewards.PollResult r = rewards.poll(bitcoind);
                metrics.blocks(r.credited(), r.orphaned());
                if (r.rpcErrors() > 0) {
                    metrics.error("bitcoind");
                }
            }
            try {
                if (!cfg.policy().dryRun()) {
                    LightningNode.ChannelSummary ch = node.channelSummary();
                    metrics.localSats.set(ch.localSats());
                    metrics.remoteSats.set(ch.remoteSats());
                    metrics.channels.set(ch.channels());
                }
                lndOk.set(true);
            } catch (LndException e) {
                lndOk.set(false);
                metrics.error("lnd");
                lastError.set(e.getMessage());
                LOG.warn("{}", e.getMessage());
            }
            if (cfg.policy().dryRun() || lndOk.get()) {
                engine.runCycle();
                engine.runManualRequests();
            }
            metrics.owedSats.set(accounts.owedMsat() / 1000);
        } catch (RuntimeException e) {
            metrics.error("db");
            lastError.set(e.getClass().getSimpleName() + ": " + e.getMessage());
            LOG.error("treasury cycle failed: {}", e.toString());
        }
    }

    public InstantSource clock() {
        return clock;
    }

    public LedgerDatabase ledger() {
        return db;
    }

    public PayoutEngine engine() {
        return engine;
    }

    public java.net.InetSocketAddress adminAddress() {
        return admin.address();
    }

    @Override
    public boolean ready() {
        return db != null && db.isReachable() && (cfg.policy().dryRun() || lndOk.get());
    }

    @Override
    public Map<String, Boolean> readinessChecks() {
        return Map.of("db", db != null && db.isReachable(), "lnd", cfg.policy().dryRun() || lndOk.get());
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", "treasury");
        m.put("version", Version.version());
        // the ledger's kind only: its URL (paths, user names, credentials) stays out of the status page
        m.put("ledger", db == null ? null : db.dialect().name().toLowerCase(java.util.Locale.ROOT));
        m.put("network", cfg.network().toString());
        if (lease != null) {
            m.put("leader", lease.held());
            m.put("election", db.dialect() == Dialect.SQLITE ? "sqlite: single instance" : "postgresql lease");
            m.put("lease_holder", lease.holder());
            m.put("lease_token", lease.token());
            try {
                lease.current().ifPresent(h -> {
                    m.put("leader_holder", h.live() ? h.holder() : "");
                    m.put("leader_info", h.live() ? h.info() : "");
                    m.put("leader_token", h.token());
                    m.put("leader_expires_in_ms", h.expiresInMs());
                });
            } catch (RuntimeException e) {
                m.put("leader_holder", "unknown: " + e.getMessage());
            }
        }
        if (engine != null) {
            m.putAll(engine.status());
            m.put("owed_sats", metrics.owedSats.get());
        }
        if (retention != null) {
            m.put("retention", retention.status());
        }
        m.put("last_error", lastError.get());
        return m;
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread t : new Thread[] {election, loop, retentionThread}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (lease != null) {
            // hand over at once instead of making the standby wait for the lease to expire
            lease.release();
            lease.close();
        }
        for (AutoCloseable c : List.<AutoCloseable>of(() -> { if (admin != null) admin.close(); }, () -> { if (engine != null) engine.close(); },
                () -> { if (node != null) node.close(); }, () -> { if (audit != null) audit.close(); }, () -> { if (db != null) db.close(); })) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("close: {}", e.toString());
            }
        }
    }
}
