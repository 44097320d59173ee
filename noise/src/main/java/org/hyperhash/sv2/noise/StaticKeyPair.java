package org.hyperhash.sv2.noise;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A responder's long-lived Noise static key. Secret encoded as {@code base58check(secret32)} (SRI format).
 * The public side is sent in Act 2 as ElligatorSwift and bound into the certificate as its x-only key.
 * {@link #toString()} never reveals the secret.
 */
public final class StaticKeyPair {
    private static final String WHAT = "static secret key";

    private final byte[] secret;
    private final byte[] xonly;

    private StaticKeyPair(byte[] secret) {
        this.secret = secret;
        this.xonly = Secp256k1Providers.best().xonlyPublicKey(secret);
    }

    /** A fresh random key. */
    public static StaticKeyPair generate(SecureRandom rng) {
        return new StaticKeyPair(Secp256k1Keys.randomSecretKey(rng));
    }

    /** From a raw 32-byte secret in [1, n-1] (copied). */
    public static StaticKeyPair fromSecret(byte[] secret32) {
        if (!Secp256k1Keys.isValidSecretKey(secret32)) {
            throw new IllegalArgumentException(WHAT + ": must be 32 bytes in [1, n-1]");
        }
        return new StaticKeyPair(secret32.clone());
    }

    /** Parses {@code base58check(secret32)}; errors name checksum / length / range, never the value. */
    public static StaticKeyPair fromSecretBase58(String base58) {
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

    /** {@code base58check(secret32)}. Handle as a secret. */
    public String secretToBase58() {
        return Base58Check.encode(secret);
    }

    /** A copy of the 32-byte x-only public key (what certificates sign). */
    public byte[] publicKeyXonly() {
        return xonly.clone();
    }

    /** The x-only public key as hex. */
    public String publicKeyHex() {
        return HexFormat.of().formatHex(xonly);
    }

    /** The x-only public key in the authority-key base58check form ({@code 01 00} prefix), for display. */
    public String publicKeyBase58() {
        return AuthorityPublicKey.fromXonly(xonly).toBase58();
    }

    byte[] secretUnsafe() {
        return secret;
    }

    byte[] xonlyUnsafe() {
        return xonly;
    }

    @Override
    public String toString() {
        return "StaticKeyPair[public=" + publicKeyHex() + ", secret=<redacted>]";
    }
}
