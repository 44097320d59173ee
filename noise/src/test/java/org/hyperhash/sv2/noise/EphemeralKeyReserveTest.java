package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EphemeralKeyReserveTest {
    private static final long T0 = 1_750_000_000L;
    private static final SecureRandom RNG = new SecureRandom();
    private static final AuthorityKeyPair AUTHORITY = AuthorityKeyPair.generate(RNG);
    private static final StaticKeyPair STATIC = StaticKeyPair.generate(RNG);
    private static final Duration VALIDITY = Duration.ofHours(1);

    static java.util.stream.Stream<Secp256k1Provider> providers() {
        return Providers.all();
    }

    private static EphemeralKeyReserve manual(Secp256k1Provider p, int capacity, AtomicLong nanos) {
        return new EphemeralKeyReserve(p, capacity, Duration.ofMinutes(10), Duration.ofMillis(10), 0, 1, nanos::get);
    }

    /** One handshake through a responder that uses {@code reserve}; returns act 2 after the initiator accepted it. */
    private static byte[] handshake(Secp256k1Provider p, ServerIdentity id, EphemeralKeyReserve reserve,
                                    ManualClock clock) throws NoiseException {
        NoiseInitiator i = new NoiseInitiator(p, AUTHORITY.publicKey(), clock, NoiseConstants.DEFAULT_ALLOWED_SKEW);
        NoiseResponder r = new NoiseResponder(p, id, clock, reserve);
        byte[] act2 = r.readAct1WriteAct2(i.writeAct1());
        NoiseSession is = i.readAct2(act2); // fails unless the responder's ee used a consistent key pair
        assertArrayEquals(is.handshakeHash(), r.session().handshakeHash());
        return act2;
    }

    @ParameterizedTest
    @MethodSource("providers")
    void handshakesTakeReservedPairsOnceThenMakeThemInline(Secp256k1Provider p) throws Exception {
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY);
        AtomicLong nanos = new AtomicLong();
        try (EphemeralKeyReserve reserve = manual(p, 4, nanos)) {
            assertEquals(2, reserve.fill(2));
            assertEquals(2, reserve.size());
            assertEquals(2, reserve.nonZeroSecretSlotsForTest());
            byte[] a = handshake(p, id, reserve, clock);
            byte[] b = handshake(p, id, reserve, clock);
            byte[] c = handshake(p, id, reserve, clock); // empty: made inline
            assertEquals(2, reserve.hits());
            assertEquals(1, reserve.misses());
            assertEquals(0, reserve.size());
            assertEquals(0, reserve.nonZeroSecretSlotsForTest()); // taken slots are wiped
            byte[][] eph = {Arrays.copyOf(a, 64), Arrays.copyOf(b, 64), Arrays.copyOf(c, 64)};
            assertFalse(Arrays.equals(eph[0], eph[1]));
            assertFalse(Arrays.equals(eph[1], eph[2]));
            assertFalse(Arrays.equals(eph[0], eph[2]));
        }
    }

    @Test
    void aReservedPairGivesTheSameAct2AsTheSamePairMadeInline() throws Exception {
        Secp256k1Provider p = Secp256k1Providers.best();
        ManualClock clock = ManualClock.ofEpochSecond(T0);
        ServerIdentity id = ServerIdentity.signedPerHandshake(STATIC, AUTHORITY, VALIDITY)
                .withStaticEllSwiftForTest(p.ellswiftCreate(STATIC.secretUnsafe(), null));
        byte[] secret = Secp256k1Keys.randomSecretKey(RNG);
        byte[] eph = p.ellswiftCreate(secret, null);
        byte[] act1 = new NoiseInitiator(p, AUTHORITY.publicKey(), clock, NoiseConstants.DEFAULT_ALLOWED_SKEW).writeAct1();
        try (EphemeralKeyReserve reserve = manual(p, 1, new AtomicLong())) {
            reserve.addForTest(secret, eph);
            NoiseResponder fromReserve = new NoiseResponder(p, id, clock, reserve);
            byte[] act2 = fromReserve.readAct1WriteAct2(act1);
            byte[] inline = new NoiseResponder(p, id, clock, secret.clone(), eph, null).readAct1WriteAct2(act1);
            assertArrayEquals(inline, act2);
            assertEquals(1, reserve.hits());
        }
    }

    @Test
    void boundedFifoWithExpiry() {
        Secp256k1Provider p = Secp256k1Providers.best();
        AtomicLong nanos = new AtomicLong(1_000);
        try (EphemeralKeyReserve reserve = manual(p, 3, nanos)) {
            assertEquals(3, reserve.fill(10)); // never more than the capacity
            assertEquals(0, reserve.fill(1));
            EphemeralKeyReserve.Pair first = reserve.take();
            assertNotNull(first);
            assertTrue(Secp256k1Keys.isValidSecretKey(first.secret()));
            assertEquals(64, first.ellswift().length);
            nanos.addAndGet(Duration.ofMinutes(5).toNanos());
            assertEquals(1, reserve.fill(5)); // refills the freed slot only
            nanos.addAndGet(Duration.ofMinutes(6).toNanos()); // the two older pairs are 11 min old, the newer 6
            EphemeralKeyReserve.Pair young = reserve.take();
            assertNotNull(young);
            assertEquals(2, reserve.expired());
            assertEquals(0, reserve.nonZeroSecretSlotsForTest());
            assertNull(reserve.take());
            assertEquals(2, reserve.hits());
            assertEquals(1, reserve.misses());
            assertEquals(4, reserve.made());
        }
    }

    @Test
    void closeWipesAndLaterTakesMiss() {
        Secp256k1Provider p = Secp256k1Providers.best();
        EphemeralKeyReserve reserve = manual(p, 5, new AtomicLong());
        reserve.fill(5);
        reserve.close();
        assertEquals(0, reserve.size());
        assertEquals(0, reserve.nonZeroSecretSlotsForTest());
        assertNull(reserve.take());
        assertEquals(0, reserve.fill(1));
        reserve.start(); // no-op after close
        assertFalse(reserve.refillerAliveForTest());
    }

    @Test
    void zeroCapacityIsNoReserve() {
        try (EphemeralKeyReserve reserve = new EphemeralKeyReserve(Secp256k1Providers.best(), 0, Duration.ofMinutes(1))) {
            reserve.start();
            assertFalse(reserve.refillerAliveForTest());
            assertEquals(0, reserve.fill(3));
            assertNull(reserve.take());
            assertEquals(1, reserve.misses());
        }
        assertThrows(IllegalArgumentException.class,
                () -> new EphemeralKeyReserve(Secp256k1Providers.best(), -1, Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class,
                () -> new EphemeralKeyReserve(Secp256k1Providers.best(), 1, Duration.ZERO));
    }

    @Test
    void refillWaitsForAQuietRunAndStopsWhenHandshakesArrive() {
        // handshakes arriving during a fill: the provider takes from the reserve on its 40th key (3 takes, > quietTakes)
        Secp256k1Provider real = Secp256k1Providers.best();
        EphemeralKeyReserve[] self = new EphemeralKeyReserve[1];
        int[] creates = {0};
        Secp256k1Provider p = new Secp256k1Provider() {
            @Override
            public String name() {
                return real.name();
            }

            @Override
            public byte[] ellswiftCreate(byte[] secretKey32, byte[] auxRand32) {
                if (++creates[0] == 40) {
                    for (int i = 0; i < 3; i++) {
                        self[0].take();
                    }
                }
                return real.ellswiftCreate(secretKey32, auxRand32);
            }

            @Override
            public byte[] ellswiftDecode(byte[] ellswift64) {
                return real.ellswiftDecode(ellswift64);
            }

            @Override
            public byte[] ellswiftXdh(byte[] i, byte[] r, byte[] secretKey32, boolean initiating) {
                return real.ellswiftXdh(i, r, secretKey32, initiating);
            }

            @Override
            public byte[] xonlyPublicKey(byte[] secretKey32) {
                return real.xonlyPublicKey(secretKey32);
            }

            @Override
            public byte[] signSchnorr(byte[] message, byte[] secretKey32, byte[] auxRand32) {
                return real.signSchnorr(message, secretKey32, auxRand32);
            }

            @Override
            public boolean verifySchnorr(byte[] signature64, byte[] message, byte[] xonlyPublicKey32) {
                return real.verifySchnorr(signature64, message, xonlyPublicKey32);
            }
        };
        try (EphemeralKeyReserve reserve = new EphemeralKeyReserve(p, 100, Duration.ofMinutes(10), Duration.ofMillis(100),
                2, 3, new AtomicLong()::get)) {
            self[0] = reserve;
            assertEquals(0, reserve.tick()); // quiet interval 1
            assertEquals(0, reserve.tick()); // 2
            for (int i = 0; i < 3; i++) {
                assertNull(reserve.take()); // a busy interval: 3 handshakes > 2
            }
            assertEquals(0, reserve.tick());
            assertEquals(0, reserve.tick());
            assertEquals(0, reserve.tick());
            // third quiet interval in a row: fills; the 3 takes during the second chunk stop it after that chunk
            assertEquals(2 * EphemeralKeyReserve.CHUNK, reserve.tick());
            assertEquals(2 * EphemeralKeyReserve.CHUNK - 3, reserve.size());
            assertEquals(0, reserve.tick()); // the run starts again
            assertEquals(0, reserve.tick());
            assertEquals(100 - reserve.size(), reserve.tick()); // fills up to the capacity
            assertEquals(100, reserve.size());
            assertEquals(0, reserve.tick()); // full: nothing to make
            assertEquals(3, reserve.hits());
            assertEquals(3, reserve.misses());
        }
    }

    @Test
    void refillThreadFillsWhileQuietAndStopsOnClose() throws Exception {
        Secp256k1Provider p = Secp256k1Providers.best();
        EphemeralKeyReserve reserve = new EphemeralKeyReserve(p, 100, Duration.ofMinutes(10), Duration.ofMillis(5), 0,
                2, System::nanoTime);
        reserve.start();
        assertTrue(reserve.refillerAliveForTest());
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (reserve.size() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(100, reserve.size());
        assertEquals(100, reserve.made());
        reserve.close();
        assertFalse(reserve.refillerAliveForTest());
        assertEquals(0, reserve.nonZeroSecretSlotsForTest());
    }
}
