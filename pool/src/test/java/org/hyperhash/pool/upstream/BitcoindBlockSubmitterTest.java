package org.hyperhash.pool.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperhash.base.Block;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.Transaction;
import org.hyperhash.bitcoind.rpc.JsonRpcClient;
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
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Block rebuilding, the transaction prefetch and submitblock answers, on a real regtest block and real bitcoind
 * responses (a local HTTP server stands in for bitcoind where a call is made).
 */
class BitcoindBlockSubmitterTest {
    @TempDir
    Path dir;

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

    /** An answer of the scripted bitcoind: an HTTP status and body, or no answer at all (HANG). */
    private record Answer(int status, String body) {
        static final Answer HANG = new Answer(0, "");

        static Answer fixture(String name) {
            return new Answer(200, Vectors.fixtureText(name));
        }
    }

    /**
     * A local stand-in for bitcoind answering each request with the next scripted answer (the last one repeats);
     * records each request's body and Authorization header. A HANG answer holds the request until {@link #close}.
     */
    private static final class ScriptedBitcoind implements AutoCloseable {
        final HttpServer server;
        final Deque<Answer> script;
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final List<String> auths = new CopyOnWriteArrayList<>();
        final CountDownLatch release = new CountDownLatch(1);

        ScriptedBitcoind(Answer... answers) throws IOException {
            script = new ArrayDeque<>(List.of(answers));
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor()); // a hanging answer must not block the next
            server.createContext("/", ex -> {
                bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                auths.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
                Answer a;
                synchronized (script) {
                    a = script.size() > 1 ? script.poll() : script.peek();
                }
                if (a == Answer.HANG) {
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ex.close();
                    return;
                }
                byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    ex.getResponseBody().write(out);
                }
                ex.close();
            });
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        }

        PoolConfig.BlockSubmission config(String cookieFile, String user, String password, Duration timeout) {
            return new PoolConfig.BlockSubmission(url(), cookieFile, user, password, timeout, false);
        }

        @Override
        public void close() {
            release.countDown();
            server.stop(0);
        }
    }

    /** Core's answer while it starts (RPC_IN_WARMUP), HTTP 500 with an error object as Core sends RPC errors. */
    private static final Answer WARMING_UP = new Answer(500,
            "{\"result\":null,\"error\":{\"code\":-28,\"message\":\"Loading block index...\"},\"id\":\"hh\"}");
    /** Core's answer when its RPC work queue is full. */
    private static final Answer WORK_QUEUE_FULL = new Answer(503, "");

    /** Submits the real block through the whole path; returns the ledger line once the metrics show {@code expect}. */
    private static String submitAndWait(PoolConfig.BlockSubmission cfg, SubmitBlockResult expect, PoolMetrics metrics)
            throws InterruptedException {
        List<String> ledger = new CopyOnWriteArrayList<>();
        try (BitcoindBlockSubmitter s = new BitcoindBlockSubmitter(cfg, metrics,
                (hash, status, result) -> ledger.add(status.dbName() + " " + result))) {
            s.submitWithTransactions(found(7), realTransactions());
            assertTrue(waitFor(() -> metrics.submitBlockCount(expect) == 1), "counted as " + expect);
        }
        return ledger.isEmpty() ? "" : ledger.getFirst();
    }

    @Test
    void aRetryAfterATimeoutThatAnswersDuplicateMeansTheFirstAttemptGotTheBlockIn() throws Exception {
        try (ScriptedBitcoind node = new ScriptedBitcoind(Answer.HANG, Answer.fixture("submitblock-duplicate.json"))) {
            PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
            String ledger = submitAndWait(node.config("", "u", "p", Duration.ofMillis(300)), SubmitBlockResult.ACCEPTED,
                    metrics);
            assertEquals(2, node.bodies.size(), "one retry after the timeout");
            assertEquals(node.bodies.get(0), node.bodies.get(1), "the same block, byte for byte");
            assertTrue(node.bodies.get(1).contains("\"" + REAL.toHex() + "\""));
            assertEquals(0, metrics.submitBlockCount(SubmitBlockResult.DUPLICATE), "not a duplicate of the TP's");
            assertEquals(0, metrics.submitBlockCount(SubmitBlockResult.ERROR));
            assertTrue(ledger.startsWith("accepted accepted by bitcoind (duplicate on retry"), ledger);
        }
    }

    @Test
    void aRetryAfterAnAnswerThatSubmittedNothingKeepsDuplicateAsDuplicate() throws Exception {
        // HTTP 503 (work queue full) and -28 (warming up): the node did not take the block; "duplicate" afterwards
        // means the template provider got it in first
        try (ScriptedBitcoind node = new ScriptedBitcoind(WORK_QUEUE_FULL, WARMING_UP,
                Answer.fixture("submitblock-duplicate.json"))) {
            PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
            String ledger = submitAndWait(node.config("", "u", "p", Duration.ofSeconds(5)), SubmitBlockResult.DUPLICATE,
                    metrics);
            assertEquals(3, node.bodies.size());
            assertEquals(0, metrics.submitBlockCount(SubmitBlockResult.ACCEPTED));
            assertTrue(ledger.startsWith("accepted duplicate: bitcoind already had it"), ledger);
        }
    }

    @Test
    void transientFailuresAreRetriedAtMostTwiceAndOthersNever() throws Exception {
        try (ScriptedBitcoind node = new ScriptedBitcoind(WORK_QUEUE_FULL)) {
            PoolMetrics metrics = new PoolMetrics(Metrics.newRegistry("pool"));
            try (BitcoindBlockSubmitter s = new BitcoindBlockSubmitter(node.config("", "u", "p", Duration.ofSeconds(5)),
                    metrics)) {
                BitcoindBlockSubmitter.Outcome o = s.call(REAL);
                assertEquals(SubmitBlockResult.ERROR, o.result());
                assertTrue(o.detail().contains("503") && o.detail().contains("attempt 3 of 3"), o.detail());
                assertEquals(BitcoindBlockSubmitter.RETRIES + 1, node.bodies.size());
            }
        }
        // a real RPC error (HTTP 500, -22) and a real rejection are final answers
        String decodeFailed = Vectors.fixtureText("submitblock-decode-failed.json");
        try (ScriptedBitcoind node = new ScriptedBitcoind(new Answer(500, decodeFailed))) {
            try (BitcoindBlockSubmitter s = new BitcoindBlockSubmitter(node.config("", "u", "p", Duration.ofSeconds(5)),
                    new PoolMetrics(Metrics.newRegistry("pool")))) {
                BitcoindBlockSubmitter.Outcome o = s.call(REAL);
                assertEquals(SubmitBlockResult.ERROR, o.result());
                assertTrue(o.detail().startsWith("RPC error -22: Block decode failed"), o.detail());
                assertEquals(1, node.bodies.size());
            }
        }
        try (ScriptedBitcoind node = new ScriptedBitcoind(WARMING_UP, Answer.fixture("submitblock-high-hash.json"))) {
            try (BitcoindBlockSubmitter s = new BitcoindBlockSubmitter(node.config("", "u", "p", Duration.ofSeconds(5)),
                    new PoolMetrics(Metrics.newRegistry("pool")))) {
                assertEquals(new BitcoindBlockSubmitter.Outcome(SubmitBlockResult.REJECTED, "high-hash"), s.call(REAL));
                assertEquals(2, node.bodies.size());
            }
        }
    }

    @Test
    void answersAfterAnAttemptThatMayHaveReachedTheNodeClassifyAsFirstAnswersDo() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        assertEquals(SubmitBlockResult.ACCEPTED, BitcoindBlockSubmitter.outcome(f.nullNode(), true).result());
        assertEquals(SubmitBlockResult.ACCEPTED, BitcoindBlockSubmitter.outcome(f.textNode("duplicate"), true).result());
        assertEquals(SubmitBlockResult.DUPLICATE, BitcoindBlockSubmitter.outcome(f.textNode("duplicate"), false).result());
        // the first attempt's block was invalid / valid off the active chain: the retry says so
        assertEquals(new BitcoindBlockSubmitter.Outcome(SubmitBlockResult.REJECTED, "duplicate-invalid"),
                BitcoindBlockSubmitter.outcome(f.textNode("duplicate-invalid"), true));
        assertEquals(SubmitBlockResult.ORPHANED, BitcoindBlockSubmitter.outcome(f.textNode("duplicate-inconclusive"), true)
                .result());
        assertEquals(SubmitBlockResult.ORPHANED, BitcoindBlockSubmitter.outcome(f.textNode("inconclusive"), true).result());
        assertEquals(SubmitBlockResult.REJECTED, BitcoindBlockSubmitter.outcome(f.textNode("high-hash"), true).result());
    }

    @Test
    void noCredentialReachesALogLineAnOutcomeOrTheLedger() throws Exception {
        String password = "planted-s3cret-pw";
        String cookieSecret = "planted-c00kie-s3cret";
        Path cookie = dir.resolve(".cookie");
        Files.writeString(cookie, "__cookie__:" + cookieSecret);
        Path badCookie = dir.resolve("bad.cookie");
        Files.writeString(badCookie, cookieSecret); // not user:password
        List<String> secrets = List.of(password, cookieSecret, b64("rpcuser:" + password), b64("__cookie__:" + cookieSecret));
        List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(BitcoindBlockSubmitter.class),
                (Logger) LoggerFactory.getLogger(JsonRpcClient.class));
        List<Level> levels = new ArrayList<>();
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        for (Logger l : loggers) {
            levels.add(l.getLevel());
            l.setLevel(Level.DEBUG);
            l.addAppender(logs);
        }
        List<String> texts = new ArrayList<>();
        try {
            // credentials refused (401, empty body as Core sends it): user/password, then a cookie (re-read once)
            try (ScriptedBitcoind node = new ScriptedBitcoind(new Answer(401, ""))) {
                texts.add(submitAndWait(node.config("", "rpcuser", password, Duration.ofSeconds(5)),
                        SubmitBlockResult.ERROR, new PoolMetrics(Metrics.newRegistry("pool"))));
                assertEquals(1, node.bodies.size(), "a refused password is not retried");
                assertEquals(b64("rpcuser:" + password), node.auths.get(0).substring("Basic ".length()));
            }
            try (ScriptedBitcoind node = new ScriptedBitcoind(new Answer(401, ""))) {
                PoolConfig.BlockSubmission cfg = node.config(cookie.toString(), "", "", Duration.ofSeconds(5));
                texts.add(cfg.toString());
                texts.add(submitAndWait(cfg, SubmitBlockResult.ERROR, new PoolMetrics(Metrics.newRegistry("pool"))));
                assertEquals(2, node.bodies.size(), "the cookie is re-read once");
            }
            try (ScriptedBitcoind node = new ScriptedBitcoind(Answer.fixture("submitblock-accepted.json"))) {
                texts.add(submitAndWait(node.config(badCookie.toString(), "", "", Duration.ofSeconds(5)),
                        SubmitBlockResult.ERROR, new PoolMetrics(Metrics.newRegistry("pool"))));
                assertEquals(0, node.bodies.size(), "nothing sent without credentials");
            }
            // timeouts and retries, logged at every level
            try (ScriptedBitcoind node = new ScriptedBitcoind(Answer.HANG)) {
                texts.add(submitAndWait(node.config("", "rpcuser", password, Duration.ofMillis(200)),
                        SubmitBlockResult.ERROR, new PoolMetrics(Metrics.newRegistry("pool"))));
            }
        } finally {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).detachAppender(logs);
                loggers.get(i).setLevel(levels.get(i));
            }
        }
        for (ILoggingEvent e : logs.list) {
            texts.add(e.getFormattedMessage());
            if (e.getThrowableProxy() != null) {
                texts.add(ThrowableProxyUtil.asString(e.getThrowableProxy()));
            }
        }
        assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("HTTP 401")), "the 401 is logged");
        assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("retrying")), "retries are logged");
        for (String t : texts) {
            for (String secret : secrets) {
                assertFalse(t.contains(secret), "secret in: " + t);
            }
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
