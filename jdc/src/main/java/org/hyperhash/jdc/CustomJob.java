package org.hyperhash.jdc;

import java.util.ArrayList;
import java.util.List;
import org.hyperhash.base.Bip141;
import org.hyperhash.base.ByteWriter;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MalformedDataException;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.jd.DeclareMiningJob;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.sv2.message.template.NewTemplate;

/**
 * One job a Hyper Node builds from its own template and declares to a pool: the coinbase pays the pool's outputs
 * (from AllocateMiningJobToken.Success; the first, the pool's payout, gets the template's whole
 * coinbase_tx_value_remaining) followed by the template's outputs (witness commitment). The same coinbase goes
 * into DeclareMiningJob (BIP141 form when the template commits to witnesses: prefix || full extranonce || suffix is
 * the whole transaction) and SetCustomMiningJob (scriptSig prefix, CompactSize-counted outputs). Immutable.
 *
 * @param version block version
 * @param scriptSigPrefix the template's coinbase_prefix (BIP34 height); the full extranonce follows it
 * @param extranonceSize full extranonce length of the upstream channel
 * @param outputs coinbase outputs in order
 * @param merklePath the template's merkle path
 * @param transactions the template's transactions (witness form, block order)
 * @param wtxids their wtxids
 */
public record CustomJob(NewTemplate template, int version, Bytes scriptSigPrefix, int extranonceSize, List<TxOut> outputs,
        List<Hash256> merklePath, List<Bytes> transactions, List<Hash256> wtxids, boolean segwit) {

    public CustomJob {
        outputs = List.copyOf(outputs);
        merklePath = List.copyOf(merklePath);
        transactions = List.copyOf(transactions);
        wtxids = List.copyOf(wtxids);
    }

    /**
     * @param t the template (from the node's own template provider)
     * @param transactions its transactions (RequestTransactionData.Success), block order
     * @param poolOutputs AllocateMiningJobToken.Success.coinbase_tx_outputs (CompactSize-counted; first = pool payout)
     * @param extranonceSize the upstream extended channel's full extranonce size (prefix + rollable)
     */
    public static CustomJob build(NewTemplate t, List<Bytes> transactions, Bytes poolOutputs, int extranonceSize) {
        List<TxOut> pool;
        List<TxOut> templateOutputs;
        try {
            pool = TxOut.parseCounted(poolOutputs);
            templateOutputs = TxOut.parseConcatenated(t.coinbaseTxOutputs(), t.coinbaseTxOutputsCount());
        } catch (MalformedDataException e) {
            throw new IllegalArgumentException("coinbase outputs: " + e.getMessage(), e);
        }
        if (pool.isEmpty()) {
            throw new IllegalArgumentException("the pool sent no coinbase outputs");
        }
        List<TxOut> outputs = new ArrayList<>(pool.size() + templateOutputs.size());
        outputs.add(new TxOut(t.coinbaseTxValueRemaining(), pool.getFirst().scriptPubKey()));
        for (int i = 1; i < pool.size(); i++) {
            outputs.add(new TxOut(0, pool.get(i).scriptPubKey()));
        }
        outputs.addAll(templateOutputs);
        boolean segwit = templateOutputs.stream().anyMatch(Bip141::isWitnessCommitment);
        List<Hash256> wtxids = new ArrayList<>(transactions.size());
        for (Bytes raw : transactions) {
            wtxids.add(Transaction.parse(raw).wtxid());
        }
        return new CustomJob(t, t.version(), t.coinbasePrefix(), extranonceSize, outputs, t.merklePath(), transactions,
                wtxids, segwit);
    }

    /** A solo job: the whole coinbase value to {@code payoutScript}, then the template's outputs. */
    public static CustomJob solo(NewTemplate t, List<Bytes> transactions, Bytes payoutScript, int extranonceSize) {
        ByteWriter w = new ByteWriter(64);
        w.compactSize(1);
        new TxOut(0, payoutScript).writeTo(w);
        return build(t, transactions, w.toBytes(), extranonceSize);
    }

    /** DeclareMiningJob.coinbase_tx_prefix: everything before the extranonce (BIP141 marker when segwit). */
    public Bytes declaredPrefix() {
        return prefix(segwit);
    }

    /** The coinbase before the extranonce in legacy (txid) form: no BIP141 marker. */
    public Bytes legacyPrefix() {
        return prefix(false);
    }

    /** The coinbase after the extranonce in legacy (txid) form: sequence, outputs, locktime (no witness). */
    public Bytes legacySuffix() {
        return suffix(false);
    }

    private Bytes prefix(boolean withMarker) {
        ByteWriter p = new ByteWriter(64 + scriptSigPrefix.length());
        p.u32Le(template.coinbaseTxVersion());
        if (withMarker) {
            p.u8(0).u8(1);
        }
        p.u8(1);
        p.hash(Hash256.ZERO).u32Le(-1);
        p.compactSize(scriptSigPrefix.length() + extranonceSize);
        p.bytes(scriptSigPrefix);
        return p.toBytes();
    }

    /** DeclareMiningJob.coinbase_tx_suffix: sequence, outputs, the coinbase witness when segwit, locktime. */
    public Bytes declaredSuffix() {
        return suffix(segwit);
    }

    private Bytes suffix(boolean withWitness) {
        ByteWriter s = new ByteWriter(256);
        s.u32Le(template.coinbaseTxInputSequence());
        s.compactSize(outputs.size());
        for (TxOut o : outputs) {
            o.writeTo(s);
        }
        if (withWitness) {
            s.u8(1).u8(32).bytes(new byte[32]);
        }
        s.u32Le(template.coinbaseTxLocktime());
        return s.toBytes();
    }

    /** The whole coinbase (declared form) for a full extranonce. */
    public Bytes coinbase(Bytes fullExtranonce) {
        return declaredPrefix().concat(fullExtranonce).concat(declaredSuffix());
    }

    public DeclareMiningJob declare(int requestId, Bytes token) {
        return new DeclareMiningJob(requestId, token, version, declaredPrefix(), declaredSuffix(), wtxids, Bytes.EMPTY);
    }

    /** SetCustomMiningJob for the upstream channel, with the token DeclareMiningJob.Success returned. */
    public SetCustomMiningJob setCustomMiningJob(int channelId, int requestId, Bytes token, Hash256 prevHash, int minNtime,
            int nbits) {
        ByteWriter w = new ByteWriter(64);
        w.compactSize(outputs.size());
        for (TxOut o : outputs) {
            o.writeTo(w);
        }
        return new SetCustomMiningJob(channelId, requestId, token, version, prevHash, minNtime, nbits,
                template.coinbaseTxVersion(), scriptSigPrefix, template.coinbaseTxInputSequence(), w.toBytes(),
                template.coinbaseTxLocktime(), merklePath);
    }
}
