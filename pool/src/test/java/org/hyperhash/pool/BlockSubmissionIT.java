package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hyperhash.base.Block;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Transaction;
import org.hyperhash.pool.admin.PoolMetrics.SubmitBlockResult;
import org.hyperhash.pool.admin.PoolMetrics.TransactionDataPrefetch;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Job;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.hyperhash.testkit.Vectors;
import org.hyperhash.tp.node.SubmitResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The direct submitblock fallback against a local HTTP server standing in for bitcoind. */
@Timeout(120)
class BlockSubmissionIT {
    private static final Duration T = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    private HttpServer bitcoind;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final List<String> auths = new CopyOnWriteArrayList<>();
    private volatile String answer = Vectors.fixtureText("submitblock-accepted.json");

    @BeforeEach
    void startFakeBitcoind() throws Exception {
        bitcoind = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        bitcoind.createContext("/", ex -> {
            bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            auths.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            byte[] out = answer.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        bitcoind.start();
    }

    @AfterEach
    void stop() {
        bitcoind.stop(0);
    }

    private String url() {
        return "block-submission.bitcoind-url=\"http://127.0.0.1:" + bitcoind.getAddress().getPort() + "/\"";
    }

    /** Submits one share meeting the (devnet) network target; returns the job it was for. */
    private static Job mineOneBlock(FakeSv2Miner m) throws InterruptedException {
        assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
        Job j = m.currentJob();
        int seq = m.nextSequence();
        m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), Shares.nonce(j, j.ntime(), true), j.ntime(),
                j.version()));
        assertNotNull(m.await(SubmitSharesSuccess.class, s -> s.lastSequenceNumber() == seq, T));
        return j;
    }

    @Test
    void foundBlockIsAlsoSubmittedToBitcoindWithTheRightBytes() throws Exception {
        Path cookie = dir.resolve(".cookie");
        Files.writeString(cookie, "__cookie__:4f1c0ffee\n");
        DevnetTemplateSource tp = new DevnetTemplateSource();
        tp.chain().addSyntheticTransaction(2_000);
        tp.chain().addSyntheticTransaction(3_000);
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "vardiff.enabled=false", url(),
                "block-submission.cookie-file=\"" + cookie + "\"");
             FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(60) + ".w"))) {
            mineOneBlock(m);
            assertTrue(FakeSv2Miner.waitFor(() -> !tp.acceptedHex.isEmpty(), T), "TP path: " + tp.rejected);
            assertTrue(FakeSv2Miner.waitFor(() -> !bodies.isEmpty(), T), "submitblock received");
            assertTrue(FakeSv2Miner.waitFor(
                    () -> h.pool.metrics().submitBlockCount(SubmitBlockResult.ACCEPTED) == 1, T));
            JsonNode req = JSON.readTree(bodies.get(0));
            assertEquals("submitblock", req.get("method").asText());
            assertEquals(1, req.get("params").size());
            String hex = req.get("params").get(0).asText();
            // byte for byte the block the TP assembled and the chain accepted
            assertEquals(tp.acceptedHex.get(0), hex);
            Block b = Block.parse(Bytes.fromHex(hex).toArray());
            assertEquals(tp.accepted.get(0), b.hash().toDisplayHex());
            assertTrue(b.transactions().size() >= 3, "coinbase + the template's transactions: " + b.transactions().size());
            assertEquals("Basic " + Base64.getEncoder().encodeToString("__cookie__:4f1c0ffee".getBytes(
                    StandardCharsets.UTF_8)), auths.get(0));
            assertEquals(1, bodies.size(), "one call per block");
            assertEquals(1, h.pool.metrics().blockFoundLatency.count());
            assertEquals(1, h.pool.metrics().submitBlockLatency.count());
            String scrape = h.pool.registry().scrape();
            assertTrue(scrape.contains("hh_pool_blocks_submitblock_total{result=\"accepted\",service=\"pool\"} 1.0"), scrape);
            assertTrue(scrape.contains("hh_pool_block_found_latency_seconds_bucket"), "histogram exported");
        }
    }

    @Test
    void bitcoindAnswersAreCountedAndWithoutPrefetchTheTpOutageLimitIsVisible() throws Exception {
        answer = Vectors.fixtureText("submitblock-duplicate.json");
        DevnetTemplateSource tp = new DevnetTemplateSource();
        tp.chain().addSyntheticTransaction(2_000);
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "vardiff.enabled=false", url(),
                "block-submission.user=rpc", "block-submission.password=\"pw\"",
                "block-submission.prefetch-transactions=false");
             FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(61)))) {
            Job first = mineOneBlock(m);
            assertTrue(FakeSv2Miner.waitFor(() -> h.pool.metrics().submitBlockCount(SubmitBlockResult.DUPLICATE) == 1, T),
                    "duplicate: the node already had it from the TP");
            assertEquals("Basic " + Base64.getEncoder().encodeToString("rpc:pw".getBytes(StandardCharsets.UTF_8)),
                    auths.get(0));
            assertEquals(0, h.pool.metrics().transactionDataPrefetchCount(TransactionDataPrefetch.OK), "prefetch off");
            // next tip; then the TP goes away: without the prefetch a block with transactions cannot be rebuilt
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null && m.currentJob().jobId() != first.jobId(), T));
            tp.disconnect();
            assertTrue(FakeSv2Miner.waitFor(() -> !h.pool.ready(), T));
            answer = Vectors.fixtureText("submitblock-high-hash.json");
            mineOneBlock(m);
            assertTrue(FakeSv2Miner.waitFor(
                    () -> h.pool.metrics().submitBlockCount(SubmitBlockResult.NO_TRANSACTIONS) == 1, T));
            assertEquals(1, bodies.size(), "nothing posted without the block's transactions");
            assertTrue(h.pool.metrics().blocksSubmitFailed.count() >= 1);
        }
    }

    @Test
    void tpGoneBeforeTheBlockIsFoundTheFallbackStillPostsTheFullBlockFromThePrefetch() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        tp.chain().addSyntheticTransaction(2_000);
        tp.chain().addSyntheticTransaction(3_000);
        tp.chain().addSyntheticTransaction(1_500);
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "vardiff.enabled=false", url(),
                "block-submission.user=rpc", "block-submission.password=\"pw\"");
             FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(62)))) {
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
            long templateId = tp.latestTemplateId();
            List<Bytes> txs = tp.transactionData(templateId);
            assertTrue(txs.size() >= 3, "the template carries transactions: " + txs.size());
            // asked when the SetNewPrevHash activated the (future) template
            assertTrue(FakeSv2Miner.waitFor(
                    () -> h.pool.metrics().transactionDataPrefetchCount(TransactionDataPrefetch.OK) == 1, T));
            tp.disconnect();
            assertTrue(FakeSv2Miner.waitFor(() -> !h.pool.ready(), T));
            Job j = mineOneBlock(m);
            assertTrue(FakeSv2Miner.waitFor(
                    () -> h.pool.metrics().submitBlockCount(SubmitBlockResult.ACCEPTED) == 1, T),
                    "no_transactions=" + h.pool.metrics().submitBlockCount(SubmitBlockResult.NO_TRANSACTIONS)
                            + " error=" + h.pool.metrics().submitBlockCount(SubmitBlockResult.ERROR));
            assertTrue(tp.accepted.isEmpty() && tp.acceptedHex.isEmpty(), "the TP never saw the block");
            assertEquals(1, h.pool.metrics().blocksSubmitFailed.count(), "SubmitSolution had no TP to go to");
            assertEquals(1, bodies.size(), "one call per block");
            Block b = Block.parse(Bytes.fromHex(hex(bodies.get(0))).toArray());
            // header: exactly the one the miner hashed
            byte[] header = new byte[80];
            BlockHeader80.write(header, 0, j.version(), j.prevHash().unsafeWireBytes(), j.merkleRoot().unsafeWireBytes(),
                    j.ntime(), j.nbits(), Shares.nonce(j, j.ntime(), true));
            assertEquals(Bytes.wrap(header), Bytes.wrap(b.header().toBytes()));
            // coinbase: the pool's, paying the pool address, with the BIP141 reserved witness added back
            Transaction cb = b.transactions().getFirst();
            assertTrue(cb.isCoinbase());
            Bytes poolScript = h.config.network().parse(h.config.payout().address());
            assertTrue(cb.outputs().stream().anyMatch(o -> o.scriptPubKey().equals(poolScript)), "pays the pool");
            assertTrue(cb.hasWitness(), "reserved witness value for the commitment");
            // then the template's transactions, byte for byte and in order
            assertEquals(txs.size() + 1, b.transactions().size());
            for (int i = 0; i < txs.size(); i++) {
                assertEquals(txs.get(i), b.transactions().get(i + 1).serialize(), "transaction " + (i + 1));
            }
            assertEquals(b.header().merkleRoot(), b.computeMerkleRoot());
            // and the node (the devnet chain the TP serves) takes it as the next block
            SubmitResult r = tp.chain().submitBlock(Bytes.fromHex(hex(bodies.get(0))));
            assertInstanceOf(SubmitResult.Accepted.class, r, r.label());
            String scrape = h.pool.registry().scrape();
            assertTrue(scrape.contains("hh_pool_transaction_data_prefetch_total{result=\"ok\",service=\"pool\"} 1.0"),
                    scrape);
            assertTrue(scrape.contains("hh_pool_transaction_data_cached_bytes{service=\"pool\"}"), "gauge exported");
        }
    }

    private static String hex(String body) throws Exception {
        return JSON.readTree(body).get("params").get(0).asText();
    }
}
