package org.hyperhash.base;

/**
 * A cursor over a byte array for Bitcoin serialization (little-endian integers, CompactSize).
 * Every read names its field so a {@link MalformedDataException} points at what was truncated.
 * Not thread-safe.
 */
public final class ByteReader {
    private final byte[] buf;
    private final int end;
    private int pos;

    public ByteReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public ByteReader(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IndexOutOfBoundsException("off " + off + " len " + len + " of " + buf.length);
        }
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean hasRemaining() {
        return pos < end;
    }

    private void need(int n, String field) {
        if (n < 0 || end - pos < n) {
            throw new MalformedDataException(field, "needs " + n + " bytes at offset " + pos + ", "
                    + (end - pos) + " left");
        }
    }

    public int u8(String field) {
        need(1, field);
        return buf[pos++] & 0xff;
    }

    /** Looks at the byte {@code ahead} positions from the cursor without consuming it. */
    public int peekU8(int ahead, String field) {
        need(ahead + 1, field);
        return buf[pos + ahead] & 0xff;
    }

    public int u16Le(String field) {
        need(2, field);
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    public int u32Le(String field) {
        need(4, field);
        int v = LittleEndian.getInt(buf, pos);
        pos += 4;
        return v;
    }

    public long u64Le(String field) {
        need(8, field);
        long v = LittleEndian.getLong(buf, pos);
        pos += 8;
        return v;
    }

    public byte[] bytes(int n, String field) {
        need(n, field);
        byte[] r = java.util.Arrays.copyOfRange(buf, pos, pos + n);
        pos += n;
        return r;
    }

    public Bytes bytesValue(int n, String field) {
        return Bytes.wrap(bytes(n, field));
    }

    public Hash256 hash256(String field) {
        return Hash256.wrap(bytes(32, field));
    }

    public void skip(int n, String field) {
        need(n, field);
        pos += n;
    }

    /**
     * Reads a CompactSize. Non-canonical (over-long) encodings are rejected, as Bitcoin Core does.
     */
    public long compactSize(String field) {
        int first = u8(field);
        if (first < 0xfd) {
            return first;
        }
        long v;
        long min;
        if (first == 0xfd) {
            v = u16Le(field);
            min = 0xfd;
        } else if (first == 0xfe) {
            v = u32Le(field) & 0xffffffffL;
            min = 0x10000;
        } else {
            v = u64Le(field);
            min = 0x100000000L;
        }
        if (Long.compareUnsigned(v, min) < 0) {
            throw new MalformedDataException(field, "non-canonical CompactSize " + Long.toUnsignedString(v));
        }
        return v;
    }

    /** A CompactSize used as a length or count: must be at most {@code max}. */
    public int compactSizeInt(String field, int max) {
        long v = compactSize(field);
        if (v < 0 || v > max) {
            throw new MalformedDataException(field, "count " + Long.toUnsignedString(v) + " exceeds " + max);
        }
        return (int) v;
    }

    /** A CompactSize length followed by that many bytes. */
    public Bytes varBytes(String field) {
        int n = compactSizeInt(field, remaining());
        return bytesValue(n, field);
    }
}
