package org.hyperhash.tp.devnet;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Target;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxIn;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.template.BlockAssembler;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.InvalidSolutionException;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * DEVNET helper: mines one block on a {@link DevnetChain} the way a pool would (TDP NewTemplate,
 * pool coinbase = prefix + extranonce, payout output first then the template outputs, nonce
 * ground at devnet difficulty), for tests and for demos that need the chain to move without
 * miners. Also {@link #coinbaseFor} and {@link #grind} are the building blocks tests use to
 * solve a template received over TDP.
 */
public final class DevnetMiner {
    private DevnetMiner() {
    }

    /**
     * The SubmitSolution.coinbase_tx a pool would build for a template: scriptSig = prefix +
     * 8-byte extranonce push, outputs = payout (all of value_remaining) then the template's
     * outputs, witness = the 32-byte reserved value when a commitment is present.
     */
    public static Transaction coinbaseFor(NewTemplate t, Bytes payoutScript, long extranonce) {
        Bytes scriptSig = new ByteWriter(t.coinbasePrefix().length() + 9).bytes(t.coinbasePrefix()).u8(8).u64Le(extranonce).toBytes();
        List<TxOut> outs = new ArrayList<>();
        outs.add(new TxOut(t.coinbaseTxValueRemaining(), payoutScript));
        outs.addAll(TxOut.parseConcatenated(t.coinbaseTxOutputs(), t.coinbaseTxOutputsCount()));
        boolean commitment = outs.stream().anyMatch(o -> org.hyperhash.tp.template.WitnessCommitment.isCommitment(o.scriptPubKey()));
        List<Bytes> witness = commitment ? List.of(org.hyperhash.tp.template.WitnessCommitment.RESERVED_VALUE) : List.of();
        return new Transaction(t.coinbaseTxVersion(), List.of(TxIn.coinbase(scriptSig, t.coinbaseTxInputSequence(), witness)),
                outs, t.coinbaseTxLocktime());
    }

    /**
     * Grinds the nonce until the header meets {@code target}; returns the solution. At devnet
     * difficulty this takes about two attempts.
     *
     * @throws IllegalStateException if no nonce in 2^32 works at this time (practically impossible at devnet difficulty)
     */
    public static SubmitSolution grind(BuiltTemplate template, Transaction coinbase, int time, Target target) {
        Bytes cb = coinbase.serialize();
        for (long nonce = 0; nonce <= 0xFFFF_FFFFL; nonce++) {
            SubmitSolution s = new SubmitSolution(template.templateId(), template.message().version(), time, (int) nonce, cb);
            try {
                if (target.isMetBy(BlockAssembler.assemble(template, s).hash().unsafeWireBytes())) {
                    return s;
                }
            } catch (InvalidSolutionException e) {
                throw new IllegalStateException("coinbase does not fit the template: " + e.getMessage(), e);
            }
        }
        throw new IllegalStateException("no nonce meets the target");
    }

    /**
     * Solves a template received over TDP, as a pool would: coinbase from {@link #coinbaseFor},
     * header from the template's version and merkle path and the SetNewPrevHash's prev hash,
     * timestamp and nBits; nonce ground until the nBits target is met (devnet: about two attempts).
     *
     * @param meetTarget false = find a nonce whose hash does NOT meet the target (an invalid solution for tests)
     */
    public static SubmitSolution solve(NewTemplate t, org.hyperhash.sv2.message.template.SetNewPrevHash p, Bytes payoutScript,
                                       long extranonce, boolean meetTarget) {
        Transaction cb = coinbaseFor(t, payoutScript, extranonce);
        org.hyperhash.base.Hash256 root = org.hyperhash.base.MerkleBranch.root(cb.txid(), t.merklePath());
        Target target = org.hyperhash.base.CompactBits.toTarget(p.nBits());
        for (long nonce = 0; nonce <= 0xFFFF_FFFFL; nonce++) {
            org.hyperhash.base.BlockHeader80 h = new org.hyperhash.base.BlockHeader80(t.version(), p.prevHash(), root,
                    p.headerTimestamp(), p.nBits(), (int) nonce);
            if (target.isMetBy(h.hash().unsafeWireBytes()) == meetTarget) {
                return new SubmitSolution(t.templateId(), t.version(), p.headerTimestamp(), (int) nonce, cb.serialize());
            }
        }
        throw new IllegalStateException("no nonce found");
    }

    /** Mines one block paying {@code payoutScript}; returns the node's verdict. */
    public static SubmitResult generate(DevnetChain chain, Bytes payoutScript) throws RpcException {
        var gbt = chain.getBlockTemplate();
        BuiltTemplate t = new TemplateFactory(CoinbaseStyle.CORE).build(gbt, 1, true, new OutputReservation(64, 4));
        Transaction cb = coinbaseFor(t.message(), payoutScript, chain.height());
        SubmitSolution s = grind(t, cb, (int) gbt.curTime(), gbt.target());
        try {
            return chain.submitBlock(BlockAssembler.assemble(t, s).block());
        } catch (InvalidSolutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #generate} with a fixed payout, failing loudly if the devnet rejects its own block (tests, demos). */
    public static void generateUnchecked(DevnetChain chain) {
        try {
            SubmitResult r = generate(chain, Bytes.fromHex("0014" + "00".repeat(20)));
            if (!(r instanceof SubmitResult.Accepted)) {
                throw new IllegalStateException("devnet rejected its own block: " + r.label());
            }
        } catch (RpcException e) {
            throw new IllegalStateException(e);
        }
    }
}
