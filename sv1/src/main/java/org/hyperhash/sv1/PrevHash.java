package org.hyperhash.sv1;

import org.hyperhash.base.Hash256;

import java.util.HexFormat;

/**
 * SV1 {@code prevhash}: the 32 raw header bytes (SV2 wire order) with every 4-byte word
 * byte-reversed, word order kept.
 */
public final class PrevHash {
    private static final HexFormat HEX = HexFormat.of();

    private PrevHash() {
    }

    public static String toSv1(Hash256 prevHashWire) {
        return HEX.formatHex(swapWords(prevHashWire.toWireBytes()));
    }

    /** Inverse of {@link #toSv1(Hash256)}. */
    public static Hash256 fromSv1(String sv1) throws Sv1ParseException {
        if (sv1.length() != 64 || !Sv1Hex.isHex(sv1)) {
            throw new Sv1ParseException("prevhash: expected 64 hex digits, got \"" + Sv1ParseException.excerpt(sv1) + "\"");
        }
        return Hash256.fromWireBytes(swapWords(HEX.parseHex(sv1)));
    }

    static byte[] swapWords(byte[] b) {
        byte[] r = new byte[32];
        for (int w = 0; w < 32; w += 4) {
            r[w] = b[w + 3];
            r[w + 1] = b[w + 2];
            r[w + 2] = b[w + 1];
            r[w + 3] = b[w];
        }
        return r;
    }
}
