package org.hyperhash.sv2.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

/** The native context and a ServerIdentity are shared by many event loops: run handshakes on several threads. */
class ConcurrentHandshakeTest {
    @Test
    void handshakesOnSeveralThreadsShareProviderAndIdentity() throws Exception {
        Secp256k1Provider p = Providers.nativeOrFail();
        SecureRandom rng = new SecureRandom();
        AuthorityKeyPair authority = AuthorityKeyPair.generate(rng);
        ServerIdentity id = ServerIdentity.signedPerHandshake(StaticKeyPair.generate(rng), authority, Duration.ofHours(1));
        ManualClock clock = ManualClock.ofEpochSecond(1_750_000_000L);
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        NoiseInitiator in = new NoiseInitiator(p, authority.publicKey(), clock);
                        NoiseResponder r = new NoiseResponder(p, id, clock);
                        NoiseSession is = in.readAct2(r.readAct1WriteAct2(in.writeAct1()));
                        assertArrayEquals(is.handshakeHash(), r.session().handshakeHash());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
    }
}
