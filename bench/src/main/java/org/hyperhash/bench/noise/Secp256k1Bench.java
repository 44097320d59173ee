package org.hyperhash.bench.noise;

import org.hyperhash.sv2.noise.Secp256k1Keys;
import org.hyperhash.sv2.noise.Secp256k1Provider;
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

/**
 * The secp256k1 operations a handshake is made of, per provider: EllSwift encode (key creation, aux drawn from
 * the CSPRNG as in the handshake), BIP324 x-only ECDH, BIP340 sign and verify of a 32-byte hash.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Secp256k1Bench {
    @Param({"native", "pure"})
    public String provider;

    private Secp256k1Provider crypto;
    private byte[] secret;
    private byte[] ours;
    private byte[] theirs;
    private byte[] message;
    private byte[] signature;
    private byte[] xonly;

    @Setup
    public void setup() {
        crypto = Providers.byName(provider);
        SecureRandom rng = new SecureRandom();
        secret = Secp256k1Keys.randomSecretKey(rng);
        ours = crypto.ellswiftCreate(secret, null);
        theirs = crypto.ellswiftCreate(Secp256k1Keys.randomSecretKey(rng), null);
        message = new byte[32];
        rng.nextBytes(message);
        signature = crypto.signSchnorr(message, secret, null);
        xonly = crypto.xonlyPublicKey(secret);
        if (!crypto.verifySchnorr(signature, message, xonly)) {
            throw new IllegalStateException("BIP340 self-check failed");
        }
    }

    @Benchmark
    public byte[] ellswiftEncode() {
        return crypto.ellswiftCreate(secret, null);
    }

    @Benchmark
    public byte[] ellswiftXdh() {
        return crypto.ellswiftXdh(ours, theirs, secret, true);
    }

    @Benchmark
    public byte[] bip340Sign() {
        return crypto.signSchnorr(message, secret, null);
    }

    @Benchmark
    public boolean bip340Verify() {
        return crypto.verifySchnorr(signature, message, xonly);
    }
}
