package org.hyperhash.pool.jds;

import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxOut;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.pool.upstream.BitcoindBlockSubmitter;
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pool's Job Declarator Server (sv2-spec 06, Full-Template mode): state shared by its connections and by the
 * mining port ({@link #tokens()}). It runs inside the pool process because the mining port must check every
 * SetCustomMiningJob against the job its token declared: in one process that is a map lookup, across processes it
 * would be a shared store with its own failure modes. Its listener is {@link JdsServer}.
 */
public final class JobDeclarator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobDeclarator.class);
    static final int MAX_BLOCK_BYTES = 4_000_000;

    private final PoolConfig.Jds config;
    private final JobTokens tokens;
    private final JdsMempool mempool;
    private final JdsMetrics metrics;
    private final Bytes poolScript;
    private final Bytes poolOutputs;
    private final BitcoindBlockSubmitter submitter;
    private final InstantSource clock;
    private final AtomicLong connectionIds = new AtomicLong();
    private final AtomicLong blocksSubmitted = new AtomicLong();
    private JdsServer server;
    private List<InetSocketAddress> addresses = List.of();

    /**
     * @param poolScript the pool's payout script: the first output of every AllocateMiningJobToken.Success (value 0,
     *     the client funds it) and the output every declared coinbase must pay everything to
     * @param submitter submitblock to bitcoind for PushSolution blocks, or null (then only the client's own node and
     *     template provider publish them)
     */
    public JobDeclarator(PoolConfig.Jds config, Bytes poolScript, BitcoindBlockSubmitter submitter, JdsMetrics metrics,
            InstantSource clock) {
        this.config = config;
        this.poolScript = poolScript;
        this.poolOutputs = TxOut.serializeCounted(List.of(new TxOut(0, poolScript)));
        this.submitter = submitter;
        this.metrics = metrics;
        this.clock = clock;
        this.tokens = new JobTokens(clock, config.tokenLifetime(), config.maxTokensPerConnection(), config.maxDeclaredJobs(),
                config.maxDeclaredBytes());
        this.mempool = new JdsMempool(config.mempoolMaxBytes());
    }

    /** Binds the JD listener with the mining port's transport security (same authority key). */
    public List<InetSocketAddress> start(MiningServer.Security security) throws InterruptedException {
        server = new JdsServer(this, security);
        addresses = server.bind(config.listen());
        return addresses;
    }

    /** A template of the pool's own TP: its transactions join the mempool view (never blocks). */
    public void templateReceived(NewTemplate t, TemplateSource upstream) {
        if (t.merklePath().isEmpty()) {
            return;
        }
        upstream.requestTransactionData(t.templateId()).whenComplete((r, err) -> {
            if (r instanceof TransactionDataResult.Success s) {
                mempool.addAll(s.transactions());
            }
        });
    }

    long nextConnectionId() {
        return connectionIds.incrementAndGet();
    }

    public PoolConfig.Jds config() {
        return config;
    }

    public JobTokens tokens() {
        return tokens;
    }

    public JdsMempool mempool() {
        return mempool;
    }

    public JdsMetrics metrics() {
        return metrics;
    }

    Bytes poolScript() {
        return poolScript;
    }

    /** AllocateMiningJobToken.Success.coinbase_tx_outputs: CompactSize 1, the pool output with value 0. */
    Bytes poolOutputs() {
        return poolOutputs;
    }

    InstantSource clock() {
        return clock;
    }

    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    /**
     * The payout rule of a declared coinbase: the pool's output is present with a non-zero value and every other
     * output carries 0 (OP_RETURNs such as the witness commitment), so the whole coinbase value goes to the pool.
     * Returns null when it holds, else why not.
     */
    String checkOutputs(List<TxOut> outputs) {
        int pool = 0;
        for (TxOut o : outputs) {
            if (o.scriptPubKey().equals(poolScript)) {
                pool++;
                if (o.valueSats() <= 0) {
                    return "the pool output carries no value";
                }
            } else if (o.valueSats() != 0) {
                return "an output other than the pool's carries " + o.valueSats() + " sat";
            }
        }
        return pool == 1 ? null : pool == 0 ? "the pool payout output is missing" : "the pool output appears " + pool + " times";
    }

    /**
     * BIP141: when any transaction has a witness, the coinbase must commit to the wtxids (reserved value 32 zero bytes).
     * Returns null when consistent, else why not.
     */
    static String checkWitnessCommitment(DeclaredCoinbase cb, List<Hash256> wtxids, boolean anyWitness) {
        TxOut commitment = null;
        for (TxOut o : cb.outputs()) {
            if (org.hyperhash.base.Bip141.isWitnessCommitment(o)) {
                commitment = o; // the last one counts (BIP141)
            }
        }
        if (commitment == null) {
            return anyWitness ? "transactions with witnesses but no witness commitment in the coinbase" : null;
        }
        List<Hash256> leaves = new ArrayList<>(wtxids.size() + 1);
        leaves.add(Hash256.ZERO);
        leaves.addAll(wtxids);
        byte[] pre = new byte[64];
        System.arraycopy(MerkleBranch.rootOf(leaves).unsafeWireBytes(), 0, pre, 0, 32);
        byte[] expected = Sha256d.hash(pre);
        byte[] s = commitment.scriptPubKey().unsafeArray();
        for (int i = 0; i < 32; i++) {
            if (s[6 + i] != expected[i]) {
                return "the witness commitment does not match the declared wtxids";
            }
        }
        return null;
    }

    /**
     * PushSolution for {@code d}: rebuilds the block, checks its proof of work and submits it to bitcoind when a
     * submitter is configured. Returns the block hash (display hex), or null when the solution is invalid.
     */
    String pushSolution(JobTokens.Declared d, Bytes extranonce, Hash256 prevHash, int nonce, int ntime, int nbits,
            int version) {
        if (extranonce.length() != d.coinbase().extranonceSize()) {
            metrics.push(JdsMetrics.Push.INVALID);
            return null;
        }
        Bytes coinbase = d.coinbase().withExtranonce(extranonce);
        Transaction cb = Transaction.parse(coinbase);
        List<Hash256> txids = new ArrayList<>(d.txids().size() + 1);
        txids.add(cb.txid());
        txids.addAll(d.txids());
        byte[] header = new byte[BlockHeader80.LENGTH];
        BlockHeader80.write(header, 0, version, prevHash.unsafeWireBytes(), MerkleBranch.rootOf(txids).unsafeWireBytes(),
                ntime, nbits, nonce);
        byte[] hash = Sha256d.hash(header);
        if (!CompactBits.toTarget(nbits).isMetBy(hash)) {
            metrics.push(JdsMetrics.Push.INVALID);
            return null;
        }
        String display = Hash256.fromWireBytes(hash).toDisplayHex();
        if (submitter == null) {
            metrics.push(JdsMetrics.Push.NOT_SUBMITTED);
            LOG.info("BLOCK {} from job declarator client (user {}): PushSolution valid; no block-submission.bitcoind-url,"
                    + " so only the client's node publishes it", display, d.userIdentifier());
            return display;
        }
        metrics.push(JdsMetrics.Push.SUBMITTED);
        blocksSubmitted.incrementAndGet();
        LOG.info("BLOCK {} from job declarator client (user {}): PushSolution valid, submitting ({} txs)", display,
                d.userIdentifier(), d.transactions().size() + 1);
        submitter.submitWithTransactions(new BitcoindBlockSubmitter.Found(display, Bytes.wrap(header), coinbase,
                d.customTemplateId(), false, System.nanoTime()), d.transactions());
        return display;
    }

    /** For /v1/status. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("listen", addresses.stream().map(org.hyperhash.daemon.Banner::hostPort).toList());
        m.put("connections", metrics.connections.get());
        m.put("tokens_allocated_unused", tokens.allocatedCount());
        m.put("declared_jobs", tokens.declaredCount());
        m.put("declarations_accepted", (long) metrics.declarations(JdsMetrics.Declaration.ACCEPTED));
        m.put("mempool_transactions", mempool.size());
        m.put("mempool_bytes", mempool.bytes());
        m.put("custom_jobs_accepted", (long) metrics.customJobs(JdsMetrics.CustomJob.ACCEPTED));
        return m;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
