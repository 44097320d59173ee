package org.hyperhash.sv2.noise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.hyperhash.base.HotPath;

/**
 * One direction of a Noise transport: ChaCha20-Poly1305 (JCA) with a 32-byte key and a 64-bit counter nonce
 * laid out as {@code 00 00 00 00 || u64_LE(n)}. Each encrypt/decrypt consumes one nonce; the counter stops at
 * 2^64-1 (no rekey is defined for SV2). Transport messages use empty associated data. Not thread-safe: one
 * instance per connection direction, used from one thread (the channel's event loop). The JCA
 * {@link Cipher} is created once and re-initialised per message (JCA requires a fresh nonce per init).
 */
@HotPath
public final class CipherState {
    /** 2^64-1 as an unsigned long: reserved, never used as a nonce. */
    private static final long NONCE_LIMIT = -1L;
    private static final VarHandle U64_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final Cipher cipher;
    private final byte[] nonceBytes = new byte[12];
    private SecretKeySpec key;
    private long n;

    /**
     * A cipher state with {@code key32} and nonce 0. Sessions come from {@link NoiseInitiator} /
     * {@link NoiseResponder}; this constructor is public for tests and tools that replay known keys.
     */
    public CipherState(byte[] key32) {
        Secp256k1Keys.requireLength(key32, 32, "key32");
        try {
            this.cipher = Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 unavailable in this JDK", e);
        }
        this.key = new SecretKeySpec(key32, "ChaCha20");
    }

    /** Re-keys for the next handshake MixKey (nonce back to 0). */
    void initializeKey(byte[] key32) {
        this.key = new SecretKeySpec(key32, "ChaCha20");
        this.n = 0;
    }

    /** The next nonce to be used (unsigned 64-bit). */
    public long nonce() {
        return n;
    }

    /** Test hook: jump the counter (e.g. to 2^64-2 for the exhaustion test). */
    void setNonceForTest(long nonce) {
        this.n = nonce;
    }

    private void init(int mode, byte[] ad) throws NoiseException {
        if (n == NONCE_LIMIT) {
            throw new NoiseException(NoiseException.Reason.NONCE_EXHAUSTED, "nonce reached 2^64-1");
        }
        U64_LE.set(nonceBytes, 4, n);
        try {
            cipher.init(mode, key, new IvParameterSpec(nonceBytes));
            if (ad != null) {
                cipher.updateAAD(ad);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 init failed", e);
        }
    }

    /**
     * Encrypts {@code len} bytes (at most {@link NoiseConstants#MAX_PLAINTEXT_CHUNK}) of {@code in} into
     * {@code out} at {@code outOff}, writing {@code len + 16} bytes; empty associated data; nonce++.
     * {@code in} and {@code out} may be the same array.
     */
    public void encrypt(byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseException {
        encryptWithAd(null, in, inOff, len, out, outOff);
    }

    /**
     * Decrypts {@code len} bytes of ciphertext (tag included, 16..{@link NoiseConstants#MAX_CIPHERTEXT_CHUNK})
     * into {@code out}, writing {@code len - 16} bytes; nonce++ on success. A tag failure throws
     * {@link NoiseException.Reason#BAD_TAG} and leaves the nonce unchanged (the session must be dropped).
     */
    public void decrypt(byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseException {
        decryptWithAd(null, in, inOff, len, out, outOff);
    }

    void encryptWithAd(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseException {
        if (len < 0 || len > NoiseConstants.MAX_PLAINTEXT_CHUNK) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "plaintext length " + len
                    + " outside 0.." + NoiseConstants.MAX_PLAINTEXT_CHUNK);
        }
        if (inOff < 0 || inOff + len > in.length || outOff < 0 || outOff + len + NoiseConstants.MAC_LEN > out.length) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "buffer too small for " + len + " bytes");
        }
        init(Cipher.ENCRYPT_MODE, ad);
        try {
            cipher.doFinal(in, inOff, len, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 encrypt failed", e);
        }
        n++;
    }

    void decryptWithAd(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseException {
        if (len < NoiseConstants.MAC_LEN || len > NoiseConstants.MAX_CIPHERTEXT_CHUNK) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "ciphertext length " + len
                    + " outside 16.." + NoiseConstants.MAX_CIPHERTEXT_CHUNK);
        }
        if (inOff < 0 || inOff + len > in.length || outOff < 0 || outOff + len - NoiseConstants.MAC_LEN > out.length) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "buffer too small for " + len + " bytes");
        }
        init(Cipher.DECRYPT_MODE, ad);
        try {
            cipher.doFinal(in, inOff, len, out, outOff);
        } catch (AEADBadTagException e) {
            throw new NoiseException(NoiseException.Reason.BAD_TAG, "ChaCha20-Poly1305 tag mismatch at nonce "
                    + Long.toUnsignedString(n));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 decrypt failed", e);
        }
        n++;
    }

    /**
     * ByteBuffer variant of {@link #encrypt(byte[], int, int, byte[], int)} (works with direct buffers):
     * encrypts all remaining bytes of {@code in} into {@code out}; returns the number of bytes written.
     */
    public int encrypt(ByteBuffer in, ByteBuffer out) throws NoiseException {
        int len = in.remaining();
        if (len > NoiseConstants.MAX_PLAINTEXT_CHUNK) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "plaintext length " + len
                    + " above " + NoiseConstants.MAX_PLAINTEXT_CHUNK);
        }
        if (out.remaining() < len + NoiseConstants.MAC_LEN) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "output buffer too small for " + len + " bytes");
        }
        init(Cipher.ENCRYPT_MODE, null);
        int written;
        try {
            written = cipher.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 encrypt failed", e);
        }
        n++;
        return written;
    }

    /** ByteBuffer variant of {@link #decrypt(byte[], int, int, byte[], int)}; returns bytes written. */
    public int decrypt(ByteBuffer in, ByteBuffer out) throws NoiseException {
        int len = in.remaining();
        if (len < NoiseConstants.MAC_LEN || len > NoiseConstants.MAX_CIPHERTEXT_CHUNK) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "ciphertext length " + len
                    + " outside 16.." + NoiseConstants.MAX_CIPHERTEXT_CHUNK);
        }
        if (out.remaining() < len - NoiseConstants.MAC_LEN) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "output buffer too small for " + len + " bytes");
        }
        init(Cipher.DECRYPT_MODE, null);
        int written;
        try {
            written = cipher.doFinal(in, out);
        } catch (AEADBadTagException e) {
            throw new NoiseException(NoiseException.Reason.BAD_TAG, "ChaCha20-Poly1305 tag mismatch at nonce "
                    + Long.toUnsignedString(n));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 decrypt failed", e);
        }
        n++;
        return written;
    }

    @Override
    public String toString() {
        return "CipherState[nonce=" + Long.toUnsignedString(n) + "]";
    }
}
