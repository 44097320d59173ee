package org.hyperhash.sv2.netty;

/**
 * One direction of the Noise transport cipher (ChaCha20-Poly1305, empty AD, nonce incremented per
 * call), as used by {@link NoiseHandler}, which also calls both in place ({@code in == out}, same offset). Implemented by an adapter over
 * {@code org.hyperhash.sv2.noise.CipherState}. Not thread-safe: owned by one channel's event loop.
 */
public interface FrameCipher {
    /** Encrypts {@code len} bytes into {@code len + 16} bytes at {@code out[outOff]}. */
    void encrypt(byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseFailure;

    /**
     * Decrypts {@code len} bytes (tag included) into {@code len - 16} bytes at {@code out[outOff]}; on a tag
     * failure nothing useful may be assumed about {@code out}.
     */
    void decrypt(byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseFailure;

    /**
     * Zeroes the key; the cipher must not be used again. {@link NoiseHandler} calls it on the channel's event loop
     * when the connection closes or fails. The default does nothing (ciphers without a key to wipe, e.g. tests').
     */
    default void destroy() {
    }
}
