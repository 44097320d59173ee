package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Secp256k1VectorsTest {

    static java.util.stream.Stream<Secp256k1Provider> providers() {
        return Providers.all();
    }

    private static byte[] hex(String s) {
        return Vectors.hex(s.toLowerCase(Locale.ROOT));
    }

    @Test
    void nativeProviderLoadsAndIsBest() {
        Secp256k1Provider n = Providers.nativeOrFail();
        assertTrue(n.name().contains("libsecp256k1"), n.name());
        assertEquals(n, Secp256k1Providers.best());
        assertTrue(Secp256k1Providers.nativeUnavailableReason().isEmpty());
        SelfTest.run(n);
        SelfTest.run(Secp256k1Providers.pureJava());
    }

    @ParameterizedTest
    @MethodSource("providers")
    void ellswiftDecodeVectors(Secp256k1Provider p) {
        List<Map<String, String>> rows = Vectors.csv("bip324_ellswift_decode_test_vectors.csv");
        assertEquals(76, rows.size());
        for (Map<String, String> r : rows) {
            assertEquals(r.get("x"), Vectors.hex(p.ellswiftDecode(hex(r.get("ellswift")))), r.get("comment"));
        }
    }

    @Test
    void xswiftecInverseVectorsPureJava() {
        List<Map<String, String>> rows = Vectors.csv("bip324_xswiftec_inv_test_vectors.csv");
        assertEquals(32, rows.size());
        int checked = 0;
        for (Map<String, String> r : rows) {
            byte[] u = hex(r.get("u"));
            byte[] x = hex(r.get("x"));
            for (int c = 0; c < 8; c++) {
                String expected = r.get("case" + c + "_t");
                byte[] t = PureJavaSecp256k1Provider.xswiftecInv(x, u, c);
                if (expected.isEmpty()) {
                    assertNull(t, "case " + c + " of u=" + r.get("u"));
                } else {
                    assertNotNull(t, "case " + c + " of u=" + r.get("u"));
                    assertEquals(expected, Vectors.hex(t), "case " + c + " of u=" + r.get("u"));
                    byte[] ell = new byte[64];
                    System.arraycopy(u, 0, ell, 0, 32);
                    System.arraycopy(t, 0, ell, 32, 32);
                    assertArrayEquals(x, PureJavaSecp256k1Provider.decodeX(ell), "forward map of case " + c);
                    assertArrayEquals(x, Providers.nativeOrFail().ellswiftDecode(ell), "native forward map of case " + c);
                }
                checked++;
            }
        }
        assertEquals(256, checked);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void bip324PacketVectorsSharedSecret(Secp256k1Provider p) {
        List<Map<String, String>> rows = Vectors.csv("bip324_packet_encoding_test_vectors.csv");
        assertEquals(7, rows.size());
        for (Map<String, String> r : rows) {
            byte[] priv = hex(r.get("in_priv_ours"));
            byte[] ours = hex(r.get("in_ellswift_ours"));
            byte[] theirs = hex(r.get("in_ellswift_theirs"));
            boolean initiating = r.get("in_initiating").equals("1");
            String id = "in_idx " + r.get("in_idx");
            assertEquals(r.get("mid_x_ours"), Vectors.hex(p.ellswiftDecode(ours)), id);
            assertEquals(r.get("mid_x_theirs"), Vectors.hex(p.ellswiftDecode(theirs)), id);
            assertEquals(r.get("mid_x_ours"), Vectors.hex(p.xonlyPublicKey(priv)), id);
            byte[] secret = initiating ? p.ellswiftXdh(ours, theirs, priv, true) : p.ellswiftXdh(theirs, ours, priv, false);
            assertEquals(r.get("mid_shared_secret"), Vectors.hex(secret), id);
            assertEquals(r.get("mid_x_shared"), Vectors.hex(PureJavaSecp256k1Provider.ellswiftEcdhXonly(theirs, priv)), id);
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void bip340Vectors(Secp256k1Provider p) {
        List<Map<String, String>> rows = Vectors.csv("bip340_test_vectors.csv");
        assertEquals(19, rows.size());
        int signed = 0;
        int negatives = 0;
        for (Map<String, String> r : rows) {
            String id = "BIP340 #" + r.get("index") + " " + r.get("comment");
            byte[] pk = hex(r.get("public key"));
            byte[] msg = hex(r.get("message"));
            byte[] sig = hex(r.get("signature"));
            boolean expected = r.get("verification result").equals("TRUE");
            if (!r.get("secret key").isEmpty()) {
                byte[] sk = hex(r.get("secret key"));
                assertArrayEquals(pk, p.xonlyPublicKey(sk), id);
                assertArrayEquals(sig, p.signSchnorr(msg, sk, hex(r.get("aux_rand"))), id);
                signed++;
            }
            assertEquals(expected, p.verifySchnorr(sig, msg, pk), id);
            if (!expected) {
                negatives++;
            }
        }
        assertEquals(8, signed);
        assertEquals(10, negatives);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void rejectsInvalidSecretsAndSizes(Secp256k1Provider p) {
        assertThrows(IllegalArgumentException.class, () -> p.xonlyPublicKey(new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> p.ellswiftCreate(
                hex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"), null));
        assertThrows(IllegalArgumentException.class, () -> p.ellswiftDecode(new byte[63]));
        assertThrows(IllegalArgumentException.class, () -> p.verifySchnorr(new byte[63], new byte[32], new byte[32]));
        assertFalse(p.verifySchnorr(new byte[64], new byte[32], new byte[32]), "x=0 is not on the curve");
    }

    @Test
    void crossCheckRandomInputsBetweenProviders() {
        Secp256k1Provider pure = Secp256k1Providers.pureJava();
        Secp256k1Provider nat = Providers.nativeOrFail();
        Random rnd = new Random(0x5eed);
        for (int i = 0; i < 40; i++) {
            byte[] a = new byte[32];
            byte[] b = new byte[32];
            do {
                rnd.nextBytes(a);
            } while (!Secp256k1Keys.isValidSecretKey(a));
            do {
                rnd.nextBytes(b);
            } while (!Secp256k1Keys.isValidSecretKey(b));
            byte[] aux = new byte[32];
            rnd.nextBytes(aux);
            byte[] xa = pure.xonlyPublicKey(a);
            assertArrayEquals(xa, nat.xonlyPublicKey(a));
            // Each side's encoding decodes to the same key under both providers.
            byte[] ellPure = pure.ellswiftCreate(a, aux);
            byte[] ellNat = nat.ellswiftCreate(b, aux);
            assertArrayEquals(xa, pure.ellswiftDecode(ellPure));
            assertArrayEquals(xa, nat.ellswiftDecode(ellPure));
            assertArrayEquals(nat.xonlyPublicKey(b), pure.ellswiftDecode(ellNat));
            assertArrayEquals(pure.ellswiftCreate(a, aux), ellPure, "deterministic with aux");
            // ECDH agrees across providers and roles.
            byte[] s1 = pure.ellswiftXdh(ellPure, ellNat, a, true);
            assertArrayEquals(s1, nat.ellswiftXdh(ellPure, ellNat, a, true));
            assertArrayEquals(s1, nat.ellswiftXdh(ellPure, ellNat, b, false));
            assertArrayEquals(s1, pure.ellswiftXdh(ellPure, ellNat, b, false));
            // Random 64-byte strings decode identically.
            byte[] junk = new byte[64];
            rnd.nextBytes(junk);
            assertArrayEquals(pure.ellswiftDecode(junk), nat.ellswiftDecode(junk));
            // Signatures: identical with the same aux, and each verifies the other's.
            byte[] msg = new byte[i % 3 == 0 ? 32 : i];
            rnd.nextBytes(msg);
            byte[] sig = pure.signSchnorr(msg, a, aux);
            assertArrayEquals(sig, nat.signSchnorr(msg, a, aux));
            assertTrue(nat.verifySchnorr(sig, msg, xa));
            assertTrue(pure.verifySchnorr(sig, msg, xa));
            sig[i % 64] ^= 1;
            assertFalse(nat.verifySchnorr(sig, msg, xa));
            assertFalse(pure.verifySchnorr(sig, msg, xa));
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void ellswiftCreateWithoutAuxIsRandomised(Secp256k1Provider p) {
        byte[] sk = hex("0340034003400340034003400340034003400340034003400340034003400340");
        byte[] e1 = p.ellswiftCreate(sk, null);
        byte[] e2 = p.ellswiftCreate(sk, null);
        assertFalse(java.util.Arrays.equals(e1, e2));
        assertArrayEquals(p.ellswiftDecode(e1), p.ellswiftDecode(e2));
    }
}
