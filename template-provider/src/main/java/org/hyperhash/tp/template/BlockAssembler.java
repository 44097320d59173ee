package org.hyperhash.tp.template;

import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Coinbase;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MalformedDataException;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxIn;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.tp.node.BlockTemplate;

import java.util.List;

/**
 * Rebuilds the full block from a SubmitSolution: header (solution version/time/nonce, the
 * template's previous hash and nBits, merkle root from the coinbase txid and the template's
 * path), CompactSize tx count, the witness coinbase, then the template's transactions as the node
 * gave them. A coinbase sent without its witness gets the BIP141 reserved value (one 32-byte zero
 * item) added back when the template carries a witness commitment.
 */
public final class BlockAssembler {
    private BlockAssembler() {
    }

    /**
     * The assembled block.
     *
     * @param block serialized block for submitblock
     * @param header its header
     * @param coinbase the coinbase as included
     */
    public record AssembledBlock(Bytes block, BlockHeader80 header, Transaction coinbase) {
        public Hash256 hash() {
            return header.hash();
        }
    }

    public static AssembledBlock assemble(BuiltTemplate template, SubmitSolution solution) throws InvalidSolutionException {
        Transaction coinbase;
        try {
            coinbase = Transaction.parse(solution.coinbaseTx());
        } catch (MalformedDataException e) {
            throw new InvalidSolutionException("bad-coinbase-tx", "coinbase_tx does not parse: " + e.getMessage());
        }
        if (!coinbase.isCoinbase()) {
            throw new InvalidSolutionException("bad-coinbase-tx", "coinbase_tx has no single null-prevout input");
        }
        TxIn in = coinbase.inputs().getFirst();
        Bytes prefix = template.message().coinbasePrefix();
        Bytes scriptSig = in.scriptSig();
        if (scriptSig.length() < prefix.length() || !scriptSig.slice(0, prefix.length()).equals(prefix)) {
            throw new InvalidSolutionException("bad-coinbase-prefix", "scriptSig does not start with the template's coinbase_prefix");
        }
        if (scriptSig.length() > Coinbase.MAX_SCRIPT_SIG_LENGTH || scriptSig.length() < Coinbase.MIN_SCRIPT_SIG_LENGTH) {
            throw new InvalidSolutionException("bad-coinbase-length", "scriptSig is " + scriptSig.length() + " bytes (2..100)");
        }
        List<TxOut> outs = coinbase.outputs();
        for (TxOut required : template.requiredOutputs()) {
            if (!outs.contains(required)) {
                throw new InvalidSolutionException("missing-template-outputs",
                        "coinbase lacks the template output " + required.scriptPubKey().toHex());
            }
        }
        boolean needsWitness = template.requiredOutputs().stream().anyMatch(o -> WitnessCommitment.isCommitment(o.scriptPubKey()));
        if (needsWitness && !coinbase.hasWitness()) {
            TxIn withWitness = TxIn.coinbase(scriptSig, in.sequence(), List.of(WitnessCommitment.RESERVED_VALUE));
            coinbase = new Transaction(coinbase.version(), List.of(withWitness), outs, coinbase.lockTime());
        }
        Hash256 root = MerkleBranch.root(coinbase.txid(), template.message().merklePath());
        BlockHeader80 header = new BlockHeader80(solution.version(), template.previousBlockHash(), root,
                solution.headerTimestamp(), template.source().bits(), solution.headerNonce());
        Bytes cb = coinbase.serialize();
        int size = BlockHeader80.LENGTH + 9 + cb.length();
        for (BlockTemplate.TemplateTransaction t : template.transactions()) {
            size += t.data().length();
        }
        ByteWriter w = new ByteWriter(size);
        w.bytes(header.toBytes());
        w.compactSize(1L + template.transactions().size());
        w.bytes(cb);
        for (BlockTemplate.TemplateTransaction t : template.transactions()) {
            w.bytes(t.data());
        }
        return new AssembledBlock(w.toBytes(), header, coinbase);
    }
}
