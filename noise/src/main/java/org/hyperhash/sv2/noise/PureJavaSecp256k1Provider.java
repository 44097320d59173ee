package org.hyperhash.sv2.noise;

import java.math.BigInteger;
import java.security.MessageDigest;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.ECAlgorithms;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECFieldElement;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Pure-Java secp256k1 over BouncyCastle's curve and field arithmetic: BIP324 ElligatorSwift (XSwiftEC, its
 * inverse, randomised encoding), BIP324 x-only ECDH and BIP340 Schnorr. Fallback when the native library is
 * unavailable, and the test oracle for it. Not constant time (BouncyCastle's variable-base multiply is not).
 */
final class PureJavaSecp256k1Provider implements Secp256k1Provider {
    static final String NAME = "pure-java (BouncyCastle)";

    private static final X9ECParameters PARAMS = CustomNamedCurves.getByName("secp256k1");
    private static final ECCurve CURVE = PARAMS.getCurve();
    private static final ECPoint G = PARAMS.getG();
    private static final BigInteger N = PARAMS.getN();
    private static final BigInteger P = CURVE.getField().getCharacteristic();
    private static final ECFieldElement ONE = CURVE.fromBigInteger(BigInteger.ONE);
    private static final ECFieldElement SEVEN = CURVE.fromBigInteger(BigInteger.valueOf(7));
    private static final ECFieldElement HALF = CURVE.fromBigInteger(BigInteger.TWO).invert();
    private static final ECFieldElement MINUS_3_SQRT = CURVE.fromBigInteger(P.subtract(BigInteger.valueOf(3))).sqrt();
    /** (sqrt(-3) - 1) / 2, used by the inverse map. */
    private static final ECFieldElement C_INV = MINUS_3_SQRT.subtract(ONE).multiply(HALF);

    private static final byte[] TAG_BIP324_ECDH = Hashes.tagHash("bip324_ellswift_xonly_ecdh");
    private static final byte[] TAG_AUX = Hashes.tagHash("BIP0340/aux");
    private static final byte[] TAG_NONCE = Hashes.tagHash("BIP0340/nonce");
    private static final byte[] TAG_CHALLENGE = Hashes.tagHash("BIP0340/challenge");
    private static final byte[] TAG_ELLSWIFT_DRBG = Hashes.tagHash("hyperhash/ellswift_create");

    private static final FixedPointCombMultiplier BASE_MULT = new FixedPointCombMultiplier();

    static final PureJavaSecp256k1Provider INSTANCE = new PureJavaSecp256k1Provider();

    private PureJavaSecp256k1Provider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---------------------------------------------------------------- field helpers

    private static ECFieldElement fe(byte[] b, int off) {
        BigInteger v = new BigInteger(1, java.util.Arrays.copyOfRange(b, off, off + 32));
        return CURVE.fromBigInteger(v.compareTo(P) >= 0 ? v.mod(P) : v);
    }

    private static boolean isValidX(ECFieldElement x) {
        return x.square().multiply(x).add(SEVEN).sqrt() != null;
    }

    private static byte[] toBytes(ECFieldElement f) {
        return f.getEncoded();
    }

    // ---------------------------------------------------------------- ElligatorSwift

    /** XSwiftEC forward map (BIP324): field elements (u, t) to a valid x coordinate. */
    static ECFieldElement xswiftec(ECFieldElement u, ECFieldElement t) {
        if (u.isZero()) {
            u = ONE;
        }
        if (t.isZero()) {
            t = ONE;
        }
        ECFieldElement u3p7 = u.square().multiply(u).add(SEVEN);
        if (u3p7.add(t.square()).isZero()) {
            t = t.add(t);
        }
        ECFieldElement tt = t.square();
        ECFieldElement bigX = u3p7.subtract(tt).divide(t.add(t));
        ECFieldElement bigY = bigX.add(t).divide(MINUS_3_SQRT.multiply(u));
        ECFieldElement x3 = u.add(bigY.square().multiply(CURVE.fromBigInteger(BigInteger.valueOf(4))));
        if (isValidX(x3)) {
            return x3;
        }
        ECFieldElement xOverY = bigX.divide(bigY);
        ECFieldElement x2 = xOverY.negate().subtract(u).multiply(HALF);
        if (isValidX(x2)) {
            return x2;
        }
        return xOverY.subtract(u).multiply(HALF); // x1: one of the three is always valid
    }

    /** XSwiftEC inverse (BIP324): t with xswiftec(u, t) = x for the given case 0..7, or null. */
    static ECFieldElement xswiftecInv(ECFieldElement x, ECFieldElement u, int c) {
        ECFieldElement u2 = u.square();
        ECFieldElement u3p7 = u2.multiply(u).add(SEVEN);
        ECFieldElement s;
        ECFieldElement v;
        if ((c & 2) == 0) {
            if (isValidX(x.negate().subtract(u))) {
                return null;
            }
            v = (c & 1) == 0 ? x : x.negate().subtract(u);
            ECFieldElement den = u2.add(u.multiply(v)).add(v.square());
            if (den.isZero()) {
                return null;
            }
            s = u3p7.negate().divide(den);
        } else {
            s = x.subtract(u);
            if (s.isZero()) {
                return null;
            }
            ECFieldElement four = CURVE.fromBigInteger(BigInteger.valueOf(4));
            ECFieldElement three = CURVE.fromBigInteger(BigInteger.valueOf(3));
            ECFieldElement r = s.negate().multiply(four.multiply(u3p7).add(three.multiply(s).multiply(u2))).sqrt();
            if (r == null) {
                return null;
            }
            if ((c & 1) != 0) {
                if (r.isZero()) {
                    return null;
                }
                r = r.negate();
            }
            v = u.negate().add(r.divide(s)).multiply(HALF);
        }
        ECFieldElement w = s.sqrt();
        if (w == null) {
            return null;
        }
        if ((c & 4) != 0) {
            w = w.negate();
        }
        return w.multiply(u.multiply(C_INV).subtract(v));
    }

    /** Package-private for the inverse-map vectors: t bytes or null. */
    static byte[] xswiftecInv(byte[] x32, byte[] u32, int c) {
        ECFieldElement t = xswiftecInv(fe(x32, 0), fe(u32, 0), c);
        return t == null ? null : toBytes(t);
    }

    static byte[] decodeX(byte[] ell64) {
        return toBytes(xswiftec(fe(ell64, 0), fe(ell64, 32)));
    }

    @Override
    public byte[] ellswiftCreate(byte[] secretKey32, byte[] auxRand32) {
        Secp256k1Keys.requireSecret(secretKey32);
        if (auxRand32 != null) {
            Secp256k1Keys.requireLength(auxRand32, 32, "auxRand32");
        }
        byte[] aux = auxRand32 != null ? auxRand32 : Hashes.random32();
        ECFieldElement x = BASE_MULT.multiply(G, new BigInteger(1, secretKey32)).normalize().getAffineXCoord();
        // Deterministic stream of (u, case) candidates from (secret, aux): uniform u in [1, p-1], case in 0..7.
        MessageDigest d = Hashes.sha256();
        byte[] counter = new byte[4];
        for (int i = 0; ; i++) {
            counter[0] = (byte) i;
            counter[1] = (byte) (i >>> 8);
            counter[2] = (byte) (i >>> 16);
            counter[3] = (byte) (i >>> 24);
            d.reset();
            d.update(TAG_ELLSWIFT_DRBG);
            d.update(secretKey32);
            d.update(aux);
            d.update(counter);
            byte[] h = d.digest();
            BigInteger uInt = new BigInteger(1, h);
            if (uInt.signum() == 0 || uInt.compareTo(P) >= 0) {
                continue;
            }
            int c = Hashes.tagged(TAG_ELLSWIFT_DRBG, h)[0] & 7;
            ECFieldElement u = CURVE.fromBigInteger(uInt);
            ECFieldElement t = xswiftecInv(x, u, c);
            if (t != null) {
                byte[] out = new byte[64];
                System.arraycopy(toBytes(u), 0, out, 0, 32);
                System.arraycopy(toBytes(t), 0, out, 32, 32);
                return out;
            }
        }
    }

    @Override
    public byte[] ellswiftDecode(byte[] ellswift64) {
        Secp256k1Keys.requireLength(ellswift64, 64, "ellswift64");
        return decodeX(ellswift64);
    }

    /** x coordinate of secret * decode(theirs): the BIP324 "x-only ECDH" before hashing. */
    static byte[] ellswiftEcdhXonly(byte[] theirEllswift64, byte[] secretKey32) {
        ECFieldElement x = xswiftec(fe(theirEllswift64, 0), fe(theirEllswift64, 32));
        ECPoint p = liftX(x);
        return p.multiply(new BigInteger(1, secretKey32)).normalize().getAffineXCoord().getEncoded();
    }

    @Override
    public byte[] ellswiftXdh(byte[] ellswiftInitiator64, byte[] ellswiftResponder64, byte[] secretKey32,
                              boolean initiating) {
        Secp256k1Keys.requireLength(ellswiftInitiator64, 64, "ellswiftInitiator64");
        Secp256k1Keys.requireLength(ellswiftResponder64, 64, "ellswiftResponder64");
        Secp256k1Keys.requireSecret(secretKey32);
        byte[] x = ellswiftEcdhXonly(initiating ? ellswiftResponder64 : ellswiftInitiator64, secretKey32);
        return Hashes.tagged(TAG_BIP324_ECDH, ellswiftInitiator64, ellswiftResponder64, x);
    }

    // ---------------------------------------------------------------- BIP340

    private static ECPoint liftX(ECFieldElement x) {
        ECFieldElement y = x.square().multiply(x).add(SEVEN).sqrt();
        if (y == null) {
            return null;
        }
        if (y.testBitZero()) {
            y = y.negate();
        }
        return CURVE.createPoint(x.toBigInteger(), y.toBigInteger());
    }

    private static byte[] int32(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        if (b.length > 32) {
            System.arraycopy(b, b.length - 32, out, 0, 32);
        } else {
            System.arraycopy(b, 0, out, 32 - b.length, b.length);
        }
        return out;
    }

    @Override
    public byte[] xonlyPublicKey(byte[] secretKey32) {
        Secp256k1Keys.requireSecret(secretKey32);
        return BASE_MULT.multiply(G, new BigInteger(1, secretKey32)).normalize().getAffineXCoord().getEncoded();
    }

    @Override
    public byte[] signSchnorr(byte[] message, byte[] secretKey32, byte[] auxRand32) {
        Secp256k1Keys.requireSecret(secretKey32);
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        if (auxRand32 != null) {
            Secp256k1Keys.requireLength(auxRand32, 32, "auxRand32");
        }
        byte[] aux = auxRand32 != null ? auxRand32 : Hashes.random32();
        BigInteger d0 = new BigInteger(1, secretKey32);
        ECPoint pub = BASE_MULT.multiply(G, d0).normalize();
        BigInteger d = pub.getAffineYCoord().testBitZero() ? N.subtract(d0) : d0;
        byte[] px = pub.getAffineXCoord().getEncoded();
        byte[] t = int32(d);
        byte[] auxHash = Hashes.tagged(TAG_AUX, aux);
        for (int i = 0; i < 32; i++) {
            t[i] ^= auxHash[i];
        }
        BigInteger k0 = new BigInteger(1, Hashes.tagged(TAG_NONCE, t, px, message)).mod(N);
        Secp256k1Keys.wipe(t);
        if (k0.signum() == 0) {
            throw new IllegalStateException("BIP340 nonce is zero (negligible probability)");
        }
        ECPoint r = BASE_MULT.multiply(G, k0).normalize();
        BigInteger k = r.getAffineYCoord().testBitZero() ? N.subtract(k0) : k0;
        byte[] rx = r.getAffineXCoord().getEncoded();
        BigInteger e = new BigInteger(1, Hashes.tagged(TAG_CHALLENGE, rx, px, message)).mod(N);
        byte[] sig = new byte[64];
        System.arraycopy(rx, 0, sig, 0, 32);
        System.arraycopy(int32(k.add(e.multiply(d)).mod(N)), 0, sig, 32, 32);
        return sig;
    }

    @Override
    public boolean verifySchnorr(byte[] signature64, byte[] message, byte[] xonlyPublicKey32) {
        Secp256k1Keys.requireLength(signature64, 64, "signature64");
        Secp256k1Keys.requireLength(xonlyPublicKey32, 32, "xonlyPublicKey32");
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        BigInteger px = new BigInteger(1, xonlyPublicKey32);
        if (px.compareTo(P) >= 0) {
            return false;
        }
        ECPoint pub = liftX(CURVE.fromBigInteger(px));
        if (pub == null) {
            return false;
        }
        byte[] rBytes = java.util.Arrays.copyOfRange(signature64, 0, 32);
        BigInteger r = new BigInteger(1, rBytes);
        BigInteger s = new BigInteger(1, java.util.Arrays.copyOfRange(signature64, 32, 64));
        if (r.compareTo(P) >= 0 || s.compareTo(N) >= 0) {
            return false;
        }
        BigInteger e = new BigInteger(1, Hashes.tagged(TAG_CHALLENGE, rBytes, xonlyPublicKey32, message)).mod(N);
        ECPoint bigR = ECAlgorithms.sumOfTwoMultiplies(G, s, pub.negate(), e).normalize();
        if (bigR.isInfinity() || bigR.getAffineYCoord().testBitZero()) {
            return false;
        }
        return bigR.getAffineXCoord().toBigInteger().equals(r);
    }

    /** True if {@code x32} is below p and the x coordinate of a curve point. */
    static boolean isValidXonly(byte[] x32) {
        BigInteger x = new BigInteger(1, x32);
        return x.compareTo(P) < 0 && isValidX(CURVE.fromBigInteger(x));
    }

    @Override
    public String toString() {
        return NAME;
    }
}
