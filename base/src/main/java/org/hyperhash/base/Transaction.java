package org.hyperhash.base;

import java.util.ArrayList;
import java.util.List;

/**
 * A Bitcoin transaction with minimal parse/serialize, both legacy and BIP144 (segwit) forms.
 * {@link #txid()} hashes the non-witness serialization; {@link #wtxid()} the full one.
 *
 * @param version nVersion (U32)
 * @param inputs inputs (each carries its witness)
 * @param outputs outputs
 * @param lockTime nLockTime (U32)
 */
public record Transaction(int version, List<TxIn> inputs, List<TxOut> outputs, int lockTime) {
    /** Consensus limit on block/tx size, used to bound counts while parsing. */
    private static final int MAX_SIZE = 4_000_000;

    public Transaction {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** True if any input has a non-empty witness (then {@link #serialize()} uses the BIP144 form). */
    public boolean hasWitness() {
        for (TxIn in : inputs) {
            if (!in.witness().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Parses one transaction that must span all of {@code raw}. */
    public static Transaction parse(byte[] raw) {
        ByteReader r = new ByteReader(raw);
        Transaction tx = read(r);
        if (r.hasRemaining()) {
            throw new MalformedDataException("transaction", r.remaining() + " trailing bytes");
        }
        return tx;
    }

    public static Transaction parse(Bytes raw) {
        return parse(raw.unsafeArray());
    }

    /**
     * Reads one transaction, detecting the BIP144 marker (0x00) and flag (0x01) after the version.
     */
    public static Transaction read(ByteReader r) {
        int version = r.u32Le("tx.version");
        boolean segwit = false;
        if (r.peekU8(0, "tx.inputs.count") == 0x00) {
            int flag = r.peekU8(1, "tx.flag");
            if (flag != 0x01) {
                throw new MalformedDataException("tx.flag", "expected 0x01 after segwit marker, got " + flag);
            }
            r.skip(2, "tx.marker");
            segwit = true;
        }
        int nIn = r.compactSizeInt("tx.inputs.count", MAX_SIZE / 41);
        List<Hash256> prev = new ArrayList<>(nIn);
        int[] idx = new int[nIn];
        List<Bytes> scripts = new ArrayList<>(nIn);
        int[] seq = new int[nIn];
        for (int i = 0; i < nIn; i++) {
            prev.add(r.hash256("tx.input.prevout.hash"));
            idx[i] = r.u32Le("tx.input.prevout.index");
            scripts.add(r.varBytes("tx.input.scriptSig"));
            seq[i] = r.u32Le("tx.input.sequence");
        }
        int nOut = r.compactSizeInt("tx.outputs.count", MAX_SIZE / 9);
        List<TxOut> outs = new ArrayList<>(nOut);
        for (int i = 0; i < nOut; i++) {
            outs.add(TxOut.read(r));
        }
        List<TxIn> ins = new ArrayList<>(nIn);
        for (int i = 0; i < nIn; i++) {
            List<Bytes> witness = List.of();
            if (segwit) {
                int items = r.compactSizeInt("tx.witness.count", MAX_SIZE);
                List<Bytes> w = new ArrayList<>(items);
                for (int k = 0; k < items; k++) {
                    w.add(r.varBytes("tx.witness.item"));
                }
                witness = w;
            }
            ins.add(new TxIn(prev.get(i), idx[i], scripts.get(i), seq[i], witness));
        }
        int lockTime = r.u32Le("tx.locktime");
        Transaction tx = new Transaction(version, ins, outs, lockTime);
        if (segwit && !tx.hasWitness()) {
            throw new MalformedDataException("tx.witness", "segwit marker present but all witnesses empty");
        }
        return tx;
    }

    /** Serialization with witness data when present (BIP144), else legacy. */
    public Bytes serialize() {
        ByteWriter w = new ByteWriter();
        writeTo(w, hasWitness());
        return w.toBytes();
    }

    /** Legacy serialization (no marker/flag/witness): the txid preimage. */
    public Bytes serializeWithoutWitness() {
        ByteWriter w = new ByteWriter();
        writeTo(w, false);
        return w.toBytes();
    }

    public void writeTo(ByteWriter w, boolean withWitness) {
        w.u32Le(version);
        if (withWitness) {
            w.u8(0x00).u8(0x01);
        }
        w.compactSize(inputs.size());
        for (TxIn in : inputs) {
            w.hash(in.prevTxid()).u32Le(in.prevIndex()).varBytes(in.scriptSig()).u32Le(in.sequence());
        }
        w.compactSize(outputs.size());
        for (TxOut o : outputs) {
            o.writeTo(w);
        }
        if (withWitness) {
            for (TxIn in : inputs) {
                w.compactSize(in.witness().size());
                for (Bytes item : in.witness()) {
                    w.varBytes(item);
                }
            }
        }
        w.u32Le(lockTime);
    }

    public Hash256 txid() {
        return Sha256d.of(serializeWithoutWitness());
    }

    /** BIP141 wtxid (equals txid when there is no witness). */
    public Hash256 wtxid() {
        return Sha256d.of(serialize());
    }

    public Transaction withoutWitness() {
        return new Transaction(version, inputs.stream().map(TxIn::withoutWitness).toList(), outputs, lockTime);
    }

    public boolean isCoinbase() {
        return inputs.size() == 1 && inputs.getFirst().isCoinbase();
    }
}
