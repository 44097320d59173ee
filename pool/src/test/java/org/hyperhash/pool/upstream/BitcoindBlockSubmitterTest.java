package org.hyperhash.pool.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperhash.base.Block;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.Transaction;
import org.hyperhash.daemon.Metrics;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.admin.PoolMetrics.SubmitBlockResult;
import org.hyperhash.pool.admin.PoolMetrics.TransactionDataPrefetch;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

/**
 * Block rebuilding, the transaction prefetch and submitblock answers, on a real regtest block and real bitcoind
 * responses (a local HTTP server stands in for bitcoind where a call is made).
 */
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

    /** A template source that answers RequestTransactionData from {@code answer} while {@code up}; counts requests. */
    private static final class StubSource implements TemplateSource {
        final AtomicInteger requests = new AtomicInteger();
        volatile boolean up = true;
        volatile List<Bytes> answer = List.of();

        @Override
        public void start(TdpListener listener, CoinbaseOutputConstraints constraints) {
        }

        @Override
        public boolean connected() {
            return up;
        }

        @Override
        public boolean submitSolution(SubmitSolution solution) {
            return up;
        }

        @Override
        public CompletableFuture<TransactionDataResult> requestTransactionData(long templateId) {
            requests.incrementAndGet();
            return CompletableFuture.completedFuture(up ? new TransactionDataResult.Success(templateId, Bytes.EMPTY, answer)
                    : new TransactionDataResult.Unavailable(templateId, "not connected"));
        }

        @Override
        public String describe() {
            return "stub";
        }

        @Override
        public void close() {
        }
    }

    /** Local HTTP server standing in for bitcoind: records each body, answers "accepted". */
    private static HttpServer bitcoind(List<String> bodies) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] out = Vectors.fixtureText("submitblock-accepted.json").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        return server;
    }

    private static PoolConfig.BlockSubmission config(HttpServer server, boolean prefetch) {
        return new PoolConfig.BlockSubmission(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), "",
                "u", "p", Duration.ofSeconds(5), prefetch);
    }

    private static List<Bytes> realTransactions() {
        Block b = Block.parse(REAL.toArray());
        List<Bytes> others = new ArrayList<>();
        for (Transaction t : b.transactions().subList(1, b.transactions().size())) {
            others.add(t.serialize());
        }
        return others;
    }

    private static BitcoindBlockSubmitter.Found found(long templateId) {
        Block b = Block.parse(REAL.toArray());
        return new BitcoindBlockSubmitter.Found(b.hash().toDisplayHex(), header(),
                b.transactions().getFirst().serializeWithoutWitness(), templateId, true, System.nanoTime());
    }

    private static SetNewPrevHash activate(long templateId) {
        return new SetNewPrevHash(templateId, Hash256.ZERO, 0, 0x207fffff, Target.MAX);
    }

    private static boolean waitFor(java.util.function.BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            if (c.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return c.getAsBoolean();
    }

    @Test
    void prefetchedTransactionsRebuildTheBlockWithNoTemplateProvider() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer server = bitcoind(bodies);
        PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
        StubSource tp = new StubSource();
        tp.answer = realTransactions();
        try (BitcoindBlockSubmitter s = new BitcoindBlockSubmitter(config(server, true), metrics)) {
            s.templateActivated(activate(42), tp);
            assertTrue(waitFor(() -> metrics.transactionDataPrefetchCount(TransactionDataPrefetch.OK) == 1));
            assertEquals(1, tp.requests.get());
            tp.up = false; // the TP is gone when the block is found
            s.submit(found(42), tp);
            assertTrue(waitFor(() -> metrics.submitBlockCount(SubmitBlockResult.ACCEPTED) == 1), "accepted");
            assertEquals(1, tp.requests.get(), "no new request: the prefetched data was used");
            assertEquals(1, bodies.size());
            assertTrue(bodies.get(0).contains("\"" + REAL.toHex() + "\""), "the real block, byte for byte");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aPrefetchThatDoesNotMatchTheHeaderIsRefusedAndNothingIsPosted() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer server = bitcoind(bodies);
        PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
        StubSource tp = new StubSource();
        List<Bytes> swapped = new ArrayList<>(realTransactions());
        Collections.swap(swapped, 0, 1); // e.g. another provider's template under the same id
        tp.answer = swapped;
        try (BitcoindBlockSubmitter s = new BitcoindBlockSubmitter(config(server, true), metrics)) {
            s.templateActivated(activate(43), tp);
            assertTrue(waitFor(() -> s.cache().contains(43) && s.cache().bytes() > 0));
            tp.up = false;
            s.submit(found(43), tp);
            assertTrue(waitFor(() -> metrics.submitBlockCount(SubmitBlockResult.ERROR) == 1), "counted as error");
            assertFalse(s.cache().contains(43), "the mismatched entry is dropped");
            assertEquals(0, bodies.size(), "no wrong block posted");
            assertEquals(1, tp.requests.get());
            assertEquals(0, metrics.submitBlockCount(SubmitBlockResult.ACCEPTED));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void withoutPrefetchTheTransactionsAreAskedWhenTheBlockIsFound() throws Exception {
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer server = bitcoind(bodies);
        PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
        StubSource tp = new StubSource();
        tp.answer = realTransactions();
        List<String> ledger = new CopyOnWriteArrayList<>();
        try (BitcoindBlockSubmitter s = new BitcoindBlockSubmitter(config(server, false), metrics,
                (hash, status, result) -> ledger.add(hash + " " + status.dbName() + " " + result))) {
            assertNull(s.cache());
            s.templateActivated(activate(44), tp);
            assertEquals(0, tp.requests.get(), "no prefetch");
            s.submit(found(44), tp);
            assertTrue(waitFor(() -> metrics.submitBlockCount(SubmitBlockResult.ACCEPTED) == 1));
            assertTrue(waitFor(() -> ledger.size() == 1));
            assertTrue(ledger.get(0).endsWith(" accepted accepted by bitcoind"), ledger.get(0));
            assertEquals(1, tp.requests.get());
            assertTrue(bodies.get(0).contains("\"" + REAL.toHex() + "\""));
        } finally {
            server.stop(0);
        }
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
            // Core's "inconclusive": valid, but it lost an equal-height race; an orphan, not a rejection
            assertEquals(SubmitBlockResult.ORPHANED, s.parse(200, Vectors.fixtureText("submitblock-stale-fork.json")).result());
            // Core answers RPC errors with HTTP 500 and an error object
            BitcoindBlockSubmitter.Outcome bad = s.parse(500, Vectors.fixtureText("submitblock-decode-failed.json"));
            assertEquals(SubmitBlockResult.ERROR, bad.result());
            assertTrue(bad.detail().contains("-22"), bad.detail());
            assertEquals(SubmitBlockResult.ERROR, s.parse(502, "<html>bad gateway</html>").result());
        }
    }

    @Test
    void submitResultsMapToLedgerStatuses() {
        assertEquals(SubmitBlockResult.ORPHANED, BitcoindBlockSubmitter.classify("duplicate-inconclusive"));
        assertEquals(SubmitBlockResult.REJECTED, BitcoindBlockSubmitter.classify("duplicate-invalid"));
        assertEquals(SubmitBlockResult.DUPLICATE, BitcoindBlockSubmitter.classify("duplicate"));
        assertEquals(org.hyperhash.ledger.BlockStatus.ACCEPTED, BitcoindBlockSubmitter.ledgerStatus(SubmitBlockResult.ACCEPTED));
        assertEquals(org.hyperhash.ledger.BlockStatus.ACCEPTED, BitcoindBlockSubmitter.ledgerStatus(SubmitBlockResult.DUPLICATE));
        assertEquals(org.hyperhash.ledger.BlockStatus.ORPHANED, BitcoindBlockSubmitter.ledgerStatus(SubmitBlockResult.ORPHANED));
        assertEquals(org.hyperhash.ledger.BlockStatus.REJECTED, BitcoindBlockSubmitter.ledgerStatus(SubmitBlockResult.REJECTED));
        assertEquals(null, BitcoindBlockSubmitter.ledgerStatus(SubmitBlockResult.ERROR));
        assertEquals("rejected by bitcoind: high-hash", BitcoindBlockSubmitter.ledgerResult(
                new BitcoindBlockSubmitter.Outcome(SubmitBlockResult.REJECTED, "high-hash")));
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
