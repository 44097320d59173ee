package org.hyperhash.base;

import java.util.HexFormat;

/** Lower-case hex helpers. */
public final class Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Hex() {
    }

    public static String encode(byte[] b) {
        return HEX.formatHex(b);
    }

    public static String encode(byte[] b, int off, int len) {
        return HEX.formatHex(b, off, off + len);
    }

    /**
     * Decodes hex (either case).
     *
     * @throws IllegalArgumentException on odd length or a non-hex digit
     */
    public static byte[] decode(CharSequence hex) {
        if ((hex.length() & 1) != 0) {
            throw new IllegalArgumentException("hex string has odd length " + hex.length());
        }
        return HEX.parseHex(hex);
    }

    /** A reversed copy (display order <-> internal order). */
    public static byte[] reversed(byte[] b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[b.length - 1 - i];
        }
        return r;
    }

    /** Hex of the reversed bytes (block-explorer rendering of a raw hash). */
    public static String encodeReversed(byte[] b) {
        return encode(reversed(b));
    }

    /** Parses display (reversed) hex into internal-order bytes. */
    public static byte[] decodeReversed(CharSequence hex) {
        return reversed(decode(hex));
    }

    /** 8 hex digits of the big-endian rendering of an unsigned 32-bit value (SV1 style). */
    public static String u32Be(int v) {
        return HEX.toHexDigits(v);
    }

    /** Parses 8 hex digits as a big-endian unsigned 32-bit value (SV1 style). */
    public static int parseU32Be(CharSequence hex) {
        if (hex.length() != 8) {
            throw new IllegalArgumentException("u32 hex needs 8 digits, got " + hex.length());
        }
        return (int) HexFormat.fromHexDigitsToLong(hex);
    }
}
