package org.hyperhash.sv2.noise;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Sizes and constants of the SV2 Noise NX handshake and transport (sv2-protocol.md sections 2.2 and 3). */
public final class NoiseConstants {
    /** Act 1 (initiator ephemeral EllSwift key), raw on the wire. */
    public static final int ACT1_LEN = 64;
    /** Act 2: E_r(64) + ENC(S_r)(80) + ENC(certificate)(90), raw on the wire. */
    public static final int ACT2_LEN = 234;
    /** ChaCha20-Poly1305 tag length. */
    public static final int MAC_LEN = 16;
    /** Largest Noise message (ciphertext incl. tag). */
    public static final int MAX_CIPHERTEXT_CHUNK = 65535;
    /** Largest plaintext per Noise message. */
    public static final int MAX_PLAINTEXT_CHUNK = MAX_CIPHERTEXT_CHUNK - MAC_LEN;
    /** Encrypted 6-byte SV2 frame header + tag. */
    public static final int ENCRYPTED_HEADER_LEN = 6 + MAC_LEN;
    /** 64-byte ElligatorSwift public key encoding. */
    public static final int ELLSWIFT_LEN = 64;
    /** Plaintext SIGNATURE_NOISE_MESSAGE length: version(2) + valid_from(4) + not_valid_after(4) + signature(64). */
    public static final int SIGNATURE_NOISE_MESSAGE_LEN = 74;
    /** Default certificate clock skew tolerance (SRI uses 10 s either side). */
    public static final Duration DEFAULT_ALLOWED_SKEW = Duration.ofSeconds(10);
    /** ASCII protocol name hashed into the initial chaining key. */
    public static final String PROTOCOL_NAME = "Noise_NX_Secp256k1+EllSwift_ChaChaPoly_SHA256";

    static final byte[] PROTOCOL_NAME_BYTES = PROTOCOL_NAME.getBytes(StandardCharsets.US_ASCII);

    private NoiseConstants() {
    }

    /**
     * Ciphertext length of an SV2 frame payload of {@code plaintextLen} bytes: each chunk of at most
     * {@link #MAX_PLAINTEXT_CHUNK} bytes gains a 16-byte tag; an empty payload produces no ciphertext at all.
     */
    public static int encryptedPayloadLength(int plaintextLen) {
        if (plaintextLen < 0) {
            throw new IllegalArgumentException("plaintextLen must be >= 0: " + plaintextLen);
        }
        int chunks = (plaintextLen + MAX_PLAINTEXT_CHUNK - 1) / MAX_PLAINTEXT_CHUNK;
        return Math.addExact(plaintextLen, chunks * MAC_LEN);
    }
}
