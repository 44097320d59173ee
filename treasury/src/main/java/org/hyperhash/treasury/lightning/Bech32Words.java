package org.hyperhash.treasury.lightning;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/** Bech32 (BIP173) without the 90-character limit, as BOLT11 and LNURL use it; 5-bit words in and out. */
public final class Bech32Words {
    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int[] GEN = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};

    private Bech32Words() {
    }

    /** Decoded human-readable part and data words (checksum removed). */
    public record Decoded(String hrp, byte[] words) {
    }

    /** Decodes and verifies the checksum; throws IllegalArgumentException naming the problem. */
    public static Decoded decode(String s, int maxLength) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("empty bech32 string");
        }
        if (s.length() > maxLength) {
            throw new IllegalArgumentException("bech32 string longer than " + maxLength + " characters");
        }
        if (!s.equals(s.toLowerCase(Locale.ROOT)) && !s.equals(s.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("bech32 string mixes upper and lower case");
        }
        String str = s.toLowerCase(Locale.ROOT);
        int sep = str.lastIndexOf('1');
        if (sep < 1 || sep + 7 > str.length()) {
            throw new IllegalArgumentException("bech32 separator '1' missing or misplaced");
        }
        String hrp = str.substring(0, sep);
        for (int i = 0; i < hrp.length(); i++) {
            char c = hrp.charAt(i);
            if (c < 33 || c > 126) {
                throw new IllegalArgumentException("bech32 human-readable part has an invalid character");
            }
        }
        byte[] data = new byte[str.length() - sep - 1];
        for (int i = 0; i < data.length; i++) {
            int v = CHARSET.indexOf(str.charAt(sep + 1 + i));
            if (v < 0) {
                throw new IllegalArgumentException("bech32 data has an invalid character at position " + (sep + 1 + i));
            }
            data[i] = (byte) v;
        }
        if (polymod(hrp, data) != 1) {
            throw new IllegalArgumentException("bech32 checksum mismatch");
        }
        byte[] words = new byte[data.length - 6];
        System.arraycopy(data, 0, words, 0, words.length);
        return new Decoded(hrp, words);
    }

    /** Encodes hrp + words with a bech32 checksum. */
    public static String encode(String hrp, byte[] words) {
        byte[] withCk = new byte[words.length + 6];
        System.arraycopy(words, 0, withCk, 0, words.length);
        int mod = polymod(hrp, withCk) ^ 1;
        for (int i = 0; i < 6; i++) {
            withCk[words.length + i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
        }
        StringBuilder b = new StringBuilder(hrp.length() + 1 + withCk.length).append(hrp).append('1');
        for (byte w : withCk) {
            b.append(CHARSET.charAt(w));
        }
        return b.toString();
    }

    private static int polymod(String hrp, byte[] data) {
        int chk = 1;
        for (int i = 0; i < hrp.length(); i++) {
            chk = step(chk, hrp.charAt(i) >> 5);
        }
        chk = step(chk, 0);
        for (int i = 0; i < hrp.length(); i++) {
            chk = step(chk, hrp.charAt(i) & 31);
        }
        for (byte d : data) {
            chk = step(chk, d);
        }
        return chk;
    }

    private static int step(int chk, int v) {
        int top = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; i++) {
            if (((top >>> i) & 1) != 0) {
                chk ^= GEN[i];
            }
        }
        return chk;
    }

    /** Regroups bits (8->5 with padding, or 5->8 with {@code pad} controlling trailing bits). */
    public static byte[] convertBits(byte[] in, int off, int len, int from, int to, boolean pad) {
        int acc = 0;
        int bits = 0;
        int maxv = (1 << to) - 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(len * from / to + 1);
        for (int i = off; i < off + len; i++) {
            int v = in[i] & 0xff;
            if ((v >>> from) != 0) {
                throw new IllegalArgumentException("bech32 word out of range");
            }
            acc = (acc << from) | v;
            bits += from;
            while (bits >= to) {
                bits -= to;
                out.write((acc >>> bits) & maxv);
            }
        }
        if (pad) {
            if (bits > 0) {
                out.write((acc << (to - bits)) & maxv);
            }
        } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
            throw new IllegalArgumentException("bech32 non-zero padding");
        }
        return out.toByteArray();
    }
}
