package org.hyperhash.sv2.noise;

/**
 * ChaCha20-Poly1305 (RFC 8439) bound to one key: {@link ChaCha20Poly1305} (pure Java) or
 * {@link NativeChaCha20Poly1305.Keyed} (OpenSSL via FFM), chosen once per process by {@link AeadProviders}.
 * The nonce is three little-endian words (Noise: 0, then the 64-bit counter). Not thread-safe.
 */
interface Aead {
    void setKey(byte[] key32);

    /** Writes {@code len} ciphertext bytes and the 16-byte tag to {@code out[outOff..]}; {@code ad} may be null. */
    void seal(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff);

    /**
     * Verifies the tag over {@code in[inOff, inOff+len)} (ciphertext then tag) and only then writes {@code len - 16}
     * plaintext bytes to {@code out}; returns false with nothing written on a bad tag.
     */
    boolean open(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff);

    /**
     * Zeroes the key (and whatever the calling thread keeps computed from it); the instance must not be used
     * again. Called when a connection closes, so a closed session's key does not wait in memory for the GC.
     */
    void destroy();
}
