package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import org.hyperhash.base.Bytes;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class NoiseHandshakeTest {
    private static final long T0 = 1_750_000_000L;
    private static final SecureRandom RNG = new SecureRandom();
    private static final AuthorityKeyPair AUTHORITY = AuthorityKeyPair.generate(RNG);
    private static final StaticKeyPair STATIC = StaticKeyPair.generate(RNG);
    private static final Duration VALIDITY = Duration.ofHours(1);

    static java.util.stream.Stream<Secp256k1Provider> providers() {
        return Providers.all();
    }

    private record Pair(NoiseSession initiator, NoiseSession responder, NoiseInitiator init) {
    }

    private static Pair handshake(Secp256k1Provider ci, Secp256k1Provider cr, ServerIdentity id, AuthorityPublicKey pin,
                                  ManualClock serverClock, ManualClock clientClock, Duration skew) throws NoiseException {
        NoiseInitiator i = new NoiseInitiator(ci, pin, clientClock, skew);
        NoiseResponder r = new NoiseResponder(cr, id, serverClock);
        byte[] act1 = i.writeAct1();
        assertEquals(NoiseConstants.ACT1_LEN, act1.length);
        byte[] act2 = r.readAct1WriteAct2(act1);
        assertEquals(NoiseConstants.ACT2_LEN, act2.length);
        NoiseSession is = i.readAct2(act2);
        return new Pair(is, r.session(), i);
    }

    private static void roundTrip(CipherState tx, CipherState rx, String text) throws NoiseException {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        byte[] buf = Arrays.copyOf(p, p.length + NoiseConstants.MAC_LEN);
        tx.encrypt(buf, 0, p.length, buf, 0); // in place
        byte[] out = new byte[p.length];
        rx.decrypt(buf, 0, buf.length, out, 0);
        assertArrayEquals(p, out);
    }

    @ParameterizedTest
    @MethodSource("providers")
    void fullHandshakeInMemory(Secp256k1Provider p) throws Exception {
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);
        Pair s = handshake(p, p, id, AUTHORITY.publicKey(), clock, clock, NoiseConstants.DEFAULT_ALLOWED_SKEW);
        assertArrayEquals(s.initiator().handshakeHash(), s.responder().handshakeHash());
        assertArrayEquals(STATIC.publicKeyXonly(), s.init().peerStaticXonly());
        SignatureNoiseMessage cert = s.init().peerCertificate();
        assertEquals(0, cert.version());
        assertEquals(T0, cert.validFrom());
        assertEquals(T0 + 3600, cert.notValidAfter());
        for (int i = 0; i < 3; i++) {
            roundTrip(s.initiator().sender(), s.responder().receiver(), "SetupConnection " + i);
            roundTrip(s.responder().sender(), s.initiator().receiver(), "SetupConnection.Success " + i);
        }
        assertEquals(3, s.initiator().sender().nonce());
        assertEquals(3, s.responder().receiver().nonce());
    }

    @ParameterizedTest
    @MethodSource("providers")
    void preparedEphemeralAndEsMatchAFreshHandshake(Secp256k1Provider p) throws Exception {
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);
        Pair first = handshake(p, p, id, AUTHORITY.publicKey(), clock, clock, NoiseConstants.DEFAULT_ALLOWED_SKEW);
        byte[] known = first.init().peerStaticEllSwift();
        assertEquals(64, known.length);
        assertArrayEquals(STATIC.publicKeyXonly(), p.ellswiftDecode(known));

        for (byte[] expected : new byte[][] {known, null, p.ellswiftCreate(StaticKeyPair.generate(RNG).secretUnsafe(), null)}) {
            NoiseInitiator.Prepared prep = NoiseInitiator.prepare(p, expected);
            NoiseInitiator i = new NoiseInitiator(p, AUTHORITY.publicKey(), clock, NoiseConstants.DEFAULT_ALLOWED_SKEW, prep);
            NoiseResponder r = new NoiseResponder(p, id, clock);
            NoiseSession is = i.readAct2(r.readAct1WriteAct2(i.writeAct1()));
            // es made ahead only when the responder presented exactly the encoding it was made for
            assertEquals(expected == known, i.preparedEsUsed());
            assertArrayEquals(is.handshakeHash(), r.session().handshakeHash());
            roundTrip(is.sender(), r.session().receiver(), "SetupConnection");
            roundTrip(r.session().sender(), is.receiver(), "SetupConnection.Success");
            assertThrows(IllegalStateException.class, () -> new NoiseInitiator(p, AUTHORITY.publicKey(), clock,
                    NoiseConstants.DEFAULT_ALLOWED_SKEW, prep));
        }
    }

    @Test
    void preparedEsEqualsTheOnlineEs() throws Exception {
        // the same ephemeral key with and without the es made ahead gives byte-identical act 1, keys and hash
        Secp256k1Provider p = Secp256k1Providers.best();
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        byte[] respEphSecret = Secp256k1Keys.randomSecretKey(RNG);
        byte[] respEph = p.ellswiftCreate(respEphSecret, null);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY)
                .withStaticEllSwiftForTest(p.ellswiftCreate(STATIC.secretUnsafe(), null));
        NoiseInitiator.Prepared prep = NoiseInitiator.prepare(p, id.staticEllSwift(p));
        byte[] eph = prep.ellswiftForTest();
        byte[] secret = prep.secretForTest();
        NoiseInitiator a = new NoiseInitiator(p, AUTHORITY.publicKey(), clock, NoiseConstants.DEFAULT_ALLOWED_SKEW, prep);
        NoiseInitiator b = new NoiseInitiator(p, AUTHORITY.publicKey(), clock, NoiseConstants.DEFAULT_ALLOWED_SKEW,
                secret, eph, null);
        byte[] act1 = a.writeAct1();
        assertArrayEquals(act1, b.writeAct1());
        byte[] act2 = new NoiseResponder(p, id, clock, respEphSecret.clone(), respEph, null).readAct1WriteAct2(act1);
        byte[] act2b = new NoiseResponder(p, id, clock, respEphSecret.clone(), respEph, null).readAct1WriteAct2(act1);
        assertArrayEquals(act2, act2b); // same certificate second, same ephemeral: deterministic
        NoiseSession sa = a.readAct2(act2);
        NoiseSession sb = b.readAct2(act2);
        assertEquals(true, a.preparedEsUsed());
        assertEquals(false, b.preparedEsUsed());
        assertArrayEquals(sa.handshakeHash(), sb.handshakeHash());
        byte[] buf = new byte[16 + NoiseConstants.MAC_LEN];
        byte[] buf2 = buf.clone();
        sa.sender().encrypt(buf, 0, 16, buf, 0);
        sb.sender().encrypt(buf2, 0, 16, buf2, 0);
        assertArrayEquals(buf, buf2);
    }

    @Test
    void mixedProvidersInteroperate() throws Exception {
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);
        Secp256k1Provider pure = Secp256k1Providers.pureJava();
        Secp256k1Provider nat = Providers.nativeOrFail();
        Pair a = handshake(pure, nat, id, AUTHORITY.publicKey(), clock, clock, Duration.ZERO);
        roundTrip(a.initiator().sender(), a.responder().receiver(), "pure->native");
        Pair b = handshake(nat, pure, ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY),
                AUTHORITY.publicKey(), clock, clock, Duration.ZERO);
        roundTrip(b.responder().sender(), b.initiator().receiver(), "pure->native");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void wrongAuthorityIsRefused(Secp256k1Provider p) {
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);
        AuthorityPublicKey other = AuthorityKeyPair.generate(RNG).publicKey();
        NoiseException e = assertThrows(NoiseException.class,
                () -> handshake(p, p, id, other, clock, clock, NoiseConstants.DEFAULT_ALLOWED_SKEW));
        assertEquals(NoiseException.Reason.BAD_CERTIFICATE_SIGNATURE, e.reason());
    }

    @Test
    void noPinnedAuthoritySkipsVerification() throws Exception {
        Secp256k1Provider p = Providers.nativeOrFail();
        ManualClock server = ManualClock.ofEpochSecond(T0);
        ManualClock client = ManualClock.ofEpochSecond(T0 + 100_000); // far outside the window too
        Pair s = handshake(p, p, ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY), null, server, client,
                Duration.ZERO);
        roundTrip(s.initiator().sender(), s.responder().receiver(), "trusted link");
    }

    @ParameterizedTest
    @MethodSource("providers")
    void validityWindowWithSkew(Secp256k1Provider p) throws Exception {
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);
        ManualClock server = ManualClock.ofEpochSecond(T0);
        AuthorityPublicKey pin = AUTHORITY.publicKey();
        Duration skew = NoiseConstants.DEFAULT_ALLOWED_SKEW;
        // Boundaries accepted.
        handshake(p, p, id, pin, server, ManualClock.ofEpochSecond(T0 + 3600 + 10), skew);
        handshake(p, p, id, pin, server, ManualClock.ofEpochSecond(T0 - 10), skew);
        // One second beyond refused.
        NoiseException expired = assertThrows(NoiseException.class,
                () -> handshake(p, p, id, pin, server, ManualClock.ofEpochSecond(T0 + 3600 + 11), skew));
        assertEquals(NoiseException.Reason.CERTIFICATE_EXPIRED, expired.reason());
        NoiseException early = assertThrows(NoiseException.class,
                () -> handshake(p, p, id, pin, server, ManualClock.ofEpochSecond(T0 - 11), skew));
        assertEquals(NoiseException.Reason.CERTIFICATE_NOT_YET_VALID, early.reason());
        // sv2-tp semantics (no skew).
        NoiseException strict = assertThrows(NoiseException.class,
                () -> handshake(p, p, id, pin, server, ManualClock.ofEpochSecond(T0 + 3601), Duration.ZERO));
        assertEquals(NoiseException.Reason.CERTIFICATE_EXPIRED, strict.reason());
    }

    @Test
    void longLivedCertificateAndVersionCheck() throws Exception {
        Secp256k1Provider p = Providers.nativeOrFail();
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        SignatureNoiseMessage cert = SignatureNoiseMessage.issue(p, AUTHORITY, STATIC,
                Instant.ofEpochSecond(T0 - 3600), Instant.ofEpochSecond(0xFFFF_FFFFL));
        ServerIdentity tp = ServerIdentity.withCertificate(STATIC, cert);
        Pair s = handshake(p, p, tp, AUTHORITY.publicKey(), clock, clock, Duration.ZERO);
        assertEquals(cert, s.init().peerCertificate());

        byte[] m1 = SignatureNoiseMessage.signedHash(1, T0, T0 + 10, STATIC.publicKeyXonly());
        SignatureNoiseMessage v1 = new SignatureNoiseMessage(1, T0, T0 + 10,
                Bytes.wrap(p.signSchnorr(m1, AUTHORITY.secretUnsafe(), null)));
        NoiseException e = assertThrows(NoiseException.class, () -> handshake(p, p,
                ServerIdentity.withCertificate(STATIC, v1), AUTHORITY.publicKey(), clock, clock, Duration.ZERO));
        assertEquals(NoiseException.Reason.BAD_CERTIFICATE_VERSION, e.reason());

        // A certificate for a different static key does not verify.
        SignatureNoiseMessage foreign = SignatureNoiseMessage.issue(p, AUTHORITY, StaticKeyPair.generate(RNG),
                Instant.ofEpochSecond(T0), Instant.ofEpochSecond(T0 + 60));
        NoiseException f = assertThrows(NoiseException.class, () -> handshake(p, p,
                ServerIdentity.withCertificate(STATIC, foreign), AUTHORITY.publicKey(), clock, clock, Duration.ZERO));
        assertEquals(NoiseException.Reason.BAD_CERTIFICATE_SIGNATURE, f.reason());
    }

    @Test
    void everyTamperedAct2ByteFailsWithBadTag() throws Exception {
        Secp256k1Provider p = Providers.nativeOrFail();
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        byte[] eSecret = Secp256k1Keys.randomSecretKey(RNG);
        byte[] eEll = p.ellswiftCreate(eSecret, null);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);
        NoiseInitiator first = new NoiseInitiator(p, AUTHORITY.publicKey(), clock, Duration.ZERO, eSecret, eEll, null);
        byte[] act2 = new NoiseResponder(p, id, clock).readAct1WriteAct2(first.writeAct1());
        for (int pos = 0; pos < NoiseConstants.ACT2_LEN; pos++) {
            byte[] bad = act2.clone();
            bad[pos] ^= 0x01;
            NoiseInitiator i = new NoiseInitiator(p, AUTHORITY.publicKey(), clock, Duration.ZERO, eSecret, eEll, null);
            i.writeAct1();
            NoiseException e = assertThrows(NoiseException.class, () -> i.readAct2(bad), "byte " + pos);
            assertEquals(NoiseException.Reason.BAD_TAG, e.reason(), "byte " + pos);
            assertNull(i.peerCertificate());
            NoiseException again = assertThrows(NoiseException.class, () -> i.readAct2(act2));
            assertEquals(NoiseException.Reason.STATE, again.reason(), "failure is terminal");
        }
        // The untampered message still works with the same ephemeral key.
        NoiseInitiator ok = new NoiseInitiator(p, AUTHORITY.publicKey(), clock, Duration.ZERO, eSecret, eEll, null);
        ok.writeAct1();
        ok.readAct2(act2);
    }

    @Test
    void tamperedAct2PureJava() throws Exception {
        Secp256k1Provider p = Secp256k1Providers.pureJava();
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        NoiseInitiator i = new NoiseInitiator(p, AUTHORITY.publicKey(), clock);
        byte[] act2 = new NoiseResponder(p, ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY), clock)
                .readAct1WriteAct2(i.writeAct1());
        act2[200] ^= (byte) 0x80;
        assertEquals(NoiseException.Reason.BAD_TAG, assertThrows(NoiseException.class, () -> i.readAct2(act2)).reason());
    }

    @Test
    void lengthsAndStates() throws Exception {
        Secp256k1Provider p = Providers.nativeOrFail();
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);

        NoiseInitiator i = new NoiseInitiator(p, AUTHORITY.publicKey(), clock);
        assertEquals(NoiseException.Reason.STATE,
                assertThrows(NoiseException.class, () -> i.readAct2(new byte[234])).reason());
        byte[] act1 = i.writeAct1();
        assertThrows(IllegalStateException.class, i::writeAct1);
        assertEquals(NoiseException.Reason.BAD_LENGTH,
                assertThrows(NoiseException.class, () -> i.readAct2(new byte[233])).reason());

        NoiseResponder r = new NoiseResponder(p, id, clock);
        assertThrows(IllegalStateException.class, r::session);
        assertEquals(NoiseException.Reason.BAD_LENGTH,
                assertThrows(NoiseException.class, () -> r.readAct1WriteAct2(new byte[63])).reason());
        assertEquals(NoiseException.Reason.STATE,
                assertThrows(NoiseException.class, () -> r.readAct1WriteAct2(act1)).reason());

        // Any 64 bytes are a valid EllSwift key: the responder answers (the initiator is then unknown to it).
        byte[] junk = new byte[64];
        RNG.nextBytes(junk);
        NoiseResponder r2 = new NoiseResponder(p, id, clock);
        assertEquals(234, r2.readAct1WriteAct2(junk).length);
        assertEquals(NoiseException.Reason.STATE,
                assertThrows(NoiseException.class, () -> r2.readAct1WriteAct2(junk)).reason());
    }

    @Test
    void certificatesAreCachedPerSecond() {
        Secp256k1Provider p = Providers.nativeOrFail();
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);
        SignatureNoiseMessage a = id.certificate(p, Instant.ofEpochSecond(T0));
        assertSame(a, id.certificate(p, Instant.ofEpochSecond(T0).plusMillis(999)));
        SignatureNoiseMessage b = id.certificate(p, Instant.ofEpochSecond(T0 + 1));
        assertNotEquals(a, b);
        assertEquals(T0 + 1, b.validFrom());
        assertEquals(T0 + 1 + 3600, b.notValidAfter());
        assertEquals(AUTHORITY.publicKey(), id.authorityPublicKey());
    }

    @Test
    void signatureNoiseMessageCodec() throws Exception {
        byte[] sig = new byte[64];
        RNG.nextBytes(sig);
        SignatureNoiseMessage m = new SignatureNoiseMessage(0, 0xFFFF_FFFFL, 1L, Bytes.wrap(sig));
        byte[] enc = m.encode();
        assertEquals(74, enc.length);
        assertEquals(m, SignatureNoiseMessage.decode(enc, 0, 74));
        assertEquals(NoiseException.Reason.BAD_LENGTH,
                assertThrows(NoiseException.class, () -> SignatureNoiseMessage.decode(enc, 0, 73)).reason());
        assertThrows(IllegalArgumentException.class, () -> new SignatureNoiseMessage(0, -1, 0, Bytes.wrap(sig)));
        assertThrows(IllegalArgumentException.class, () -> new SignatureNoiseMessage(0x10000, 0, 0, Bytes.wrap(sig)));
    }
}
