package org.hyperhash.pool.jds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hyperhash.base.Block;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxOut;
import org.hyperhash.jdc.CustomJob;
import org.hyperhash.jdc.JdClient;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess;
import org.hyperhash.sv2.message.jd.DeclareMiningJobSuccess;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobError;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Job;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool's JDS and its work-selection mining port over Noise on loopback, driven by the Hyper Node side's
 * {@link JdClient} and {@link CustomJob}: a job built from another template of the same devnet chain (with a
 * transaction the pool's mempool view lacks: ProvideMissingTransactions round trip) is declared, set with
 * SetCustomMiningJob on a connection with SRI jd-client's flags 0b110, mined; shares are credited to the channel's
 * address, the block is recorded and accepted by the chain; bad tokens, stale tips and garbage are refused and
 * counted.
 */
@Timeout(120)
class JobDeclarationIT {
    private static final Duration T = Duration.ofSeconds(30);
    @TempDir
    Path dir;

    @Test
    void declaredJobIsMinedCreditedAndItsBlockAccepted() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        tp.chain().addSyntheticTransaction(7_000); // in the pool's templates: the JDS learns it from its TP
        AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "sv2.security=noise",
                "sv2.authority-secret-key=\"" + authority.secretToBase58() + "\"", "vardiff.enabled=false",
                "jds.enabled=true", "jds.listen=[\"127.0.0.1:0\"]", "sv2.allow-work-selection=true")) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            JobDeclarator jds = h.pool.jds();
            assertTrue(FakeSv2Miner.waitFor(() -> jds.mempool().size() >= 1, T), "JDS mempool view from the pool's TP");
            tp.chain().addSyntheticTransaction(9_000); // only in the Hyper Node's template: must be provided

            String hyperNode = PoolHarness.address(21);
            try (JdClient jd = JdClient.await(JdClient.connect(h.pool.jdsAddresses().getFirst(), authority.publicKey(), T,
                    null), T);
                 FakeSv2Miner up = FakeSv2Miner.connect(h.miner(Kind.EXTENDED, hyperNode + ".hn1").withSetupFlags(0b110))) {
                AllocateMiningJobTokenSuccess token = JdClient.await(jd.allocateToken("hn1"), T);
                Bytes poolScript = h.config.network().parse(h.config.payout().address());
                assertEquals(TxOut.serializeCounted(List.of(new TxOut(0, poolScript))), token.coinbaseTxOutputs(),
                        "pool output first, value 0, CompactSize-prefixed");
                assertTrue(FakeSv2Miner.waitFor(() -> up.currentJob() != null, T), "extended channel open on 0b110: "
                        + up.setupError() + " " + up.openError());
                Job pj = up.currentJob();
                int fullExtranonce = pj.extranoncePrefix().length() + pj.extranonceSize();

                // the Hyper Node's own template (another template of the same chain, as its own TP would build)
                BuiltTemplate bt = new TemplateFactory(CoinbaseStyle.values()[0]).build(tp.chain().getBlockTemplate(), 77,
                        false, OutputReservation.NONE);
                assertTrue(bt.transactionData().size() > tp.transactionCount(tp.latestTemplateId()), "one more than the pool's template");
                CustomJob job = CustomJob.build(bt.message(), bt.transactionData(), token.coinbaseTxOutputs(),
                        fullExtranonce);
                DeclareMiningJobSuccess declared = JdClient.await(jd.declare(job, token.miningJobToken()), T);
                assertEquals(1.0, jds.metrics().missingTransactionRequests.count(), "one ProvideMissingTransactions");
                // a token is single use
                JdClient.JdException reuse = assertThrows(JdClient.JdException.class,
                        () -> JdClient.await(jd.declare(job, token.miningJobToken()), T));
                assertEquals("invalid-mining-job-token", reuse.code());

                Hash256 prev = bt.previousBlockHash();
                int ntime = (int) bt.source().curTime();
                int nbits = bt.source().bits();
                // refused: unknown token, stale tip
                up.send(job.setCustomMiningJob(pj.channelId(), 1, Bytes.fromHex("00112233"), prev, ntime, nbits));
                assertEquals("invalid-mining-job-token", customError(up, 1));
                up.send(job.setCustomMiningJob(pj.channelId(), 2, declared.newMiningJobToken(), Hash256.ZERO, ntime, nbits));
                assertEquals("stale-chain-tip", customError(up, 2));
                SetCustomMiningJob set = job.setCustomMiningJob(pj.channelId(), 3, declared.newMiningJobToken(), prev,
                        ntime, nbits);
                up.send(set);
                SetCustomMiningJobSuccess ok = up.await(SetCustomMiningJobSuccess.class, s -> s.requestId() == 3, T);
                assertNotNull(ok, "SetCustomMiningJob.Success");

                // a share on the custom job: credited to the channel's address; at devnet difficulty also a block
                Bytes extranonce = Bytes.wrap(new byte[pj.extranonceSize()]);
                Bytes full = pj.extranoncePrefix().concat(extranonce);
                Bytes coinbase = job.coinbase(full);
                Transaction cb = Transaction.parse(coinbase);
                Hash256 root = MerkleBranch.root(cb.txid(), job.merklePath());
                Job custom = new Job(pj.channelId(), ok.jobId(), job.version(), false, prev, nbits, ntime, pj.target(), root,
                        null, pj.extranoncePrefix(), pj.extranonceSize());
                int nonce = Shares.nonce(custom, ntime, true);
                int seq = up.nextSequence();
                up.send(new SubmitSharesExtended(pj.channelId(), seq, ok.jobId(), nonce, ntime, job.version(), extranonce, List.of()));
                assertNotNull(up.await(SubmitSharesSuccess.class, s -> s.lastSequenceNumber() == seq, T), "share accepted");
                assertTrue(FakeSv2Miner.waitFor(() -> {
                    Map<String, Object> d = h.pool.stats().describe(hyperNode);
                    return d != null && ((Number) d.get("accepted_shares")).longValue() >= 1;
                }, T), "credited to the Hyper Node's address");
                assertEquals(1.0, jds.metrics().customJobs(JdsMetrics.CustomJob.ACCEPTED));
                assertEquals(1.0, jds.metrics().customJobs(JdsMetrics.CustomJob.STALE_CHAIN_TIP));

                byte[] header = new byte[80];
                BlockHeader80.write(header, 0, job.version(), prev.unsafeWireBytes(), root.unsafeWireBytes(), ntime, nbits,
                        nonce);
                // devnet's network target is met by (almost) every share: the first share is a block
                assertTrue(org.hyperhash.base.CompactBits.toTarget(nbits).isMetBy(org.hyperhash.base.Sha256d.hash(header)),
                        "the share is a block at devnet difficulty");
                {
                    assertTrue(FakeSv2Miner.waitFor(() -> h.pool.shareLog().blocksRecorded() >= 1, T), "block recorded");
                    // the Hyper Node publishes through its own node and pushes the solution to the JDS
                    jd.pushSolution(new PushSolution(full, prev, nonce, ntime, nbits, job.version()));
                    List<Transaction> txs = new ArrayList<>();
                    txs.add(cb);
                    for (Bytes raw : job.transactions()) {
                        txs.add(Transaction.parse(raw));
                    }
                    Bytes block = new Block(BlockHeader80.parse(header), txs).serialize();
                    long height = tp.chain().height();
                    assertInstanceOf(SubmitResult.Accepted.class, tp.chain().submitBlock(block), "chain accepts the block");
                    assertEquals(height + 1, tp.chain().height());
                    assertTrue(FakeSv2Miner.waitFor(() -> h.pool.registry().scrape().contains(
                            "hh_pool_jds_push_solutions_total{result=\"not_submitted\",service=\"pool\"} 1.0"), T), "PushSolution checked");
                }
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> status = (Map<String, Object>) h.pool.status().get("jds");
            assertEquals(1L, status.get("declarations_accepted"), "/v1/status jds section: " + status);
            assertEquals(1L, status.get("custom_jobs_accepted"));
            assertTrue(((Number) status.get("declared_jobs")).intValue() >= 1);
            String scrape = h.pool.registry().scrape();
            assertTrue(scrape.contains("hh_pool_jds_declarations_total{result=\"accepted\",service=\"pool\"} 1.0"), scrape);
            assertTrue(scrape.contains("hh_pool_jds_declarations_total{result=\"invalid_token\",service=\"pool\"} 1.0"));
            assertTrue(scrape.contains("hh_pool_custom_jobs_total{result=\"invalid_mining_job_token\",service=\"pool\"} 1.0"));
        }
    }

    @Test
    void garbageDeclarationsAndTokenHoardingAreRefusedAndCounted() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "jds.enabled=true",
                "jds.listen=[\"127.0.0.1:0\"]", "sv2.allow-work-selection=true", "jds.max-tokens-per-connection=3")) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            JobDeclarator jds = h.pool.jds();
            try (JdClient jd = JdClient.await(JdClient.connect(h.pool.jdsAddresses().getFirst(), null, T, null), T)) {
                AllocateMiningJobTokenSuccess token = JdClient.await(jd.allocateToken("x"), T);
                BuiltTemplate bt = new TemplateFactory(CoinbaseStyle.values()[0]).build(tp.chain().getBlockTemplate(), 5,
                        false, OutputReservation.NONE);
                // a coinbase that pays someone else than the pool
                Bytes thief = org.hyperhash.base.TxOut.serializeCounted(List.of(new TxOut(0,
                        h.config.network().parse(PoolHarness.address(99)))));
                CustomJob stolen = CustomJob.build(bt.message(), bt.transactionData(), thief, 8);
                JdClient.JdException e = assertThrows(JdClient.JdException.class,
                        () -> JdClient.await(jd.declare(stolen, token.miningJobToken()), T));
                assertEquals("invalid-coinbase-tx", e.code());
                assertEquals(1.0, jds.metrics().declarations(JdsMetrics.Declaration.INVALID_COINBASE));
                // hoarding tokens beyond the per-connection cap closes the connection
                for (int i = 0; i < 3; i++) {
                    JdClient.await(jd.allocateToken("x"), T);
                }
                assertThrows(JdClient.JdException.class, () -> JdClient.await(jd.allocateToken("x"), T));
                assertTrue(FakeSv2Miner.waitFor(() -> !jd.connected(), T), "closed");
            }
            assertTrue(h.pool.registry().scrape().contains("hh_pool_jds_refused_total{reason=\"token_limit\",service=\"pool\"} 1.0"));
            // the pool still mines for others
            try (FakeSv2Miner m = FakeSv2Miner.connect(h.miner(Kind.EXTENDED, PoolHarness.address(3)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
            }
        }
    }

    private static String customError(FakeSv2Miner m, int requestId) throws InterruptedException {
        SetCustomMiningJobError e = m.await(SetCustomMiningJobError.class, x -> x.requestId() == requestId, T);
        return e == null ? "no error for " + requestId : e.errorCode();
    }
}
