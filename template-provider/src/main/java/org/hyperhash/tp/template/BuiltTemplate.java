package org.hyperhash.tp.template;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.tp.node.BlockTemplate;

import java.util.List;

/**
 * A NewTemplate together with what the template provider needs to answer
 * RequestTransactionData and to rebuild the block from a SubmitSolution.
 *
 * @param message the NewTemplate as sent
 * @param source the node template it was built from
 * @param transactions the transactions kept (a prefix of the source's, see {@link OutputReservation})
 * @param requiredOutputs the coinbase outputs the client must append (witness commitment)
 * @param droppedTransactions how many source transactions were left out to honour the reservation
 */
public record BuiltTemplate(NewTemplate message, BlockTemplate source, List<BlockTemplate.TemplateTransaction> transactions,
                            List<TxOut> requiredOutputs, int droppedTransactions) {
    public BuiltTemplate {
        transactions = List.copyOf(transactions);
        requiredOutputs = List.copyOf(requiredOutputs);
    }

    public long templateId() {
        return message.templateId();
    }

    public Hash256 previousBlockHash() {
        return source.previousBlockHash();
    }

    public long height() {
        return source.height();
    }

    /** The raw transactions (witness form) for RequestTransactionData.Success. */
    public List<Bytes> transactionData() {
        return transactions.stream().map(BlockTemplate.TemplateTransaction::data).toList();
    }

    /** Total fees of the kept transactions. */
    public long feesSats() {
        long s = 0;
        for (BlockTemplate.TemplateTransaction t : transactions) {
            s += t.feeSats();
        }
        return s;
    }
}
