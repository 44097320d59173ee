package org.hyperhash.sv2.framing;

/**
 * Length arithmetic of the encrypted transport (sv2-protocol.md 2.2): the 6-byte header is one AEAD
 * message (22 bytes), the payload is split into chunks of at most 65519 plaintext bytes, each
 * followed by a 16-byte tag; an empty payload produces no payload ciphertext at all.
 *
 * <p>Kept here (pure arithmetic) rather than imported from the noise module so the framing package
 * has no crypto dependency; the values equal the noise module's NoiseConstants.
 */
public final class EncryptedFraming {
    public static final int MAC_LEN = 16;
    public static final int MAX_CIPHERTEXT_CHUNK = 65535;
    public static final int MAX_PLAINTEXT_CHUNK = MAX_CIPHERTEXT_CHUNK - MAC_LEN;
    public static final int ENCRYPTED_HEADER_LEN = FrameHeader.SIZE + MAC_LEN;

    private EncryptedFraming() {
    }

    /** Number of AEAD chunks for a payload of {@code plaintextLen} bytes (0 for an empty payload). */
    public static int chunkCount(int plaintextLen) {
        checkLength(plaintextLen);
        return (plaintextLen + MAX_PLAINTEXT_CHUNK - 1) / MAX_PLAINTEXT_CHUNK;
    }

    /** Ciphertext bytes of the payload: {@code L + 16 * ceil(L / 65519)}. */
    public static int encryptedPayloadLength(int plaintextLen) {
        return plaintextLen + MAC_LEN * chunkCount(plaintextLen);
    }

    /** Bytes on the wire for a whole frame: 22-byte encrypted header plus the payload ciphertext. */
    public static int encryptedFrameLength(int plaintextLen) {
        return ENCRYPTED_HEADER_LEN + encryptedPayloadLength(plaintextLen);
    }

    private static void checkLength(int plaintextLen) {
        if (plaintextLen < 0 || plaintextLen > FrameHeader.MAX_MSG_LENGTH) {
            throw new IllegalArgumentException("payload length out of range 0..2^24-1: " + plaintextLen);
        }
    }
}
