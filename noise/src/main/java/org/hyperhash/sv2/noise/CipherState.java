package org.hyperhash.sv2.noise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.hyperhash.base.HotPath;

/**
 * One direction of a Noise transport: ChaCha20-Poly1305 with a 32-byte key and a 64-bit counter nonce
 * laid out as {@code 00 00 00 00 || u64_LE(n)}. Each encrypt/decrypt consumes one nonce; the counter stops at
 * 2^64-1 (no rekey is defined for SV2). Transport messages use empty associated data. Not thread-safe: one
 * instance per connection direction, used from one thread (the channel's event loop).
 *
 * <p>Messages shorter than {@link #SMALL_LIMIT} bytes go through a pure-Java RFC 8439 implementation (no
 * per-message allocation or cipher re-init), whose ChaCha20 blocks come eight at a time from the Vector API where
 * {@link AeadProviders} loaded it (a frame's header and payload, sealed with consecutive nonces, share one pass). Longer array-backed ones go through OpenSSL's libcrypto (FFM) when
 * {@link AeadProviders} chose it (the default where it loads), else through the JCA cipher, whose vector intrinsics
 * win once the data outweighs its per-message init. OpenSSL 3.0's per-message EVP cost (init, parameter lookups,
 * final, tag: several thousand instructions, bench/README.md) is more than the whole pure-Java AEAD of a share-sized
 * message, so small messages stay in Java either way. The ByteBuffer methods use the JCA cipher for buffers without
 * an array. The JCA {@link Cipher} is created on first use and re-initialised per message (JCA requires a fresh
 * nonce per init).
 */
@HotPath
public final class CipherState {
    /** 2^64-1 as an unsigned long: reserved, never used as a nonce. */
    private static final long NONCE_LIMIT = -1L;
    private static final VarHandle U64_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Plaintext/ciphertext lengths below this use the pure-Java AEAD (chosen from measurements, see bench/README.md). */
    static final int SMALL_LIMIT = 320;

    private static final NativeChaCha20Poly1305 NATIVE = AeadProviders.nativeOrNull();
    /** Array-backed messages of at least {@link #SMALL_LIMIT} bytes go through {@link #large} when OpenSSL is in use. */
    private static final int ARRAY_LIMIT = NATIVE != null ? Integer.MAX_VALUE : SMALL_LIMIT;

    private final ChaCha20Poly1305 small;
    /** OpenSSL's AEAD bound to this key, or null (pure Java / JCA only). */
    private final Aead large;
    private final byte[] keyBytes = new byte[32];
    private byte[] nonceBytes; // JCA path only: allocated on its first use (heap per idle connection)
    private Cipher cipher;
    private SecretKeySpec key;
    private long n;
    private boolean destroyed;

    /**
     * A cipher state with {@code key32} and nonce 0. Sessions come from {@link NoiseInitiator} /
     * {@link NoiseResponder}; this constructor is public for tests and tools that replay known keys.
     */
    public CipherState(byte[] key32) {
        Secp256k1Keys.requireLength(key32, 32, "key32");
        System.arraycopy(key32, 0, keyBytes, 0, 32);
        this.small = new ChaCha20Poly1305(key32);
        this.large = NATIVE != null ? NATIVE.keyed(keyBytes) : null; // shares keyBytes (no second copy)
    }

