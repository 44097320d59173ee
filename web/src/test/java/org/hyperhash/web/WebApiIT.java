package org.hyperhash.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.testkit.TestDatabase;
import org.hyperhash.treasury.proof.AddressProof;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every page and /api/v1 endpoint of the web daemon over a seeded ledger, on SQLite and on PostgreSQL (one schema of
 * its own; never skipped when CI=true), through real HTTP on an ephemeral port; bad input gets a clear 4xx.
 */
class WebApiIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String A = Seed.address(1);
    static final String B = Seed.address(2);
    static final String UNKNOWN = Seed.address(999);
    static final String C = Seed.address(3);
    static final double TWO32 = 4294967296.0;

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnSqlite extends Cases {
        OnSqlite() {
            super("sqlite");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OnPostgresql extends Cases {
        OnPostgresql() {
            super("postgresql");
        }
    }

    abstract static class Cases {
        private final String dialect;
        Path tmp;
        TestDatabase tdb;
        WebDaemon web;
        long now;
        String base;

        Cases(String dialect) {
            this.dialect = dialect;
        }

        @BeforeAll
        void start() throws Exception {
            tmp = java.nio.file.Files.createTempDirectory("hh-web-it");
            tdb = TestDatabase.create(dialect, tmp, "hh_web_");
            now = System.currentTimeMillis();
            long w0 = Math.floorDiv(now, 10_000) * 10_000;
            try (LedgerDatabase db = LedgerDatabase.open(tdb.url)) {
                Seed s = new Seed(db.dataSource());
                // A: rig1 mines every 10 s window of the last 10 minutes (work 1 each), rig2 stopped 2 h ago
                for (int i = 0; i < 60; i++) {
                    s.window("pool-a", w0 - i * 10_000L, A, "rig1", 3, 1.0);
                }
                s.window("pool-a", w0 - 2 * 3_600_000L, A, "rig2", 5, 4.0);
                // best shares and rejects by reason, as the pool's share log writes them (worker_hours / worker_rejects)
                s.hour("pool-a", w0, A, "rig1", 0, 0, 5_000.0, 0, w0);
                s.hour("pool-a", w0 - 60_000L, A, "rig1", 0, 0, 1_234.0, 0, w0 - 60_000L);
                s.hour("pool-a", w0 - 2 * 3_600_000L, A, "rig2", 0, 0, 77.0, 0, w0 - 2 * 3_600_000L);
                s.reject("pool-a", w0, A, "rig1", "stale_share", 4);
                s.reject("pool-a", w0, A, "rig1", "duplicate_share", 1);
                s.reject("pool-a", w0 - 2 * 3_600_000L, A, "rig2", "difficulty_too_low", 2);
                s.reject("pool-a", w0 - 30 * 3_600_000L, A, "rig2", "stale_share", 50); // older than 24 h: not counted
                // C: every share rejected (a misconfigured rig): no share window, yet the page shows why
                s.reject("pool-a", w0, C, "bad", "difficulty_too_low", 9);
                // B on a second pool instance (issue 17: several pools, one ledger)
                for (int i = 0; i < 30; i++) {
                    s.window("pool-b", w0 - i * 10_000L, B, "", 1, 2.0);
                }
                // 30 blocks, the newest by A and found a minute ago
                for (int i = 0; i < 30; i++) {
                    String hash = String.format("%064x", 1000 + i);
                    long at = now - 60_000L - (29 - i) * 600_000L;
                    String status = i == 0 ? "orphaned" : i < 25 ? "matured" : "accepted";
                    s.block(hash, 100 + i, at, i == 29 ? A : B, "rig1", 5_000_000_000L, 50.0, status);
                    if (i < 25) {
                        s.distribution(hash, 100 + i, at, 5_000_000_000L, i == 0 ? "orphaned" : "credited");
                    }
                }
                s.balance(A, 123_456_789L, now);
                for (int i = 0; i < 7; i++) {
                    s.payout("p" + i, A, i % 2 == 0 ? "keysend" : "lightning_address", String.format("%064x", 77 + i),
                            i % 2 == 0 ? String.format("%064x", 99 + i) : null, 10_000_000L + i, "succeeded", now - (7 - i) * 60_000L);
                }
                s.destination(A, "lightning_address", "miner@wallet.example", now / 1000 - 100, now);
            }
            web = new WebDaemon(WebConfig.from(DaemonConfig.load(null, List.of("listen=\"127.0.0.1:0\"", "admin.listen=\"127.0.0.1:0\"",
                    "ledger.url=\"" + tdb.url + "\"", "http.rate-limit.burst=100000", "http.rate-limit.per-second=100000",
                    "explorer.block-url=\"https://explorer.example/block/{hash}\"", "http.page-size=10",
                    "pool.sv2-url=\"stratum2+tcp://pool.example:34254\"", "pool.authority-key=\"9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72\""),
                    null, WebConfig.ROOT, Map.of())), InstantSource.fixed(java.time.Instant.ofEpochMilli(now)));
            web.start();
            base = "127.0.0.1:" + web.address().getPort();
        }

        @AfterAll
        void stop() throws Exception {
            if (web != null) {
                web.close();
            }
            if (tdb != null) {
                tdb.close();
            }
            if (tmp != null) {
                try (var files = java.nio.file.Files.walk(tmp)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }

        /** Seconds since the oldest seeded window (rig2's, 2 h before the newest window). */
        double sinceOldest() {
            return (now - (Math.floorDiv(now, 10_000) * 10_000 - 2 * 3_600_000L)) / 1000.0;
        }

        Http.Response get(String target) throws IOException {
            return Http.request(web.address(), "GET", target);
        }

        JsonNode json(String target) throws IOException {
            Http.Response r = get(target);
            assertEquals(200, r.status(), target + ": " + r.body());
            assertEquals("*", r.header("access-control-allow-origin"));
            assertTrue(r.header("cache-control").contains("max-age=5"), r.header("cache-control"));
            return JSON.readTree(r.body());
        }

        @Test
        void poolEndpoint() throws Exception {
            JsonNode p = json("/api/v1/pool");
            // 60 x 1.0 (A rig1) + 30 x 2.0 (B) in the last 10 min
            assertEquals(120 * TWO32 / 600, p.at("/hashrate/h10m").asDouble(), 1e-3 * 120 * TWO32 / 600);
            // the oldest window of the last 24 h started 2 h ago: the 24 h rate is over those 2 h, not a whole day
            assertEquals(124 * TWO32 / sinceOldest(), p.at("/hashrate/h24h").asDouble(), 1e-6 * TWO32);
            assertEquals(2, p.get("miners_online").asInt());
            assertEquals(2, p.get("workers_online").asInt());
            assertEquals(30, p.get("blocks_found").asLong());
            assertEquals(10, p.get("recent_blocks").size());
            assertEquals(129, p.at("/recent_blocks/0/height").asLong());
            assertEquals("pending", p.at("/recent_blocks/0/state").asText());
            assertEquals(24, p.get("chart").size(), "hourly points over 24 h");
            assertEquals(120 * TWO32 / 3600, p.at("/hashrate/h1h").asDouble(), 1e-6 * TWO32);
            // the latest distribution's parameters, the latest non-orphaned block's difficulty: window 3 x 50 = 150 work
            assertEquals(3.0, p.at("/pplns/window_multiple").asDouble());
            assertEquals(20_000, p.at("/pplns/fee_ppm").asLong());
            assertEquals(150.0, p.at("/pplns/target_work").asDouble());
            assertFalse(p.at("/pplns/full").asBoolean(), "124 work < 150: the window is not full");
            assertEquals("stratum2+tcp://pool.example:34254", p.at("/connect/sv2_url").asText());
        }

        @Test
        void blocksArePagedWithoutGapsOrRepeats() throws Exception {
            List<Long> heights = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                JsonNode page = json("/api/v1/blocks?limit=7" + (cursor == null ? "" : "&cursor=" + cursor));
                page.get("items").forEach(b -> heights.add(b.get("height").asLong()));
                cursor = page.get("next").isNull() ? null : page.get("next").asText();
                pages++;
            } while (cursor != null && pages < 10);
            assertEquals(5, pages);
            assertEquals(30, heights.size());
            assertEquals(30, new HashSet<>(heights).size());
            assertEquals(129L, heights.getFirst());
            assertEquals(100L, heights.getLast());
            JsonNode first = json("/api/v1/blocks?limit=30").get("items");
            assertEquals("orphaned", first.get(29).get("state").asText());
            assertEquals("mature", first.get(10).get("state").asText());
        }

        @Test
        void addressEndpoint() throws Exception {
            JsonNode a = json("/api/v1/addresses/" + A);
            assertEquals(A, a.get("address").asText());
            assertEquals(60 * TWO32 / 600, a.at("/hashrate/h10m").asDouble(), 1e-3 * 60 * TWO32 / 600);
            assertEquals(64 * TWO32 / sinceOldest(), a.at("/hashrate/h24h").asDouble(), 1e-6 * TWO32);
            assertEquals(1, a.get("workers_online").asInt());
            assertEquals(2, a.get("workers_seen").asInt());
            assertEquals(123_456_789L, a.at("/balance/balance_msat").asLong());
            assertEquals("miner@wallet.example", a.at("/destination/destination").asText());
            assertEquals(1, a.get("blocks_found").size());
            // window not full: every share counts; A has 64 of 124
            assertEquals(64.0 / 124, a.get("pplns_share").asDouble(), 1e-9);
            assertEquals((long) Math.floor(64.0 / 124 * 5_000_000_000L * 0.98), a.get("estimated_next_reward_sats").asLong(), 1);
            assertEquals(24, a.get("chart").size(), "hourly points over 24 h");
            assertEquals(60 * TWO32 / 3600, a.at("/hashrate/h1h").asDouble(), 1e-6 * TWO32);
            assertEquals(185, a.at("/shares24h/accepted").asLong());
            assertEquals(7, a.at("/shares24h/rejected").asLong());
            assertEquals(4, a.at("/shares24h/rejected_by_reason/stale_share").asLong());
            assertEquals(1, a.at("/shares24h/rejected_by_reason/duplicate_share").asLong());
            assertEquals(2, a.at("/shares24h/rejected_by_reason/difficulty_too_low").asLong());
            assertEquals(3, a.at("/shares24h/rejected_by_reason").size());
            assertEquals(5_000.0, a.at("/shares24h/best_share_difficulty").asDouble());
            JsonNode b = json("/api/v1/addresses/" + B);
            assertEquals(30, b.at("/shares24h/accepted").asLong());
            assertEquals(0, b.at("/shares24h/rejected").asLong());
            assertEquals(0, b.at("/shares24h/rejected_by_reason").size());
        }

        @Test
        void aMinerWithOnlyRejectedSharesSeesWhy() throws Exception {
            JsonNode c = json("/api/v1/addresses/" + C);
            assertEquals(0, c.at("/shares24h/accepted").asLong());
            assertEquals(9, c.at("/shares24h/rejected_by_reason/difficulty_too_low").asLong());
            JsonNode w = json("/api/v1/addresses/" + C + "/workers");
            assertEquals("bad", w.at("/items/0/name").asText());
            assertTrue(w.at("/items/0/last_share_ms").isNull());
            assertFalse(w.at("/items/0/online").asBoolean());
            String page = get("/address/" + C).body();
            assertTrue(page.contains("difficulty too low 9") && page.contains("none in 24 h"), page);
        }

        @Test
        void workersEndpointPages() throws Exception {
            JsonNode w = json("/api/v1/addresses/" + A + "/workers?limit=1");
            assertEquals("rig1", w.at("/items/0/name").asText());
            assertTrue(w.at("/items/0/online").asBoolean());
            assertEquals(180, w.at("/items/0/shares24h").asLong());
            assertEquals(5, w.at("/items/0/rejected24h").asLong());
            assertEquals(4, w.at("/items/0/rejected_by_reason/stale_share").asLong());
            assertEquals(1, w.at("/items/0/rejected_by_reason/duplicate_share").asLong());
            assertEquals(5_000.0, w.at("/items/0/best_share_difficulty").asDouble());
            long w0 = Math.floorDiv(now, 10_000) * 10_000;
            assertEquals(w0, w.at("/items/0/last_share_ms").asLong());
            assertEquals(60 * TWO32 / 600, w.at("/items/0/hashrate10m_hps").asDouble(), 2e-2 * 60 * TWO32 / 600); // over the time since the first share (590-600 s)
            JsonNode w2 = json("/api/v1/addresses/" + A + "/workers?limit=1&cursor=" + w.get("next").asText());
            assertEquals("rig2", w2.at("/items/0/name").asText());
            assertFalse(w2.at("/items/0/online").asBoolean());
            assertEquals(5, w2.at("/items/0/shares24h").asLong());
            assertEquals(2, w2.at("/items/0/rejected24h").asLong(), "the rejects of 30 h ago are not in 24 h");
            assertEquals(2, w2.at("/items/0/rejected_by_reason/difficulty_too_low").asLong());
            assertEquals(1, w2.at("/items/0/rejected_by_reason").size());
            assertEquals(77.0, w2.at("/items/0/best_share_difficulty").asDouble());
            assertEquals(w0 - 2 * 3_600_000L, w2.at("/items/0/last_share_ms").asLong());
            assertEquals(0, w2.at("/items/0/hashrate10m_hps").asDouble());
            assertTrue(w2.get("next").isNull());
            assertEquals("", json("/api/v1/addresses/" + B + "/workers").at("/items/0/name").asText());
        }

        @Test
        void payoutsEndpointPagesWithProof() throws Exception {
            JsonNode p = json("/api/v1/addresses/" + A + "/payouts?limit=4");
            assertEquals(4, p.get("items").size());
            assertEquals("p6", p.at("/items/0/id").asText());
            assertEquals("keysend", p.at("/items/0/destination_kind").asText());
            assertEquals(String.format("%064x", 77 + 6), p.at("/items/0/payment_hash").asText());
            assertEquals(String.format("%064x", 99 + 6), p.at("/items/0/preimage").asText());
            assertTrue(p.at("/items/1/preimage").isNull());
            JsonNode p2 = json("/api/v1/addresses/" + A + "/payouts?limit=4&cursor=" + p.get("next").asText());
            assertEquals(3, p2.get("items").size());
            assertEquals("p0", p2.at("/items/2/id").asText());
            assertTrue(p2.get("next").isNull());
            assertEquals(0, json("/api/v1/addresses/" + B + "/payouts").get("items").size());
        }

        @Test
        void destinationMessageIsTheTreasurysChallenge() throws Exception {
            JsonNode m = json("/api/v1/addresses/" + A + "/destination-message?kind=keysend&destination=02abcdef");
            long ts = m.get("timestamp").asLong();
            assertEquals(AddressProof.challenge(A, "keysend", "02abcdef", ts), m.get("message").asText());
            assertEquals(Map.of("address", A, "kind", "keysend", "destination", "02abcdef", "timestamp", String.valueOf(ts)),
                    AddressProof.parse(m.get("message").asText()));
        }

        @Test
        void openApiDocumentsEveryEndpoint() throws Exception {
            JsonNode doc = json("/api/v1/openapi.json");
            assertEquals("3.0.3", doc.get("openapi").asText());
            for (String p : List.of("/api/v1/pool", "/api/v1/blocks", "/api/v1/addresses/{address}", "/api/v1/addresses/{address}/workers",
                    "/api/v1/addresses/{address}/payouts", "/api/v1/addresses/{address}/destination-message")) {
                assertNotNull(doc.at("/paths").get(p), p);
            }
            // every property the API sends for an address is documented
            JsonNode a = json("/api/v1/addresses/" + A);
            JsonNode props = doc.at("/components/schemas/Address/properties");
            a.fieldNames().forEachRemaining(f -> assertNotNull(props.get(f), "undocumented field " + f));
            JsonNode pool = json("/api/v1/pool");
            JsonNode pp = doc.at("/components/schemas/Pool/properties");
            pool.fieldNames().forEachRemaining(f -> assertNotNull(pp.get(f), "undocumented field " + f));
            JsonNode stats = doc.at("/components/schemas/ShareStats/properties");
            a.get("shares24h").fieldNames().forEachRemaining(f -> assertNotNull(stats.get(f), "undocumented field shares24h." + f));
            JsonNode worker = json("/api/v1/addresses/" + A + "/workers").at("/items/0");
            JsonNode wp = doc.at("/components/schemas/Worker/properties");
            worker.fieldNames().forEachRemaining(f -> assertNotNull(wp.get(f), "undocumented worker field " + f));
            wp.fieldNames().forEachRemaining(f -> assertNotNull(worker.get(f), "documented worker field not sent: " + f));
        }

        @Test
        void pagesShowTheNumbersWithoutScript() throws Exception {
            Http.Response home = get("/");
            assertEquals(200, home.status());
            assertTrue(home.header("content-security-policy").startsWith("default-src 'none'"));
            String h = home.body();
            assertFalse(h.contains("<script"), "no script on the pages");
            assertTrue(h.contains("id=\"pool-hashrate-10m\">" + Fmt.hashrate(120 * TWO32 / 600)), h);
            assertTrue(h.contains("https://explorer.example/block/" + String.format("%064x", 1029)));
            assertTrue(h.contains("<svg"));
            assertTrue(h.contains("9auqWEzQDVyd2oe1JVGFLMLHZtCo2FFqZwtKA5gd9xbuEu7PH72"));
            String a = get("/address/" + A).body();
            assertTrue(a.contains("id=\"balance\">123,456.789 sats"), a);
            assertTrue(a.contains("rig2") && a.contains(">offline<") && a.contains(">online<"));
            assertTrue(a.contains("id=\"shares-24h\">185 / 7<"), a);
            assertTrue(a.contains("id=\"best-share\">5.00 k<"), a);
            assertTrue(a.contains("difficulty too low 2, duplicate share 1, stale share 4"), "reasons of the address, by name: " + a);
            assertTrue(a.contains("duplicate share 1, stale share 4</small>"), "rig1's reasons in its row");
            assertTrue(a.contains(">77.0<"), "rig2's best share");
            assertTrue(a.contains(String.format("%064x", 99 + 6)), "keysend preimage shown");
            assertTrue(a.contains("miner@wallet.example"));
            String c = get("/address/" + A + "?kind=lightning_address&destination=me%40example.com").body();
            assertTrue(c.contains("hyperhash payout destination v1\naddress: " + A + "\nkind: lightning_address\ndestination: me@example.com"), c);
            Http.Response redirect = get("/address?a=" + A);
            assertEquals(303, redirect.status());
            assertEquals("/address/" + A, redirect.header("location"));
            assertTrue(get("/blocks").body().contains("rel=\"next\""));
            Http.Response css = get("/static/style.css");
            assertEquals(200, css.status());
            assertTrue(css.header("content-type").startsWith("text/css"));
            assertEquals(200, get("/static/favicon.svg").status());
        }

        @Test
        void badInputGetsAClear4xxNeverAStackTrace() throws Exception {
            record Case(String method, String target, int status, String says) {
            }
            List<Case> cases = List.of(
                    new Case("GET", "/address/not-an-address", 400, "malformed address"),
                    new Case("GET", "/address/bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 400, "not a valid regtest address"),
                    new Case("GET", "/address/" + A.substring(0, A.length() - 1) + "x", 400, "not a valid regtest address"),
                    new Case("GET", "/address/" + UNKNOWN, 404, "no shares, balance or payouts"),
                    new Case("GET", "/api/v1/addresses/" + UNKNOWN, 404, "no shares, balance or payouts"),
                    new Case("GET", "/api/v1/addresses/" + UNKNOWN + "/payouts", 404, "no shares"),
                    new Case("GET", "/api/v1/addresses/%3Cscript%3E", 400, "malformed address"),
                    new Case("GET", "/api/v1/addresses/" + A + "/nope", 404, "no such resource"),
                    new Case("GET", "/static/../../../../etc/passwd", 400, "invalid path"),
                    new Case("GET", "/static/%2e%2e/%2e%2e/etc/passwd", 400, "invalid path"),
                    new Case("GET", "/static/..%2f..%2fetc%2fpasswd", 400, "invalid path"),
                    new Case("GET", "/static/style.css%00.png", 400, "invalid path"),
                    new Case("GET", "/static/..%5c..%5cwindows", 400, "invalid path"),
                    new Case("GET", "/static/passwd", 404, "no such page"),
                    new Case("GET", "/api/v1/blocks?limit=0", 400, "limit must be 1..200"),
                    new Case("GET", "/api/v1/blocks?limit=abc", 400, "limit must be"),
                    new Case("GET", "/api/v1/blocks?cursor=zzz", 400, "cursor must be"),
                    new Case("GET", "/api/v1/blocks?cursor=1.%27%20OR%201%3D1", 400, "cursor must be"),
                    new Case("GET", "/api/v1/blocks?sort=1", 400, "unknown query parameter 'sort'"),
                    new Case("GET", "/api/v1/blocks?limit=1&limit=2", 400, "given twice"),
                    new Case("GET", "/api/v1/pool?a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9", 400, "too many query parameters"),
                    new Case("GET", "/api/v1/pool?" + "x".repeat(5000), 414, "longer than"),
                    new Case("GET", "/address/" + A + "?kind=bogus&destination=x", 400, "kind must be"),
                    new Case("GET", "/api/v1/addresses/" + A + "/destination-message?kind=keysend&destination=a%20b", 400, "destination must be"),
                    new Case("POST", "/api/v1/pool", 405, "read-only"),
                    new Case("DELETE", "/address/" + A, 405, "read-only"));
            for (Case c : cases) {
                Http.Response r = Http.request(web.address(), c.method, c.target);
                assertEquals(c.status, r.status(), c + " -> " + r.body());
                assertTrue(r.body().contains(c.says), c + " -> " + r.body());
                assertFalse(r.body().contains("Exception") || r.body().contains("\tat ") || r.body().contains("org.hyperhash"),
                        c + " leaks internals: " + r.body());
            }
            // a raw backslash or a broken %-escape is refused by the JDK server itself (400, its own one-line body naming
            // URISyntaxException, no trace), before routing
            for (String target : List.of("/..\\..\\windows", "/api/v1/pool?%zz=1", "/address/%zz")) {
                Http.Response r = Http.request(web.address(), "GET", target);
                assertEquals(400, r.status(), target);
                assertFalse(r.body().contains("\tat ") || r.body().contains("org.hyperhash"), r.body());
            }
            // a huge header line or request line is refused by the server, which stays up
            Http.Response huge = Http.request(web.address(), "GET", "/?" + "a=".repeat(40_000));
            assertTrue(huge.status() == 414 || huge.status() == 400 || huge.status() == 413, "status " + huge.status());
            assertEquals(200, get("/api/v1/pool").status());
        }

        @Test
        void corsPreflightAllowsReadOnlyUse() throws Exception {
            Http.Response r = Http.request(web.address(), "OPTIONS", "/api/v1/pool");
            assertEquals(204, r.status());
            assertEquals("*", r.header("access-control-allow-origin"));
            assertEquals("GET, HEAD, OPTIONS", r.header("access-control-allow-methods"));
            assertNull(get("/").header("access-control-allow-origin"), "pages are not for other origins");
            Http.Response head = Http.request(web.address(), "HEAD", "/api/v1/pool");
            assertEquals(200, head.status());
            assertEquals("", head.body());
        }

        @Test
        void perAddressQueriesUseTheIndex() throws Exception {
            if (!dialect.equals("sqlite")) {
                return; // PostgreSQL's planner picks by table statistics; the load test (bench/README.md) measures it
            }
            try (Connection c = java.sql.DriverManager.getConnection(tdb.url); Statement st = c.createStatement()) {
                for (String sql : List.of(
                        "SELECT SUM(work) FROM share_windows WHERE address = 'x' AND window_start_ms >= 5",
                        "SELECT worker, SUM(work) FROM share_windows WHERE address = 'x' AND window_start_ms >= 5 GROUP BY worker",
                        "SELECT hour_start_ms, SUM(work), MAX(best_difficulty) FROM worker_hours WHERE address = 'x' AND hour_start_ms >= 5 "
                                + "GROUP BY hour_start_ms",
                        "SELECT worker, SUM(accepted) FROM worker_hours WHERE address = 'x' AND hour_start_ms >= 5 AND worker > 'a' "
                                + "GROUP BY worker ORDER BY worker LIMIT 5",
                        "SELECT worker, reason, SUM(rejected) FROM worker_rejects WHERE address = 'x' AND hour_start_ms >= 5 "
                                + "AND worker <= 'z' GROUP BY worker, reason",
                        "SELECT payout_id FROM payouts WHERE account = 'x' AND (created_at_ms < 5 OR (created_at_ms = 5 AND payout_id < 'z')) "
                                + "ORDER BY created_at_ms DESC, payout_id DESC LIMIT 5",
                        "SELECT block_hash FROM found_blocks WHERE address = 'x' ORDER BY found_at_ms DESC LIMIT 10")) {
                    StringBuilder plan = new StringBuilder();
                    try (ResultSet rs = st.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
                        while (rs.next()) {
                            plan.append(rs.getString(4)).append('\n');
                        }
                    }
                    assertTrue(plan.toString().contains("USING INDEX") || plan.toString().contains("USING COVERING INDEX"),
                            sql + "\n" + plan);
                    assertFalse(plan.toString().matches("(?s).*SCAN (share_windows|payouts|found_blocks|worker_hours|worker_rejects)\\b(?! USING).*"), sql + "\n" + plan);
                }
            }
        }
    }

    @Test
    void perIpRateLimitAnswers429WithRetryAfter() throws Exception {
        Path tmp = java.nio.file.Files.createTempDirectory("hh-web-rl");
        try (TestDatabase tdb = TestDatabase.create("sqlite", tmp, "hh_web_")) {
            WebDaemon web = new WebDaemon(WebConfig.from(DaemonConfig.load(null, List.of("listen=\"127.0.0.1:0\"",
                    "admin.listen=\"127.0.0.1:0\"", "ledger.url=\"" + tdb.url + "\"", "http.rate-limit.burst=3",
                    "http.rate-limit.per-second=0.01"), null, WebConfig.ROOT, Map.of())), InstantSource.system());
            try {
                web.start();
                for (int i = 0; i < 3; i++) {
                    assertEquals(200, Http.request(web.address(), "GET", "/api/v1/pool").status());
                }
                Http.Response r = Http.request(web.address(), "GET", "/api/v1/pool");
                assertEquals(429, r.status(), r.body());
                assertTrue(Long.parseLong(r.header("retry-after")) >= 1, r.header("retry-after"));
                assertTrue(r.body().contains("too many requests"), r.body());
                Http.Response page = Http.request(web.address(), "GET", "/");
                assertEquals(429, page.status(), "pages share the bucket");
                assertTrue(page.header("content-type").startsWith("text/html"));
            } finally {
                web.close();
            }
        } finally {
            try (var files = java.nio.file.Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** A minimal HTTP/1.1 client over a raw socket: sends the request target exactly as given (no normalisation). */
    static final class Http {
        record Response(int status, Map<String, String> headers, String body) {
            String header(String name) {
                return headers.get(name);
            }
        }

        static Response request(InetSocketAddress to, String method, String target) throws IOException {
            try (Socket s = new Socket(to.getAddress(), to.getPort())) {
                s.setSoTimeout(15_000);
                OutputStream out = s.getOutputStream();
                out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                InputStream in = s.getInputStream();
                String raw;
                try {
                    raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.net.SocketException e) {
                    raw = "";
                }
                if (raw.isEmpty()) {
                    return new Response(0, Map.of(), "");
                }
                int end = raw.indexOf("\r\n\r\n");
                String[] lines = raw.substring(0, end).split("\r\n");
                int status = Integer.parseInt(lines[0].split(" ")[1]);
                Map<String, String> headers = new java.util.HashMap<>();
                for (int i = 1; i < lines.length; i++) {
                    int colon = lines[i].indexOf(':');
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
                String body = raw.substring(end + 4);
                if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                    body = dechunk(body);
                }
                return new Response(status, headers, body);
            }
        }

        private static String dechunk(String s) {
            StringBuilder b = new StringBuilder();
            int i = 0;
            while (i < s.length()) {
                int eol = s.indexOf("\r\n", i);
                int n = Integer.parseInt(s.substring(i, eol).trim(), 16);
                if (n == 0) {
                    break;
                }
                b.append(s, eol + 2, eol + 2 + n);
                i = eol + 2 + n + 2;
            }
            return b.toString();
        }
    }
}
