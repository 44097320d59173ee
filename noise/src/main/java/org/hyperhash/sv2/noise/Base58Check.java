package org.hyperhash.sv2.noise;

import java.math.BigInteger;
import java.util.Arrays;

/** Bitcoin base58 alphabet with a 4-byte double-SHA256 checksum (no version byte of its own). */
final class Base58Check {
    private static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private static final BigInteger FIFTY_EIGHT = BigInteger.valueOf(58);
    private static final int[] INDEX = new int[128];

    static {
        Arrays.fill(INDEX, -1);
        for (int i = 0; i < ALPHABET.length(); i++) {
            INDEX[ALPHABET.charAt(i)] = i;
        }
    }

    private Base58Check() {
    }

    static String encode(byte[] payload) {
        byte[] data = Arrays.copyOf(payload, payload.length + 4);
        byte[] check = Hashes.sha256d(payload, 0, payload.length);
        System.arraycopy(check, 0, data, payload.length, 4);
        StringBuilder sb = new StringBuilder();
        BigInteger v = new BigInteger(1, data);
        while (v.signum() > 0) {
            BigInteger[] qr = v.divideAndRemainder(FIFTY_EIGHT);
            sb.append(ALPHABET.charAt(qr[1].intValue()));
            v = qr[0];
        }
        for (int i = 0; i < data.length && data[i] == 0; i++) {
            sb.append('1');
        }
        Arrays.fill(data, (byte) 0);
        return sb.reverse().toString();
    }

    /**
     * Decodes and verifies the checksum; returns the payload (without checksum).
     *
     * @param what names the field in error messages (never echoes the input, which may be a secret)
     */
    static byte[] decode(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + ": empty base58check string");
        }
        s = s.strip();
        BigInteger v = BigInteger.ZERO;
        int zeros = 0;
        boolean leading = true;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int d = c < 128 ? INDEX[c] : -1;
            if (d < 0) {
                throw new IllegalArgumentException(what + ": invalid base58 character at index " + i);
            }
            if (leading && d == 0) {
                zeros++;
            } else {
                leading = false;
            }
            v = v.multiply(FIFTY_EIGHT).add(BigInteger.valueOf(d));
        }
        byte[] body = v.signum() == 0 ? new byte[0] : v.toByteArray();
        if (body.length > 0 && body[0] == 0) {
            body = Arrays.copyOfRange(body, 1, body.length);
        }
        byte[] data = new byte[zeros + body.length];
        System.arraycopy(body, 0, data, zeros, body.length);
        if (data.length < 4) {
            throw new IllegalArgumentException(what + ": base58check string too short for a checksum");
        }
        byte[] payload = Arrays.copyOf(data, data.length - 4);
        byte[] check = Hashes.sha256d(payload, 0, payload.length);
        if (!Arrays.equals(check, 0, 4, data, data.length - 4, data.length)) {
            throw new IllegalArgumentException(what + ": base58check checksum mismatch");
        }
        Arrays.fill(data, (byte) 0);
        Arrays.fill(body, (byte) 0);
        return payload;
    }
}
