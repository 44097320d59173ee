package org.hyperhash.sv2.tdp;

import org.hyperhash.base.Bytes;

import java.util.List;

/** The answer to {@code TdpClient.requestTransactionData}. */
public sealed interface TransactionDataResult {

    /** RequestTransactionData.Success: raw transactions (witness form) in block order. */
    record Success(long templateId, Bytes excessData, List<Bytes> transactions) implements TransactionDataResult {
        public Success {
            transactions = List.copyOf(transactions);
        }
    }

    /** RequestTransactionData.Error ({@code template-id-not-found}, {@code stale-template-id}). */
    record Error(long templateId, String errorCode) implements TransactionDataResult {
    }

    /** No answer: not connected, the session dropped, or the request timed out. */
    record Unavailable(long templateId, String reason) implements TransactionDataResult {
    }
}
