package org.hyperhash.tp.template;

import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Coinbase;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.tp.node.BlockTemplate;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@code getblocktemplate} result into a TDP NewTemplate.
 * <ul>
 *   <li>coinbase_prefix = the BIP34 height push as Core writes it, followed by OP_0 when that push
 *       is a single opcode (heights 1..16), so the prefix alone satisfies the 2-byte scriptSig minimum;</li>
 *   <li>coinbase_tx_value_remaining = coinbasevalue (subsidy + fees of the kept transactions);</li>
 *   <li>coinbase_tx_outputs = the witness commitment output (value 0), serialized without a count,
 *       as sv2-tp forwards only OP_RETURN outputs;</li>
 *   <li>merkle_path = the coinbase's path from the kept transactions' txids;</li>
 *   <li>coinbase tx version 2, sequence/locktime per {@link CoinbaseStyle}.</li>
 * </ul>
 * Transactions are dropped from the end of the template (always dependency-safe: a transaction
 * only depends on earlier ones) until the client's {@link OutputReservation} fits in the block
 * weight and sigop limits; the witness commitment is then recomputed. Stateless, thread-safe.
 */
public final class TemplateFactory {
    /** NewTemplate.coinbase_tx_version. */
    public static final int COINBASE_TX_VERSION = 2;
    private static final byte OP_0 = 0x00;

    private final CoinbaseStyle style;

    public TemplateFactory(CoinbaseStyle style) {
        this.style = java.util.Objects.requireNonNull(style, "style");
    }

    public CoinbaseStyle style() {
        return style;
    }

    /**
     * Builds the NewTemplate for one client reservation.
     *
     * @param gbt the node template
     * @param templateId strictly increasing id
     * @param future future_template flag (true when it is followed by a SetNewPrevHash for a new tip)
     * @param reservation the client's CoinbaseOutputConstraints
     */
    public BuiltTemplate build(BlockTemplate gbt, long templateId, boolean future, OutputReservation reservation) {
        return build(gbt, templateId, future, reservation, false);
    }

    /**
     * The coinbase-only (empty) template for {@code gbt}'s tip: no transactions, coinbase value = subsidy only, empty
     * merkle path, and the witness commitment of a block whose only transaction is the coinbase (as Core's own template
     * of an empty mempool carries). It fits every reservation, so one build serves every client. Costs two SHA-256d,
     * whatever the mempool: what {@code template.empty-template-first} sends on a new tip before the full template.
     */
    public BuiltTemplate buildCoinbaseOnly(BlockTemplate gbt, long templateId, boolean future) {
        return build(gbt, templateId, future, OutputReservation.NONE, true);
    }

    private BuiltTemplate build(BlockTemplate gbt, long templateId, boolean future, OutputReservation reservation,
                                boolean coinbaseOnly) {
        List<BlockTemplate.TemplateTransaction> kept = coinbaseOnly ? new ArrayList<>() : new ArrayList<>(gbt.transactions());
        long weight = reservation.reservedWeight();
        long sigops = reservation.maxAdditionalSigops();
        for (BlockTemplate.TemplateTransaction t : kept) {
            weight += t.weight();
            sigops += t.sigops();
        }
        long droppedFees = 0;
        if (coinbaseOnly) {
            droppedFees = gbt.totalFeesSats();
        }
        while (!kept.isEmpty() && (weight > gbt.weightLimit() || sigops > gbt.sigopLimit())) {
            BlockTemplate.TemplateTransaction last = kept.removeLast();
            weight -= last.weight();
            sigops -= last.sigops();
            droppedFees += last.feeSats();
        }
        int dropped = gbt.transactions().size() - kept.size();

        Bytes commitment = gbt.defaultWitnessCommitment();
        if (dropped > 0 && !commitment.isEmpty()) {
            commitment = WitnessCommitment.script(kept.stream().map(BlockTemplate.TemplateTransaction::wtxid).toList());
        }
        List<TxOut> outputs = commitment.isEmpty() ? List.of() : List.of(new TxOut(0, commitment));

        List<Hash256> path = MerkleBranch.coinbasePath(kept.stream().map(BlockTemplate.TemplateTransaction::txid).toList());
        NewTemplate nt = new NewTemplate(
                templateId,
                future,
                gbt.version(),
                COINBASE_TX_VERSION,
                coinbasePrefix(gbt.height()),
                style.sequence(),
                gbt.coinbaseValueSats() - droppedFees,
                outputs.size(),
                TxOut.serializeConcatenated(outputs),
                style.lockTime(gbt.height()),
                path);
        return new BuiltTemplate(nt, gbt, kept, outputs, dropped);
    }

    /** The scriptSig prefix for a height: BIP34 push, plus OP_0 when the push is one byte. */
    public static Bytes coinbasePrefix(long height) {
        Bytes push = Coinbase.bip34HeightPush(height);
        if (push.length() >= Coinbase.MIN_SCRIPT_SIG_LENGTH) {
            return push;
        }
        return new ByteWriter(2).bytes(push).u8(OP_0).toBytes();
    }
}
