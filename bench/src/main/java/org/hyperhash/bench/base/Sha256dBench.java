package org.hyperhash.bench.base;

import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.ThreadLocalRandom;

/**
 * sha256d of an 80-byte block header with the nonce changing every call: 3 SHA-256 compressions
 * (2 for the header, 1 for the second hash), 2 with a midstate over the first 64 bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class Sha256dBench {
    private final byte[] header = new byte[80];
    private final byte[] out = new byte[32];
    private Sha256d sha;
    private Sha256d.Midstate midstate;
    private Target target;
    private int nonce;

    @Setup
    public void setup() {
        ThreadLocalRandom.current().nextBytes(header);
        sha = new Sha256d();
        midstate = sha.midstate(header, 0, 64);
        target = Target.fromBeHex("00000000ffff0000000000000000000000000000000000000000000000000000");
    }

    @Benchmark
    public boolean headerSha256d() {
        int n = nonce++;
        header[76] = (byte) n;
        header[77] = (byte) (n >>> 8);
        header[78] = (byte) (n >>> 16);
        header[79] = (byte) (n >>> 24);
        sha.hash(header, 0, 80, out, 0);
        return target.isMetBy(out);
    }

    @Benchmark
    public boolean headerSha256dMidstate() {
        int n = nonce++;
        header[76] = (byte) n;
        header[77] = (byte) (n >>> 8);
        header[78] = (byte) (n >>> 16);
        header[79] = (byte) (n >>> 24);
        sha.finish(midstate, header, 64, 16, out, 0);
        return target.isMetBy(out);
    }
}
