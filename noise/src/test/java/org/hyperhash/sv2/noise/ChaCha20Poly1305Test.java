package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pure-Java AEAD (scalar and vector ChaCha20 blocks) and the OpenSSL (FFM) one against RFC 8439's vectors and, randomized, against the JDK's ChaCha20-Poly1305. */
@Timeout(60)
class ChaCha20Poly1305Test {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] SUNSCREEN = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip"
            + " for the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);

    /** The vector block source; it must load in these tests (surefire passes --add-modules jdk.incubator.vector). */
    static ChaCha20Poly1305.Blocks vector() {
        return AeadProviders.vectorImpl().orElseThrow(() -> new AssertionError(
                "vector ChaCha20 did not load: " + AeadProviders.vectorUnavailableReason().orElse("?")));
    }

    static ChaCha20Poly1305.Blocks blocks(String impl) {
        return switch (impl) {
            case "scalar" -> null;
            case "vector" -> vector();
            default -> throw new IllegalArgumentException(impl);
        };
    }

    /** RFC 8439 2.3.2. */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void rfc8439ChaCha20Block(String impl) {
        byte[] key = Vectors.hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] block = ChaCha20Poly1305.chacha20Block(blocks(impl), key, 1, Vectors.hex("000000090000004a00000000"));
        assertEquals("10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e"
                + "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e", HEX.formatHex(block));
    }

    /** RFC 8439 2.4.2. */
    @ParameterizedTest
    @ValueSource(strings = {"scalar", "vector"})
    void rfc8439ChaCha20Encryption(String impl) {
        byte[] key = Vectors.hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        byte[] ct = ChaCha20Poly1305.chacha20(blocks(impl), key, 1, Vectors.hex("000000000000004a00000000"), SUNSCREEN);
        assertEquals("6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
                + "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
                + "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
                + "5af90bbf74a35be6b40b8eedf2785e42874d", HEX.formatHex(ct));
    }

    /** RFC 8439 2.5.2. */
    @Test
    void rfc8439Poly1305() {
        byte[] key = Vectors.hex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
        byte[] tag = ChaCha20Poly1305.poly1305(key, "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII));
        assertEquals("a8061dc1305136c6c22b8baf0c0127a9", HEX.formatHex(tag));
    }

    /** Poly1305 edge: h lands in [p, 2^130) before the final reduction (RFC 8439 A.3 #6 style: r = 2, all-ones). */
    @Test
    void poly1305FinalReduction() {
        byte[] key = new byte[32];
        key[0] = 2;
        byte[] msg = new byte[16];
        Arrays.fill(msg, (byte) 0xff);
        byte[] tag = ChaCha20Poly1305.poly1305(key, msg);
        assertEquals("03000000000000000000000000000000", HEX.formatHex(tag));
    }

    /** RFC 8439 A.3 test vectors #1 to #4 (zero key, r = 0, s = 0, and a full random key over 127 bytes). */
    @Test
    void rfc8439Poly1305VectorsA3() {
        byte[] ietf = ("Any submission to the IETF intended by the Contributor for publication as all or part of an IETF "
                + "Internet-Draft or RFC and any statement made within the context of an IETF activity is considered an "
                + "\"IETF Contribution\". Such statements include oral statements in IETF sessions, as well as written and "
                + "electronic communications made at any time or place, which are addressed to")
                .getBytes(StandardCharsets.US_ASCII);
        assertEquals(375, ietf.length);
        byte[] jabberwocky = ("'Twas brillig, and the slithy toves\nDid gyre and gimble in the wabe:\nAll mimsy were the "
                + "borogoves,\nAnd the mome raths outgrabe.").getBytes(StandardCharsets.US_ASCII);
        assertEquals(127, jabberwocky.length);
        String z = "00".repeat(16);
        assertEquals(z, HEX.formatHex(ChaCha20Poly1305.poly1305(new byte[32], new byte[64])));
        assertEquals("36e5f6b5c5e06070f0efca96227a863e",
                HEX.formatHex(ChaCha20Poly1305.poly1305(HEX.parseHex(z + "36e5f6b5c5e06070f0efca96227a863e"), ietf)));
        assertEquals("f3477e7cd95417af89a6b8794c310cf0",
                HEX.formatHex(ChaCha20Poly1305.poly1305(HEX.parseHex("36e5f6b5c5e06070f0efca96227a863e" + z), ietf)));
        assertEquals("4541669a7eaaee61e708dc7cbcc5eb62", HEX.formatHex(ChaCha20Poly1305.poly1305(
                HEX.parseHex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"), jabberwocky)));
    }

    /** RFC 8439 A.3 edge cases (carries and the final reduction). */
    @Test
    void rfc8439Poly1305EdgeCases() {
        String z = "00".repeat(16);
        String ff = "ff".repeat(16);
        String[][] cases = { // key (r || s), message, tag
            {"02" + "00".repeat(15) + ff, "02" + "00".repeat(15), "03" + "00".repeat(15)},
            {"01" + "00".repeat(15) + z, ff + "f0" + "ff".repeat(15) + "11" + "00".repeat(15), "05" + "00".repeat(15)},
            {"01" + "00".repeat(15) + z, ff + "fbfefefefefefefefefefefefefefefe" + "01".repeat(16), z},
            {"02" + "00".repeat(15) + z, "fd" + "ff".repeat(15), "fa" + "ff".repeat(15)},
            {"0100000000000000040000000000000000" + "00".repeat(15),
                "e33594d7505e43b900000000000000003394d7505e4379cd01000000000000000000000000000000000000000000000001000000000000000000000000000000",
                "14000000000000005500000000000000"},
            {"0100000000000000040000000000000000" + "00".repeat(15),
                "e33594d7505e43b900000000000000003394d7505e4379cd010000000000000000000000000000000000000000000000",
                "13000000000000000000000000000000"},
        };
        for (String[] c : cases) {
            assertEquals(c[2], HEX.formatHex(ChaCha20Poly1305.poly1305(HEX.parseHex(c[0]), HEX.parseHex(c[1]))), c[1]);
        }
    }

    /** Poly1305 against a BigInteger reference, with random and saturated (all-ones) keys and messages. */
    @Test
    void poly1305AgainstBigIntegerReference() {
        SplittableRandom rnd = new SplittableRandom(1305);
        for (int i = 0; i < 5000; i++) {
            int mode = i % 5;
            // modes: random; all-ones key (largest clamped r, s = 2^128 - 1); all-ones message; both all-ones;
            // random key and a message of whole blocks each all-ones, all-zero or random (long runs of saturated
            // blocks push the accumulator and the product carries to their bounds)
            byte[] key = mode == 1 || mode == 3 ? filled(32, 0xff) : bytes(rnd, 32);
            int n = rnd.nextInt(mode >= 3 ? 600 : 200);
            byte[] msg = switch (mode) {
                case 2, 3 -> filled(n, 0xff);
                case 4 -> mixedBlocks(rnd, n);
                default -> bytes(rnd, n);
            };
            assertArrayEquals(referencePoly1305(key, msg), ChaCha20Poly1305.poly1305(key, msg), "case " + i);
        }
    }

    /**
     * Poly1305 against the BigInteger reference on messages built from boundary blocks (all ones, 2^64 - 1 in either
     * word, values near 2^128 - 5, 1, 5) under small r (1, 2, 3, 2^66, ...) and s in {0, 5, 2^128 - 1}: with r this
     * small the accumulator is nearly the sum of the blocks, so these reach the carries that random data hits with
     * probability ~2^-64 (the message-add carry into a word that is all ones, the fold of bits >= 2^130 carrying through
     * both words, h in [p, 2^130) and h just below p with a0 near 2^64 at the final reduction). A throwaway mutation
     * check found each of those carries, removed one at a time, caught here and missed by random messages.
     */
    @Test
    void poly1305BoundaryBlocksAgainstBigIntegerReference() {
        String[] blocks = {"00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff",
            "01000000000000000000000000000000", "ffffffffffffffff0000000000000000", "0000000000000000ffffffffffffffff",
            "faffffffffffffffffffffffffffffff", "fbffffffffffffffffffffffffffffff", "feffffffffffffffffffffffffffffff",
            "05000000000000000000000000000000", "fbffffffffffffff0000000000000000", "0000000000000000fcffffffffffffff"};
        String[] rs = {"01000000000000000000000000000000", "02000000000000000000000000000000",
            "03000000000000000000000000000000", "00000000000000000400000000000000", "ffffffffffffffffffffffffffffffff",
            "05000000000000000400000000000000"};
        String[] ss = {"00000000000000000000000000000000", "ffffffffffffffffffffffffffffffff",
            "05000000000000000000000000000000"};
        SplittableRandom rnd = new SplittableRandom(8439);
        for (int i = 0; i < 20000; i++) {
            byte[] key = HEX.parseHex(rs[rnd.nextInt(rs.length)] + ss[rnd.nextInt(ss.length)]);
            StringBuilder sb = new StringBuilder();
            for (int b = 1 + rnd.nextInt(6); b > 0; b--) {
                sb.append(blocks[rnd.nextInt(blocks.length)]);
            }
            byte[] msg = HEX.parseHex(sb.toString());
            if (rnd.nextInt(4) == 0) { // a partial last block: its pad bit is not 2^128
                msg = Arrays.copyOf(msg, msg.length - 1 - rnd.nextInt(15));
            }
            assertArrayEquals(referencePoly1305(key, msg), ChaCha20Poly1305.poly1305(key, msg),
                    HEX.formatHex(key) + " " + HEX.formatHex(msg));
        }
    }

    private static byte[] mixedBlocks(SplittableRandom rnd, int n) {
        byte[] m = bytes(rnd, n);
        for (int at = 0; at < n; at += 16) {
            int kind = rnd.nextInt(3);
            if (kind < 2) {
                Arrays.fill(m, at, Math.min(at + 16, n), kind == 0 ? (byte) 0xff : 0);
            }
        }
        return m;
    }

    private static byte[] referencePoly1305(byte[] key, byte[] msg) {
        java.math.BigInteger p = java.math.BigInteger.ONE.shiftLeft(130).subtract(java.math.BigInteger.valueOf(5));
        java.math.BigInteger r = le(Arrays.copyOf(key, 16)).and(new java.math.BigInteger("0ffffffc0ffffffc0ffffffc0fffffff", 16));
        java.math.BigInteger s = le(Arrays.copyOfRange(key, 16, 32));
        java.math.BigInteger acc = java.math.BigInteger.ZERO;
        for (int i = 0; i < msg.length; i += 16) {
            byte[] blk = Arrays.copyOfRange(msg, i, Math.min(i + 16, msg.length));
            java.math.BigInteger n = le(blk).setBit(8 * blk.length);
            acc = acc.add(n).multiply(r).mod(p);
        }
        byte[] be = acc.add(s).toByteArray();
        byte[] out = new byte[16];
        for (int i = 0; i < 16 && i < be.length; i++) {
            out[i] = be[be.length - 1 - i];
        }
        return out;
    }

    private static java.math.BigInteger le(byte[] b) {
        byte[] be = new byte[b.length + 1];
        for (int i = 0; i < b.length; i++) {
            be[b.length - i] = b[i];
        }
        return new java.math.BigInteger(be);
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    /**
     * The implementation under test: the pure-Java one with scalar blocks ("pure") or vector blocks ("vector", must load
     * here), or OpenSSL's libcrypto through FFM (must load here).
     */
    static Aead aead(String impl, byte[] key) {
        return switch (impl) {
            case "pure" -> new ChaCha20Poly1305(key, null);
            case "vector" -> new ChaCha20Poly1305(key, vector());
            case "openssl" -> AeadProviders.nativeImpl().orElseThrow(() -> new AssertionError(
                    "libcrypto.so.3 did not load: " + AeadProviders.nativeUnavailableReason().orElse("?"))).keyed(key);
            default -> throw new IllegalArgumentException(impl);
        };
    }

    /** RFC 8439 2.8.2: seal and open. */
    @ParameterizedTest
    @ValueSource(strings = {"pure", "vector", "openssl"})
    void rfc8439Aead(String impl) {
        byte[] key = Vectors.hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        byte[] nonce = Vectors.hex("070000004041424344454647");
        byte[] aad = Vectors.hex("50515253c0c1c2c3c4c5c6c7");
        Aead c = aead(impl, key);
        byte[] out = new byte[SUNSCREEN.length + 16];
        c.seal(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, SUNSCREEN, 0, SUNSCREEN.length, out, 0);
        assertEquals("d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116" + "1ae10b594f09e26a7e902ecbd0600691", HEX.formatHex(out));
        byte[] back = new byte[SUNSCREEN.length];
        assertTrue(c.open(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, out, 0, out.length, back, 0));
        assertArrayEquals(SUNSCREEN, back);
    }

    /** Random keys, nonces, AAD (none, empty, short, long) and every length 0..2000 plus large ones, vs the JDK. */
    @ParameterizedTest
    @ValueSource(strings = {"pure", "vector", "openssl"})
    void randomizedAgainstJdk(String impl) throws Exception {
        SplittableRandom rnd = new SplittableRandom(0x5eed8439L);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        int[] large = {4095, 4096, 4097, 16384, 65519};
        for (int i = 0; i < 2001 + large.length; i++) {
            int len = i <= 2000 ? i : large[i - 2001];
            byte[] key = bytes(rnd, 32);
            byte[] nonce = bytes(rnd, 12);
            byte[] aad = switch (i % 4) {
                case 0 -> null;
                case 1 -> new byte[0];
                case 2 -> bytes(rnd, 1 + rnd.nextInt(16));
                default -> bytes(rnd, 17 + rnd.nextInt(100));
            };
            byte[] plain = bytes(rnd, len);
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
            if (aad != null) {
                jdk.updateAAD(aad);
            }
            byte[] expected = jdk.doFinal(plain);

            Aead c = aead(impl, key);
            int off = rnd.nextInt(8);
            byte[] out = new byte[off + len + 16 + 3];
            c.seal(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, plain, 0, len, out, off);
            assertArrayEquals(expected, Arrays.copyOfRange(out, off, off + len + 16), "len " + len);

            byte[] back = new byte[len + 5];
            assertTrue(c.open(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, out, off, len + 16, back, 5), "len " + len);
            assertArrayEquals(plain, Arrays.copyOfRange(back, 5, 5 + len), "len " + len);

            // in place, both directions
            byte[] buf = Arrays.copyOf(plain, len + 16);
            c.seal(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, buf, 0, len, buf, 0);
            assertArrayEquals(expected, buf, "in place len " + len);
            assertTrue(c.open(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, buf, 0, len + 16, buf, 0));
            assertArrayEquals(plain, Arrays.copyOf(buf, len), "in place len " + len);
        }
    }

    /** Any flipped bit in ciphertext, tag, AAD or nonce is rejected and the output is left untouched. */
    @ParameterizedTest
    @ValueSource(strings = {"pure", "vector", "openssl"})
    void tamperedMessagesAreRejected(String impl) {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int len : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 100, 1000}) {
            byte[] key = bytes(rnd, 32);
            byte[] nonce = bytes(rnd, 12);
            byte[] aad = bytes(rnd, 13);
            Aead c = aead(impl, key);
            byte[] ct = new byte[len + 16];
            c.seal(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, bytes(rnd, len), 0, len, ct, 0);
            byte[] out = new byte[len];
            Arrays.fill(out, (byte) 0x5a);
            for (int bit = 0; bit < ct.length * 8; bit += (len > 64 ? 13 : 1)) {
                ct[bit >>> 3] ^= (byte) (1 << (bit & 7));
                assertFalse(c.open(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, ct, 0, ct.length, out, 0), "bit " + bit);
                ct[bit >>> 3] ^= (byte) (1 << (bit & 7));
            }
            aad[5] ^= 4;
            assertFalse(c.open(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, ct, 0, ct.length, out, 0));
            aad[5] ^= 4;
            assertFalse(c.open(w(nonce, 0), w(nonce, 4) ^ 1, w(nonce, 8), aad, ct, 0, ct.length, out, 0));
            assertFalse(c.open(w(nonce, 0), w(nonce, 4), w(nonce, 8), null, ct, 0, ct.length, out, 0));
            byte[] untouched = new byte[len];
            Arrays.fill(untouched, (byte) 0x5a);
            assertArrayEquals(untouched, out);
            assertTrue(c.open(w(nonce, 0), w(nonce, 4), w(nonce, 8), aad, ct, 0, ct.length, out, 0));
        }
    }

    /**
     * The vector path's window: consecutive nonces (the next message reuses lanes computed with the previous one) with
     * random lengths around every block boundary, two instances interleaved on one thread (the window changes owner),
     * a nonce whose low word carries into the high word, a re-key between two messages, and a failed open in between:
     * every message equal to the JDK's cipher and opened back.
     */
    @Test
    void vectorWindowAcrossMessagesAgainstJdk() throws Exception {
        SplittableRandom rnd = new SplittableRandom(0x8439);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        ChaCha20Poly1305.Blocks v = vector();
        for (int round = 0; round < 300; round++) {
            byte[][] keys = {bytes(rnd, 32), bytes(rnd, 32)};
            ChaCha20Poly1305[] tx = {new ChaCha20Poly1305(keys[0], v), new ChaCha20Poly1305(keys[1], v)};
            ChaCha20Poly1305[] rx = {new ChaCha20Poly1305(keys[0], v), new ChaCha20Poly1305(keys[1], v)};
            long[] nonce = {round % 3 == 0 ? 0xffff_fffeL : rnd.nextLong() >>> 1, rnd.nextLong() >>> 1};
            for (int m = 0; m < 12; m++) {
                int who = round % 2 == 0 ? 0 : rnd.nextInt(2);
                int len = switch (rnd.nextInt(4)) {
                    case 0 -> 6;
                    case 1 -> 64 * rnd.nextInt(1, 8) + rnd.nextInt(-1, 2);
                    default -> rnd.nextInt(600);
                };
                if (m == 7 && round % 5 == 0) { // re-key both ends: nothing computed under the old key may be used
                    keys[who] = bytes(rnd, 32);
                    tx[who].setKey(keys[who]);
                    rx[who].setKey(keys[who]);
                }
                long n = nonce[who]++;
                byte[] iv = new byte[12];
                ByteBuffer.wrap(iv).order(ByteOrder.LITTLE_ENDIAN).putLong(4, n);
                byte[] plain = bytes(rnd, len);
                jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys[who], "ChaCha20"), new IvParameterSpec(iv));
                byte[] expected = jdk.doFinal(plain);
                byte[] ct = new byte[len + 16];
                tx[who].seal(0, (int) n, (int) (n >>> 32), null, plain, 0, len, ct, 0);
                assertArrayEquals(expected, ct, "round " + round + " message " + m + " len " + len);
                if (m == 4) { // a bad tag on the receiver first, then the good one
                    ct[len] ^= 1;
                    assertFalse(rx[who].open(0, (int) n, (int) (n >>> 32), null, ct, 0, ct.length, new byte[len], 0));
                    ct[len] ^= 1;
                }
                byte[] back = new byte[len];
                assertTrue(rx[who].open(0, (int) n, (int) (n >>> 32), null, ct, 0, ct.length, back, 0));
                assertArrayEquals(plain, back);
            }
        }
    }

    /**
     * The vector path keeps the lanes computed for the next nonces for the next messages, and zeroes the window once
     * its last lane is used; a failed open zeroes the whole window.
     */
    @Test
    void vectorWindowIsWipedAfterUse() {
        ChaCha20Poly1305.Blocks v = vector();
        ChaCha20Poly1305 c = new ChaCha20Poly1305(new byte[32], v);
        byte[] in = new byte[100];
        c.seal(0, 5, 0, null, in, 0, 6, new byte[22], 0);
        // the header used lanes 0..1; the lanes of the next nonces hold their keystream
        ChaCha20Poly1305.Window w = scratchOfThisThread().window(c, 0, 6, 0, 3);
        assertEquals(2, w.segLane[1]);
        assertEquals(1, w.done);
        assertTrue(w.segs > 1);
        assertTrue(Arrays.stream(w.win).anyMatch(x -> x != 0));
        // header and payload pairs from the lanes of that one pass (no other pass: the base stays) until all are used,
        // then nothing is left
        int nonce = 6;
        for (; w.segs > 0; nonce++) {
            int len = nonce % 2 == 0 ? 100 : 6;
            c.seal(0, nonce, 0, null, in, 0, len, new byte[len + 16], 0);
            assertTrue(w.segs == 0 || w.base == 5, "nonce " + nonce + " needed another pass");
        }
        assertTrue(nonce > 6);
        assertTrue(Arrays.stream(w.win).allMatch(x -> x == 0));
        // a failed open: nothing of the window is left
        ChaCha20Poly1305 rx = new ChaCha20Poly1305(new byte[32], v);
        assertFalse(rx.open(0, 99, 0, null, new byte[22], 0, 22, new byte[6], 0));
        ChaCha20Poly1305.Scratch p = scratchOfThisThread();
        ChaCha20Poly1305.Window failed = p.w0.owner == null ? p.w0 : p.w1;
        assertEquals(null, failed.owner);
        assertTrue(Arrays.stream(failed.win).allMatch(x -> x == 0));
    }

    /**
     * Destroying an instance on its thread releases the windows it owns (keystream zeroed, no reference left to it, so
     * a closed connection's key is not kept reachable by the event loop's scratch), leaves another instance's window
     * alone, and zeroes its key words (a seal afterwards is under the all-zero key, whose RFC 8439 output is known).
     */
    @Test
    void destroyReleasesOnlyItsOwnWindows() {
        ChaCha20Poly1305.Blocks v = vector();
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        ChaCha20Poly1305 a = new ChaCha20Poly1305(key, v);
        ChaCha20Poly1305 b = new ChaCha20Poly1305(key, v);
        byte[] in = new byte[100];
        a.seal(0, 0, 0, null, in, 0, 6, new byte[22], 0);
        b.seal(0, 0, 0, null, in, 0, 6, new byte[22], 0);
        ChaCha20Poly1305.Scratch p = scratchOfThisThread();
        ChaCha20Poly1305.Window wa = p.w0.owner == a ? p.w0 : p.w1;
        ChaCha20Poly1305.Window wb = wa == p.w0 ? p.w1 : p.w0;
        assertEquals(a, wa.owner);
        assertEquals(b, wb.owner);
        assertTrue(Arrays.stream(wa.win).anyMatch(x -> x != 0));

        a.destroy();
        assertEquals(null, wa.owner);
        assertTrue(Arrays.stream(wa.win).allMatch(x -> x == 0));
        assertEquals(b, wb.owner);
        assertTrue(Arrays.stream(wb.win).anyMatch(x -> x != 0));

        byte[] afterDestroy = new byte[22];
        a.seal(0, 0, 0, null, in, 0, 6, afterDestroy, 0);
        byte[] zeroKey = new byte[22];
        new ChaCha20Poly1305(new byte[32], null).seal(0, 0, 0, null, in, 0, 6, zeroKey, 0);
        assertArrayEquals(zeroKey, afterDestroy);
        b.destroy();
        a.destroy(); // idempotent
        assertTrue(p.w0.owner != a && p.w0.owner != b && p.w1.owner != a && p.w1.owner != b);
    }

    private static ChaCha20Poly1305.Scratch scratchOfThisThread() {
        return ChaCha20Poly1305.scratch();
    }

    /** CipherState on both sides of its size threshold, vs raw JCA with the SV2 nonce layout. */
    @Test
    void cipherStateMatchesJcaAcrossThreshold() throws Exception {
        SplittableRandom rnd = new SplittableRandom(99);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        int t = CipherState.SMALL_LIMIT;
        for (int len : new int[] {0, 6, 100, t - 17, t - 16, t - 1, t, t + 1, 3000, NoiseConstants.MAX_PLAINTEXT_CHUNK}) {
            byte[] key = bytes(rnd, 32);
            long n = rnd.nextLong();
            CipherState tx = new CipherState(key);
            CipherState rx = new CipherState(key);
            tx.setNonceForTest(n);
            rx.setNonceForTest(n);
            byte[] plain = bytes(rnd, len);
            byte[] ct = new byte[len + 16];
            tx.encrypt(plain, 0, len, ct, 0);
            byte[] iv = new byte[12];
            ByteBuffer.wrap(iv).order(ByteOrder.LITTLE_ENDIAN).putLong(4, n);
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
            assertArrayEquals(jdk.doFinal(plain), ct, "len " + len);
            byte[] back = new byte[len];
            rx.decrypt(ct, 0, ct.length, back, 0);
            assertArrayEquals(plain, back);
            assertEquals(n + 1, rx.nonce());
            ct[len / 2] ^= 1;
            rx.setNonceForTest(n);
            assertEquals(NoiseException.Reason.BAD_TAG,
                    assertThrows(NoiseException.class, () -> rx.decrypt(ct, 0, ct.length, back, 0)).reason());
            assertEquals(n, rx.nonce());
        }
    }

    /** An output window starting inside the input (after it) still encrypts correctly (input copied first). */
    @Test
    void overlappingBuffersForwardShift() throws Exception {
        byte[] key = new byte[32];
        key[7] = 1;
        for (int len : new int[] {200, 3000}) {
            byte[] plain = new byte[len];
            new SplittableRandom(len).nextBytes(plain);
            byte[] expected = new byte[len + 16];
            new CipherState(key).encrypt(plain, 0, len, expected, 0);
            byte[] buf = new byte[8 + len + 16];
            System.arraycopy(plain, 0, buf, 0, len);
            new CipherState(key).encrypt(buf, 0, len, buf, 8);
            assertArrayEquals(expected, Arrays.copyOfRange(buf, 8, 8 + len + 16), "len " + len);
            // backwards shift: ciphertext at 8, plaintext decrypted to 0
            new CipherState(key).decrypt(buf, 8, len + 16, buf, 0);
            assertArrayEquals(plain, Arrays.copyOf(buf, len), "len " + len);
            // forward shift on decrypt: ciphertext at 0, plaintext to 8
            System.arraycopy(expected, 0, buf, 0, len + 16);
            new CipherState(key).decrypt(buf, 0, len + 16, buf, 8);
            assertArrayEquals(plain, Arrays.copyOfRange(buf, 8, 8 + len), "len " + len);
        }
    }

    /** Heap ByteBuffers take the pure-Java path and advance positions like the JCA path. */
    @Test
    void heapByteBuffers() throws Exception {
        byte[] key = new byte[32];
        byte[] plain = "NewMiningJob".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer in = ByteBuffer.allocate(20).position(3);
        in.put(plain).flip().position(3);
        ByteBuffer enc = ByteBuffer.allocate(40).position(5);
        assertEquals(plain.length + 16, new CipherState(key).encrypt(in, enc));
        assertEquals(in.limit(), in.position());
        assertEquals(5 + plain.length + 16, enc.position());
        byte[] viaArray = new byte[plain.length + 16];
        new CipherState(key).encrypt(plain, 0, plain.length, viaArray, 0);
        assertArrayEquals(viaArray, Arrays.copyOfRange(enc.array(), 5, 5 + viaArray.length));
        enc.flip().position(5);
        ByteBuffer dec = ByteBuffer.allocate(plain.length);
        assertEquals(plain.length, new CipherState(key).decrypt(enc, dec));
        assertArrayEquals(plain, dec.array());
    }

    private static int w(byte[] b, int off) {
        return ByteBuffer.wrap(b, off, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private static byte[] bytes(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }
}
