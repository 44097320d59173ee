package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which ChaCha20-Poly1305 the process uses, and the OpenSSL one beyond the vectors of {@link ChaCha20Poly1305Test}:
 * its self-test, and many threads at once (each has its own OpenSSL context) agreeing with the pure-Java one.
 * The noise module's tests run three times, in the default mode, with {@code -Dhyperhash.aead.provider=pure} and with
 * {@code -Dhyperhash.aead.vector=off} (see the pom), so {@link CipherState} and the Noise vectors pass through OpenSSL,
 * the vector and the scalar ChaCha20 blocks.
 */
@Timeout(60)
class AeadProvidersTest {
    @Test
    void theChoiceFollowsTheMode() {
        String mode = AeadProviders.mode();
        if (mode.equals("pure")) {
            assertFalse(AeadProviders.isNative());
            assertEquals(AeadProviders.PURE_NAME, AeadProviders.name());
        } else {
            // libcrypto.so.3 is part of every supported OS (Debian/Ubuntu libssl3, the runtime image): it must load
            assertTrue(AeadProviders.isNative(), () -> "libcrypto did not load: " + AeadProviders.nativeUnavailableReason());
            assertTrue(AeadProviders.name().startsWith("openssl 3."), AeadProviders.name());
            assertTrue(AeadProviders.nativeUnavailableReason().isEmpty());
        }
    }

    @Test
    void theVectorChoiceFollowsItsMode() {
        String mode = AeadProviders.vectorMode();
        // surefire passes --add-modules jdk.incubator.vector, and the build machines have AVX2: it must load
        assertTrue(AeadProviders.vectorImpl().isPresent(), () -> "vector ChaCha20 did not load: "
                + AeadProviders.vectorUnavailableReason());
        assertTrue(ModuleLayer.boot().findModule(AeadProviders.VECTOR_MODULE).isPresent());
        if (mode.equals("off")) {
            assertFalse(AeadProviders.isVector());
            assertTrue(AeadProviders.smallName().endsWith(AeadProviders.SCALAR_NAME), AeadProviders.smallName());
        } else {
            assertTrue(AeadProviders.isVector());
            assertTrue(AeadProviders.smallName().contains("jdk.incubator.vector"), AeadProviders.smallName());
        }
    }

    /**
     * The vector width follows hyperhash.aead.vector.bits (the pom runs these tests with 256, 512 and auto; auto is
     * VectorWidth's choice for this CPU).
     */
    @Test
    void theVectorWidthFollowsItsProperty() {
        ChaCha20Poly1305.Blocks v = AeadProviders.vectorImpl().orElseThrow();
        String bits = System.getProperty("hyperhash.aead.vector.bits", "auto");
        int expected = switch (bits) {
            case "512" -> 512;
            case "256" -> 256;
            default -> VectorChaCha20.autoBits();
        };
        assertEquals(expected / 32, v.lanes(), v.describe());
        assertEquals(bits.equals("auto"), v.describe().contains("auto: "), v.describe());
        assertTrue(v.describe().contains(v.lanes() + " blocks x " + 32 * v.lanes() + " bits"), v.describe());
    }

    @Test
    void vectorSelfTestPassesAndCatchesAWrongBlock() {
        ChaCha20Poly1305.Blocks good = AeadProviders.vectorImpl().orElseThrow();
        AeadProviders.selfTest(good);
        // a block source that gets the last lane wrong (only lanes of later nonces reach it) must fail the self-test
        ChaCha20Poly1305.Blocks broken = new ChaCha20Poly1305.Blocks() {
            @Override
            public int lanes() {
                return good.lanes();
            }

            @Override
            public void blocks(int k0, int k1, int k2, int k3, int k4, int k5, int k6, int k7, int[] out) {
                good.blocks(k0, k1, k2, k3, k4, k5, k6, k7, out);
                out[lanes() * 5 + lanes() - 1] ^= 1;
            }

            @Override
            public String describe() {
                return "broken";
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> AeadProviders.selfTest(broken));
    }

    /** Each thread has its own vector window: threads sealing consecutive nonces at once agree with the scalar path. */
    @Test
    void vectorWindowsArePerThread() throws Exception {
        ChaCha20Poly1305.Blocks v = AeadProviders.vectorImpl().orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            byte[] key = new byte[32];
            key[3] = 9;
            ChaCha20Poly1305 shared = new ChaCha20Poly1305(key, v); // one key, sealed from four threads
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                fs.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    ChaCha20Poly1305 own = new ChaCha20Poly1305(key, v);
                    ChaCha20Poly1305 ref = new ChaCha20Poly1305(key, null);
                    for (int i = 0; i < 3000; i++) {
                        int len = rnd.nextInt(2) == 0 ? 6 : rnd.nextInt(330);
                        byte[] plain = new byte[len];
                        rnd.nextBytes(plain);
                        int n1 = seed * 1_000_000 + i; // consecutive per thread, disjoint between threads
                        byte[] a = new byte[len + 16];
                        byte[] b = new byte[len + 16];
                        byte[] c = new byte[len + 16];
                        (i % 3 == 0 ? shared : own).seal(0, n1, 0, null, plain, 0, len, a, 0);
                        ref.seal(0, n1, 0, null, plain, 0, len, b, 0);
                        assertArrayEquals(b, a, "len " + len);
                        own.seal(0, n1, 0, null, plain, 0, len, c, 0);
                        assertArrayEquals(b, c, "len " + len);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void selfTestPasses() {
        AeadProviders.nativeImpl().orElseThrow().selfTest();
    }

    @Test
    void aMissingLibraryIsAnErrorNotACrash() {
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class,
                () -> NativeChaCha20Poly1305.load("libcrypto-does-not-exist.so.3"));
        assertTrue(t instanceof IllegalArgumentException || t instanceof IllegalStateException, t.toString());
    }

    @Test
    void threadsSharingNothingAgreeWithPureJava() throws Exception {
        NativeChaCha20Poly1305 impl = AeadProviders.nativeImpl().orElseThrow();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                fs.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(seed);
                    for (int i = 0; i < 2000; i++) {
                        byte[] key = new byte[32];
                        rnd.nextBytes(key);
                        int len = rnd.nextInt(i % 50 == 0 ? 70000 - 17 : 400);
                        len = Math.min(len, NoiseConstants.MAX_PLAINTEXT_CHUNK);
                        byte[] plain = new byte[len];
                        rnd.nextBytes(plain);
                        int n1 = rnd.nextInt();
                        int n2 = rnd.nextInt();
                        byte[] a = new byte[len + 16];
                        byte[] b = new byte[len + 16];
                        impl.keyed(key).seal(0, n1, n2, null, plain, 0, len, a, 0);
                        new ChaCha20Poly1305(key).seal(0, n1, n2, null, plain, 0, len, b, 0);
                        assertArrayEquals(b, a, "len " + len);
                        byte[] back = new byte[len];
                        assertTrue(impl.keyed(key).open(0, n1, n2, null, a, 0, a.length, back, 0));
                        assertArrayEquals(plain, back);
                        if (len > 0) {
                            a[rnd.nextInt(a.length)] ^= 0x10;
                            byte[] untouched = new byte[len];
                            Arrays.fill(back, (byte) 0x5a);
                            Arrays.fill(untouched, (byte) 0x5a);
                            assertFalse(impl.keyed(key).open(0, n1, n2, null, a, 0, a.length, back, 0));
                            assertArrayEquals(untouched, back);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
