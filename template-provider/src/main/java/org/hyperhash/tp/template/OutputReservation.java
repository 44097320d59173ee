package org.hyperhash.tp.template;

import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;

/**
 * What a TDP client reserved with CoinbaseOutputConstraints: the serialized size of the outputs it
 * will add to the coinbase and their sigops. The template provider leaves room for them.
 *
 * @param maxAdditionalSizeBytes coinbase_output_max_additional_size (U32)
 * @param maxAdditionalSigops coinbase_output_max_additional_sigops (U16); 400 for the legacy 4-byte form, as sv2-tp assumes
 */
public record OutputReservation(long maxAdditionalSizeBytes, int maxAdditionalSigops) {
    /** sv2-tp's assumption when a peer sends the legacy 4-byte CoinbaseOutputDataSize. */
    public static final int LEGACY_SIGOPS = 400;
    /** Fixed weight of a SegWit block besides transactions (header, counts, coinbase skeleton, commitment). */
    public static final long SEGWIT_FIXED_WEIGHT = 1168;
    /** Bitcoin Core's floor on the reserved block weight. */
    public static final long MIN_RESERVED_WEIGHT = 2000;
    /** Before a client sent its constraints (never used to serve it: the server waits). */
    public static final OutputReservation NONE = new OutputReservation(0, 0);

    public OutputReservation {
        if (maxAdditionalSizeBytes < 0 || maxAdditionalSizeBytes > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("coinbase_output_max_additional_size out of U32 range: " + maxAdditionalSizeBytes);
        }
        if (maxAdditionalSigops < 0 || maxAdditionalSigops > 0xFFFF) {
            throw new IllegalArgumentException("coinbase_output_max_additional_sigops out of U16 range: " + maxAdditionalSigops);
        }
    }

    public static OutputReservation of(CoinbaseOutputConstraints c) {
        return new OutputReservation(Integer.toUnsignedLong(c.coinbaseOutputMaxAdditionalSize()),
                c.coinbaseOutputMaxAdditionalSigops().orElse(LEGACY_SIGOPS));
    }

    /** Block weight to keep free for the coinbase and the client's outputs. */
    public long reservedWeight() {
        return Math.max(MIN_RESERVED_WEIGHT, SEGWIT_FIXED_WEIGHT + 4 * maxAdditionalSizeBytes);
    }
}
