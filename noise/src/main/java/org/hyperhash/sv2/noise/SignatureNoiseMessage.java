package org.hyperhash.sv2.noise;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import org.hyperhash.base.Bytes;

/**
 * SV2 SIGNATURE_NOISE_MESSAGE (the responder's certificate, 74 bytes): {@code version U16 LE ||
 * valid_from U32 LE || not_valid_after U32 LE || signature[64]}. The BIP340 signature by the authority key
 * covers {@code SHA256(version_LE2 || valid_from_LE4 || not_valid_after_LE4 || server_static_xonly32)}.
 *
 * @param version       certificate format version (only 0 is defined)
 * @param validFrom     unix seconds (U32)
 * @param notValidAfter unix seconds (U32)
 * @param signature     64-byte BIP340 signature
 */
public record SignatureNoiseMessage(int version, long validFrom, long notValidAfter, Bytes signature) {
    /** Encoded length. */
    public static final int LENGTH = NoiseConstants.SIGNATURE_NOISE_MESSAGE_LEN;
    private static final long U32_MAX = 0xFFFF_FFFFL;

    public SignatureNoiseMessage {
        if (version < 0 || version > 0xFFFF) {
            throw new IllegalArgumentException("version must be a U16: " + version);
        }
        if (validFrom < 0 || validFrom > U32_MAX) {
            throw new IllegalArgumentException("validFrom must be a U32: " + validFrom);
        }
        if (notValidAfter < 0 || notValidAfter > U32_MAX) {
            throw new IllegalArgumentException("notValidAfter must be a U32: " + notValidAfter);
        }
        if (signature == null || signature.length() != 64) {
            throw new IllegalArgumentException("signature must be 64 bytes");
        }
    }

    /** Decodes 74 bytes at {@code off}. */
    public static SignatureNoiseMessage decode(byte[] b, int off, int len) throws NoiseException {
        if (len != LENGTH || off < 0 || off + len > b.length) {
            throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "SIGNATURE_NOISE_MESSAGE must be " + LENGTH
                    + " bytes, got " + len);
        }
        int version = (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
        return new SignatureNoiseMessage(version, u32(b, off + 2), u32(b, off + 6), Bytes.of(b, off + 10, 64));
    }

    private static long u32(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
    }

    private static void putU32(byte[] b, int off, long v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /** The 74-byte encoding. */
    public byte[] encode() {
        byte[] out = new byte[LENGTH];
        out[0] = (byte) version;
        out[1] = (byte) (version >>> 8);
        putU32(out, 2, validFrom);
        putU32(out, 6, notValidAfter);
        signature.copyTo(out, 10);
        return out;
    }

    /** The 42-byte signed preimage {@code version || valid_from || not_valid_after || static_xonly}. */
    public static byte[] signedPreimage(int version, long validFrom, long notValidAfter, byte[] staticXonly32) {
        Secp256k1Keys.requireLength(staticXonly32, 32, "staticXonly32");
        byte[] p = new byte[42];
        p[0] = (byte) version;
        p[1] = (byte) (version >>> 8);
        putU32(p, 2, validFrom);
        putU32(p, 6, notValidAfter);
        System.arraycopy(staticXonly32, 0, p, 10, 32);
        return p;
    }

    /** The 32-byte BIP340 message: SHA256 of {@link #signedPreimage}. */
    public static byte[] signedHash(int version, long validFrom, long notValidAfter, byte[] staticXonly32) {
        MessageDigest d = Hashes.sha256();
        return d.digest(signedPreimage(version, validFrom, notValidAfter, staticXonly32));
    }

    /**
     * Issues a version-0 certificate for {@code staticXonly32}.
     *
     * @param auxRand32 BIP340 aux randomness, or null for fresh CSPRNG bytes (normal use)
     */
    public static SignatureNoiseMessage sign(Secp256k1Provider crypto, AuthorityKeyPair authority,
                                             byte[] staticXonly32, long validFrom, long notValidAfter,
                                             byte[] auxRand32) {
        byte[] m = signedHash(0, validFrom, notValidAfter, staticXonly32);
        byte[] sig = crypto.signSchnorr(m, authority.secretUnsafe(), auxRand32);
        return new SignatureNoiseMessage(0, validFrom, notValidAfter, Bytes.wrap(sig));
    }

    /** Issues a version-0 certificate for a static key (sv2-tp style long-lived certificates). */
    public static SignatureNoiseMessage issue(Secp256k1Provider crypto, AuthorityKeyPair authority,
                                              StaticKeyPair staticKey, Instant validFrom, Instant notValidAfter) {
        return sign(crypto, authority, staticKey.xonlyUnsafe(), clampU32(validFrom.getEpochSecond()),
                clampU32(notValidAfter.getEpochSecond()), null);
    }

    static long clampU32(long v) {
        return Math.max(0, Math.min(U32_MAX, v));
    }

    /**
     * Verifies version, signature and validity window: {@code valid_from - skew <= now <= not_valid_after + skew}
     * (seconds).
     */
    public void verify(Secp256k1Provider crypto, AuthorityPublicKey authority, byte[] staticXonly32, Instant now,
                       Duration allowedSkew) throws NoiseException {
        if (version != 0) {
            throw new NoiseException(NoiseException.Reason.BAD_CERTIFICATE_VERSION,
                    "certificate version " + version + ", only 0 is supported");
        }
        byte[] m = signedHash(version, validFrom, notValidAfter, staticXonly32);
        if (!crypto.verifySchnorr(signature.unsafeArray(), m, authority.xonlyUnsafe())) {
            throw new NoiseException(NoiseException.Reason.BAD_CERTIFICATE_SIGNATURE,
                    "certificate signature does not verify against authority " + authority.toBase58());
        }
        long t = now.getEpochSecond();
        long skew = allowedSkew.getSeconds();
        if (t < validFrom - skew) {
            throw new NoiseException(NoiseException.Reason.CERTIFICATE_NOT_YET_VALID,
                    "certificate valid_from " + validFrom + " is after now " + t + " (+" + skew + " s skew)");
        }
        if (t > notValidAfter + skew) {
            throw new NoiseException(NoiseException.Reason.CERTIFICATE_EXPIRED,
                    "certificate not_valid_after " + notValidAfter + " is before now " + t + " (-" + skew + " s skew)");
        }
    }
}
