package org.hyperhash.pool.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.hyperhash.base.Block;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Transaction;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.admin.PoolMetrics.SubmitBlockResult;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

/** Block rebuilding and submitblock answers, on a real regtest block and real bitcoind responses. */
class BitcoindBlockSubmitterTest {
    private static final Bytes REAL = Bytes.fromHex(Vectors.fixture("generateblock-unsubmitted.json").get("hex").asText());

    private static Bytes header() {
        return REAL.slice(0, 80);
    }

    @Test
    void rebuildsTheRealBlockFromHeaderStrippedCoinbaseAndTemplateTransactions() {
        Block b = Block.parse(REAL.toArray());
        assertTrue(b.transactions().size() > 2, "fixture block has transactions");
        Transaction cb = b.transactions().getFirst();
        assertTrue(cb.hasWitness(), "real coinbase carries the reserved witness");
        List<Bytes> others = new ArrayList<>();
        for (Transaction t : b.transactions().subList(1, b.transactions().size())) {
            others.add(t.serialize());
        }
        // the channel hands over the coinbase without witness; the reserved value is added back
        Bytes rebuilt = BitcoindBlockSubmitter.assemble(header(), cb.serializeWithoutWitness(), others);
        assertEquals(REAL, rebuilt);
        assertEquals(REAL, BitcoindBlockSubmitter.assemble(header(), cb.serialize(), others));
    }

    @Test
    void refusesTransactionsThatDoNotMatchTheHeader() {
        Block b = Block.parse(REAL.toArray());
        List<Bytes> others = new ArrayList<>();
        for (Transaction t : b.transactions().subList(1, b.transactions().size())) {
            others.add(t.serialize());
        }
        Bytes cb = b.transactions().getFirst().serializeWithoutWitness();
        List<Bytes> swapped = new ArrayList<>(others);
        Collections.swap(swapped, 0, 1);
        assertThrows(IllegalArgumentException.class, () -> BitcoindBlockSubmitter.assemble(header(), cb, swapped));
        assertThrows(IllegalArgumentException.class, () -> BitcoindBlockSubmitter.assemble(header(), cb,
                others.subList(1, others.size())));
        assertThrows(IllegalArgumentException.class, () -> BitcoindBlockSubmitter.assemble(header(), others.get(0), others));
    }

    @Test
    void classifiesRealBitcoindAnswers() {
        PoolConfig.BlockSubmission cfg = new PoolConfig.BlockSubmission(URI.create("http://127.0.0.1:1"), "", "u", "p",
                Duration.ofSeconds(1), true);
        try (BitcoindBlockSubmitter s = new BitcoindBlockSubmitter(cfg, new PoolMetrics(Metrics.newRegistry("pool")))) {
            assertEquals(SubmitBlockResult.ACCEPTED, s.parse(200, Vectors.fixtureText("submitblock-accepted.json")).result());
            assertEquals(SubmitBlockResult.DUPLICATE, s.parse(200, Vectors.fixtureText("submitblock-duplicate.json")).result());
            BitcoindBlockSubmitter.Outcome high = s.parse(200, Vectors.fixtureText("submitblock-high-hash.json"));
            assertEquals(SubmitBlockResult.REJECTED, high.result());
            assertEquals("high-hash", high.detail());
            assertEquals(SubmitBlockResult.REJECTED, s.parse(200, Vectors.fixtureText("submitblock-stale-fork.json")).result());
            // Core answers RPC errors with HTTP 500 and an error object
            BitcoindBlockSubmitter.Outcome bad = s.parse(500, Vectors.fixtureText("submitblock-decode-failed.json"));
            assertEquals(SubmitBlockResult.ERROR, bad.result());
            assertTrue(bad.detail().contains("-22"), bad.detail());
            assertEquals(SubmitBlockResult.ERROR, s.parse(502, "<html>bad gateway</html>").result());
        }
    }

    @Test
    void configNeverShowsThePassword() {
        PoolConfig.BlockSubmission cfg = new PoolConfig.BlockSubmission(URI.create("http://127.0.0.1:8332"), "", "rpc",
                "s3cret-pw", Duration.ofSeconds(1), true);
        assertTrue(!cfg.toString().contains("s3cret-pw"), cfg.toString());
        assertThrows(RuntimeException.class, () -> new PoolConfig.BlockSubmission(URI.create("http://127.0.0.1:8332"),
                "", "", "", Duration.ofSeconds(1), true), "credentials required");
        assertThrows(RuntimeException.class, () -> new PoolConfig.BlockSubmission(URI.create("http://u:p@127.0.0.1:8332"),
                "", "u", "p", Duration.ofSeconds(1), true), "no credentials in the URL");
    }
}
