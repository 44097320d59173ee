package org.hyperhash.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sha256d (plain, streaming, pair and midstate paths) against two rounds of JCA MessageDigest. */
class Sha256dTest {
    private static byte[] reference(byte[] data) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        return md.digest(md.digest(data));
    }

    @Test
    void midstateRandomizedAgainstMessageDigest() throws Exception {
        SplittableRandom rnd = new SplittableRandom(256);
        Sha256d sha = new Sha256d();
        for (int i = 0; i < 2000; i++) {
            int prefix = i < 200 ? i : rnd.nextInt(300);
            int tail = rnd.nextInt(130);
            byte[] data = new byte[prefix + tail + 7];
            rnd.nextBytes(data);
            byte[] expected = reference(Arrays.copyOfRange(data, 3, 3 + prefix + tail));
            Sha256d.Midstate ms = sha.midstate(data, 3, prefix);
            assertEquals(prefix, ms.prefixLength());
            byte[] out = new byte[40];
            sha.finish(ms, data, 3 + prefix, tail, out, 5);
            assertArrayEquals(expected, Arrays.copyOfRange(out, 5, 37), "prefix " + prefix + " tail " + tail);
            // the midstate is reusable: a second tail from the same state
            data[3 + prefix] ^= 1;
            byte[] expected2 = reference(Arrays.copyOfRange(data, 3, 3 + prefix + tail));
            sha.finish(ms, data, 3 + prefix, tail, out, 0);
            assertArrayEquals(tail == 0 ? expected : expected2, Arrays.copyOf(out, 32));
        }
    }

    @Test
    void headerMidstateAcrossNonces() throws Exception {
        SplittableRandom rnd = new SplittableRandom(80);
        byte[] header = new byte[80];
        rnd.nextBytes(header);
        Sha256d sha = new Sha256d();
        Sha256d.Midstate ms = sha.midstate(header, 0, 64);
        byte[] out = new byte[32];
        for (int nonce = 0; nonce < 500; nonce++) {
            header[76] = (byte) nonce;
            header[77] = (byte) (nonce >>> 8);
            sha.finish(ms, header, 64, 16, out, 0);
            assertArrayEquals(reference(header), out, "nonce " + nonce);
            byte[] plain = new byte[32];
            sha.hash(header, 0, 80, plain, 0);
            assertArrayEquals(out, plain);
        }
    }

    @Test
    void streamingAndPairMatchReference() throws Exception {
        SplittableRandom rnd = new SplittableRandom(2);
        Sha256d sha = new Sha256d();
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        rnd.nextBytes(a);
        rnd.nextBytes(b);
        byte[] ab = new byte[64];
        System.arraycopy(a, 0, ab, 0, 32);
        System.arraycopy(b, 0, ab, 32, 32);
        byte[] out = new byte[32];
        sha.hashPair(a, 0, b, 0, out, 0);
        assertArrayEquals(reference(ab), out);
        sha.update(a).update(b, 0, 32).digestInto(out, 0);
        assertArrayEquals(reference(ab), out);
        assertArrayEquals(reference(ab), Sha256d.hash(ab));
    }
}
