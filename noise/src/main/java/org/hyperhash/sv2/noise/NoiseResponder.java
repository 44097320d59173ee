package org.hyperhash.sv2.noise;

import java.time.InstantSource;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Responder (server) side of the SV2 Noise NX handshake, sans I/O: {@link #readAct1WriteAct2(byte[])} takes
 * the initiator's 64 bytes and returns the 234 bytes to send raw; the transport {@link #session()} is ready
 * right after. One instance per connection, single threaded. Any failure is terminal.
 */
public final class NoiseResponder {
    private enum State { NEW, DONE, FAILED }

    private final Secp256k1Provider crypto;
    private final ServerIdentity identity;
    private final InstantSource clock;
    private final SymmetricState ss;
    private final EphemeralKeyReserve reserve;
    private byte[] ephemeralSecret;
    private byte[] ephemeralEllSwift;
    private State state = State.NEW;
    private NoiseSession session;

    public NoiseResponder(Secp256k1Provider crypto, ServerIdentity identity, InstantSource clock) {
        this(crypto, identity, clock, null, null, null, null);
    }

    /**
     * As above, taking the ephemeral key pair from {@code reserve} when it has one (made ahead of time, see
     * {@link EphemeralKeyReserve}), else making it inline; null = always inline. The bytes sent are the same kind
     * either way: a fresh random key, used once.
     */
    public NoiseResponder(Secp256k1Provider crypto, ServerIdentity identity, InstantSource clock,
                          EphemeralKeyReserve reserve) {
        this(crypto, identity, clock, null, null, null, reserve);
    }

    /** Test hook: fixed ephemeral key and encoding, and a step tracer. */
    NoiseResponder(Secp256k1Provider crypto, ServerIdentity identity, InstantSource clock, byte[] ephemeralSecret,
                   byte[] ephemeralEllSwift, BiConsumer<String, byte[]> tracer) {
        this(crypto, identity, clock, ephemeralSecret, ephemeralEllSwift, tracer, null);
    }

    private NoiseResponder(Secp256k1Provider crypto, ServerIdentity identity, InstantSource clock,
                           byte[] ephemeralSecret, byte[] ephemeralEllSwift, BiConsumer<String, byte[]> tracer,
                           EphemeralKeyReserve reserve) {
        this.reserve = reserve;
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.ephemeralSecret = ephemeralSecret == null ? null : ephemeralSecret.clone();
        this.ephemeralEllSwift = ephemeralEllSwift == null ? null : ephemeralEllSwift.clone();
        this.ss = new SymmetricState(tracer);
    }

    /** Processes Act 1 (64 bytes) and returns Act 2 (234 bytes). */
    public byte[] readAct1WriteAct2(byte[] act1) throws NoiseException {
        if (state != State.NEW) {
            throw new NoiseException(NoiseException.Reason.STATE, "readAct1WriteAct2 in state " + state);
        }
        state = State.FAILED;
        try {
            if (act1 == null || act1.length != NoiseConstants.ACT1_LEN) {
                throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "act 1 must be "
                        + NoiseConstants.ACT1_LEN + " bytes, got " + (act1 == null ? 0 : act1.length));
            }
            byte[] eI = act1.clone();
            ss.mixHash(eI);
            ss.trace("act1.h.e", ss.h());
            ss.mixHash(new byte[0]);
            ss.trace("act1.h.payload", ss.h());

            if (ephemeralSecret == null && reserve != null) {
                EphemeralKeyReserve.Pair pair = reserve.take();
                if (pair != null) {
                    ephemeralSecret = pair.secret();
                    ephemeralEllSwift = pair.ellswift();
                }
            }
            if (ephemeralSecret == null) {
                ephemeralSecret = Secp256k1Keys.randomSecretKey(Hashes.rng());
            }
            if (ephemeralEllSwift == null) {
                ephemeralEllSwift = crypto.ellswiftCreate(ephemeralSecret, null);
            }
            byte[] act2 = new byte[NoiseConstants.ACT2_LEN];
            System.arraycopy(ephemeralEllSwift, 0, act2, 0, 64);
            ss.mixHash(ephemeralEllSwift);
            ss.trace("act2.h.e", ss.h());
            byte[] ee = xdh(eI, ephemeralEllSwift, ephemeralSecret);
            ss.trace("act2.ecdh_ee", ee);
            ss.trace("act2.k.ee", ss.mixKey(ee));
            ss.trace("act2.ck.ee", ss.ck());

            byte[] sR = identity.staticEllSwift(crypto);
            byte[] c1 = ss.encryptAndHash(sR);
            System.arraycopy(c1, 0, act2, 64, 80);
            ss.trace("act2.enc_static", c1);
            ss.trace("act2.h.static", ss.h());
            byte[] es = xdh(eI, sR, identity.staticKey().secretUnsafe());
            ss.trace("act2.ecdh_es", es);
            ss.trace("act2.k.es", ss.mixKey(es));
            ss.trace("act2.ck.es", ss.ck());

            byte[] cert = identity.certificate(crypto, clock.instant()).encode();
            byte[] c2 = ss.encryptAndHash(cert);
            System.arraycopy(c2, 0, act2, 144, 90);
            ss.trace("act2.enc_cert", c2);
            ss.trace("act2.h.final", ss.h());

            byte[] h = ss.h().clone();
            byte[][] k = ss.split();
            ss.trace("split.k1", k[0]);
            ss.trace("split.k2", k[1]);
            session = new NoiseSession(new CipherState(k[1]), new CipherState(k[0]), h);
            Secp256k1Keys.wipe(k[0]);
            Secp256k1Keys.wipe(k[1]);
            state = State.DONE;
            return act2;
        } finally {
            Secp256k1Keys.wipe(ephemeralSecret);
        }
    }

    private byte[] xdh(byte[] initiatorEll, byte[] responderEll, byte[] secret) throws NoiseException {
        try {
            return crypto.ellswiftXdh(initiatorEll, responderEll, secret, false);
        } catch (IllegalArgumentException e) {
            throw new NoiseException(NoiseException.Reason.BAD_ELLSWIFT, "ECDH failed");
        }
    }

    /**
     * The transport session (sender = k2, receiver = k1).
     *
     * @throws IllegalStateException before {@link #readAct1WriteAct2} succeeded
     */
    public NoiseSession session() {
        if (state != State.DONE) {
            throw new IllegalStateException("handshake not complete (state " + state + ")");
        }
        return session;
    }
}
