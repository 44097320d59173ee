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
 * The noise module's tests run twice, in the default mode and with {@code -Dhyperhash.aead.provider=pure}
 * (see the pom), so {@link CipherState} and the Noise vectors pass through both implementations.
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
