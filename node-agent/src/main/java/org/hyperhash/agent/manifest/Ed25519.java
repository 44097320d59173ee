package org.hyperhash.agent.manifest;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Ed25519 through the JDK's EdDSA provider. Public keys travel as their raw 32 bytes (RFC 8032),
 * private keys as PKCS#8 DER. A key id is the lower-case hex SHA-256 of the raw public key.
 */
public final class Ed25519 {
    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112), followed by the 32 raw bytes. */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private Ed25519() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable in this JDK", e);
        }
    }

    /** The 32 raw bytes of an Ed25519 public key. */
    public static byte[] rawPublic(PublicKey key) {
        byte[] enc = key.getEncoded();
        if (enc.length != 44 || !Arrays.equals(enc, 0, 12, SPKI_PREFIX, 0, 12)) {
            throw new IllegalArgumentException("not an Ed25519 public key");
        }
        return Arrays.copyOfRange(enc, 12, 44);
    }

    public static PublicKey publicFromRaw(byte[] raw32) {
        if (raw32.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, got " + raw32.length);
        }
        byte[] enc = Arrays.copyOf(SPKI_PREFIX, 44);
        System.arraycopy(raw32, 0, enc, 12, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(enc));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("invalid Ed25519 public key", e);
        }
    }

    public static PrivateKey privateFromPkcs8(byte[] der) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 PKCS#8 private key");
        }
    }

    /** The key id: lower-case hex SHA-256 of the raw 32-byte public key. */
    public static String keyId(byte[] rawPublic) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rawPublic));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    /** True when {@code sig} is a valid signature of {@code message} by {@code key}; never throws on bad input. */
    public static boolean verify(PublicKey key, byte[] message, byte[] sig) {
        if (sig.length != 64) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(message);
            return s.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
