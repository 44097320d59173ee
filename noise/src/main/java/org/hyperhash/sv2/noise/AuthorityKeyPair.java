package org.hyperhash.sv2.noise;

import java.security.SecureRandom;

/**
 * The authority key pair that signs SV2 Noise certificates (BIP340). The secret is encoded as SRI does:
 * {@code base58check(secret32)} without a prefix. {@link #toString()} never reveals the secret.
 */
public final class AuthorityKeyPair {
    private static final String WHAT = "authority secret key";

    private final byte[] secret;
    private final AuthorityPublicKey publicKey;

    private AuthorityKeyPair(byte[] secret) {
        this.secret = secret;
        this.publicKey = AuthorityPublicKey.fromXonly(Secp256k1Providers.best().xonlyPublicKey(secret));
    }

    /** A fresh random key pair. */
    public static AuthorityKeyPair generate(SecureRandom rng) {
        return new AuthorityKeyPair(Secp256k1Keys.randomSecretKey(rng));
    }

    /** From a raw 32-byte secret in [1, n-1] (copied). */
    public static AuthorityKeyPair fromSecret(byte[] secret32) {
        if (!Secp256k1Keys.isValidSecretKey(secret32)) {
            throw new IllegalArgumentException(WHAT + ": must be 32 bytes in [1, n-1]");
        }
        return new AuthorityKeyPair(secret32.clone());
    }

    /** Parses {@code base58check(secret32)}; errors name checksum / length / range, never the value. */
    public static AuthorityKeyPair fromSecretBase58(String base58) {
        byte[] payload = Base58Check.decode(base58, WHAT);
        try {
            if (payload.length != 32) {
                throw new IllegalArgumentException(WHAT + ": payload length " + payload.length
                        + " bytes, expected 32");
            }
            return fromSecret(payload);
        } finally {
            Secp256k1Keys.wipe(payload);
        }
    }

    /** {@code base58check(secret32)} (SRI {@code authority_secret_key} format). Handle as a secret. */
    public String secretToBase58() {
        return Base58Check.encode(secret);
    }

    public AuthorityPublicKey publicKey() {
        return publicKey;
    }

    /** The raw secret (not copied; package use only). */
    byte[] secretUnsafe() {
        return secret;
    }

    @Override
    public String toString() {
        return "AuthorityKeyPair[public=" + publicKey.toBase58() + ", secret=<redacted>]";
    }
}
