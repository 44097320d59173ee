package org.hyperhash.sv2.noise;

import java.io.Serial;

/**
 * A Noise handshake or transport failure. Always fatal for the connection. Messages never contain key
 * material.
 */
public final class NoiseException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Why the handshake or transport failed (use as a bounded metrics label). */
    public enum Reason {
        /** ChaCha20-Poly1305 authentication failed (tampered data or wrong key). */
        BAD_TAG,
        /** The cipher state's nonce reached 2^64-1 (no rekey is defined for SV2). */
        NONCE_EXHAUSTED,
        /** The peer's ElligatorSwift key could not be used for ECDH. */
        BAD_ELLSWIFT,
        /** The certificate's BIP340 signature does not verify against the pinned authority key. */
        BAD_CERTIFICATE_SIGNATURE,
        /** now is after not_valid_after + allowed skew. */
        CERTIFICATE_EXPIRED,
        /** now is before valid_from - allowed skew. */
        CERTIFICATE_NOT_YET_VALID,
        /** The certificate version is not 0. */
        BAD_CERTIFICATE_VERSION,
        /** A handshake message or AEAD input has the wrong size. */
        BAD_LENGTH,
        /** A method was called in the wrong handshake state. */
        STATE
    }

    private final Reason reason;

    public NoiseException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
