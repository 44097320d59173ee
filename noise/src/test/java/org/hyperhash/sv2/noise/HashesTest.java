package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** {@link Hashes#hmac}: RFC 4231 vectors and agreement with the JDK's HmacSHA256 for every key-length class. */
class HashesTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] jdk(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    @Test
    void rfc4231Vectors() {
        // test case 1: 20-byte key
        byte[] k1 = new byte[20];
        java.util.Arrays.fill(k1, (byte) 0x0b);
        assertArrayEquals(HEX.parseHex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                Hashes.hmac(k1, "Hi There".getBytes(java.nio.charset.StandardCharsets.US_ASCII), null));
        // test case 2: short key, message split over the two data arguments
        assertArrayEquals(HEX.parseHex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
                Hashes.hmac("Jefe".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        "what do ya want ".getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                        "for nothing?".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        // test case 6: 131-byte key (longer than the block: hashed first)
        byte[] k6 = new byte[131];
        java.util.Arrays.fill(k6, (byte) 0xaa);
        assertArrayEquals(HEX.parseHex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
                Hashes.hmac(k6, "Test Using Larger Than Block-Size Key - Hash Key First"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII), null));
    }

    @Test
    void agreesWithJdkMacForAllKeyAndDataLengths() throws Exception {
        Random r = new Random(42);
        for (int keyLen : new int[] {1, 31, 32, 33, 63, 64, 65, 128, 200}) {
            for (int dataLen : new int[] {0, 1, 32, 55, 56, 64, 65, 119, 200}) {
                byte[] key = new byte[keyLen];
                byte[] data = new byte[dataLen];
                r.nextBytes(key);
                r.nextBytes(data);
                byte[] expected = jdk(key, data);
                assertArrayEquals(expected, Hashes.hmac(key, data, null), keyLen + "/" + dataLen);
                int cut = dataLen / 3;
                assertArrayEquals(expected, Hashes.hmac(key, java.util.Arrays.copyOf(data, cut),
                        java.util.Arrays.copyOfRange(data, cut, dataLen)), keyLen + "/" + dataLen + " split");
            }
        }
    }

    @Test
    void consecutiveCallsDoNotShareState() throws Exception {
        // a long key, then a short one: the pad block must not keep bytes of the first
        byte[] longKey = new byte[64];
        java.util.Arrays.fill(longKey, (byte) 0x77);
        byte[] shortKey = {1, 2, 3};
        byte[] data = {9, 9, 9};
        Hashes.hmac(longKey, data, null);
        assertArrayEquals(jdk(shortKey, data), Hashes.hmac(shortKey, data, null));
    }
}
