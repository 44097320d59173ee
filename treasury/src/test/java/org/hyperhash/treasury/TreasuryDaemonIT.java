package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The daemon in dry-run mode (no LND): admin surface, balances over HTTP, metrics. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TreasuryDaemonIT {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void dryRunDaemonServesBalancesAndMetrics(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            run(t.url);
        }
    }

    void run(String url) throws Exception {
        TreasuryConfig cfg = TreasuryConfig.from(DaemonConfig.load(null, List.of("ledger.url=\"" + url + "\"", "admin.listen=\"127.0.0.1:0\"",
                "bitcoind.url=\"\"", "audit-log=\"" + tmp.resolve("a.jsonl") + "\"", "poll-interval=1h"), "TREASURY_TEST_NONE",
                TreasuryConfig.ROOT));
        assertTrue(cfg.policy().dryRun(), "no lnd.host -> dry run");
        try (TreasuryDaemon d = new TreasuryDaemon(cfg, InstantSource.system())) {
            d.start();
            new ShareWindowStore(d.ledger()).upsertBatch(List.of(new ShareWindow("p", 1, "alice", "w", 1, 1.0)));
            new FoundBlockStore(d.ledger(), InstantSource.system()).insertFound(new FoundBlock("ab".repeat(32), 5, 2, "p", "alice", "w",
                    50_000, 1.0, BlockStatus.ACCEPTED, null, 2));
            new BlockRewards(d.ledger(), cfg.rewards(), InstantSource.system()).poll(h -> java.util.Optional.of(
                    new BitcoindRpc.BlockHeaderInfo(h, 5, 100)));
            // need a destination for a dry-run payout: none set, so the cycle only updates gauges
            d.tick();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + d.adminAddress().getPort();
            HttpResponse<String> bal = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/miners/alice/balance")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, bal.statusCode());
            assertTrue(bal.body().contains("\"balance_sats\" : 49500") && bal.body().contains("\"dry_run\" : true"), bal.body());
            assertEquals(404, http.send(HttpRequest.newBuilder(URI.create(base + "/v1/miners/alice")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/v1/ready")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            String status = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/status")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(status.contains("\"dry_run\" : true") && status.contains("\"owed_sats\" : 49500"), status);
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("hh_treasury_payouts_total{result=\"succeeded\""), metrics);
            assertTrue(metrics.contains("hh_treasury_owed_sats{service=\"treasury\"} 49500.0"), metrics);
            assertTrue(metrics.contains("hh_treasury_payout_latency_seconds_bucket"), "latency histogram");
            for (String table : List.of("share_windows", "worker_hours", "worker_rejects")) {
                assertTrue(metrics.contains("hh_treasury_retention_pruned_rows_total{service=\"treasury\",table=\"" + table + "\"} 0.0"),
                        "pre-registered at zero: " + table);
            }
            assertTrue(metrics.contains("hh_treasury_retention_last_run_timestamp_seconds{service=\"treasury\"} 0.0"), metrics);
            // a retention run on the leader: the block matured, so only the next block's window pins the one share window
            Retention.Run run = d.runRetention().orElseThrow();
            assertTrue(run.complete());
            assertTrue(run.shareWindows().reason().contains("next block"), run.shareWindows().reason());
            assertEquals(1, new ShareWindowStore(d.ledger()).byAddress("alice", 10).size(), "the next block's window is kept");
            String after = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            String st = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/status")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(st.contains("\"last_run_complete\" : true") && st.contains("\"share_windows_retention\" : \"30d\"")
                    && st.contains("PPLNS window of the next block"), st);
            assertTrue(!after.contains("hh_treasury_retention_last_run_timestamp_seconds{service=\"treasury\"} 0.0")
                    && after.contains("hh_treasury_retention_last_run_timestamp_seconds"), after);
        }
    }
}
