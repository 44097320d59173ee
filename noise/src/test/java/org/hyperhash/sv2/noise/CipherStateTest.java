package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

class CipherStateTest {
    private static final byte[] KEY = Vectors.hex("e4c5b2bfc45264a03c51cbf9ebca63b2bf7a8240bbff94de833b95ae3eb2e46b");

    @Test
    void encryptedLengthVectors() {
        List<Map<String, String>> rows = Vectors.csv("sv2_encrypted_length.csv");
        for (Map<String, String> r : rows) {
            int plain = Integer.parseInt(r.get("plaintext_payload_len"));
            assertEquals(Integer.parseInt(r.get("encrypted_payload_len")), NoiseConstants.encryptedPayloadLength(plain),
                    "len " + plain);
            assertEquals(Integer.parseInt(r.get("encrypted_frame_len_incl_22B_header")),
                    NoiseConstants.ENCRYPTED_HEADER_LEN + NoiseConstants.encryptedPayloadLength(plain));
        }
        assertEquals(0, NoiseConstants.encryptedPayloadLength(0));
        assertEquals(65519, NoiseConstants.MAX_PLAINTEXT_CHUNK);
    }

    /** A destroyed cipher state refuses every later use, on the small and the large path, with a message saying why. */
    @Test
    void destroyedCipherStateRefusesUse() throws Exception {
        for (int len : new int[] {6, 100, CipherState.SMALL_LIMIT, 4000}) {
            CipherState cs = new CipherState(KEY);
            byte[] c = new byte[len + 16];
            cs.encrypt(new byte[len], 0, len, c, 0);
            cs.destroy();
            cs.destroy();
            NoiseException e = assertThrows(NoiseException.class, () -> cs.encrypt(new byte[len], 0, len, c, 0));
            assertEquals(NoiseException.Reason.NONCE_EXHAUSTED, e.reason());
            assertTrue(e.getMessage().contains("destroyed"), e.getMessage());
            CipherState rx = new CipherState(KEY);
            rx.destroy();
            assertThrows(NoiseException.class, () -> rx.decrypt(c, 0, c.length, new byte[len], 0));
        }
    }

    /** Nonce layout is 4 zero bytes then the counter little-endian; checked against raw JCA. */
    @Test
    void nonceLayoutMatchesSpec() throws Exception {
        CipherState cs = new CipherState(KEY);
        cs.setNonceForTest(0x0102030405060708L);
        byte[] p = {1, 2, 3};
        byte[] c = new byte[19];
        cs.encrypt(p, 0, 3, c, 0);
        Cipher jca = Cipher.getInstance("ChaCha20-Poly1305");
        jca.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(KEY, "ChaCha20"),
                new IvParameterSpec(Vectors.hex("000000000807060504030201")));
        assertArrayEquals(jca.doFinal(p), c);
        assertEquals(0x0102030405060709L, cs.nonce());
    }

    @Test
    void tamperedCiphertextIsBadTagAndKeepsNonce() throws Exception {
        CipherState tx = new CipherState(KEY);
        CipherState rx = new CipherState(KEY);
        byte[] c = new byte[6 + 16];
        tx.encrypt(new byte[6], 0, 6, c, 0);
        c[3] ^= 1;
        NoiseException e = assertThrows(NoiseException.class, () -> rx.decrypt(c, 0, c.length, new byte[6], 0));
        assertEquals(NoiseException.Reason.BAD_TAG, e.reason());
        assertEquals(0, rx.nonce());
        c[3] ^= 1;
        rx.decrypt(c, 0, c.length, new byte[6], 0);
        assertEquals(1, rx.nonce());
    }

    @Test
    void nonceExhaustion() throws Exception {
        CipherState tx = new CipherState(KEY);
        CipherState rx = new CipherState(KEY);
        tx.setNonceForTest(-2L); // 2^64-2: the last usable nonce
        rx.setNonceForTest(-2L);
        byte[] c = new byte[16 + 1];
        tx.encrypt(new byte[] {42}, 0, 1, c, 0);
        byte[] out = new byte[1];
        rx.decrypt(c, 0, c.length, out, 0);
        assertEquals(42, out[0]);
        assertEquals(-1L, tx.nonce());
        assertEquals(NoiseException.Reason.NONCE_EXHAUSTED,
                assertThrows(NoiseException.class, () -> tx.encrypt(new byte[1], 0, 1, new byte[17], 0)).reason());
        assertEquals(NoiseException.Reason.NONCE_EXHAUSTED,
                assertThrows(NoiseException.class, () -> rx.decrypt(c, 0, c.length, out, 0)).reason());
    }

    @Test
    void lengthLimits() throws Exception {
        CipherState cs = new CipherState(KEY);
        int max = NoiseConstants.MAX_PLAINTEXT_CHUNK;
        byte[] big = new byte[max + 1 + 16];
        cs.encrypt(big, 0, max, big, 0);
        assertEquals(NoiseException.Reason.BAD_LENGTH,
                assertThrows(NoiseException.class, () -> cs.encrypt(big, 0, max + 1, big, 0)).reason());
        assertEquals(NoiseException.Reason.BAD_LENGTH,
                assertThrows(NoiseException.class, () -> cs.decrypt(big, 0, 15, big, 0)).reason());
        assertEquals(NoiseException.Reason.BAD_LENGTH,
                assertThrows(NoiseException.class, () -> cs.encrypt(new byte[10], 0, 10, new byte[25], 0)).reason());
        assertEquals(1, cs.nonce(), "failed calls consume no nonce");
    }

    @Test
    void byteBufferVariantsWithDirectBuffers() throws Exception {
        CipherState tx = new CipherState(KEY);
        CipherState rx = new CipherState(KEY);
        CipherState txArr = new CipherState(KEY);
        byte[] payload = "SubmitSharesExtended".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer in = ByteBuffer.allocateDirect(payload.length).put(payload).flip();
        ByteBuffer enc = ByteBuffer.allocateDirect(payload.length + 16);
        assertEquals(payload.length + 16, tx.encrypt(in, enc));
        enc.flip();
        byte[] viaArray = new byte[payload.length + 16];
        txArr.encrypt(payload, 0, payload.length, viaArray, 0);
        byte[] viaBuffer = new byte[enc.remaining()];
        enc.duplicate().get(viaBuffer);
        assertArrayEquals(viaArray, viaBuffer);
        ByteBuffer dec = ByteBuffer.allocate(payload.length);
        assertEquals(payload.length, rx.decrypt(enc, dec));
        assertArrayEquals(payload, dec.array());
    }
}
