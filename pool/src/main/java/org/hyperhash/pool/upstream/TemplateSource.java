package org.hyperhash.pool.upstream;

import java.util.concurrent.CompletableFuture;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.sv2.tdp.TransactionDataResult;

/**
 * Where the pool's work comes from: normally a template provider over TDP
 * ({@link TdpTemplateSource}); tests may plug an in-process source.
 */
public interface TemplateSource extends AutoCloseable {

    /** Starts delivering templates to {@code listener} (returns at once; reconnects by itself). */
    void start(TdpListener listener, CoinbaseOutputConstraints constraints);

    /** True while a session with a template provider is established. */
    boolean connected();

    /** Sends a block solution now; false when no template provider is connected. Never blocks. */
    boolean submitSolution(SubmitSolution solution);

    /**
     * RequestTransactionData for a template (the block's other transactions, for the direct submitblock fallback).
     * Must not block; a request made before {@link #submitSolution} for the same template must reach the provider
     * before it (the provider may drop the template once the block is in). Default: unavailable.
     */
    default CompletableFuture<TransactionDataResult> requestTransactionData(long templateId) {
        return CompletableFuture.completedFuture(new TransactionDataResult.Unavailable(templateId,
                "not supported by this template source"));
    }

    /** For /v1/status: the connected provider or the state. */
    String describe();

    @Override
    void close();
}
