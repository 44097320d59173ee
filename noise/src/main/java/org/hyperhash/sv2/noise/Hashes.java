package org.hyperhash.sv2.noise;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** SHA-256 / HMAC-SHA256 / tagged hashes with per-thread JCA instances, plus the per-thread CSPRNG. */
final class Hashes {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> newDigest());
    private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    });
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
        Mac mac = HMAC.get();
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC init failed", e);
        }
        mac.update(data1);
        if (data2 != null) {
            mac.update(data2);
        }
        return mac.doFinal();
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
