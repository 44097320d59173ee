package org.hyperhash.base;

import java.util.List;
import java.util.Objects;

/**
 * A transaction input.
 *
 * @param prevTxid previous output's txid (internal order)
 * @param prevIndex previous output index (U32, 0xFFFFFFFF for a coinbase)
 * @param scriptSig unlocking script
 * @param sequence nSequence (U32)
 * @param witness BIP141 witness stack items (empty list if none)
 */
public record TxIn(Hash256 prevTxid, int prevIndex, Bytes scriptSig, int sequence, List<Bytes> witness) {
    public TxIn {
        Objects.requireNonNull(prevTxid, "prevTxid");
        Objects.requireNonNull(scriptSig, "scriptSig");
        witness = List.copyOf(witness);
    }

    /** A coinbase input: null prevout (32 zero bytes, index 0xFFFFFFFF). */
    public static TxIn coinbase(Bytes scriptSig, int sequence, List<Bytes> witness) {
        return new TxIn(Hash256.ZERO, -1, scriptSig, sequence, witness);
    }

    public boolean isCoinbase() {
        return prevIndex == -1 && prevTxid.equals(Hash256.ZERO);
    }

    public TxIn withoutWitness() {
        return witness.isEmpty() ? this : new TxIn(prevTxid, prevIndex, scriptSig, sequence, List.of());
    }
}
