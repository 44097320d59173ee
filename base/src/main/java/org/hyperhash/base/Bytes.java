package org.hyperhash.base;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An immutable byte string (value semantics: equals/hashCode over the content). Used for the
 * variable-length SV2 byte fields (B0_32, B0_255, B0_64K, B0_16M) and anywhere a byte[] would
 * otherwise leak mutability.
 */
public final class Bytes implements Comparable<Bytes> {
    public static final Bytes EMPTY = new Bytes(new byte[0]);
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] data;

    private Bytes(byte[] data) {
        this.data = data;
    }

    /** Copies {@code b}. */
    public static Bytes of(byte... b) {
        return b.length == 0 ? EMPTY : new Bytes(b.clone());
    }

    /** Copies {@code len} bytes of {@code b} from {@code off}. */
    public static Bytes of(byte[] b, int off, int len) {
        return len == 0 ? EMPTY : new Bytes(Arrays.copyOfRange(b, off, off + len));
    }

    /** Takes ownership of {@code b}: the caller must not modify it afterwards. */
    public static Bytes wrap(byte[] b) {
        return b.length == 0 ? EMPTY : new Bytes(b);
    }

    public static Bytes fromHex(String hex) {
        return wrap(HEX.parseHex(hex));
    }

    public int length() {
        return data.length;
    }

    public boolean isEmpty() {
        return data.length == 0;
    }

    public byte get(int i) {
        return data[i];
    }

    /** A copy of the content. */
    public byte[] toArray() {
        return data.clone();
    }

    /** Copies the content into {@code dst} at {@code off}. */
    public void copyTo(byte[] dst, int off) {
        System.arraycopy(data, 0, dst, off, data.length);
    }

    /**
     * The backing array, not copied. For codecs and hashing on the hot path only; never modify it.
     */
    public byte[] unsafeArray() {
        return data;
    }

    public Bytes concat(Bytes other) {
        byte[] r = Arrays.copyOf(data, data.length + other.data.length);
        System.arraycopy(other.data, 0, r, data.length, other.data.length);
        return wrap(r);
    }

    public Bytes slice(int from, int to) {
        return of(data, from, to - from);
    }

    public String toHex() {
        return HEX.formatHex(data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public int compareTo(Bytes o) {
        return Arrays.compareUnsigned(data, o.data);
    }

    @Override
    public String toString() {
        return data.length <= 64 ? toHex() : toHex().substring(0, 128) + "...(" + data.length + " bytes)";
    }
}
