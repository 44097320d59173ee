package org.hyperhash.base;

/**
 * BIP141 handling for a coinbase split into prefix/suffix (NewExtendedMiningJob). A witness
 * coinbase carries marker/flag ({@code 00 01}) at offsets 4..5 of the prefix and, right before
 * the 4-byte locktime at the end of the suffix, the witness: one item of 32 bytes
 * ({@code 01 20 <32 bytes>}). Stripping both gives the legacy serialization whose SHA256d is the
 * txid.
 */
public final class Bip141 {
    /** Size of the coinbase witness ({@code 01 20} + 32-byte reserved value). */
    public static final int COINBASE_WITNESS_SIZE = 34;

    private Bip141() {
    }

    /**
     * Result of {@link #strip}.
     *
     * @param prefix prefix without marker/flag
     * @param suffix suffix without the witness
     * @param hadWitness whether anything was stripped
     */
    public record Stripped(Bytes prefix, Bytes suffix, boolean hadWitness) {
    }

    /** True for a BIP141 witness commitment output: OP_RETURN 0x24 aa21a9ed followed by 32 (or more) bytes. */
    public static boolean isWitnessCommitment(TxOut o) {
        byte[] s = o.scriptPubKey().unsafeArray();
        return s.length >= 38 && s[0] == 0x6a && s[1] == 0x24 && s[2] == (byte) 0xaa && s[3] == 0x21
                && s[4] == (byte) 0xa9 && s[5] == (byte) 0xed;
    }

    /** True if the prefix carries the BIP141 marker/flag at offsets 4/5. */
    public static boolean hasWitness(Bytes coinbasePrefix) {
        return coinbasePrefix.length() >= 6 && coinbasePrefix.get(4) == 0x00 && coinbasePrefix.get(5) != 0x00;
    }

    /**
     * Strips marker/flag and the coinbase witness; returns the inputs unchanged when there is no
     * marker.
     *
     * @throws MalformedDataException if a marker is present but the suffix does not end with
     *     {@code 01 20 <32 bytes> <locktime>}
     */
    public static Stripped strip(Bytes prefix, Bytes suffix) {
        if (!hasWitness(prefix)) {
            return new Stripped(prefix, suffix, false);
        }
        int n = suffix.length();
        if (n < COINBASE_WITNESS_SIZE + 4) {
            throw new MalformedDataException("coinbase_tx_suffix", "too short (" + n + ") to hold a coinbase witness");
        }
        int w = n - 4 - COINBASE_WITNESS_SIZE;
        if (suffix.get(w) != 0x01 || suffix.get(w + 1) != 0x20) {
            throw new MalformedDataException("coinbase_tx_suffix",
                    "witness before locktime is not one 32-byte item (got " + Hex.encode(new byte[] {suffix.get(w), suffix.get(w + 1)}) + ")");
        }
        byte[] p = new byte[prefix.length() - 2];
        System.arraycopy(prefix.unsafeArray(), 0, p, 0, 4);
        System.arraycopy(prefix.unsafeArray(), 6, p, 4, prefix.length() - 6);
        byte[] s = new byte[n - COINBASE_WITNESS_SIZE];
        System.arraycopy(suffix.unsafeArray(), 0, s, 0, w);
        System.arraycopy(suffix.unsafeArray(), n - 4, s, w, 4);
        return new Stripped(Bytes.wrap(p), Bytes.wrap(s), true);
    }
}
