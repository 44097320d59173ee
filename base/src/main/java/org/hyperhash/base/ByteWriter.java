package org.hyperhash.base;

import java.util.Arrays;

/** A growable little-endian byte sink for Bitcoin serialization. Not thread-safe. */
public final class ByteWriter {
    private byte[] buf;
    private int len;

    public ByteWriter() {
        this(128);
    }

    public ByteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    public int size() {
        return len;
    }

    public ByteWriter u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    public ByteWriter u16Le(int v) {
        ensure(2);
        buf[len++] = (byte) v;
        buf[len++] = (byte) (v >>> 8);
        return this;
    }

    public ByteWriter u32Le(int v) {
        ensure(4);
        LittleEndian.putInt(buf, len, v);
        len += 4;
        return this;
    }

    public ByteWriter u64Le(long v) {
        ensure(8);
        LittleEndian.putLong(buf, len, v);
        len += 8;
        return this;
    }

    public ByteWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public ByteWriter bytes(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
        return this;
    }

    public ByteWriter bytes(Bytes b) {
        return bytes(b.unsafeArray());
    }

    public ByteWriter hash(Hash256 h) {
        return bytes(h.unsafeWireBytes());
    }

    public ByteWriter compactSize(long v) {
        CompactSize.write(this, v);
        return this;
    }

    /** CompactSize length then the bytes. */
    public ByteWriter varBytes(Bytes b) {
        compactSize(b.length());
        return bytes(b);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    public Bytes toBytes() {
        return Bytes.wrap(toByteArray());
    }
}
