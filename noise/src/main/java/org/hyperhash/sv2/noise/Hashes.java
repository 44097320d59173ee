package org.hyperhash.sv2.noise;

import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * SHA-256 / HMAC-SHA256 / tagged hashes with per-thread JCA digests, plus the per-thread CSPRNG. HMAC is RFC 2104
 * over the thread's own SHA-256 digest rather than {@code javax.crypto.Mac}: a Noise handshake makes nine HMACs with
 * nine different keys, and {@code Mac.init} copies each key twice ({@code SecretKeySpec}) and allocates per call, which
 * was ~2% of the pool's event-loop CPU and a sixth of its allocation per Noise reconnect (bench/README.md, storm5).
 */
final class Hashes {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> newDigest());
    private static final ThreadLocal<Hmac> HMAC = ThreadLocal.withInitial(Hmac::new);
    private static final ThreadLocal<SecureRandom> RNG = ThreadLocal.withInitial(SecureRandom::new);

    private Hashes() {
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The calling thread's SHA-256 instance (reset before returning). */
    static MessageDigest sha256() {
        MessageDigest d = SHA256.get();
        d.reset();
        return d;
    }

    static byte[] sha256(byte[]... parts) {
        MessageDigest d = sha256();
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    static byte[] sha256d(byte[] data, int off, int len) {
        MessageDigest d = sha256();
        d.update(data, off, len);
        byte[] first = d.digest();
        return d.digest(first);
    }

    /** SHA256(tag) for a BIP340-style tagged hash. */
    static byte[] tagHash(String tag) {
        return sha256(tag.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA256(tagHash || tagHash || parts...). */
    static byte[] tagged(byte[] tagHash, byte[]... parts) {
        MessageDigest d = sha256();
        d.update(tagHash);
        d.update(tagHash);
        for (byte[] p : parts) {
            d.update(p);
        }
        return d.digest();
    }

    /** HMAC-SHA256(key, data1 || data2); data2 may be null. */
    static byte[] hmac(byte[] key, byte[] data1, byte[] data2) {
        return HMAC.get().mac(key, data1, data2);
    }

    /**
     * One thread's HMAC-SHA256 (RFC 2104, block size 64): its own digest and a 64-byte pad block, which holds key
     * material only during a call (wiped before returning, as is the inner hash).
     */
    private static final class Hmac {
        private static final int BLOCK = 64;
        private final MessageDigest d = newDigest();
        private final byte[] pad = new byte[BLOCK];
        private final byte[] inner = new byte[32];

        byte[] mac(byte[] key, byte[] data1, byte[] data2) {
            try {
                d.reset();
                if (key.length > BLOCK) {
                    d.update(key);
                    d.digest(pad, 0, 32); // K' = SHA256(K), zero-padded below
                    Arrays.fill(pad, 32, BLOCK, (byte) 0);
                } else {
                    System.arraycopy(key, 0, pad, 0, key.length);
                    Arrays.fill(pad, key.length, BLOCK, (byte) 0);
                }
                for (int i = 0; i < BLOCK; i++) {
                    pad[i] ^= 0x36;
                }
                d.update(pad);
                d.update(data1);
                if (data2 != null) {
                    d.update(data2);
                }
                d.digest(inner, 0, 32);
                for (int i = 0; i < BLOCK; i++) {
                    pad[i] ^= 0x36 ^ 0x5c; // ipad -> opad
                }
                d.update(pad);
                d.update(inner);
                return d.digest();
            } catch (DigestException e) {
                throw new IllegalStateException("SHA-256 digest into a 32-byte buffer failed", e);
            } finally {
                Arrays.fill(pad, (byte) 0);
                Arrays.fill(inner, (byte) 0);
            }
        }
    }

    /** The calling thread's CSPRNG. */
    static SecureRandom rng() {
        return RNG.get();
    }

    static byte[] random32() {
        byte[] b = new byte[32];
        rng().nextBytes(b);
        return b;
    }
}
