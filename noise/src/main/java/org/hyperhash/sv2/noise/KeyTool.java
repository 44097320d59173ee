package org.hyperhash.sv2.noise;

import java.security.SecureRandom;
import java.util.Objects;

/** Key generation for {@code hh keygen}: an authority key pair and a server static key. */
public final class KeyTool {
    private KeyTool() {
    }

    /** Freshly generated keys. */
    public record GeneratedKeys(AuthorityKeyPair authority, StaticKeyPair serverStatic) {
        /** Text for the terminal / a config snippet (contains secrets). */
        public String render() {
            return "# Stratum V2 keys. Keep the secret keys private; give miners/clients only authority_public_key.\n"
                    + "authority_public_key = \"" + authority.publicKey().toBase58() + "\"\n"
                    + "authority_secret_key = \"" + authority.secretToBase58() + "\"\n"
                    + "server_static_secret_key = \"" + serverStatic.secretToBase58() + "\"\n"
                    + "# server static public key (x-only, hex): " + serverStatic.publicKeyHex() + "\n";
        }
    }

    /** Generates an authority key pair and a server static key. */
    public static GeneratedKeys generateKeys(SecureRandom rng) {
        Objects.requireNonNull(rng, "rng");
        return new GeneratedKeys(AuthorityKeyPair.generate(rng), StaticKeyPair.generate(rng));
    }

    /**
     * Generates keys and renders them as lines {@code authority_public_key = "..."} (base58check with the
     * {@code 01 00} prefix), {@code authority_secret_key = "..."}, {@code server_static_secret_key = "..."}
     * (base58check of the raw secrets, SRI format) and a comment with the static public key.
     */
    public static String generate(SecureRandom rng) {
        return generateKeys(rng).render();
    }
}
