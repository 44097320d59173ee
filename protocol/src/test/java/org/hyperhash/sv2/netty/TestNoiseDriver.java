package org.hyperhash.sv2.netty;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;

/**
 * Test handshake driver: real ChaCha20-Poly1305 transport ciphers (JDK, empty AD, nonce = 4 zero
 * bytes + u64 LE counter, as SV2), but a toy key agreement (both keys hashed from the two public
 * handshake messages) so NoiseHandler's I/O, framing and failure paths can be tested without curve
 * arithmetic. The responder's act 2 carries an "authority id" byte the initiator checks, standing in
 * for certificate verification (mismatch = CERTIFICATE_REJECTED).
 */
public final class TestNoiseDriver implements NoiseHandshakeDriver {
    private final boolean initiator;
    private final byte authority;
    private final Random random;
    private byte[] act1;
    /** The transport ciphers this driver handed out (tests check they are destroyed when the connection ends). */
    final java.util.List<JdkCipher> ciphers = new java.util.ArrayList<>();

    private TestNoiseDriver(boolean initiator, int authority, long seed) {
        this.initiator = initiator;
        this.authority = (byte) authority;
        this.random = new Random(seed);
    }

    public static TestNoiseDriver initiator(int expectedAuthority) {
        return new TestNoiseDriver(true, expectedAuthority, System.nanoTime());
    }

    public static TestNoiseDriver responder(int authority) {
        return new TestNoiseDriver(false, authority, System.nanoTime() + 1);
    }

    @Override
    public byte[] firstMessage() {
        if (!initiator) {
            return null;
        }
        act1 = new byte[64];
        random.nextBytes(act1);
        return act1.clone();
    }

    @Override
    public int expectedLength() {
        return initiator ? 234 : 64;
    }

    @Override
    public Outcome onMessage(byte[] message) throws NoiseFailure {
        if (initiator) {
            if (message[233] != authority) {
                throw new NoiseFailure(Sv2ErrorEvent.Kind.CERTIFICATE_REJECTED, "BAD_CERTIFICATE_SIGNATURE: authority mismatch");
            }
            byte[] k1 = key("k1", act1, message);
            byte[] k2 = key("k2", act1, message);
            return new Outcome(null, keep(new JdkCipher(k1)), keep(new JdkCipher(k2)), certificateOf(authority));
        }
        byte[] act2 = new byte[234];
        random.nextBytes(act2);
        act2[233] = authority;
        byte[] k1 = key("k1", message, act2);
        byte[] k2 = key("k2", message, act2);
        return new Outcome(act2, keep(new JdkCipher(k2)), keep(new JdkCipher(k1)), null);
    }

    private JdkCipher keep(JdkCipher c) {
        ciphers.add(c);
        return c;
    }

    private static byte[] key(String label, byte[] a, byte[] b) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            d.update(a);
            d.update(b);
            return d.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One direction: ChaCha20-Poly1305, empty AD, counter nonce. */
    static final class JdkCipher implements FrameCipher {
        private final SecretKeySpec key;
        private long nonce;
        boolean destroyed;

        @Override
        public void destroy() {
            destroyed = true;
        }

        JdkCipher(byte[] k) {
            this.key = new SecretKeySpec(k, "ChaCha20");
        }

        private Cipher init(int mode) throws GeneralSecurityException {
            if (destroyed) {
                throw new IllegalStateException("cipher used after destroy()");
            }
            byte[] iv = new byte[12];
            long n = nonce++;
            for (int i = 0; i < 8; i++) {
                iv[4 + i] = (byte) (n >>> (8 * i));
            }
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(mode, key, new IvParameterSpec(iv));
            return c;
        }

        @Override
        public void encrypt(byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseFailure {
            try {
                init(Cipher.ENCRYPT_MODE).doFinal(in, inOff, len, out, outOff);
            } catch (GeneralSecurityException e) {
                throw new NoiseFailure(Sv2ErrorEvent.Kind.INTERNAL_ERROR, e.toString());
            }
        }

        @Override
        public void decrypt(byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseFailure {
            if (len < 16) {
                throw new NoiseFailure(Sv2ErrorEvent.Kind.AEAD_FAILURE, "BAD_LENGTH");
            }
            try {
                // decrypt into a temporary buffer so a failed tag leaves no plaintext behind
                byte[] tmp = init(Cipher.DECRYPT_MODE).doFinal(in, inOff, len);
                System.arraycopy(tmp, 0, out, outOff, tmp.length);
                Arrays.fill(tmp, (byte) 0);
            } catch (AEADBadTagException e) {
                throw new NoiseFailure(Sv2ErrorEvent.Kind.AEAD_FAILURE, "BAD_TAG");
            } catch (GeneralSecurityException e) {
                throw new NoiseFailure(Sv2ErrorEvent.Kind.AEAD_FAILURE, e.toString());
            }
        }
    }

    /** A stand-in certificate that names the fake authority in its validity fields (no curve math here). */
    static org.hyperhash.sv2.noise.SignatureNoiseMessage certificateOf(int authority) {
        return new org.hyperhash.sv2.noise.SignatureNoiseMessage(0, authority, authority + 1,
                org.hyperhash.base.Bytes.wrap(new byte[64]));
    }
}
