package org.hyperhash.e2e;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.agent.Agent;
import org.hyperhash.agent.AgentConfig;
import org.hyperhash.agent.AgentDaemon;
import org.hyperhash.agent.install.CrashPoints;
import org.hyperhash.agent.status.AgentMetrics;
import org.hyperhash.agent.systemd.FakeSystemctl;
import org.hyperhash.daemon.AdminServer;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.HealthSource;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.hyperhash.treasury.TreasuryConfig;
import org.hyperhash.treasury.TreasuryDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Starts every daemon in process on port 0, scrapes each {@code /metrics} and compares the metric names with the
 * checked-in {@code ops/metrics-exported.txt}, which ops/check-dashboards.sh uses to check dashboards and alert rules.
 * Regenerate the file with {@code -Dhh.ops.write-metrics=true}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpsMetricsIT {
    static final String WRITE_PROPERTY = "hh.ops.write-metrics";
    static final String REGENERATE = "./mvnw -B -ntp -o -pl e2e -am verify -Dtest=org.hyperhash.e2e.OpsMetricsIT"
            + " -Dit.test=org.hyperhash.e2e.OpsMetricsIT -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Dfailsafe.failIfNoSpecifiedTests=false -D" + WRITE_PROPERTY + "=true";
    /**
     * Families a JVM registers only after its first concurrent GC cycle (whether one happens during the test is up to
     * the GC): never part of the list, so dashboards and rules cannot rely on them.
     */
    static final Pattern NONDETERMINISTIC = Pattern.compile("jvm_gc_concurrent_phase_time_seconds.*");
    private static final String GC_PAUSE = "jvm_gc_pause_seconds_count";
    private static final Duration T = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) (0x50 + n);
        h[19] = (byte) (n * 7 + 1);
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    @Test
    void everyDaemonsMetricsMatchTheCheckedInList() throws Exception {
        SortedMap<String, Set<String>> scraped = new TreeMap<>();
        DevnetTp tp = new DevnetTp("0x207fffff");
        PoolConfig poolCfg = PoolConfig.from(DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]", tp.poolTemplateProviders(),
                "sv2.security=plaintext", "admin.listen=\"127.0.0.1:0\"", "payout.address=\"" + address(0) + "\"",
                "ledger.jdbc-url=\"jdbc:sqlite:" + dir.resolve("pool.db") + "\""), null, PoolConfig.ROOT, Map.of()));
        try (tp; PoolDaemon pool = new PoolDaemon(poolCfg, InstantSource.system(), DevnetTp.source(poolCfg),
                MiningServer.Security.PLAINTEXT, "plaintext")) {
            pool.start();
            assertTrue(waitFor(pool::ready, T), "pool ready");
            collect(scraped, "pool", afterGc(pool.adminAddress(), Map.of("hh_pool_ready", "1.0",
                    "hh_pool_hashrate_hps", NUMBER, "hh_pool_sharelog_queued", NUMBER, "hh_pool_connections", NUMBER)));

            TranslatorConfig tcfg = TranslatorConfig.from(DaemonConfig.load(null, List.of("sv1.listen=\"127.0.0.1:0\"",
                    "admin.listen=\"127.0.0.1:0\"", "upstream.user-identity=\"" + address(1) + ".farm\"",
                    "upstream.pools=[{host=\"127.0.0.1\",port=" + pool.sv2Addresses().get(0).getPort() + "}]"),
                    null, TranslatorConfig.ROOT, Map.of()));
            try (TranslatorDaemon translator = new TranslatorDaemon(tcfg, InstantSource.system())) {
                translator.start();
                assertTrue(waitFor(translator::ready, T), "translator connected to the pool");
                collect(scraped, "translator", afterGc(translator.adminAddress(),
                        Map.of("hh_translator_upstream_connected", "1.0", "hh_translator_sv1_connections", "0.0")));
            }

            collect(scraped, "tp", scrapeTemplateProvider(tp.daemon));
            collect(scraped, "jdc", scrapeHyperNode(tp));
            collect(scraped, "treasury", scrapeTreasury());
            collect(scraped, "node-agent", scrapeAgent(pool.adminAddress()));
        }

        checkRuleTestSeries();
        scraped.keySet().removeIf(n -> NONDETERMINISTIC.matcher(n).matches());
        List<String> actual = render(scraped);
        Path file = repoRoot().resolve("ops/metrics-exported.txt");
        if (Boolean.getBoolean(WRITE_PROPERTY)) {
            List<String> out = new ArrayList<>(header());
            out.addAll(actual);
            Files.write(file, out, StandardCharsets.UTF_8);
            System.out.println("OpsMetricsIT: wrote " + actual.size() + " metrics to " + file);
            return;
        }
        List<String> expected = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList() : List.of();
        if (!expected.equals(actual)) {
            StringBuilder diff = new StringBuilder("ops/metrics-exported.txt differs from what the daemons export"
                    + " (- only in the file, + only in the scrape):\n");
            Set<String> exp = new TreeSet<>(expected);
            Set<String> act = new TreeSet<>(actual);
            exp.stream().filter(l -> !act.contains(l)).forEach(l -> diff.append("- ").append(l).append('\n'));
            act.stream().filter(l -> !exp.contains(l)).forEach(l -> diff.append("+ ").append(l).append('\n'));
            diff.append("If the change is intended, regenerate the file and check the dashboards/rules"
                    + " (ops/check-dashboards.sh):\n  ").append(REGENERATE).append('\n');
            System.err.print(diff);
            fail(diff.toString());
        }
    }

    /**
     * The pool's TP (real daemon, devnet). No events are forced: its labelled counters (blocks submitted, sessions
     * closed, RPC errors) are registered at start, so they must show up with zeros.
     */
    private String scrapeTemplateProvider(org.hyperhash.tp.TpDaemon tp) throws Exception {
        waitForMetric(tp.adminAddress(), GC_PAUSE, "hh_tp_blocks_submitted_total", "hh_tp_sessions_closed_total",
                "hh_tp_rpc_errors_total");
        return afterGc(tp.adminAddress(), Map.of("hh_tp_connected_pools", "1.0"));
    }

    /**
     * A Hyper Node on the same devnet TP, its one upstream pool unreachable: it mines solo, and its switch, connect
     * and declaration counters exist (at zero or counting the refused connection).
     */
    private String scrapeHyperNode(DevnetTp tp) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        org.hyperhash.pool.hypernode.HyperNodeConfig cfg = org.hyperhash.pool.hypernode.HyperNodeConfig.from(
                DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]", tp.poolTemplateProviders(),
                        "sv2.security=plaintext", "admin.listen=\"127.0.0.1:0\"", "payout.address=\"" + address(3) + "\"",
                        "ledger.url=\"jdbc:sqlite:" + dir.resolve("jdc.db") + "\"",
                        "upstream.pools=[{name=gone, address=\"127.0.0.1:" + closedPort + "\", jds-address=\"127.0.0.1:"
                                + closedPort + "\", user-identity=\"" + address(4) + ".hn\"}]"),
                        null, org.hyperhash.pool.hypernode.HyperNodeConfig.ROOT, Map.of()));
        try (org.hyperhash.pool.hypernode.HyperNodeDaemon d = org.hyperhash.pool.hypernode.HyperNodeDaemon.fromConfig(cfg,
                InstantSource.system(), DevnetTp.source(cfg.pool()))) {
            d.start();
            assertTrue(waitFor(d::ready, T), "hyper node ready (solo)");
            waitForMetric(d.adminAddress(), GC_PAUSE, "hh_jdc_switches_total", "hh_jdc_connect_failures_total");
            return afterGc(d.adminAddress(), Map.of("hh_jdc_solo", "1.0", "hh_jdc_upstream_pool_index", "-1.0",
                    "hh_pool_ready", "1.0"));
        }
    }

    /** Treasury in dry-run mode with one found block and an unreachable bitcoind (so its error counter exists). */
    private String scrapeTreasury() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        TreasuryConfig cfg = TreasuryConfig.from(DaemonConfig.load(null, List.of(
                "ledger.url=\"jdbc:sqlite:" + dir.resolve("treasury.db") + "\"", "admin.listen=\"127.0.0.1:0\"",
                "bitcoind.url=\"http://127.0.0.1:" + closedPort + "\"", "bitcoind.timeout=2s",
                "audit-log=\"" + dir.resolve("audit.jsonl") + "\"", "poll-interval=1h"), "TREASURY_TEST_NONE", TreasuryConfig.ROOT));
        try (TreasuryDaemon d = new TreasuryDaemon(cfg, InstantSource.system())) {
            d.start();
            new FoundBlockStore(d.ledger(), InstantSource.system()).insertFound(new FoundBlock("cd".repeat(32), 5, 2, "p",
                    address(2), "w", 50_000, 1.0, BlockStatus.ACCEPTED, null, 2));
            waitForMetric(d.adminAddress(), GC_PAUSE, "hh_treasury_errors_total");
            String body = afterGc(d.adminAddress(), Map.of("hh_treasury_owed_sats", "0.0", "hh_treasury_payouts_paused", NUMBER));
            // lnurl errors cannot happen here (no payouts): the series exists at zero (the first loop pass may
            // already have counted the unreachable bitcoind)
            assertTrue(body.contains("hh_treasury_errors_total{service=\"treasury\",stage=\"lnurl\"} 0.0"),
                    "treasury error counters are registered at zero before the first error:\n" + body);
            d.tick();
            return waitForMetric(d.adminAddress(), GC_PAUSE, "hh_treasury_errors_total");
        }
    }

    /** The node agent's status server, one configured unit and one reachable dependency. */
    private String scrapeAgent(InetSocketAddress reachable) throws Exception {
        AgentConfig cfg = AgentConfig.load(null, Map.of(), List.of("status.listen=127.0.0.1:0",
                "paths.state-dir=" + dir.resolve("agent-state"), "paths.releases-dir=" + dir.resolve("releases"),
                "paths.current-link=" + dir.resolve("current"), "trust.root-file=" + dir.resolve("root.json"),
                "units=hh-pool.service", "reach.bitcoind=127.0.0.1:" + reachable.getPort(), "reach.lnd=",
                "node.name=ops-it"));
        FakeSystemctl systemctl = new FakeSystemctl();
        systemctl.setState("hh-pool.service", "active");
        try (Agent agent = new Agent(cfg, systemctl, InstantSource.system(), CrashPoints.NONE, new AgentMetrics("ops-it"));
                AgentDaemon d = new AgentDaemon(agent, java.util.random.RandomGenerator.getDefault(), "ops-it")) {
            d.start();
            waitForMetric(d.statusAddress(), "hh_agent_unit_active");
            return afterGc(d.statusAddress(), Map.of("hh_agent_unit_active", "1", "hh_agent_build_info", "1"));
        }
    }

    /** A sample value that is a real number (not NaN). */
    private static final String NUMBER = "<number>";
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    /**
     * Forces GCs (Micrometer holds gauge state weakly: a gauge whose object was collected reads NaN), then scrapes
     * and checks that no sample reads NaN, that each expected gauge has its value, that every daemon exports its
     * build_info, and that {@code promtool check metrics} accepts the exposition.
     */
    private static String afterGc(InetSocketAddress admin, Map<String, String> expected) throws Exception {
        org.hyperhash.testkit.Gc.force();
        String body = scrape(admin);
        Map<String, String> values = new TreeMap<>();
        List<String> nan = new ArrayList<>();
        for (String line : body.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            java.util.regex.Matcher m = SAMPLE.matcher(line);
            assertTrue(m.matches(), "unparseable sample line: " + line);
            values.putIfAbsent(m.group(1), m.group(3));
            if (m.group(3).equals("NaN")) {
                nan.add(line);
            }
        }
        assertEquals(List.of(), nan, "samples reading NaN after a GC on " + admin);
        expected.forEach((name, value) -> {
            assertTrue(values.containsKey(name), name + " missing after a GC on " + admin + ":\n" + body);
            if (!NUMBER.equals(value)) {
                assertEquals(value, values.get(name), name + " after a GC on " + admin);
            }
        });
        assertTrue(values.keySet().stream().anyMatch(n -> n.startsWith("hh_") && n.endsWith("_build_info")),
                "no hh_*_build_info on " + admin);
        Promtool.checkMetrics(body, admin.toString());
        checkStatusSchema(admin);
        return body;
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /**
     * One schema on every daemon (the node agent included): /v1/health, /v1/ready and /v1/status are JSON objects that
     * start with service and version, health and ready carry a status (ready: and its checks), status says whether the
     * daemon is ready, and every key at every depth is snake_case (no upper case).
     */
    private static void checkStatusSchema(InetSocketAddress admin) throws Exception {
        String service = null;
        for (String path : List.of("/v1/health", "/v1/ready", "/v1/status")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path + " on " + admin);
            com.fasterxml.jackson.databind.JsonNode doc = JSON.readTree(r.body());
            List<String> keys = new ArrayList<>();
            doc.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("service", "version"), keys.subList(0, 2), path + " on " + admin + ": " + r.body());
            assertTrue(service == null || service.equals(doc.get("service").asText()), r.body());
            service = doc.get("service").asText();
            assertTrue(!doc.get("version").asText().isBlank(), r.body());
            switch (path) {
                case "/v1/health" -> assertEquals("up", doc.get("status").asText(), r.body());
                case "/v1/ready" -> assertTrue(doc.get("status").asText().matches("ready|not_ready") && doc.get("checks").isObject(),
                        r.body());
                default -> assertTrue(doc.get("ready").isBoolean(), r.body());
            }
            List<String> bad = new ArrayList<>();
            camelKeys(doc, path, bad);
            assertEquals(List.of(), bad, "keys that are not snake_case on " + admin + path);
        }
    }

    private static void camelKeys(com.fasterxml.jackson.databind.JsonNode n, String at, List<String> bad) {
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                if (!e.getKey().equals(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                    bad.add(at + "." + e.getKey());
                }
                camelKeys(e.getValue(), at + "." + e.getKey(), bad);
            });
        } else if (n.isArray()) {
            n.forEach(c -> camelKeys(c, at + "[]", bad));
        }
    }

    /**
     * Scrapes until samples of every name show up. GC pause timers exist once the registry saw a collection (the
     * notification is asynchronous), so a missing jvm_gc name triggers one.
     */
    private static String waitForMetric(InetSocketAddress admin, String... names) throws Exception {
        long deadline = System.nanoTime() + T.toNanos();
        String body = "";
        while (System.nanoTime() < deadline) {
            body = scrape(admin);
            Set<String> have = sampleNames(body);
            List<String> missing = java.util.Arrays.stream(names).filter(n -> !have.contains(n)).toList();
            if (missing.isEmpty()) {
                return body;
            }
            if (missing.stream().anyMatch(n -> n.startsWith("jvm_gc_"))) {
                System.gc();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not all of " + List.of(names) + " on " + admin + " within " + T + ":\n" + body);
    }

    private static String scrape(InetSocketAddress admin) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics on " + admin + " answered " + r.statusCode());
        }
        return r.body();
    }

    /** Names of the samples in a Prometheus text exposition (what Prometheus stores and PromQL selects). */
    static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }

    /** Per sample name: label name -> values seen, over every daemon's scrape. */
    private final Map<String, Map<String, Set<String>>> labels = new TreeMap<>();
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TEST_SERIES = Pattern.compile("^\\s*- series: '([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?'\\s*$");

    private void collect(SortedMap<String, Set<String>> into, String service, String exposition) {
        for (String n : sampleNames(exposition)) {
            into.computeIfAbsent(n, k -> new TreeSet<>()).add(service);
        }
        for (String line : exposition.split("\n")) {
            java.util.regex.Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches()) {
                continue;
            }
            Map<String, Set<String>> l = labels.computeIfAbsent(m.group(1), k -> new TreeMap<>());
            if (m.group(2) != null) {
                java.util.regex.Matcher x = LABEL.matcher(m.group(2));
                while (x.find()) {
                    l.computeIfAbsent(x.group(1), k -> new TreeSet<>()).add(x.group(2));
                }
            }
        }
    }

    /**
     * The alert rule tests (ops/prometheus/tests/*.yml) feed series shaped like a real scrape: for every series of a
     * metric the daemons export, the label names (besides job and instance, which Prometheus adds) are those of the
     * scrape and each value is one the scrape shows (histogram buckets: an exported {@code le}). {@code path} (the
     * daemon's working directory) may differ.
     */
    private void checkRuleTestSeries() throws IOException {
        List<String> problems = new ArrayList<>();
        try (var files = Files.list(repoRoot().resolve("ops/prometheus/tests"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).sorted().toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    java.util.regex.Matcher m = TEST_SERIES.matcher(line);
                    if (!m.matches() || m.group(1).equals("up")) {
                        continue;
                    }
                    Map<String, Set<String>> real = labels.get(m.group(1));
                    if (real == null) {
                        problems.add(f.getFileName() + ": " + m.group(1) + " is not exported by any daemon");
                        continue;
                    }
                    Map<String, String> given = new TreeMap<>();
                    if (m.group(2) != null) {
                        java.util.regex.Matcher x = LABEL.matcher(m.group(2));
                        while (x.find()) {
                            given.put(x.group(1), x.group(2));
                        }
                    }
                    given.remove("job");
                    given.remove("instance");
                    if (!given.keySet().equals(real.keySet())) {
                        problems.add(f.getFileName() + ": " + m.group(1) + " labels " + given.keySet() + ", scrape has "
                                + real.keySet());
                        continue;
                    }
                    given.forEach((k, v) -> {
                        if (!k.equals("path") && !real.get(k).contains(v)) {
                            problems.add(f.getFileName() + ": " + m.group(1) + "{" + k + "=\"" + v
                                    + "\"} is not a value the daemons export (" + real.get(k) + ")");
                        }
                    });
                }
            }
        }
        assertEquals(List.of(), problems, "rule test series not shaped like a real scrape");
    }

    private static List<String> render(SortedMap<String, Set<String>> m) {
        List<String> out = new ArrayList<>();
        m.forEach((name, services) -> out.add(name + " " + String.join(",", services)));
        return out;
    }

    private static List<String> header() {
        return List.of("# Metric names the daemons export on /metrics (sample names as Prometheus stores them) and the",
                "# services exporting each. Generated by e2e OpsMetricsIT, which fails when this file and a scrape differ.",
                "# ops/check-dashboards.sh checks every metric in the dashboards and alert rules against it. Regenerate:",
                "#   " + REGENERATE);
    }

    private static Path repoRoot() {
        Path p = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isDirectory(q.resolve("ops")) && Files.exists(q.resolve("mvnw"))) {
                return q;
            }
        }
        throw new AssertionError("repository root not found above " + p);
    }

    private static boolean waitFor(BooleanSupplier c, Duration t) throws InterruptedException {
        long deadline = System.nanoTime() + t.toNanos();
        while (System.nanoTime() < deadline) {
            if (c.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return c.getAsBoolean();
    }
}
