package org.hyperhash.base;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A transaction output: {@code value U64LE || CompactSize(len) || scriptPubKey}.
 *
 * @param valueSats amount in satoshis (0..21e14)
 * @param scriptPubKey locking script
 */
public record TxOut(long valueSats, Bytes scriptPubKey) {
    public TxOut {
        Objects.requireNonNull(scriptPubKey, "scriptPubKey");
        if (valueSats < 0 || valueSats > Sats.MAX_MONEY_SATS) {
            throw new IllegalArgumentException("TxOut.valueSats out of range: " + valueSats);
        }
    }

    public Sats value() {
        return new Sats(valueSats);
    }

    public int serializedSize() {
        return 8 + CompactSize.sizeOf(scriptPubKey.length()) + scriptPubKey.length();
    }

    public void writeTo(ByteWriter w) {
        w.u64Le(valueSats).varBytes(scriptPubKey);
    }

    public Bytes serialize() {
        ByteWriter w = new ByteWriter(serializedSize());
        writeTo(w);
        return w.toBytes();
    }

    public static TxOut read(ByteReader r) {
        long v = r.u64Le("txout.value");
        if (v < 0 || v > Sats.MAX_MONEY_SATS) {
            throw new MalformedDataException("txout.value", "out of range " + Long.toUnsignedString(v));
        }
        return new TxOut(v, r.varBytes("txout.scriptPubKey"));
    }

    /**
     * Parses exactly {@code count} outputs serialized back to back with no count prefix (the TDP
     * {@code NewTemplate.coinbase_tx_outputs} form); trailing bytes are an error.
     */
    public static List<TxOut> parseConcatenated(Bytes data, int count) {
        ByteReader r = new ByteReader(data.unsafeArray());
        List<TxOut> out = new ArrayList<>(Math.min(count, 64));
        for (int i = 0; i < count; i++) {
            out.add(read(r));
        }
        if (r.hasRemaining()) {
            throw new MalformedDataException("coinbase_tx_outputs", r.remaining() + " trailing bytes after "
                    + count + " outputs");
        }
        return List.copyOf(out);
    }

    /** Parses a CompactSize-prefixed output array (SetCustomMiningJob / AllocateMiningJobToken.Success form). */
    public static List<TxOut> parseCounted(Bytes data) {
        ByteReader r = new ByteReader(data.unsafeArray());
        int n = r.compactSizeInt("outputs.count", data.length() / 9);
        List<TxOut> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(read(r));
        }
        if (r.hasRemaining()) {
            throw new MalformedDataException("outputs", r.remaining() + " trailing bytes");
        }
        return List.copyOf(out);
    }

    /** Outputs back to back, without a count. */
    public static Bytes serializeConcatenated(List<TxOut> outs) {
        ByteWriter w = new ByteWriter();
        for (TxOut o : outs) {
            o.writeTo(w);
        }
        return w.toBytes();
    }

    /** CompactSize count followed by the outputs. */
    public static Bytes serializeCounted(List<TxOut> outs) {
        ByteWriter w = new ByteWriter();
        w.compactSize(outs.size());
        for (TxOut o : outs) {
            o.writeTo(w);
        }
        return w.toBytes();
    }
}
