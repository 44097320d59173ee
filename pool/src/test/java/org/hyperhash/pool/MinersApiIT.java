package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Job;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** GET /v1/miners/{address}: hashrate estimate, workers, last share, accepted/rejected counts; 404 otherwise. */
@Timeout(120)
class MinersApiIT {
    private static final Duration T = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(T).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void minerEndpointReportsWorkersCountsAndHashrate() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        String addr = PoolHarness.address(80);
        long t0 = System.currentTimeMillis();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp);
             FakeSv2Miner a = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, addr + ".alpha").mining(1000))
                     .startMining();
             FakeSv2Miner b = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, addr + ".beta").mining(1000))
                     .startMining();
             HttpClient http = HttpClient.newHttpClient()) {
            assertTrue(FakeSv2Miner.waitFor(() -> a.accepted() >= 3 && b.accepted() >= 3, T));
            // two shares the pool must reject, on alpha
            Job j = a.currentJob();
            for (int i = 0; i < 2; i++) {
                a.send(new SubmitSharesStandard(j.channelId(), a.nextSequence(), j.jobId() + 100_000, 0, j.ntime(), j.version()));
            }
            assertTrue(FakeSv2Miner.waitFor(() -> a.errors("invalid-job-id") == 2, T));
            a.close();
            b.close();
            long accA = a.accepted();
            long accB = b.accepted();
            HttpResponse<String> r = get(http, h.adminUrl() + "/v1/miners/" + addr);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode n = JSON.readTree(r.body());
            assertEquals(addr, n.get("address").asText());
            assertTrue(n.get("hashrate_hps").asDouble() > 0, r.body());
            JsonNode alpha = n.get("workers").get("alpha");
            JsonNode beta = n.get("workers").get("beta");
            assertEquals(2, n.get("workers").size(), r.body());
            // the pool counts every share it accepted; the miner only what it was acked before closing
            assertTrue(alpha.get("accepted_shares").asLong() >= accA, r.body());
            assertTrue(beta.get("accepted_shares").asLong() >= accB, r.body());
            // rejects are counted for a tracked worker only (an accepted share creates it, so invalid shares under
            // made-up names cannot grow the table); stale shares rejected before a worker's first accepted share are
            // not in its count, and some answers arrive after close: only the two deliberate rejects are certain
            assertTrue(alpha.get("rejected_shares").asLong() >= 2, r.body());
            assertTrue(beta.get("rejected_shares").asLong() >= 0, r.body());
            assertEquals(alpha.get("rejected_shares").asLong() + beta.get("rejected_shares").asLong(),
                    n.get("rejected_shares").asLong());
            assertEquals(alpha.get("accepted_shares").asLong() + beta.get("accepted_shares").asLong(),
                    n.get("accepted_shares").asLong());
            assertTrue(alpha.get("hashrate_hps").asDouble() > 0 && beta.get("hashrate_hps").asDouble() > 0);
            long last = n.get("last_share_ms").asLong();
            assertTrue(last >= t0 && last <= System.currentTimeMillis(), "last share " + last);
            assertEquals(Math.max(alpha.get("last_share_ms").asLong(), beta.get("last_share_ms").asLong()), last);
            assertEquals(404, get(http, h.adminUrl() + "/v1/miners/" + PoolHarness.address(81)).statusCode(), "unknown");
            assertEquals(404, get(http, h.adminUrl() + "/v1/miners/" + "x".repeat(101)).statusCode(), "too long");
        }
    }
}
