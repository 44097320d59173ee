package org.hyperhash.pool.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.hyperhash.base.Block;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxIn;
import org.hyperhash.base.TxOut;
import org.hyperhash.bitcoind.rpc.JsonRpcClient;
import org.hyperhash.bitcoind.rpc.RpcAuth;
import org.hyperhash.bitcoind.rpc.RpcEndpoint;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.admin.PoolMetrics.SubmitBlockResult;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct {@code submitblock} fallback: every found block also goes to bitcoind over JSON-RPC, in addition to
 * SubmitSolution to the template provider. The block is rebuilt from the share's header and coinbase plus the
 * template's transactions, checked against the header's merkle root, and posted from a virtual thread. The
 * transactions come from RequestTransactionData (not needed for a template without transactions): with
 * {@code prefetch-transactions} asked as soon as a template can be mined on ({@link #templateReceived},
 * {@link #templateActivated}) and kept in a small {@link TransactionDataCache}, so a block is rebuilt with no TP
 * connected; otherwise (or when the cache has nothing) asked when the block is found, before the SubmitSolution goes
 * out. At most {@value #MAX_IN_FLIGHT} submissions run at once (more are counted as dropped). The call goes through
 * the shared bitcoind client ({@link JsonRpcClient}, module bitcoind-rpc: cookie re-read after a 401, Core's error
 * mapping); a transient failure is retried here, {@value #RETRIES} times, so that the outcome of a retry is read
 * knowing whether an earlier attempt may have reached the node ({@link #outcome}). Credentials never appear in logs
 * or errors.
 */
public final class BitcoindBlockSubmitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BitcoindBlockSubmitter.class);
    static final int MAX_IN_FLIGHT = 16;
    /** Retries of a transient failure (unreachable, timeout, -28 warming up, HTTP 503): submitblock is idempotent. */
    static final int RETRIES = 2;
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(1);
    private static final String METHOD = "submitblock";
    private static final byte[] COMMITMENT_PREFIX = {0x6a, 0x24, (byte) 0xaa, 0x21, (byte) 0xa9, (byte) 0xed};

    /**
     * A found block as the share carried it.
     *
     * @param hash block hash (display hex), for logs
     * @param header the 80-byte header
     * @param coinbaseTx the coinbase as the channel built it (no witness)
     * @param templateId TDP template
     * @param hasTransactions false when the template's merkle path is empty (coinbase-only block)
     * @param readNanos System.nanoTime() when the share was read (latency)
     */
    public record Found(String hash, Bytes header, Bytes coinbaseTx, long templateId, boolean hasTransactions,
            long readNanos) {
    }

    /** What bitcoind said. */
    record Outcome(SubmitBlockResult result, String detail) {
    }

    private final PoolConfig.BlockSubmission config;
    private final PoolMetrics metrics;
    private final JsonRpcClient rpc;
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("pool-submitblock-", 0).factory());
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    /** Null when {@code prefetch-transactions} is off. */
    private final TransactionDataCache cache;
    private final StatusSink statusSink;

    /** Where a submitblock outcome lands in the ledger ({@code found_blocks.status}); may block (virtual thread). */
    @FunctionalInterface
    public interface StatusSink {
        void update(String blockHash, BlockStatus status, String result);
    }

    public BitcoindBlockSubmitter(PoolConfig.BlockSubmission config, PoolMetrics metrics) {
        this(config, metrics, null);
    }

    /** @param statusSink receives the ledger status of each block bitcoind answered for (null = none) */
    public BitcoindBlockSubmitter(PoolConfig.BlockSubmission config, PoolMetrics metrics, StatusSink statusSink) {
        this.statusSink = statusSink;
        if (!config.enabled()) {
            throw new IllegalArgumentException("block-submission.bitcoind-url is not set");
        }
        this.config = config;
        this.metrics = metrics;
        RpcAuth auth = config.cookieFile().isEmpty() ? new RpcAuth.UserPassword(config.user(), config.password())
                : new RpcAuth.Cookie(Path.of(config.cookieFile()));
        // no retries inside the client: call() retries itself, knowing what each failed attempt means
        this.rpc = new JsonRpcClient(new RpcEndpoint(config.bitcoindUrl(), auth, config.timeout(), config.timeout(),
                config.timeout(), 0, FIRST_BACKOFF, MAX_BACKOFF), null);
        this.cache = config.prefetchTransactions() ? new TransactionDataCache(metrics, this::execute) : null;
    }

    /** On {@link #threads}; inline once closing (the work is cheap, and a completing future must not throw). */
    private void execute(Runnable r) {
        try {
            threads.execute(r);
        } catch (RejectedExecutionException e) {
            r.run();
        }
    }

    /**
     * A NewTemplate from {@code upstream}: with prefetching on, a non-future template's transactions are asked now.
     * Call on the TDP listener thread BEFORE the dispatcher sees the template (so the request precedes any
     * SubmitSolution for it). Never blocks.
     */
    public void templateReceived(NewTemplate t, TemplateSource upstream) {
        if (cache != null) {
            try {
                cache.onNewTemplate(t.templateId(), t.futureTemplate(), !t.merklePath().isEmpty(),
                        upstream::requestTransactionData);
            } catch (RuntimeException e) { // never keep the template from the dispatcher
                LOG.warn("transaction prefetch for template {} failed: {}", t.templateId(), e.toString());
            }
        }
    }

    /** A SetNewPrevHash: with prefetching on, the activated template's transactions are asked (once). Never blocks. */
    public void templateActivated(SetNewPrevHash p, TemplateSource upstream) {
        if (cache != null) {
            try {
                cache.onActivated(p.templateId(), upstream::requestTransactionData);
            } catch (RuntimeException e) {
                LOG.warn("transaction prefetch for template {} failed: {}", p.templateId(), e.toString());
            }
        }
    }

    /** The prefetch cache (null when prefetching is off), for tests. */
    TransactionDataCache cache() {
        return cache;
    }

    /**
     * Starts the fallback for {@code f}. Call on the event loop BEFORE handing the SubmitSolution to the template
     * source (its RequestTransactionData must reach the provider first). Never blocks.
     */
    public void submit(Found f, TemplateSource upstream) {
        if (!inFlight.tryAcquire()) {
            metrics.submitBlock(SubmitBlockResult.DROPPED);
            LOG.error("submitblock fallback for block {} skipped: {} submissions already in flight", f.hash(), MAX_IN_FLIGHT);
            return;
        }
        TransactionDataCache.Lookup txs;
        if (!f.hasTransactions()) {
            txs = new TransactionDataCache.Lookup(CompletableFuture.completedFuture(
                    new TransactionDataResult.Success(f.templateId(), Bytes.EMPTY, List.of())), false);
        } else if (cache != null) {
            // prefetched (or still being fetched: one request per template); asked now only when missing
            txs = cache.lookup(f.templateId(), upstream::requestTransactionData);
        } else {
            txs = new TransactionDataCache.Lookup(upstream.requestTransactionData(f.templateId()), false);
        }
        try {
            txs.result().whenCompleteAsync((r, err) -> {
                try {
                    run(f, r, err, txs);
                } finally {
                    inFlight.release();
                }
            }, threads);
        } catch (RejectedExecutionException e) {
            inFlight.release(); // closing
        }
    }

    /**
     * A block whose transactions are already known (a job declared to this pool's JDS): assembled, checked against
     * the header's merkle root and submitted like {@link #submit}. Never blocks.
     */
    public void submitWithTransactions(Found f, List<Bytes> transactions) {
        if (!inFlight.tryAcquire()) {
            metrics.submitBlock(SubmitBlockResult.DROPPED);
            LOG.error("submitblock for declared block {} skipped: {} submissions already in flight", f.hash(), MAX_IN_FLIGHT);
            return;
        }
        TransactionDataCache.Lookup txs = new TransactionDataCache.Lookup(CompletableFuture.completedFuture(
                new TransactionDataResult.Success(f.templateId(), Bytes.EMPTY, transactions)), false);
        try {
            threads.execute(() -> {
                try {
                    run(f, txs.result().join(), null, txs);
                } finally {
                    inFlight.release();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.release(); // closing
        }
    }

    private void run(Found f, TransactionDataResult r, Throwable err, TransactionDataCache.Lookup txs) {
        if (!(r instanceof TransactionDataResult.Success s)) {
            metrics.submitBlock(SubmitBlockResult.NO_TRANSACTIONS);
            LOG.error("submitblock fallback for block {}: no transaction data from the template provider ({})", f.hash(),
                    err != null ? err.toString() : r);
            return;
        }
        Bytes block;
        try {
            block = assemble(f.header(), f.coinbaseTx(), s.transactions());
        } catch (RuntimeException e) {
            metrics.submitBlock(SubmitBlockResult.ERROR);
            if (cache != null && f.hasTransactions()) {
                cache.invalidate(f.templateId(), txs.result()); // e.g. a template id reused by another provider
            }
            LOG.error("submitblock fallback for block {}: NOT submitted, cannot assemble it from the {} transactions of"
                    + " template {}: {}", f.hash(), txs.cached() ? "prefetched" : f.hasTransactions() ? "requested" : "(no)",
                    f.templateId(), e.getMessage());
            return;
        }
        Outcome o = call(block);
        long latency = System.nanoTime() - f.readNanos();
        metrics.submitBlockLatency.record(latency, TimeUnit.NANOSECONDS);
        metrics.submitBlock(o.result());
        String msg = "BLOCK {} submitblock to bitcoind ({} bytes, {} txs{}): {}{} after {} ms";
        String result = o.result().name().toLowerCase(java.util.Locale.ROOT);
        String detail = o.detail().isEmpty() || o.detail().equals(result) ? "" : " " + o.detail(); // not "duplicate duplicate"
        Object[] args = {f.hash(), block.length(), s.transactions().size() + 1, txs.cached() ? ", prefetched" : "",
            result, detail, latency / 1_000_000};
        switch (o.result()) {
            case ACCEPTED, DUPLICATE -> LOG.info(msg, args);
            case ORPHANED -> LOG.warn(msg + " (orphaned: lost an equal-height race)", args);
            default -> LOG.error(msg, args);
        }
        BlockStatus st = ledgerStatus(o.result());
        if (st != null && statusSink != null) {
            try {
                statusSink.update(f.hash(), st, ledgerResult(o));
            } catch (RuntimeException e) {
                LOG.warn("block {}: could not record status {} in the ledger: {}", f.hash(), st.dbName(), e.toString());
            }
        }
    }

    /**
     * The serialized block: header, tx count, the coinbase (with the BIP141 reserved witness when it carries a
     * witness commitment), then {@code transactions} in template order. Throws when their merkle root is not the
     * header's.
     */
    static Bytes assemble(Bytes header, Bytes coinbaseTx, List<Bytes> transactions) {
        BlockHeader80 h = BlockHeader80.parse(header.toArray());
        Transaction cb = Transaction.parse(coinbaseTx);
        if (!cb.isCoinbase()) {
            throw new IllegalArgumentException("first transaction is not a coinbase");
        }
        if (!cb.hasWitness() && cb.outputs().stream().anyMatch(BitcoindBlockSubmitter::isWitnessCommitment)) {
            TxIn in = cb.inputs().getFirst();
            cb = new Transaction(cb.version(), List.of(TxIn.coinbase(in.scriptSig(), in.sequence(),
                    List.of(Bytes.wrap(new byte[32])))), cb.outputs(), cb.lockTime());
        }
        List<Transaction> all = new ArrayList<>(transactions.size() + 1);
        all.add(cb);
        for (Bytes t : transactions) {
            all.add(Transaction.parse(t));
        }
        Block b = new Block(h, all);
        if (!b.computeMerkleRoot().equals(h.merkleRoot())) {
            throw new IllegalArgumentException("merkle root of coinbase + " + transactions.size()
                    + " template transactions does not match the header");
        }
        return b.serialize();
    }

    private static boolean isWitnessCommitment(TxOut o) {
        Bytes s = o.scriptPubKey();
        if (s.length() < 38) {
            return false;
        }
        for (int i = 0; i < COMMITMENT_PREFIX.length; i++) {
            if (s.get(i) != COMMITMENT_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Submits {@code block}, retrying a transient failure up to {@value #RETRIES} times (a cookie is re-read once on
     * HTTP 401 by the client: the node may have restarted). submitblock is idempotent: a block the node already
     * validated is answered {@code duplicate} / {@code duplicate-invalid} / {@code duplicate-inconclusive}, so a retry
     * never gets a block in twice, and its answer is read with {@link #outcome}.
     */
    Outcome call(Bytes block) {
        List<String> params = List.of(block.toHex());
        boolean reachedBefore = false;
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 0; ; attempt++) {
            JsonNode result;
            try {
                result = rpc.call(METHOD, params);
            } catch (RpcException e) {
                reachedBefore |= mayHaveReachedNode(e);
                String what = message(e);
                if (!e.kind().isTransient() || attempt >= RETRIES || Thread.currentThread().isInterrupted()) {
                    return new Outcome(SubmitBlockResult.ERROR, attempt == 0 ? what
                            : what + " (attempt " + (attempt + 1) + " of " + (RETRIES + 1) + ")");
                }
                LOG.warn("submitblock attempt {} of {} failed ({}), retrying in {} ms", attempt + 1, RETRIES + 1, what,
                        backoff.toMillis());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return new Outcome(SubmitBlockResult.ERROR, what + "; interrupted before the retry");
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                continue;
            }
            return outcome(result, reachedBefore);
        }
    }

    /**
     * Whether a failed attempt may have reached the node: a timeout or an I/O error after the request went out may
     * have left the block submitted; a refused or timed-out connect, an HTTP 503 (work queue full), -28 (warming up),
     * a 401 did not.
     */
    static boolean mayHaveReachedNode(RpcException e) {
        return switch (e.kind()) {
            case TIMEOUT -> true;
            case UNREACHABLE -> e.getCause() instanceof IOException && !(e.getCause() instanceof ConnectException)
                    && !(e.getCause() instanceof HttpConnectTimeoutException);
            default -> false;
        };
    }

    /**
     * The outcome of a submitblock {@code result}: null = accepted, else Core's reason ({@link #classify}). When an
     * earlier attempt may have reached the node ({@code reachedBefore}), {@code duplicate} means that attempt (or the
     * template provider) got the block in: it counts as accepted, not as a duplicate of the TP's submission.
     * {@code duplicate-invalid} / {@code duplicate-inconclusive} classify as they would on a first attempt.
     */
    static Outcome outcome(JsonNode result, boolean reachedBefore) {
        if (result == null || result.isNull()) {
            return new Outcome(SubmitBlockResult.ACCEPTED, "");
        }
        String reason = truncate(result.asText());
        SubmitBlockResult r = classify(reason);
        if (r == SubmitBlockResult.DUPLICATE && reachedBefore) {
            return new Outcome(SubmitBlockResult.ACCEPTED, "duplicate on retry: the earlier attempt that got no answer had"
                    + " submitted it");
        }
        return new Outcome(r, reason);
    }

    /** One HTTP answer as Core writes it (status, body) read as a first attempt's outcome. */
    Outcome parse(int status, String body) {
        try {
            return outcome(JsonRpcClient.parseResponse(METHOD, status, body.getBytes(StandardCharsets.UTF_8)), false);
        } catch (RpcException e) {
            return new Outcome(SubmitBlockResult.ERROR, message(e));
        }
    }

    /** The client's message without the method prefix (it names the URL and kind of credentials, never a secret). */
    private static String message(RpcException e) {
        String m = e.getMessage();
        return truncate(m.startsWith(METHOD + ": ") ? m.substring(METHOD.length() + 2) : m);
    }

    /**
     * Core's submitblock answer (BIP22): {@code duplicate} = the node already has this block and it is valid (the
     * template provider submitted it first: expected, the pool submits every block both ways); {@code inconclusive} /
     * {@code duplicate-inconclusive} = valid but not on the active chain, i.e. it lost an equal-height race (an
     * orphan, normal on mainnet); anything else ({@code duplicate-invalid}, {@code high-hash}, ...) is a rejection.
     */
    static SubmitBlockResult classify(String reason) {
        return switch (reason) {
            case "duplicate" -> SubmitBlockResult.DUPLICATE;
            case "inconclusive", "duplicate-inconclusive" -> SubmitBlockResult.ORPHANED;
            default -> SubmitBlockResult.REJECTED;
        };
    }

    /**
     * The ledger status for a submitblock outcome, or null when the outcome says nothing about the block (the node was
     * not reached, no transactions): then the block stays {@code submitted} (the TP path may have worked).
     */
    static BlockStatus ledgerStatus(SubmitBlockResult r) {
        return switch (r) {
            case ACCEPTED, DUPLICATE -> BlockStatus.ACCEPTED; // a duplicate is a valid block the node already has
            case ORPHANED -> BlockStatus.ORPHANED;
            case REJECTED -> BlockStatus.REJECTED;
            case ERROR, NO_TRANSACTIONS, DROPPED -> null;
        };
    }

    /** The ledger's {@code submit_result} text for an outcome. */
    static String ledgerResult(Outcome o) {
        return switch (o.result()) {
            case ACCEPTED -> o.detail().isEmpty() ? "accepted by bitcoind" : "accepted by bitcoind (" + o.detail() + ")";
            case DUPLICATE -> "duplicate: bitcoind already had it (submitted through the template provider first)";
            case ORPHANED -> o.detail() + ": valid but not on the active chain (lost an equal-height race)";
            default -> "rejected by bitcoind: " + o.detail();
        };
    }

    private static String truncate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Lets running submissions finish (bounded), then stops. */
    @Override
    public void close() {
        threads.shutdown();
        try {
            // every attempt may take the timeout, plus the backoffs between them
            long wait = config.timeout().toMillis() * (RETRIES + 1) + MAX_BACKOFF.toMillis() * RETRIES + 1000;
            if (!threads.awaitTermination(wait, TimeUnit.MILLISECONDS)) {
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        rpc.close();
        if (cache != null) {
            cache.clear();
        }
    }
}
