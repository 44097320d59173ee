package org.hyperhash.sv2.noise;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Initiator (client) side of the SV2 Noise NX handshake, sans I/O: {@link #writeAct1()} gives the 64 bytes to
 * send raw; {@link #readAct2(byte[])} consumes the responder's 234 bytes, verifies its certificate against the
 * pinned authority key and returns the transport {@link NoiseSession}. One instance per connection, single
 * threaded. Any failure is terminal.
 */
public final class NoiseInitiator {
    private enum State { NEW, ACT1_SENT, DONE, FAILED }

    private final Secp256k1Provider crypto;
    private final AuthorityPublicKey authority;
    private final InstantSource clock;
    private final Duration allowedSkew;
    private final SymmetricState ss;
    private byte[] ephemeralSecret;
    private byte[] ephemeralEllSwift;
    private State state = State.NEW;
    private SignatureNoiseMessage peerCertificate;
    private byte[] peerStaticXonly;
    private byte[] peerStaticEllSwift;
    /** es ECDH made ahead of time against {@link #preparedEsFor} (null: none); used only on an exact match. */
    private byte[] preparedEs;
    private byte[] preparedEsFor;
    private boolean preparedEsUsed;

    /**
     * An initiator's handshake work that does not depend on the responder's reply, done ahead of time (while
     * idle, before a reconnect): the ephemeral key pair and, when the responder's static key encoding is known
     * from an earlier handshake, the {@code es} ECDH against it. The responder sees exactly the same handshake
     * (its work is unchanged); if it presents a different static encoding, {@code es} is computed as usual.
     * Single use: the initiator that takes it wipes its secrets after the handshake. Holding it keeps an
     * ephemeral secret in memory until then, so make it just before it is needed.
     */
    public static final class Prepared {
        private byte[] secret;
        private final byte[] ellswift;
        private final byte[] responderStatic;
        private final byte[] es;
        private boolean taken;

        private Prepared(byte[] secret, byte[] ellswift, byte[] responderStatic, byte[] es) {
            this.secret = secret;
            this.ellswift = ellswift;
            this.responderStatic = responderStatic;
            this.es = es;
        }

        /** Test hooks (same package): copies of the key pair. */
        byte[] secretForTest() {
            return secret.clone();
        }

        byte[] ellswiftForTest() {
            return ellswift.clone();
        }

        synchronized void take() {
            if (taken) {
                throw new IllegalStateException("prepared handshake key already used");
            }
            taken = true;
        }
    }

    /**
     * Makes the ephemeral key pair now and, if {@code responderStaticEllSwift64OrNull} is given (the 64-byte
     * encoding a responder presented before, {@link #peerStaticEllSwift()}), the {@code es} ECDH against it.
     */
    public static Prepared prepare(Secp256k1Provider crypto, byte[] responderStaticEllSwift64OrNull) {
        Objects.requireNonNull(crypto, "crypto");
        byte[] secret = Secp256k1Keys.randomSecretKey(Hashes.rng());
        byte[] ell = crypto.ellswiftCreate(secret, null);
        byte[] known = null;
        byte[] es = null;
        if (responderStaticEllSwift64OrNull != null) {
            Secp256k1Keys.requireLength(responderStaticEllSwift64OrNull, 64, "responderStaticEllSwift64");
            known = responderStaticEllSwift64OrNull.clone();
            es = crypto.ellswiftXdh(ell, known, secret, true);
        }
        return new Prepared(secret, ell, known, es);
    }

    /**
     * @param crypto                  secp256k1 implementation
     * @param pinnedAuthorityOrNull   authority key the responder's certificate must be signed by; null skips
     *                                certificate verification entirely (like SRI's {@code Initiator::without_pk};
     *                                only for trusted links)
     * @param clock                   time source for the certificate validity window
     * @param allowedSkew             tolerance either side of the window (SRI: 10 s; sv2-tp: 0)
     */
    public NoiseInitiator(Secp256k1Provider crypto, AuthorityPublicKey pinnedAuthorityOrNull, InstantSource clock,
                          Duration allowedSkew) {
        this(crypto, pinnedAuthorityOrNull, clock, allowedSkew, null, null, null);
    }

    /** As above with {@link NoiseConstants#DEFAULT_ALLOWED_SKEW}. */
    public NoiseInitiator(Secp256k1Provider crypto, AuthorityPublicKey pinnedAuthorityOrNull, InstantSource clock) {
        this(crypto, pinnedAuthorityOrNull, clock, NoiseConstants.DEFAULT_ALLOWED_SKEW);
    }

    /**
     * As the public constructor, with the ephemeral key (and possibly {@code es}) made ahead by
     * {@link #prepare}.
     *
     * @throws IllegalStateException if {@code prepared} was already given to another initiator
     */
    public NoiseInitiator(Secp256k1Provider crypto, AuthorityPublicKey pinnedAuthorityOrNull, InstantSource clock,
                          Duration allowedSkew, Prepared prepared) {
        this(crypto, pinnedAuthorityOrNull, clock, allowedSkew, null, null, null);
        Objects.requireNonNull(prepared, "prepared").take();
        this.ephemeralSecret = prepared.secret; // ours now: wiped after readAct2 like a fresh one
        prepared.secret = null;
        this.ephemeralEllSwift = prepared.ellswift;
        this.preparedEs = prepared.es;
        this.preparedEsFor = prepared.responderStatic;
    }

    /** Test hook: fixed ephemeral key and encoding, and a step tracer. */
    NoiseInitiator(Secp256k1Provider crypto, AuthorityPublicKey pinnedAuthorityOrNull, InstantSource clock,
                   Duration allowedSkew, byte[] ephemeralSecret, byte[] ephemeralEllSwift,
                   BiConsumer<String, byte[]> tracer) {
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        this.authority = pinnedAuthorityOrNull;
        this.clock = Objects.requireNonNull(clock, "clock");
        if (allowedSkew == null || allowedSkew.isNegative()) {
            throw new IllegalArgumentException("allowedSkew must be >= 0");
        }
        this.allowedSkew = allowedSkew;
        this.ephemeralSecret = ephemeralSecret == null ? null : ephemeralSecret.clone();
        this.ephemeralEllSwift = ephemeralEllSwift == null ? null : ephemeralEllSwift.clone();
        this.ss = new SymmetricState(tracer);
    }

    /**
     * Act 1: generates the ephemeral key and returns its 64-byte EllSwift encoding (send it raw).
     *
     * @throws IllegalStateException if called twice
     */
    public byte[] writeAct1() {
        if (state != State.NEW) {
            throw new IllegalStateException("writeAct1 called in state " + state);
        }
        if (ephemeralSecret == null) {
            ephemeralSecret = Secp256k1Keys.randomSecretKey(Hashes.rng());
        }
        if (ephemeralEllSwift == null) {
            ephemeralEllSwift = crypto.ellswiftCreate(ephemeralSecret, null);
        }
        ss.mixHash(ephemeralEllSwift);
        ss.trace("act1.h.e", ss.h());
        ss.mixHash(new byte[0]);
        ss.trace("act1.h.payload", ss.h());
        state = State.ACT1_SENT;
        return ephemeralEllSwift.clone();
    }

    /**
     * Act 2: processes the responder's 234 bytes, verifies the certificate (unless no authority is pinned) and
     * splits into transport ciphers.
     */
    public NoiseSession readAct2(byte[] act2) throws NoiseException {
        if (state != State.ACT1_SENT) {
            throw new NoiseException(NoiseException.Reason.STATE, "readAct2 in state " + state);
        }
        state = State.FAILED; // until proven otherwise
        try {
            if (act2 == null || act2.length != NoiseConstants.ACT2_LEN) {
                throw new NoiseException(NoiseException.Reason.BAD_LENGTH, "act 2 must be "
                        + NoiseConstants.ACT2_LEN + " bytes, got " + (act2 == null ? 0 : act2.length));
            }
            byte[] eR = Arrays.copyOfRange(act2, 0, 64);
            ss.mixHash(eR);
            ss.trace("act2.h.e", ss.h());
            byte[] ee = xdh(ephemeralEllSwift, eR);
            ss.trace("act2.ecdh_ee", ee);
            ss.trace("act2.k.ee", ss.mixKey(ee));
            ss.trace("act2.ck.ee", ss.ck());
            byte[] sR = ss.decryptAndHash(act2, 64, 80);
            ss.trace("act2.h.static", ss.h());
            byte[] es;
            if (preparedEs != null && Arrays.equals(preparedEsFor, sR)) { // the encoding is public: no constant time needed
                es = preparedEs;
                preparedEsUsed = true;
            } else {
                es = xdh(ephemeralEllSwift, sR);
            }
            ss.trace("act2.ecdh_es", es);
            ss.trace("act2.k.es", ss.mixKey(es));
            ss.trace("act2.ck.es", ss.ck());
            byte[] certBytes = ss.decryptAndHash(act2, 144, 90);
            ss.trace("act2.h.final", ss.h());
            SignatureNoiseMessage cert = SignatureNoiseMessage.decode(certBytes, 0, certBytes.length);
            byte[] staticXonly = crypto.ellswiftDecode(sR);
            if (authority != null) {
                cert.verify(crypto, authority, staticXonly, clock.instant(), allowedSkew);
            }
            byte[] h = ss.h().clone();
            byte[][] k = ss.split();
            ss.trace("split.k1", k[0]);
            ss.trace("split.k2", k[1]);
            NoiseSession session = new NoiseSession(new CipherState(k[0]), new CipherState(k[1]), h);
            Secp256k1Keys.wipe(k[0]);
            Secp256k1Keys.wipe(k[1]);
            peerCertificate = cert;
            peerStaticXonly = staticXonly;
            peerStaticEllSwift = sR;
            state = State.DONE;
            return session;
        } finally {
            Secp256k1Keys.wipe(ephemeralSecret);
            Secp256k1Keys.wipe(preparedEs); // after its use (mixKey copied it into the chaining key) or unused
            preparedEs = null;
        }
    }

    private byte[] xdh(byte[] initiatorEll, byte[] responderEll) throws NoiseException {
        try {
            return crypto.ellswiftXdh(initiatorEll, responderEll, ephemeralSecret, true);
        } catch (IllegalArgumentException e) {
            throw new NoiseException(NoiseException.Reason.BAD_ELLSWIFT, "ECDH failed");
        }
    }

    /** The responder's certificate after a successful {@link #readAct2}, else null. */
    public SignatureNoiseMessage peerCertificate() {
        return peerCertificate;
    }

    /**
     * The 64-byte ElligatorSwift encoding of the responder's static key as it presented it (copy) after a
     * successful {@link #readAct2}, else null: what {@link #prepare} takes for a later handshake with it.
     */
    public byte[] peerStaticEllSwift() {
        return peerStaticEllSwift == null ? null : peerStaticEllSwift.clone();
    }

    /** True if the handshake used an {@code es} made ahead by {@link #prepare} (the responder's encoding matched). */
    public boolean preparedEsUsed() {
        return preparedEsUsed;
    }

    /** The responder's static x-only key (32 bytes, copy) after a successful {@link #readAct2}, else null. */
    public byte[] peerStaticXonly() {
        return peerStaticXonly == null ? null : peerStaticXonly.clone();
    }
}
