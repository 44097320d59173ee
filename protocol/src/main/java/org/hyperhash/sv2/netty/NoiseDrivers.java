package org.hyperhash.sv2.netty;

import org.hyperhash.sv2.noise.CipherState;
import org.hyperhash.sv2.noise.NoiseException;
import org.hyperhash.sv2.noise.NoiseInitiator;
import org.hyperhash.sv2.noise.NoiseResponder;
import org.hyperhash.sv2.noise.NoiseSession;

/** Adapters from the noise module (contracts.md API) to {@link NoiseHandshakeDriver} / {@link FrameCipher}. */
public final class NoiseDrivers {
    private NoiseDrivers() {
    }

    public static NoiseHandshakeDriver initiator(NoiseInitiator initiator) {
        return new NoiseHandshakeDriver() {
            @Override
            public byte[] firstMessage() {
                return initiator.writeAct1();
            }

            @Override
            public int expectedLength() {
                return 234;
            }

            @Override
            public Outcome onMessage(byte[] act2) throws NoiseFailure {
                try {
                    NoiseSession s = initiator.readAct2(act2);
                    return new Outcome(null, cipher(s.sender()), cipher(s.receiver()), initiator.peerCertificate());
                } catch (NoiseException e) {
                    throw failure(e);
                }
            }
        };
    }

    public static NoiseHandshakeDriver responder(NoiseResponder responder) {
        return new NoiseHandshakeDriver() {
            @Override
            public byte[] firstMessage() {
                return null;
            }

            @Override
            public int expectedLength() {
                return 64;
            }

            @Override
            public Outcome onMessage(byte[] act1) throws NoiseFailure {
                try {
                    byte[] act2 = responder.readAct1WriteAct2(act1);
                    NoiseSession s = responder.session();
                    return new Outcome(act2, cipher(s.sender()), cipher(s.receiver()), null);
                } catch (NoiseException e) {
                    throw failure(e);
                }
            }
        };
    }

    static FrameCipher cipher(CipherState c) {
        return new FrameCipher() {
            @Override
            public void encrypt(byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseFailure {
                try {
                    c.encrypt(in, inOff, len, out, outOff);
                } catch (NoiseException e) {
                    throw failure(e);
                }
            }

            @Override
            public void decrypt(byte[] in, int inOff, int len, byte[] out, int outOff) throws NoiseFailure {
                try {
                    c.decrypt(in, inOff, len, out, outOff);
                } catch (NoiseException e) {
                    throw failure(e);
                }
            }

            @Override
            public void destroy() {
                c.destroy();
            }
        };
    }

    static NoiseFailure failure(NoiseException e) {
        Sv2ErrorEvent.Kind kind = switch (e.reason()) {
            case BAD_CERTIFICATE_SIGNATURE, CERTIFICATE_EXPIRED, CERTIFICATE_NOT_YET_VALID, BAD_CERTIFICATE_VERSION ->
                    Sv2ErrorEvent.Kind.CERTIFICATE_REJECTED;
            case NONCE_EXHAUSTED -> Sv2ErrorEvent.Kind.NONCE_EXHAUSTED;
            case BAD_TAG -> Sv2ErrorEvent.Kind.AEAD_FAILURE;
            case BAD_ELLSWIFT, BAD_LENGTH, STATE -> Sv2ErrorEvent.Kind.HANDSHAKE_FAILED;
        };
        return new NoiseFailure(kind, e.reason() + ": " + e.getMessage());
    }
}
