package org.hyperhash.sv2.noise;

import java.security.MessageDigest;
import java.util.function.BiConsumer;

/**
 * Noise SymmetricState for SV2 NX (sv2-protocol.md 3.2): chaining key, handshake hash and the handshake
 * cipher. HKDF is {@code t = HMAC(ck, ikm); o1 = HMAC(t, 01); o2 = HMAC(t, o1 || 02)}.
 */
final class SymmetricState {
    static final byte[] INITIAL_CK = Hashes.sha256(NoiseConstants.PROTOCOL_NAME_BYTES);
    static final byte[] INITIAL_H = Hashes.sha256(INITIAL_CK);
    private static final byte[] ONE = {1};
    private static final byte[] TWO = {2};

    private final BiConsumer<String, byte[]> tracer;
    private byte[] ck = INITIAL_CK.clone();
    private byte[] h = INITIAL_H.clone();
    private CipherState cipher;

    SymmetricState(BiConsumer<String, byte[]> tracer) {
        this.tracer = tracer;
        trace("init.ck", ck);
        trace("init.h", h);
    }

    void trace(String step, byte[] value) {
        if (tracer != null) {
            tracer.accept(step, value.clone());
        }
    }

    byte[] h() {
        return h;
    }

    void mixHash(byte[] data, int off, int len) {
        MessageDigest sha = Hashes.sha256();
        sha.update(h);
        sha.update(data, off, len);
        h = sha.digest();
    }

    void mixHash(byte[] data) {
        mixHash(data, 0, data.length);
    }

    /** (o1, o2) = HKDF(ck, ikm). */
    static byte[][] hkdf(byte[] ck, byte[] ikm) {
        byte[] t = Hashes.hmac(ck, ikm, null);
        byte[] o1 = Hashes.hmac(t, ONE, null);
        byte[] o2 = Hashes.hmac(t, o1, TWO);
        Secp256k1Keys.wipe(t);
        return new byte[][] {o1, o2};
    }

    /** Returns the new temp key k (for tracing). */
    byte[] mixKey(byte[] ikm) {
        byte[][] o = hkdf(ck, ikm);
        Secp256k1Keys.wipe(ck);
        ck = o[0];
        if (cipher == null) {
            cipher = new CipherState(o[1]);
        } else {
            cipher.initializeKey(o[1]);
        }
        return o[1];
    }

    byte[] ck() {
        return ck;
    }

    /** EncryptAndHash with a key set (SV2 only encrypts after the first MixKey). */
    byte[] encryptAndHash(byte[] plaintext) throws NoiseException {
        if (cipher == null) {
            throw new NoiseException(NoiseException.Reason.STATE, "EncryptAndHash before MixKey");
        }
        byte[] c = new byte[plaintext.length + NoiseConstants.MAC_LEN];
        cipher.encryptWithAd(h, plaintext, 0, plaintext.length, c, 0);
        mixHash(c);
        return c;
    }

    byte[] decryptAndHash(byte[] in, int off, int len) throws NoiseException {
        if (cipher == null) {
            throw new NoiseException(NoiseException.Reason.STATE, "DecryptAndHash before MixKey");
        }
        byte[] p = new byte[len - NoiseConstants.MAC_LEN];
        cipher.decryptWithAd(h, in, off, len, p, 0);
        mixHash(in, off, len);
        return p;
    }

    /** Split(): (k1 initiator->responder, k2 responder->initiator); wipes ck. */
    byte[][] split() {
        byte[][] o = hkdf(ck, new byte[0]);
        Secp256k1Keys.wipe(ck);
        return o;
    }
}
