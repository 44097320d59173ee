package org.hyperhash.sv2.channel;

import org.hyperhash.base.HotPath;
import org.hyperhash.base.LittleEndian;

/**
 * Bounded set of accepted share hashes for one chain tip, keyed by the hash's low 64 bits (the
 * uniformly random end of a hash that meets a target; a false duplicate needs a 64-bit
 * collision). Open addressing over a {@code long[]} that grows from 64 slots up to the bound:
 * no boxing, no allocation per share except when growing. The table is allocated at the first share (an idle
 * channel holds none: 528 bytes less heap per idle connection). Owner-thread confined.
 */
@HotPath
public final class DuplicateShareSet {
    private static final int INITIAL = 64;
    /** Shared, never written: one empty slot, so lookups need no null check before the first share. */
    private static final long[] NONE = new long[1];
    private final int maxEntries;
    private long[] slots = NONE;
    private int size;

    public DuplicateShareSet(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    /** Outcome of {@link #add(byte[])}. */
    public enum Add { ADDED, DUPLICATE, FULL }

    /** Adds the 32-byte hash. */
    public Add add(byte[] hash32) {
        long key = LittleEndian.getLong(hash32, 0);
        if (key == 0) {
            key = 1; // 0 marks an empty slot
        }
        if (slots == NONE) {
            slots = new long[INITIAL];
        }
        int mask = slots.length - 1;
        int i = mix(key) & mask;
        while (true) {
            long s = slots[i];
            if (s == 0) {
                break;
            }
            if (s == key) {
                return Add.DUPLICATE;
            }
            i = (i + 1) & mask;
        }
        if (size >= maxEntries) {
            return Add.FULL;
        }
        slots[i] = key;
        size++;
        if (size * 2 > slots.length) {
            grow();
        }
        return Add.ADDED;
    }

    public boolean contains(byte[] hash32) {
        long key = LittleEndian.getLong(hash32, 0);
        if (key == 0) {
            key = 1;
        }
        int mask = slots.length - 1;
        for (int i = mix(key) & mask; slots[i] != 0; i = (i + 1) & mask) {
            if (slots[i] == key) {
                return true;
            }
        }
        return false;
    }

    public int size() {
        return size;
    }

    /** Forget everything (new chain tip); shrinks back to the initial capacity. */
    public void clear() {
        if (size == 0) {
            return; // the common case on a new tip for idle channels: nothing to wipe
        }
        if (slots.length > INITIAL) {
            slots = NONE;
        } else {
            java.util.Arrays.fill(slots, 0);
        }
        size = 0;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        int mask = slots.length - 1;
        for (long k : old) {
            if (k != 0) {
                int i = mix(k) & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = k;
            }
        }
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }
}