    /** Re-keys for the next handshake MixKey (nonce back to 0). */
    void initializeKey(byte[] key32) {
        System.arraycopy(key32, 0, keyBytes, 0, 32);
        small.setKey(key32);
        this.key = null; // `large` reads keyBytes itself
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

    private void checkNonce() throws NoiseException {
        if (n == NONCE_LIMIT) {
            throw new NoiseException(NoiseException.Reason.NONCE_EXHAUSTED,
                    destroyed ? "cipher state destroyed (its connection closed)" : "nonce reached 2^64-1");
        }
    }

    /**
     * Zeroes this direction's key, in every form this object holds (its bytes, the pure-Java AEAD's words and the
     * keystream the calling thread computed ahead with it, the JCA key), and uses up the nonce so that every later
     * encrypt or decrypt fails with {@link NoiseException.Reason#NONCE_EXHAUSTED}. Call it on the connection's own
     * thread when the connection closes: a closed session's key then does not stay in memory until the GC (or, via
     * the thread's keystream window, until another connection on that thread takes the window over). Idempotent.
     */
    public void destroy() {
        destroyed = true;
        n = NONCE_LIMIT;
        Arrays.fill(keyBytes, (byte) 0);
        small.destroy();
        if (large != null) {
            large.destroy();
        }
        key = null; // SecretKeySpec copies the key; dropping it is all the JCA lets us do
        cipher = null;
    }

    private void init(int mode, byte[] ad) throws NoiseException {
        checkNonce();
        if (nonceBytes == null) {
            nonceBytes = new byte[12];
        }
        U64_LE.set(nonceBytes, 4, n);
        try {
            if (cipher == null) {
                cipher = Cipher.getInstance("ChaCha20-Poly1305");
            }
            if (key == null) {
                key = new SecretKeySpec(keyBytes, "ChaCha20");
            }
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
        if (!safeOverlap(in, inOff, out, outOff, len)) {
            in = Arrays.copyOfRange(in, inOff, inOff + len); // rare: output starts inside the input, after it
            inOff = 0;
        }
        if (len < ARRAY_LIMIT) {
            checkNonce();
            (len < SMALL_LIMIT ? small : large).seal(0, (int) n, (int) (n >>> 32), ad, in, inOff, len, out, outOff);
            n++;
            return;
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
        if (!safeOverlap(in, inOff, out, outOff, len)) {
            in = Arrays.copyOfRange(in, inOff, inOff + len); // rare: output starts inside the input, after it
            inOff = 0;
        }
        if (len < ARRAY_LIMIT) {
            checkNonce();
            if (!(len < SMALL_LIMIT ? small : large).open(0, (int) n, (int) (n >>> 32), ad, in, inOff, len, out, outOff)) {
                throw badTag();
            }
            n++;
            return;
        }
        init(Cipher.DECRYPT_MODE, ad);
        try {
            cipher.doFinal(in, inOff, len, out, outOff);
        } catch (AEADBadTagException e) {
            throw badTag();
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
        if (len < ARRAY_LIMIT && in.hasArray() && out.hasArray() && !out.isReadOnly()) {
            int ip = in.position();
            int op = out.position();
            encryptWithAd(null, in.array(), in.arrayOffset() + ip, len, out.array(), out.arrayOffset() + op);
            in.position(ip + len);
            out.position(op + len + NoiseConstants.MAC_LEN);
            return len + NoiseConstants.MAC_LEN;
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
        if (len < ARRAY_LIMIT && in.hasArray() && out.hasArray() && !out.isReadOnly()) {
            int ip = in.position();
            int op = out.position();
            decryptWithAd(null, in.array(), in.arrayOffset() + ip, len, out.array(), out.arrayOffset() + op);
            in.position(ip + len);
            out.position(op + len - NoiseConstants.MAC_LEN);
            return len - NoiseConstants.MAC_LEN;
        }
        init(Cipher.DECRYPT_MODE, null);
        int written;
        try {
            written = cipher.doFinal(in, out);
        } catch (AEADBadTagException e) {
            throw badTag();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 decrypt failed", e);
        }
        n++;
        return written;
    }

    /** Both paths write forwards (JCA too, measured), so an output that starts inside the input after it needs a copy. */
    private static boolean safeOverlap(byte[] in, int inOff, byte[] out, int outOff, int len) {
        return in != out || outOff <= inOff || outOff >= inOff + len;
    }

    private NoiseException badTag() {
        return new NoiseException(NoiseException.Reason.BAD_TAG, "ChaCha20-Poly1305 tag mismatch at nonce "
                + Long.toUnsignedString(n));
    }

    @Override
    public String toString() {
        return "CipherState[nonce=" + Long.toUnsignedString(n) + "]";
    }
}
