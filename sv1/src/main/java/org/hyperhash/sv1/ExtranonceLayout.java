package org.hyperhash.sv1;

import org.hyperhash.base.Bytes;

import java.util.Objects;

/**
 * How a translator splits an upstream extended channel's extranonce space among SV1 miners.
 * Upstream coinbase = {@code prefix_tx ‖ upstreamPrefix ‖ extranonce(upstreamExtranonceSize) ‖ suffix_tx};
 * the translator fills the channel's extranonce with {@code zero padding ‖ miner index
 * (indexBytes, big-endian) ‖ extranonce2}. The fixed leading bytes ({@code upstreamPrefix ‖ padding})
 * travel either in extranonce1 (SRI layout, sv2-protocol.md 8.4) or, when that would exceed the
 * firmware's extranonce1 limit or when a stable extranonce1 across upstream changes is wanted, at
 * the end of coinb1. Both give the miner the same coinbase bytes.
 *
 * @param upstreamPrefix the channel's extranonce_prefix
 * @param upstreamExtranonceSize the channel's extranonce_size
 * @param extranonce2Size bytes each miner rolls
 * @param indexBytes bytes identifying a miner (0 in per-miner mode)
 * @param fixedInCoinb1 true if the fixed bytes are appended to coinb1 instead of extranonce1
 */
public record ExtranonceLayout(Bytes upstreamPrefix, int upstreamExtranonceSize, int extranonce2Size, int indexBytes,
        boolean fixedInCoinb1) {

    public ExtranonceLayout {
        Objects.requireNonNull(upstreamPrefix, "upstreamPrefix");
        if (extranonce2Size < 1 || indexBytes < 0 || indexBytes > 4) {
            throw new IllegalArgumentException("need extranonce2Size >= 1 and 0 <= indexBytes <= 4");
        }
        if (upstreamExtranonceSize < extranonce2Size + indexBytes) {
            throw new IllegalArgumentException("upstream extranonce_size " + upstreamExtranonceSize
                    + " cannot hold extranonce2 " + extranonce2Size + " + miner index " + indexBytes);
        }
    }

    /**
     * Chooses the layout: SRI's (fixed bytes in extranonce1) unless {@code preferStableExtranonce1}
     * or extranonce1 would exceed {@code maxExtranonce1Bytes}.
     */
    public static ExtranonceLayout choose(Bytes upstreamPrefix, int upstreamExtranonceSize, int extranonce2Size,
            int indexBytes, int maxExtranonce1Bytes, boolean preferStableExtranonce1) {
        int sriLength = upstreamPrefix.length() + upstreamExtranonceSize - extranonce2Size;
        boolean inCoinb1 = preferStableExtranonce1 || sriLength > maxExtranonce1Bytes;
        ExtranonceLayout l = new ExtranonceLayout(upstreamPrefix, upstreamExtranonceSize, extranonce2Size, indexBytes, inCoinb1);
        if (l.extranonce1Size() > maxExtranonce1Bytes) {
            throw new IllegalArgumentException("extranonce1 of " + l.extranonce1Size() + " bytes exceeds the limit "
                    + maxExtranonce1Bytes);
        }
        return l;
    }

    /** Zero bytes between the upstream prefix and the miner index. */
    public int paddingBytes() {
        return upstreamExtranonceSize - extranonce2Size - indexBytes;
    }

    /** How many miners fit (1 when indexBytes is 0). */
    public long capacity() {
        return 1L << (8 * indexBytes);
    }

    public int extranonce1Size() {
        return fixedInCoinb1 ? indexBytes : upstreamPrefix.length() + paddingBytes() + indexBytes;
    }

    /** Bytes appended to every job's coinbase_tx_prefix to form coinb1. */
    public Bytes coinb1Suffix() {
        return fixedInCoinb1 ? upstreamPrefix.concat(Bytes.wrap(new byte[paddingBytes()])) : Bytes.EMPTY;
    }

    /** coinb1 for a job's coinbase_tx_prefix. */
    public Bytes coinb1(Bytes coinbaseTxPrefix) {
        return fixedInCoinb1 ? coinbaseTxPrefix.concat(coinb1Suffix()) : coinbaseTxPrefix;
    }

    /** Extranonce1 of the miner with this index. */
    public Bytes extranonce1(long index) {
        byte[] idx = indexBytes(index);
        if (fixedInCoinb1) {
            return Bytes.wrap(idx);
        }
        byte[] r = new byte[extranonce1Size()];
        upstreamPrefix.copyTo(r, 0);
        System.arraycopy(idx, 0, r, r.length - idx.length, idx.length);
        return Bytes.wrap(r);
    }

    /** The channel extranonce (upstreamExtranonceSize bytes) for a share: padding ‖ index ‖ extranonce2. */
    public Bytes upstreamExtranonce(long index, Bytes extranonce2) {
        if (extranonce2.length() != extranonce2Size) {
            throw new IllegalArgumentException("extranonce2 must be " + extranonce2Size + " bytes, got " + extranonce2.length());
        }
        byte[] r = new byte[upstreamExtranonceSize];
        byte[] idx = indexBytes(index);
        System.arraycopy(idx, 0, r, paddingBytes(), idx.length);
        extranonce2.copyTo(r, paddingBytes() + indexBytes);
        return Bytes.wrap(r);
    }

    private byte[] indexBytes(long index) {
        if (index < 0 || index >= capacity()) {
            throw new IllegalArgumentException("miner index " + index + " outside 0.." + (capacity() - 1));
        }
        byte[] b = new byte[indexBytes];
        for (int i = indexBytes - 1; i >= 0; i--) {
            b[i] = (byte) index;
            index >>>= 8;
        }
        return b;
    }
}
