package org.hyperhash.sv2.noise;

import java.security.SecureRandom;
import java.util.Arrays;

/** Secret-key helpers independent of the provider. */
public final class Secp256k1Keys {
    /** The secp256k1 group order n, big-endian. */
    private static final byte[] ORDER = java.util.HexFormat.of()
            .parseHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

    private Secp256k1Keys() {
    }

    /** True if {@code secret} is 32 bytes encoding an integer in [1, n-1]. */
    public static boolean isValidSecretKey(byte[] secret) {
        if (secret == null || secret.length != 32) {
            return false;
        }
        int nonZero = 0;
        int lt = 0; // becomes 1 once a byte is smaller than n's, -1 once bigger (first difference wins)
        for (int i = 0; i < 32; i++) {
            int a = secret[i] & 0xff;
            int b = ORDER[i] & 0xff;
            nonZero |= a;
            if (lt == 0) {
                lt = a < b ? 1 : (a > b ? -1 : 0);
            }
        }
        return nonZero != 0 && lt == 1;
    }

    /** A uniformly random valid secret key. */
    public static byte[] randomSecretKey(SecureRandom rng) {
        byte[] s = new byte[32];
        do {
            rng.nextBytes(s);
        } while (!isValidSecretKey(s));
        return s;
    }

    static void requireSecret(byte[] secret) {
        if (!isValidSecretKey(secret)) {
            throw new IllegalArgumentException("secret key must be 32 bytes in [1, n-1]");
        }
    }

    static void requireLength(byte[] b, int len, String field) {
        if (b == null || b.length != len) {
            throw new IllegalArgumentException(field + " must be " + len + " bytes, got "
                    + (b == null ? "null" : b.length));
        }
    }

    static void wipe(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
