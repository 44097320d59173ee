package org.hyperhash.sv1;

/** BIP310 version rolling with the BIP323 general-purpose mask. */
public final class VersionRolling {
    /** BIP323 mask (bits 5..28); SV2 allows rolling exactly these bits. */
    public static final int BIP323_MASK = 0x1FFFFFE0;

    private VersionRolling() {
    }

    /** The mask granted to a miner: what it asked for, within what the upstream allows. */
    public static int negotiate(int minerMask, int upstreamMask) {
        return minerMask & upstreamMask;
    }

    /** {@code nVersion = (jobVersion & ~mask) | (versionBits & mask)}. */
    public static int apply(int jobVersion, int versionBits, int mask) {
        return (jobVersion & ~mask) | (versionBits & mask);
    }

    /** True when {@code versionBits} sets no bit outside {@code mask}. */
    public static boolean withinMask(int versionBits, int mask) {
        return (versionBits & ~mask) == 0;
    }
}
