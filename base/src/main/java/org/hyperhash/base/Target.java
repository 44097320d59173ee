package org.hyperhash.base;

import java.math.BigInteger;
import java.util.HexFormat;

/**
 * A 256-bit unsigned target, as four 64-bit limbs (l0 least significant). On the SV2 wire a target
 * is a U256: 32 bytes, little-endian. A hash meets the target when {@code int_LE(hash) <= target}.
 * No BigInteger on the hot path: {@link #isMetBy(byte[])} compares limbs.
 */
@HotPath
public final class Target implements Comparable<Target> {
    public static final Target MAX = new Target(-1L, -1L, -1L, -1L);
    public static final Target ZERO = new Target(0, 0, 0, 0);
    private static final HexFormat HEX = HexFormat.of();

    private final long l0;
    private final long l1;
    private final long l2;
    private final long l3;

    public Target(long l0, long l1, long l2, long l3) {
        this.l0 = l0;
        this.l1 = l1;
        this.l2 = l2;
        this.l3 = l3;
    }

    /** From 32 little-endian bytes (the SV2 U256 wire form). */
    public static Target fromLeBytes(byte[] b) {
        return fromLeBytes(b, 0);
    }

    public static Target fromLeBytes(byte[] b, int off) {
        if (b.length - off < 32) {
            throw new IllegalArgumentException("Target needs 32 bytes");
        }
        return new Target(leLong(b, off), leLong(b, off + 8), leLong(b, off + 16), leLong(b, off + 24));
    }

    /** From big-endian hex (64 digits, most significant first), as targets are usually displayed. */
    public static Target fromBeHex(String hex) {
        byte[] be = HEX.parseHex(hex);
        if (be.length != 32) {
            throw new IllegalArgumentException("Target hex needs 64 digits");
        }
        byte[] le = new byte[32];
        for (int i = 0; i < 32; i++) {
            le[i] = be[31 - i];
        }
        return fromLeBytes(le);
    }

    public static Target fromBigInteger(BigInteger v) {
        if (v.signum() < 0 || v.bitLength() > 256) {
            throw new IllegalArgumentException("target out of range: " + v);
        }
        BigInteger mask = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
        return new Target(v.and(mask).longValue(), v.shiftRight(64).and(mask).longValue(),
                v.shiftRight(128).and(mask).longValue(), v.shiftRight(192).and(mask).longValue());
    }

    /** Cold path only. */
    public BigInteger toBigInteger() {
        byte[] be = new byte[33];
        byte[] le = toLeBytes();
        for (int i = 0; i < 32; i++) {
            be[32 - i] = le[i];
        }
        return new BigInteger(be);
    }

    public byte[] toLeBytes() {
        byte[] b = new byte[32];
        writeLe(b, 0);
        return b;
    }

    public void writeLe(byte[] b, int off) {
        putLeLong(b, off, l0);
        putLeLong(b, off + 8, l1);
        putLeLong(b, off + 16, l2);
        putLeLong(b, off + 24, l3);
    }

    public String toBeHex() {
        return String.format("%016x%016x%016x%016x", l3, l2, l1, l0);
    }

    /**
     * True when the 32-byte hash (raw SHA-256d output, read as a little-endian integer) is
     * {@code <=} this target.
     */
    public boolean isMetBy(byte[] hash32) {
        long h3 = leLong(hash32, 24);
        if (h3 != l3) {
            return Long.compareUnsigned(h3, l3) < 0;
        }
        long h2 = leLong(hash32, 16);
        if (h2 != l2) {
            return Long.compareUnsigned(h2, l2) < 0;
        }
        long h1 = leLong(hash32, 8);
        if (h1 != l1) {
            return Long.compareUnsigned(h1, l1) < 0;
        }
        return Long.compareUnsigned(leLong(hash32, 0), l0) <= 0;
    }

    /** Approximate value as a double (cold-path statistics: difficulty, hashrate). */
    public double toDouble() {
        return unsignedToDouble(l3) * 0x1p192 + unsignedToDouble(l2) * 0x1p128 + unsignedToDouble(l1) * 0x1p64
                + unsignedToDouble(l0);
    }

    private static double unsignedToDouble(long v) {
        double d = (double) (v >>> 1) * 2.0;
        return d + (v & 1);
    }

    public boolean isZero() {
        return (l0 | l1 | l2 | l3) == 0;
    }

    public long limb(int i) {
        return switch (i) {
            case 0 -> l0;
            case 1 -> l1;
            case 2 -> l2;
            case 3 -> l3;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    public Target min(Target o) {
        return compareTo(o) <= 0 ? this : o;
    }

    @Override
    public int compareTo(Target o) {
        int c = Long.compareUnsigned(l3, o.l3);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(l2, o.l2);
        if (c != 0) {
            return c;
        }
        c = Long.compareUnsigned(l1, o.l1);
        return c != 0 ? c : Long.compareUnsigned(l0, o.l0);
    }

    static long leLong(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16
                | (b[off + 3] & 0xffL) << 24 | (b[off + 4] & 0xffL) << 32 | (b[off + 5] & 0xffL) << 40
                | (b[off + 6] & 0xffL) << 48 | (b[off + 7] & 0xffL) << 56;
    }

    static void putLeLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && t.l0 == l0 && t.l1 == l1 && t.l2 == l2 && t.l3 == l3;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(l0 ^ l1 ^ l2 ^ l3);
    }

    @Override
    public String toString() {
        return toBeHex();
    }
}
