package org.hyperhash.base;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte hash. Internally (and on the SV2 wire, and inside block headers) the bytes are kept in
 * "internal" order: the raw SHA-256 output. Block explorers display the reverse; use
 * {@link #fromDisplayHex} / {@link #toDisplayHex} for that form.
 */
public final class Hash256 {
    public static final int LENGTH = 32;
    public static final Hash256 ZERO = new Hash256(new byte[LENGTH]);
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] wire;

    private Hash256(byte[] wire) {
        this.wire = wire;
    }

    /** From 32 bytes in wire (internal) order; copies. */
    public static Hash256 fromWireBytes(byte[] b) {
        if (b.length != LENGTH) {
            throw new IllegalArgumentException("Hash256 needs 32 bytes, got " + b.length);
        }
        return new Hash256(b.clone());
    }

    public static Hash256 fromWireBytes(byte[] b, int off) {
        return new Hash256(Arrays.copyOfRange(b, off, off + LENGTH));
    }

    /** Takes ownership of a fresh 32-byte array (no copy). */
    public static Hash256 wrap(byte[] b) {
        if (b.length != LENGTH) {
            throw new IllegalArgumentException("Hash256 needs 32 bytes, got " + b.length);
        }
        return new Hash256(b);
    }

    /** From hex of the wire (internal) order bytes. */
    public static Hash256 fromWireHex(String hex) {
        return wrap(HEX.parseHex(hex));
    }

    /** From block-explorer (reversed, big-endian) hex. */
    public static Hash256 fromDisplayHex(String hex) {
        byte[] b = HEX.parseHex(hex);
        reverse(b);
        return wrap(b);
    }

    public byte[] toWireBytes() {
        return wire.clone();
    }

    public void copyTo(byte[] dst, int off) {
        System.arraycopy(wire, 0, dst, off, LENGTH);
    }

    /** The backing array, not copied. Never modify it. */
    public byte[] unsafeWireBytes() {
        return wire;
    }

    public String toWireHex() {
        return HEX.formatHex(wire);
    }

    public String toDisplayHex() {
        byte[] b = wire.clone();
        reverse(b);
        return HEX.formatHex(b);
    }

    private static void reverse(byte[] b) {
        for (int i = 0, j = b.length - 1; i < j; i++, j--) {
            byte t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hash256 h && Arrays.equals(wire, h.wire);
    }

    @Override
    public int hashCode() {
        // the bytes are already uniformly distributed
        return (wire[0] & 0xff) | (wire[1] & 0xff) << 8 | (wire[2] & 0xff) << 16 | (wire[3] & 0xff) << 24;
    }

    @Override
    public String toString() {
        return toDisplayHex();
    }
}
