package org.hyperhash.base;

/** Bitcoin's CompactSize (a.k.a. VarInt in the P2P docs) unsigned integer encoding. */
public final class CompactSize {
    private CompactSize() {
    }

    /** Encoded size in bytes of {@code v} (unsigned). */
    public static int sizeOf(long v) {
        if (Long.compareUnsigned(v, 0xfd) < 0) {
            return 1;
        }
        if (Long.compareUnsigned(v, 0xffff) <= 0) {
            return 3;
        }
        if (Long.compareUnsigned(v, 0xffffffffL) <= 0) {
            return 5;
        }
        return 9;
    }

    public static void write(ByteWriter w, long v) {
        if (Long.compareUnsigned(v, 0xfd) < 0) {
            w.u8((int) v);
        } else if (Long.compareUnsigned(v, 0xffff) <= 0) {
            w.u8(0xfd).u16Le((int) v);
        } else if (Long.compareUnsigned(v, 0xffffffffL) <= 0) {
            w.u8(0xfe).u32Le((int) v);
        } else {
            w.u8(0xff).u64Le(v);
        }
    }

    /** The encoding as bytes. */
    public static byte[] encode(long v) {
        ByteWriter w = new ByteWriter(9);
        write(w, v);
        return w.toByteArray();
    }

    /** Reads a canonical CompactSize. */
    public static long read(ByteReader r, String field) {
        return r.compactSize(field);
    }
}
