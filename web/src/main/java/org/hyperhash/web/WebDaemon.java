package org.hyperhash.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.hyperhash.daemon.AdminServer;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.Daemon;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.ledger.LedgerDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hh web}: the public miner pages and JSON API over the shared ledger, on its own port. It only reads the
 * ledger, so it runs beside any number of pool instances and the treasury (or on another host), and a pool under
 * load never waits for it. Pool-wide numbers are computed by one background thread every {@code http.cache-ttl}
 * (at least every second); requests read that snapshot and do only bounded per-address reads.
 */
public final class WebDaemon implements Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(WebDaemon.class);
    private static final int RECENT_BLOCKS = 10;

    private final WebConfig cfg;
    private final InstantSource clock;
    private final PrometheusMeterRegistry registry = Metrics.newRegistry("web");
    private final AtomicReference<LedgerView.PoolSnapshot> snapshot = new AtomicReference<>();
    private volatile String lastRefreshError;
    private LedgerDatabase db;
    private LedgerView view;
    private WebServer server;
    private AdminServer admin;
    private ScheduledExecutorService refresher;

    public WebDaemon(WebConfig cfg, InstantSource clock) {
        this.cfg = cfg;
        this.clock = clock;
    }

    @Override
    public void start() throws Exception {
        db = LedgerDatabase.open(cfg.ledgerUrl(), new LedgerDatabase.Options(cfg.ledgerPoolSize(), java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(10)), clock);
        view = new LedgerView(db.dataSource());
        refresh();
        if (snapshot.get() == null) {
            throw new IllegalStateException("cannot read the ledger at " + db.displayUrl() + ": " + lastRefreshError);
        }
        io.micrometer.core.instrument.Gauge.builder("hh.web.snapshot.age.seconds", this, d -> {
            LedgerView.PoolSnapshot s = d.snapshot.get();
            return s == null ? Double.NaN : (d.clock.millis() - s.computedAtMs()) / 1000.0;
        }).description("age of the pool snapshot the pages show").strongReference(true).register(registry);
        refresher = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hh-web-refresh").unstarted(r));
        long period = Math.max(1000, cfg.http().cacheTtl().toMillis());
        refresher.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
        server = new WebServer(cfg, view, this::poolSnapshot, clock, registry);
        server.start();
        Banner.listening(LOG, "http", server.address());
        admin = AdminServer.start(cfg.adminListen(), registry, this);
        LOG.info("web pages on {} (ledger {}, network {})", server.url(), db.displayUrl(),
                cfg.network().name().toLowerCase(java.util.Locale.ROOT));
    }

    private void refresh() {
        try {
            snapshot.set(view.poolSnapshot(clock.millis(), cfg.workerOfflineAfter().toMillis(), cfg.pool().pplnsWindowMultiple(),
                    cfg.pool().feePpm(), RECENT_BLOCKS));
            if (lastRefreshError != null) {
                LOG.info("ledger reads work again");
            }
            lastRefreshError = null;
        } catch (RuntimeException e) {
            String msg = e.getMessage();
            if (!java.util.Objects.equals(msg, lastRefreshError)) {
                LOG.warn("pool snapshot refresh failed (pages show the last one): {}", msg);
            }
            lastRefreshError = msg == null ? e.toString() : msg;
        }
    }

    LedgerView.PoolSnapshot poolSnapshot() {
        return snapshot.get();
    }

    /** The public page URL, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        return server.url();
    }

    public java.net.InetSocketAddress address() {
        return server.address();
    }

    public java.net.InetSocketAddress adminAddress() {
        return admin.address();
    }

    @Override
    public boolean ready() {
        LedgerView.PoolSnapshot s = snapshot.get();
        return s != null && lastRefreshError == null;
    }

    @Override
    public Map<String, Boolean> readinessChecks() {
        return Map.of("ledger_readable", ready());
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", "web");
        m.put("url", server == null ? null : server.url());
        m.put("ledger", db == null ? null : db.displayUrl());
        LedgerView.PoolSnapshot s = snapshot.get();
        m.put("snapshot_computed_at_ms", s == null ? null : s.computedAtMs());
        m.put("last_error", lastRefreshError);
        return m;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (refresher != null) {
            refresher.shutdownNow();
        }
        if (admin != null) {
            admin.close();
        }
        if (db != null) {
            db.close();
        }
    }
}
