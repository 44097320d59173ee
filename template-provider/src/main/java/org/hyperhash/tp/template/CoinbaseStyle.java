package org.hyperhash.tp.template;

/**
 * How the template's coinbase input sequence and locktime are chosen.
 */
public enum CoinbaseStyle {
    /**
     * As Bitcoin Core 30+ builds its own coinbase (and the recorded regtest block shows):
     * nLockTime = height - 1 and nSequence = 0xFFFFFFFE, which BIP54 (consensus cleanup) will
     * require. The default.
     */
    CORE,
    /** The older convention: nLockTime = 0 and nSequence = 0xFFFFFFFF. */
    LEGACY;

    public int sequence() {
        return this == CORE ? 0xFFFF_FFFE : 0xFFFF_FFFF;
    }

    public int lockTime(long height) {
        return this == CORE ? (int) Math.max(0, height - 1) : 0;
    }
}
