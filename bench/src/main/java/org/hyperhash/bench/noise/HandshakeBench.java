package org.hyperhash.bench.noise;

import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.NoiseException;
import org.hyperhash.sv2.noise.NoiseInitiator;
import org.hyperhash.sv2.noise.NoiseResponder;
import org.hyperhash.sv2.noise.NoiseSession;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.sv2.noise.StaticKeyPair;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;

/**
 * The SV2 Noise NX handshake, sans I/O, with each secp256k1 provider.
 * <ul>
 * <li>{@code responder}: what a pool pays per connection: a fresh {@link NoiseResponder} answers a 64-byte act 1
 * (ephemeral EllSwift key, two x-only ECDHs, HKDFs, two AEADs; the certificate is signed once per second and
 * cached, as in production).</li>
 * <li>{@code bothRoles}: initiator act 1, responder act 2, initiator verifies the certificate (BIP340) and
 * splits. The initiator's own cost is {@code bothRoles - responder}; Ratios prints it as a derived row.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class HandshakeBench {
    @Param({"native", "pure"})
    public String provider;

    private Secp256k1Provider crypto;
    private ServerIdentity identity;
    private AuthorityPublicKey authority;
    private final InstantSource clock = InstantSource.system();
    private byte[] act1;

    @Setup
    public void setup() throws NoiseException {
        crypto = Providers.byName(provider);
        SecureRandom rng = new SecureRandom();
        AuthorityKeyPair auth = AuthorityKeyPair.generate(rng);
        authority = auth.publicKey();
        identity = ServerIdentity.signedPerHandshake(StaticKeyPair.generate(rng), auth, Duration.ofHours(1));
        act1 = new NoiseInitiator(crypto, authority, clock).writeAct1();
        NoiseSession s = bothRoles();
        if (s.handshakeHash().length != 32) {
            throw new IllegalStateException("bad handshake");
        }
    }

    @Benchmark
    public byte[] responder() throws NoiseException {
        return new NoiseResponder(crypto, identity, clock).readAct1WriteAct2(act1);
    }

    @Benchmark
    public NoiseSession bothRoles() throws NoiseException {
        NoiseInitiator i = new NoiseInitiator(crypto, authority, clock);
        NoiseResponder r = new NoiseResponder(crypto, identity, clock);
        byte[] a2 = r.readAct1WriteAct2(i.writeAct1());
        NoiseSession s = i.readAct2(a2);
        if (!Arrays.equals(s.handshakeHash(), r.session().handshakeHash())) {
            throw new IllegalStateException("handshake hashes differ");
        }
        return s;
    }
}
