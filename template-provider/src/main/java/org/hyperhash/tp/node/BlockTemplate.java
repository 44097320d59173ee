package org.hyperhash.tp.node;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;

import java.util.List;

/**
 * A parsed {@code getblocktemplate} result (BIP22/23 with the segwit rule). Hashes are converted
 * from Core's display hex to {@link Hash256} (internal order).
 *
 * @param version block nVersion
 * @param previousBlockHash tip the template builds on
 * @param transactions block transactions in block order (coinbase excluded)
 * @param coinbaseValueSats subsidy + fees available to the coinbase outputs
 * @param longPollId id for the long-poll form (may be empty)
 * @param target the nBits target
 * @param minTime earliest valid nTime (median time past + 1)
 * @param curTime the node's suggested nTime
 * @param bits nBits
 * @param height height of the block to mine
 * @param defaultWitnessCommitment the witness commitment scriptPubKey (OP_RETURN aa21a9ed...), or
 *     {@link Bytes#EMPTY} when the node did not provide one
 * @param sigopLimit block sigop cost limit
 * @param weightLimit block weight limit
 */
public record BlockTemplate(int version, Hash256 previousBlockHash, List<TemplateTransaction> transactions,
                            long coinbaseValueSats, String longPollId, Target target, long minTime, long curTime,
                            int bits, long height, Bytes defaultWitnessCommitment, long sigopLimit, long weightLimit) {
    public BlockTemplate {
        java.util.Objects.requireNonNull(previousBlockHash, "previousblockhash");
        transactions = List.copyOf(transactions);
        java.util.Objects.requireNonNull(longPollId, "longpollid");
        java.util.Objects.requireNonNull(target, "target");
        java.util.Objects.requireNonNull(defaultWitnessCommitment, "default_witness_commitment");
        if (coinbaseValueSats < 0) {
            throw new IllegalArgumentException("coinbasevalue negative: " + coinbaseValueSats);
        }
        if (height < 0) {
            throw new IllegalArgumentException("height negative: " + height);
        }
    }

    /** Sum of the transactions' fees. */
    public long totalFeesSats() {
        long s = 0;
        for (TemplateTransaction t : transactions) {
            s += t.feeSats();
        }
        return s;
    }

    /**
     * One transaction of a template.
     *
     * @param data serialized transaction (witness form when it has a witness)
     * @param txid transaction id
     * @param wtxid witness transaction id (Core's "hash")
     * @param feeSats fee
     * @param sigops sigop cost
     * @param weight weight units
     * @param depends 1-based indexes of earlier transactions in this template it spends
     */
    public record TemplateTransaction(Bytes data, Hash256 txid, Hash256 wtxid, long feeSats, int sigops, int weight,
                                      List<Integer> depends) {
        public TemplateTransaction {
            java.util.Objects.requireNonNull(data, "data");
            java.util.Objects.requireNonNull(txid, "txid");
            java.util.Objects.requireNonNull(wtxid, "hash");
            depends = List.copyOf(depends);
        }
    }
}
