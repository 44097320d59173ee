package org.hyperhash.sv2.channel;

import java.util.BitSet;
import java.util.Objects;
import org.hyperhash.base.Bytes;

/**
 * Hands out unique extranonce prefixes from a configured space:
 * {@code full extranonce = fixedPrefix || channel index (indexBytes, big-endian) || client bytes}.
 * The fixed prefix carries the pool instance id (so several pool instances never overlap) or, in
 * a proxy, the upstream-assigned prefix. Extended channels get {@code fixedPrefix || index} as
 * prefix and {@code clientBytes} rollable bytes; standard channels get the whole full extranonce
 * as prefix (index, then zero bytes), so both kinds share one index space and never collide.
 *
 * <p>Thread-safe (channel opens on different event loops). Released indices are reused
 * oldest-first, only after the never-used indices run out; they are kept in a primitive FIFO plus
 * a bit set (O(1) double-release check, no boxing: a reconnect storm releases thousands at once).
 * Indices are limited to 2^31 (the bit set's range) even when indexBytes would allow more.
 */
public final class ExtranonceAllocator {
    /** SRI pool layout (sv2-protocol.md 5.9): 1-byte server id, 3-byte channel index, 16 client bytes. */
    public static final int SRI_INDEX_BYTES = 3;
    public static final int SRI_CLIENT_BYTES = 16;
    /** Spec limit on the full extranonce. */
    public static final int MAX_FULL_EXTRANONCE = 32;

    private final Bytes fixedPrefix;
    private final int indexBytes;
    private final int clientBytes;
    private final long capacity;
    private final long freshLimit;
    private final BitSet releasedSet = new BitSet();
    private int[] releasedQueue = new int[64];
    private int releasedHead;
    private int releasedCount;
    private long nextFresh;
    private long inUse;

    /**
     * @param fixedPrefix leading bytes common to every prefix (instance id, or upstream prefix)
     * @param indexBytes bytes of per-channel index (1..7)
     * @param clientBytes rollable bytes left to extended channels
     */
    public ExtranonceAllocator(Bytes fixedPrefix, int indexBytes, int clientBytes) {
        Objects.requireNonNull(fixedPrefix, "fixedPrefix");
        if (indexBytes < 1 || indexBytes > 7) {
            throw new IllegalArgumentException("indexBytes must be 1..7, got " + indexBytes);
        }
        if (clientBytes < 0) {
            throw new IllegalArgumentException("clientBytes must be >= 0, got " + clientBytes);
        }
        int full = fixedPrefix.length() + indexBytes + clientBytes;
        if (full > MAX_FULL_EXTRANONCE) {
            throw new IllegalArgumentException("full extranonce " + full + " exceeds " + MAX_FULL_EXTRANONCE + " bytes");
        }
        this.fixedPrefix = fixedPrefix;
        this.indexBytes = indexBytes;
        this.clientBytes = clientBytes;
        this.capacity = 1L << (8 * indexBytes);
        this.freshLimit = Math.min(capacity, Integer.MAX_VALUE);
    }

    /** SRI's pool layout with a one-byte server (instance) id: 20-byte full extranonce. */
    public static ExtranonceAllocator sriPool(int serverId) {
        if (serverId < 0 || serverId > 255) {
            throw new IllegalArgumentException("serverId must be 0..255, got " + serverId);
        }
        return new ExtranonceAllocator(Bytes.of((byte) serverId), SRI_INDEX_BYTES, SRI_CLIENT_BYTES);
    }

    public int fullExtranonceSize() {
        return fixedPrefix.length() + indexBytes + clientBytes;
    }

    /** Prefix length handed to extended channels. */
    public int extendedPrefixSize() {
        return fixedPrefix.length() + indexBytes;
    }

    public int clientBytes() {
        return clientBytes;
    }

    public long capacity() {
        return capacity;
    }

    public synchronized long inUse() {
        return inUse;
    }

    /**
     * Prefix for an extended channel; the channel's extranonce_size is {@link #clientBytes()}.
     *
     * @throws ExtranonceException MIN_EXTRANONCE_SIZE_TOO_LARGE if {@code minExtranonceSize >
     *     clientBytes}, EXHAUSTED if no index is free
     */
    public ExtranonceAllocation allocateExtended(int minExtranonceSize) throws ExtranonceException {
        if (minExtranonceSize > clientBytes) {
            throw new ExtranonceException(ExtranonceException.Reason.MIN_EXTRANONCE_SIZE_TOO_LARGE,
                    "min_extranonce_size " + minExtranonceSize + " > " + clientBytes + " available");
        }
        long index = nextIndex();
        return new ExtranonceAllocation(index, prefix(index, 0), clientBytes);
    }

    /** Prefix for a standard channel: the whole full extranonce (extranonce_size 0). */
    public ExtranonceAllocation allocateStandard() throws ExtranonceException {
        long index = nextIndex();
        return new ExtranonceAllocation(index, prefix(index, clientBytes), 0);
    }

    /** Returns an allocation's index to the pool (on channel close). Releasing twice is ignored. */
    public synchronized void release(ExtranonceAllocation a) {
        if (a.index() < 0 || a.index() >= nextFresh || releasedSet.get((int) a.index())) {
            return;
        }
        int index = (int) a.index();
        releasedSet.set(index);
        if (releasedCount == releasedQueue.length) {
            int[] q = new int[releasedQueue.length * 2];
            for (int i = 0; i < releasedCount; i++) {
                q[i] = releasedQueue[(releasedHead + i) % releasedQueue.length];
            }
            releasedQueue = q;
            releasedHead = 0;
        }
        releasedQueue[(releasedHead + releasedCount) % releasedQueue.length] = index;
        releasedCount++;
        inUse--;
    }

    private synchronized long nextIndex() throws ExtranonceException {
        long index;
        if (nextFresh < freshLimit) {
            index = nextFresh++;
        } else if (releasedCount > 0) {
            int i = releasedQueue[releasedHead];
            releasedHead = (releasedHead + 1) % releasedQueue.length;
            releasedCount--;
            releasedSet.clear(i);
            index = i;
        } else {
            throw new ExtranonceException(ExtranonceException.Reason.EXHAUSTED,
                    "all " + freshLimit + " extranonce prefixes in use");
        }
        inUse++;
        return index;
    }

    private Bytes prefix(long index, int zeroTail) {
        byte[] p = new byte[fixedPrefix.length() + indexBytes + zeroTail];
        fixedPrefix.copyTo(p, 0);
        for (int i = 0; i < indexBytes; i++) {
            p[fixedPrefix.length() + i] = (byte) (index >>> (8 * (indexBytes - 1 - i)));
        }
        return Bytes.wrap(p);
    }
}
