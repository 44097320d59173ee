package org.hyperhash.sv2.noise;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a Noise responder presents: its static key and how its certificate is obtained. Thread-safe; share one
 * instance across all connections.
 * <ul>
 * <li>{@link #signedPerHandshake}: SRI style, holds the authority secret and signs {@code valid_from = now,
 * not_valid_after = now + validity}. Signatures are cached per second, so a reconnect storm costs at most one
 * Schnorr signature per second.</li>
 * <li>{@link #withCertificate}: sv2-tp style, a long-lived certificate issued once (see
 * {@link SignatureNoiseMessage#issue}).</li>
 * </ul>
 */
public final class ServerIdentity {
    private final StaticKeyPair staticKey;
    private final AuthorityKeyPair authority;
    private final Duration validity;
    private final SignatureNoiseMessage fixedCertificate;
    private volatile byte[] staticEllSwift;
    private volatile CachedCertificate cached;

    private record CachedCertificate(long second, SignatureNoiseMessage certificate) {
    }

    private ServerIdentity(StaticKeyPair staticKey, AuthorityKeyPair authority, Duration validity,
                           SignatureNoiseMessage fixedCertificate, byte[] staticEllSwift) {
        this.staticKey = Objects.requireNonNull(staticKey, "staticKey");
        this.authority = authority;
        this.validity = validity;
        this.fixedCertificate = fixedCertificate;
        this.staticEllSwift = staticEllSwift;
    }

    /** SRI style: sign a fresh certificate (valid from now for {@code validity}) on each handshake. */
    public static ServerIdentity signedPerHandshake(StaticKeyPair staticKey, AuthorityKeyPair authority,
                                                    Duration validity) {
        Objects.requireNonNull(authority, "authority");
        if (validity == null || validity.isNegative() || validity.isZero()) {
            throw new IllegalArgumentException("certificate validity must be positive");
        }
        return new ServerIdentity(staticKey, authority, validity, null, null);
    }

    /** sv2-tp style: present this pre-issued certificate on every handshake. */
    public static ServerIdentity withCertificate(StaticKeyPair staticKey, SignatureNoiseMessage certificate) {
        return new ServerIdentity(staticKey, null, null, Objects.requireNonNull(certificate, "certificate"), null);
    }

    /** Test hook: the same identity with a fixed static EllSwift encoding (encodings are not unique). */
    ServerIdentity withStaticEllSwiftForTest(byte[] ellswift64) {
        return new ServerIdentity(staticKey, authority, validity, fixedCertificate, ellswift64.clone());
    }

    public StaticKeyPair staticKey() {
        return staticKey;
    }

    /** The authority public key when this identity signs per handshake, else null. */
    public AuthorityPublicKey authorityPublicKey() {
        return authority == null ? null : authority.publicKey();
    }

    /** The static key's EllSwift encoding, computed once (benign race: any valid encoding works). */
    byte[] staticEllSwift(Secp256k1Provider crypto) {
        byte[] e = staticEllSwift;
        if (e == null) {
            e = crypto.ellswiftCreate(staticKey.secretUnsafe(), null);
            staticEllSwift = e;
        }
        return e;
    }

    /** The certificate to present at {@code now}. */
    public SignatureNoiseMessage certificate(Secp256k1Provider crypto, Instant now) {
        if (fixedCertificate != null) {
            return fixedCertificate;
        }
        long second = SignatureNoiseMessage.clampU32(now.getEpochSecond());
        CachedCertificate c = cached;
        if (c != null && c.second() == second) {
            return c.certificate();
        }
        long notValidAfter = SignatureNoiseMessage.clampU32(second + validity.getSeconds());
        SignatureNoiseMessage cert = SignatureNoiseMessage.sign(crypto, authority, staticKey.xonlyUnsafe(), second,
                notValidAfter, null);
        cached = new CachedCertificate(second, cert);
        return cert;
    }

    @Override
    public String toString() {
        return "ServerIdentity[static=" + staticKey.publicKeyHex()
                + (authority != null ? ", signs per handshake as " + authority.publicKey() + " for " + validity
                : ", fixed certificate " + fixedCertificate.validFrom() + ".." + fixedCertificate.notValidAfter())
                + "]";
    }
}
