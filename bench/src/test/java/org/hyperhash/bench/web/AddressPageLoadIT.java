package org.hyperhash.bench.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.testkit.TestDatabase;
import org.hyperhash.web.WebConfig;
import org.hyperhash.web.WebDaemon;
import org.junit.jupiter.api.Test;

/**
 * Load generator for the web address page and API over a big ledger (numbers in bench/README.md). With
 * {@code -Dhh.web.load=full} it seeds 100k accounts and 1M share windows (ten addresses with 24 h of 10 s windows on two
 * workers, 172,800 rows, the rest spread over 100k addresses) with their hourly rollup (worker_hours; rejects by reason
 * on every tenth worker-hour), 100k balances, 200k payouts and 1,000 blocks, then times 2,000 cold requests per kind and
 * prints p50/p99, a no-ledger baseline measured in the same loop, and the load average. {@code -Dhh.web.load.path}:
 * {@code page} ({@code /address/<addr>}, distinct URLs so the response cache does not help), {@code api}
 * ({@code /api/v1/addresses/<addr>}, cache off), {@code workers} ({@code /api/v1/addresses/<addr>/workers}, cache off) or
 * {@code all} (default). {@code -Dhh.web.load.dialect=postgresql} runs it on PostgreSQL (HH_PG_URL). By default (CI) a
 * small run (2k accounts, 20k windows, one heavy address) that checks every response, not the time: no timed assertion
 * here; web's WebApiIT.perAddressQueriesUseTheIndex checks the query plans.
 */
