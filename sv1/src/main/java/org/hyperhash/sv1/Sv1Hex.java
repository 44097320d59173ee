package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import org.hyperhash.base.Bytes;

import java.util.HexFormat;

/** SV1 hex encodings: u32 fields are 8 hex digits of the big-endian value; byte fields raw hex. */
public final class Sv1Hex {
    private static final HexFormat HEX = HexFormat.of();

    private Sv1Hex() {
    }

    /** {@code %08x} of the unsigned value (version, nbits, ntime, nonce, version_bits). */
    public static String u32(int v) {
        return HEX.toHexDigits(v);
    }

    /**
     * Parses an 8-hex-digit big-endian u32 parameter.
     *
     * @param field name used in the error, e.g. {@code mining.submit params[3] ntime}
     */
    public static int parseU32(String field, JsonNode node) throws Sv1ParseException {
        String s = text(field, node);
        if (s.length() != 8 || !isHex(s)) {
            throw new Sv1ParseException(field + ": expected 8 hex digits, got \"" + Sv1ParseException.excerpt(s) + "\"");
        }
        return (int) HexFormat.fromHexDigitsToLong(s);
    }

    /**
     * Parses a hex byte string of exactly {@code expectedLength} bytes ({@code -1}: any length).
     */
    public static Bytes parseBytes(String field, JsonNode node, int expectedLength) throws Sv1ParseException {
        String s = text(field, node);
        if ((s.length() & 1) != 0 || !isHex(s)) {
            throw new Sv1ParseException(field + ": expected hex bytes, got \"" + Sv1ParseException.excerpt(s) + "\"");
        }
        if (expectedLength >= 0 && s.length() != expectedLength * 2) {
            throw new Sv1ParseException(field + ": expected " + expectedLength + " bytes (" + expectedLength * 2
                    + " hex digits), got " + s.length() / 2 + " bytes");
        }
        return Bytes.wrap(HEX.parseHex(s));
    }

    static String text(String field, JsonNode node) throws Sv1ParseException {
        if (node == null || node.isNull() || node.isMissingNode()) {
            throw new Sv1ParseException(field + ": missing");
        }
        if (!node.isTextual()) {
            throw new Sv1ParseException(field + ": expected a string, got " + node.getNodeType());
        }
        return node.asText();
    }

    static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }
}
