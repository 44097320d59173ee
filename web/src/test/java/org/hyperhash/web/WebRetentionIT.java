package org.hyperhash.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.testkit.TestDatabase;
import org.hyperhash.treasury.BlockRewards;
import org.hyperhash.treasury.Retention;
import org.hyperhash.treasury.TreasuryMetrics;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The web page and API on a ledger the treasury's retention job has pruned (default retention: 30 d / 400 d). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WebRetentionIT {
    static final String A = Seed.address(1);
    static final String D = Seed.address(4);
    static final long DAY = 86_400_000L;

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aPrunedLedgerServesEveryView(String dialect) throws Exception {
        long now = System.currentTimeMillis();
        long w0 = Math.floorDiv(now, 10_000) * 10_000;
        try (TestDatabase tdb = TestDatabase.create(dialect, tmp, "hh_web_ret_")) {
            try (LedgerDatabase db = LedgerDatabase.open(tdb.url)) {
                Seed s = new Seed(db.dataSource());
                for (int i = 0; i < 60; i++) {          // A mines now: 60 windows of work 1 in the last 10 minutes
                    s.window("pool-a", w0 - i * 10_000L, A, "rig1", 3, 1.0);
                }
                for (int i = 0; i < 20; i++) {          // 40 days ago: A and D (D mined only then)
                    s.window("pool-a", w0 - 40 * DAY - i * 10_000L, A, "old-rig", 1, 5.0);
                    s.window("pool-a", w0 - 40 * DAY - i * 10_000L, D, "rig", 1, 5.0);
                }
                s.hour("pool-a", now - 500 * DAY, A, "rig1", 7, 7.0, 9_999.0, 0, now - 500 * DAY);   // older than 400 d
                s.reject("pool-a", now - 500 * DAY, A, "rig1", "stale_share", 3);
                s.reject("pool-a", now - 60_000, A, "rig1", "stale_share", 2);
                // a matured block 39 days ago at difficulty 1: the next block's window (2 x 2.0 x 1 = 4 work) is recent
                s.block("%064x".formatted(1), 100, now - 39 * DAY, A, "rig1", 5_000_000_000L, 1.0, "matured");
                s.distribution("%064x".formatted(1), 100, now - 39 * DAY, 5_000_000_000L, "credited");

                TreasuryMetrics metrics = new TreasuryMetrics(Metrics.newRegistry("treasury"));
                Retention.Run run = new Retention(db, Retention.Config.defaults(), new BlockRewards.Config(2_000_000, 10_000, 1000, 100),
                        InstantSource.fixed(Instant.ofEpochMilli(now)), metrics, () -> true).runOnce();
                assertTrue(run.complete());
                assertEquals(40L, run.deleted().get("share_windows"), run.toString());
                assertEquals(1L, run.deleted().get("worker_hours"), "the 500-day-old hour (the 40-day-old hours are kept 400 d)");
                assertEquals(1L, run.deleted().get("worker_rejects"));
                assertEquals(0, new ShareWindowStore(db).byAddress(D, 10).size());
            }
            WebDaemon web = new WebDaemon(WebConfig.from(DaemonConfig.load(null, List.of("listen=\"127.0.0.1:0\"", "admin.listen=\"127.0.0.1:0\"",
                    "ledger.url=\"" + tdb.url + "\"", "http.rate-limit.burst=100000", "http.rate-limit.per-second=100000"),
                    null, WebConfig.ROOT, Map.of())), InstantSource.fixed(Instant.ofEpochMilli(now)));
            web.start();
            try {
                JsonNode p = json(web, "/api/v1/pool");
                // rated over the time since the first window of the last 24 h (590-600 s)
                assertEquals(60 * WebApiIT.TWO32 / 600, p.at("/hashrate/h10m").asDouble(), 2e-2 * 60 * WebApiIT.TWO32 / 600);
                assertEquals(1, p.get("blocks_found").asLong());
                JsonNode a = json(web, "/api/v1/addresses/" + A);
                assertEquals(180, a.at("/shares24h/accepted").asLong(), "today's hours, the pruned one gone");
                assertEquals(2, a.at("/shares24h/rejected_by_reason/stale_share").asLong());
                JsonNode w = json(web, "/api/v1/addresses/" + A + "/workers");
                assertTrue(w.get("items").size() >= 1, w.toString());
                assertEquals(200, WebApiIT.Http.request(web.address(), "GET", "/address/" + A).status());
                assertEquals(200, WebApiIT.Http.request(web.address(), "GET", "/").status());
                assertEquals(200, WebApiIT.Http.request(web.address(), "GET", "/api/v1/blocks").status());
                // D's worker_hours rows (40 days old) are still kept, its share windows are gone: the page still answers
                JsonNode d = json(web, "/api/v1/addresses/" + D);
                assertEquals(0, d.at("/hashrate/h10m").asDouble());
                assertEquals(0, d.at("/shares24h/accepted").asLong());
            } finally {
                web.close();
            }
        }
    }

    static JsonNode json(WebDaemon web, String target) throws Exception {
        WebApiIT.Http.Response r = WebApiIT.Http.request(web.address(), "GET", target);
        assertEquals(200, r.status(), target + ": " + r.body());
        return WebApiIT.JSON.readTree(r.body());
    }
}
