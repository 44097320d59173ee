package org.hyperhash.sv2.noise;

/**
 * secp256k1 operations needed by SV2 Noise: BIP324 ElligatorSwift keys and x-only ECDH, and BIP340
 * Schnorr signatures. All byte arrays are big-endian 32-byte values unless stated. Implementations are
 * thread-safe and never keep references to the arrays passed in. Invalid local inputs (a secret key outside
 * [1, n-1], wrong array sizes) are programming errors and raise {@link IllegalArgumentException}; messages
 * never contain key material.
 *
 * <p>Obtain one with {@link Secp256k1Providers#best()}.
 */
public interface Secp256k1Provider {

    /** Short human-readable implementation name (shown in /v1/status). */
    String name();

    /**
     * The 64-byte ElligatorSwift encoding {@code u || t} of {@code secretKey32 * G}.
     *
     * @param auxRand32 32 bytes of randomness used to choose among the many encodings, or null to draw
     *                  fresh randomness from a CSPRNG. The same (secret, aux) always gives the same encoding
     *                  for a given provider; different providers may give different (equally valid) encodings.
     */
    byte[] ellswiftCreate(byte[] secretKey32, byte[] auxRand32);

    /** The x coordinate (32 bytes) that a 64-byte ElligatorSwift encoding decodes to. Every input decodes. */
    byte[] ellswiftDecode(byte[] ellswift64);

    /**
     * BIP324 {@code v2_ecdh}: {@code SHA256(T || T || ellswiftInitiator || ellswiftResponder || x)} with
     * {@code T = SHA256("bip324_ellswift_xonly_ecdh")} and x the x coordinate of {@code secret * decode(theirs)}.
     * The initiator's encoding always comes first.
     *
     * @param initiating true if {@code secretKey32} belongs to {@code ellswiftInitiator64} (we are the
     *                   initiator; theirs is the responder's), false if it belongs to {@code ellswiftResponder64}
     */
    byte[] ellswiftXdh(byte[] ellswiftInitiator64, byte[] ellswiftResponder64, byte[] secretKey32, boolean initiating);

    /** BIP340 x-only public key (32 bytes) of a secret key. */
    byte[] xonlyPublicKey(byte[] secretKey32);

    /**
     * BIP340 signature (64 bytes) of {@code message} (any length; SV2 certificates sign a 32-byte hash).
     *
     * @param auxRand32 BIP340 auxiliary randomness (32 bytes), or null to draw it from a CSPRNG
     */
    byte[] signSchnorr(byte[] message, byte[] secretKey32, byte[] auxRand32);

    /**
     * BIP340 verification. Returns false (never throws) for a malformed signature, a public key that is not
     * a valid x coordinate, or a wrong signature; only wrong array sizes throw.
     */
    boolean verifySchnorr(byte[] signature64, byte[] message, byte[] xonlyPublicKey32);
}