class AddressPageLoadIT {
    @Test
    void addressPageOverALargeLedger() throws Exception {
        boolean full = "full".equals(System.getProperty("hh.web.load"));
        String dialect = System.getProperty("hh.web.load.dialect", "sqlite");
        int accounts = full ? 100_000 : 2_000;
        int windows = full ? 1_000_000 : 20_000;
        int requests = full ? 2_000 : 200;
        int heavy = full ? 10 : 1;
        Path tmp = Files.createTempDirectory("hh-web-load");
        long now = System.currentTimeMillis();
        long w0 = Math.floorDiv(now, 10_000) * 10_000;
        try (TestDatabase tdb = TestDatabase.create(dialect, tmp, "hh_webload_")) {
            long seedStart = System.nanoTime();
            try (LedgerDatabase db = LedgerDatabase.open(tdb.url); Connection c = db.dataSource().getConnection()) {
                c.setAutoCommit(false);
                SplittableRandom rnd = new SplittableRandom(42);
                rollup.clear();
                int written = 0;
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO share_windows (instance_id, window_start_ms, address, worker, shares, work) VALUES (?,?,?,?,?,?)")) {
                    // ten heavy addresses: every 10 s window of the last 24 h on two workers
                    for (int a = 0; a < heavy; a++) {
                        for (int i = 0; i < 8640 && written < windows; i++) {
                            for (int w = 0; w < 2; w++) {
                                add(ps, w0 - i * 10_000L, address(a), "rig" + w, rnd);
                                written++;
                            }
                        }
                        ps.executeBatch();
                    }
                    // the rest: random accounts, random windows of the last 24 h (distinct per account by construction)
                    int rest = windows - written;
                    int perAccount = Math.max(1, rest / (accounts - heavy));
                    outer:
                    for (int a = heavy; a < accounts; a++) {
                        long base = w0 - rnd.nextInt(8640 - perAccount) * 10_000L;
                        for (int i = 0; i < perAccount; i++) {
                            if (written >= windows) {
                                break outer;
                            }
                            add(ps, base - i * 10_000L, address(a), "w" + (i % 3), rnd);
                            written++;
                        }
                        if (a % 5_000 == 0) {
                            ps.executeBatch();
                            c.commit();
                        }
                    }
                    ps.executeBatch();
                }
                // the hourly rollup the pool's share log writes with the windows, plus rejects by reason on every tenth worker-hour
                try (PreparedStatement ph = c.prepareStatement("INSERT INTO worker_hours (instance_id, hour_start_ms, address, worker, "
                        + "accepted, work, best_difficulty, rejected, first_share_ms, last_share_ms) VALUES (?,?,?,?,?,?,?,?,?,?)");
                        PreparedStatement pr = c.prepareStatement("INSERT INTO worker_rejects (instance_id, hour_start_ms, address, "
                                + "worker, reason, rejected) VALUES (?,?,?,?,?,?)")) {
                    int n = 0;
                    for (var e : rollup.entrySet()) {
                        HourKey k = e.getKey();
                        double[] v = e.getValue();
                        long rejected = n % 10 == 0 ? 1 + rnd.nextInt(5) : 0;
                        ph.setString(1, "pool-a");
                        ph.setLong(2, k.hour());
                        ph.setString(3, k.address());
                        ph.setString(4, k.worker());
                        ph.setLong(5, (long) v[0]);
                        ph.setDouble(6, v[1]);
                        ph.setDouble(7, v[1] * (1 + rnd.nextDouble() * 10));
                        ph.setLong(8, rejected);
                        ph.setLong(9, (long) v[2]);
                        ph.setLong(10, (long) v[3]);
                        ph.addBatch();
                        if (rejected > 0) {
                            pr.setString(1, "pool-a");
                            pr.setLong(2, k.hour());
                            pr.setString(3, k.address());
                            pr.setString(4, k.worker());
                            pr.setString(5, n % 20 == 0 ? "stale_share" : "duplicate_share");
                            pr.setLong(6, rejected);
                            pr.addBatch();
                        }
                        if (++n % 10_000 == 0) {
                            ph.executeBatch();
                            pr.executeBatch();
                        }
                    }
                    ph.executeBatch();
                    pr.executeBatch();
                    hourRows = n;
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO balances (account, balance_msat, entry_count, updated_at_ms) "
                        + "VALUES (?,?,?,?)")) {
                    for (int a = 0; a < accounts; a++) {
                        ps.setString(1, address(a));
                        ps.setLong(2, rnd.nextLong(1, 100_000_000_000L));
                        ps.setLong(3, 1);
                        ps.setLong(4, now);
                        ps.addBatch();
                        if (a % 10_000 == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO payouts (payout_id, account, destination_kind, destination, "
                        + "payment_hash, amount_msat, fee_limit_msat, status, attempts, dry_run, created_at_ms, updated_at_ms) "
                        + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                    for (int i = 0; i < accounts * 2; i++) {
                        ps.setString(1, "p" + i);
                        ps.setString(2, address(i % accounts));
                        ps.setString(3, "keysend");
                        ps.setString(4, "02" + "ab".repeat(32));
                        ps.setString(5, String.format("%064x", i));
                        ps.setLong(6, 10_000_000L);
                        ps.setLong(7, 1000);
                        ps.setString(8, "succeeded");
                        ps.setInt(9, 1);
                        ps.setInt(10, 0);
                        ps.setLong(11, now - i * 1000L);
                        ps.setLong(12, now);
                        ps.addBatch();
                        if (i % 10_000 == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO found_blocks (block_hash, height, found_at_ms, instance_id, "
                        + "address, worker, reward_sats, network_difficulty, status, updated_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                    for (int i = 0; i < 1000; i++) {
                        ps.setString(1, String.format("%064x", i));
                        ps.setLong(2, i);
                        ps.setLong(3, now - (1000 - i) * 60_000L);
                        ps.setString(4, "pool-a");
                        ps.setString(5, address(i % accounts));
                        ps.setString(6, "w0");
                        ps.setLong(7, 312_500_000L);
                        ps.setDouble(8, 1e5);
                        ps.setString(9, "matured");
                        ps.setLong(10, now);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                c.commit();
                if (dialect.equals("postgresql")) {
                    // what autovacuum does in a running ledger: statistics and the visibility map (index-only scans)
                    c.setAutoCommit(true);
                    try (var st = c.createStatement()) {
                        st.execute("VACUUM ANALYZE");
                    }
                }
            }
            double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
            String paths = System.getProperty("hh.web.load.path", "all");
            for (String kind : paths.equals("all") ? List.of("page", "api", "workers") : List.of(paths)) {
                measure(kind, dialect, tdb.url, accounts, windows, heavy, requests, seedSeconds, now);
            }
        } finally {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * Times {@code requests} cold requests of one kind, each followed by one request of {@code /api/v1} (no ledger read:
     * the baseline, under the same load, in the same loop). The page runs with the default response cache (distinct URLs
     * never hit it); the API kinds with the cache off (heavy addresses repeat), so every request reads the ledger.
     */
    private void measure(String kind, String dialect, String url, int accounts, int windows, int heavy, int requests,
            double seedSeconds, long now) throws Exception {
        String ttl = kind.equals("page") ? "5s" : "0s";
        WebDaemon web = new WebDaemon(WebConfig.from(DaemonConfig.load(null, List.of("listen=\"127.0.0.1:0\"",
                "admin.listen=\"127.0.0.1:0\"", "ledger.url=\"" + url + "\"", "http.rate-limit.per-second=1000000",
                "http.rate-limit.burst=1000000", "http.cache-ttl=" + ttl), null, WebConfig.ROOT, Map.of())), InstantSource.system());
        try {
            web.start();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            String base = "http://127.0.0.1:" + web.address().getPort();
            SplittableRandom pick = new SplittableRandom(7);
            // warm-up (JIT, connection pool), then the timed cold requests: one in ten is a heavy address
            for (int i = 0; i < 50; i++) {
                get(http, base + "/address/" + address(heavy + pick.nextInt(accounts - heavy)));
                get(http, base + "/api/v1/addresses/" + address(heavy + pick.nextInt(accounts - heavy)) + "/workers");
            }
            long[] nanos = new long[requests];
            long[] baseline = new long[requests];
            long[] heavyNanos = new long[(requests + 9) / 10];
            long[] lightNanos = new long[requests - heavyNanos.length];
            for (int i = 0; i < requests; i++) {
                String a = i % 10 == 0 ? address(i / 10 % heavy) : address(heavy + pick.nextInt(accounts - heavy));
                String target = switch (kind) {
                    case "page" -> "/address/" + a + (i % 10 == 0 ? "?payouts=" + (now + i) + ".z" : "");
                    case "api" -> "/api/v1/addresses/" + a;
                    case "workers" -> "/api/v1/addresses/" + a + "/workers?limit=" + (1 + i % 100);
                    default -> throw new IllegalArgumentException("hh.web.load.path must be page, api, workers or all");
                };
                long t = System.nanoTime();
                int status = get(http, base + target);
                nanos[i] = System.nanoTime() - t;
                assertEquals(200, status, target);
                t = System.nanoTime();
                assertEquals(200, get(http, base + "/api/v1"));
                baseline[i] = System.nanoTime() - t;
                if (i % 10 == 0) {
                    heavyNanos[i / 10] = nanos[i];
                } else {
                    lightNanos[i - i / 10 - 1] = nanos[i];
                }
            }
            Arrays.sort(nanos);
            Arrays.sort(baseline);
            Arrays.sort(heavyNanos);
            Arrays.sort(lightNanos);
            int p99 = (int) (requests * 0.99);
            System.out.printf(Locale.ROOT, "%s load (%s, cache-ttl %s): %d accounts, %d share windows, %d worker-hours (seeded in %.0f s): "
                    + "%d cold requests, p50 %.1f ms, p99 %.1f ms, max %.1f ms; typical addresses p50 %.1f / p99 %.1f ms, heavy "
                    + "addresses (17,280 windows in 24 h) p50 %.1f / p99 %.1f ms; baseline /api/v1 p50 %.1f / p99 %.1f ms (p99 ratio "
                    + "%.1fx); load average %.2f%n", kind, dialect, ttl, accounts, windows, hourRows, seedSeconds, requests,
                    nanos[requests / 2] / 1e6, nanos[p99] / 1e6, nanos[requests - 1] / 1e6,
                    lightNanos[lightNanos.length / 2] / 1e6, lightNanos[(int) (lightNanos.length * 0.99)] / 1e6,
                    heavyNanos[heavyNanos.length / 2] / 1e6, heavyNanos[(int) (heavyNanos.length * 0.99)] / 1e6,
                    baseline[requests / 2] / 1e6, baseline[p99] / 1e6, (double) nanos[p99] / baseline[p99],
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        } finally {
            web.close();
        }
    }

    /** Regtest P2WPKH address number n (a fixed pattern, no key behind it; the same as the web tests' Seed). */
    static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) 0xa0;
        h[16] = (byte) (n >>> 24);
        h[17] = (byte) (n >>> 16);
        h[18] = (byte) (n >>> 8);
        h[19] = (byte) n;
        return org.bitcoinj.base.SegwitAddress.fromHash(org.bitcoinj.base.BitcoinNetwork.REGTEST, h).toString();
    }

    private record HourKey(long hour, String address, String worker) {
    }

    /** (hour, address, worker) -> {accepted, work, first share ms, last share ms} of the windows seeded so far. */
    private final java.util.Map<HourKey, double[]> rollup = new java.util.HashMap<>();
    private int hourRows;

    private void add(PreparedStatement ps, long start, String address, String worker, SplittableRandom rnd) throws Exception {
        long shares = 1 + rnd.nextInt(20);
        double work = 1000 + rnd.nextDouble() * 1000;
        ps.setString(1, "pool-a");
        ps.setLong(2, start);
        ps.setString(3, address);
        ps.setString(4, worker);
        ps.setLong(5, shares);
        ps.setDouble(6, work);
        ps.addBatch();
        double[] v = rollup.computeIfAbsent(new HourKey(Math.floorDiv(start, 3_600_000L) * 3_600_000L, address, worker),
                k -> new double[] {0, 0, Long.MAX_VALUE, 0});
        v[0] += shares;
        v[1] += work;
        v[2] = Math.min(v[2], start);
        v[3] = Math.max(v[3], start + 9_999);
    }

    private static int get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
