package org.hyperhash.bench.noise;

import org.hyperhash.sv2.framing.EncryptedFraming;
import org.hyperhash.sv2.framing.FrameHeader;
import org.hyperhash.sv2.noise.CipherState;
import org.hyperhash.sv2.noise.NoiseException;
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

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One SV2 encrypted frame through the sans-I/O {@link CipherState}: encrypt the 6-byte header (22 bytes on
 * the wire) and the payload in 65519-byte chunks, then decrypt both with the peer's cipher. One op = one
 * frame sent and received, i.e. {@code 2 x payload} bytes through ChaCha20-Poly1305 plus two header AEADs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CipherStateBench {
    private static final int MAC = EncryptedFraming.MAC_LEN;
    private static final int CHUNK = EncryptedFraming.MAX_PLAINTEXT_CHUNK;

    /** Frame payload (msg_length): a share-sized message and a 64 KiB message (two chunks). */
    @Param({"100", "65536"})
    public int payload;

    /**
     * ChaCha20-Poly1305 implementations: {@code vector} = OpenSSL's libcrypto (FFM) for messages >= 320 B and the
     * pure-Java AEAD with vector ChaCha20 blocks below (the default); {@code scalar} = the same with scalar blocks (the
     * tree before the vector blocks, and the fallback without jdk.incubator.vector); {@code pure} = no OpenSSL (JCA
     * cipher >= 320 B) and scalar blocks. The choice is made once per JVM (org.hyperhash.sv2.noise.AeadProviders), so
     * each value runs in its own fork; setup checks it.
     */
    @Param({"vector", "scalar", "pure"})
    public String aead;

    private CipherState sender;
    private CipherState receiver;
    private byte[] plain;
    private byte[] wire;
    private byte[] back;

    @Setup
    public void setup() throws NoiseException {
        AeadChoice.select(aead);
        byte[] key = new byte[32];
        ThreadLocalRandom.current().nextBytes(key);
        sender = new CipherState(key);
        receiver = new CipherState(key);
        plain = new byte[FrameHeader.SIZE + payload];
        ThreadLocalRandom.current().nextBytes(plain);
        plain[3] = (byte) payload;
        plain[4] = (byte) (payload >>> 8);
        plain[5] = (byte) (payload >>> 16);
        wire = new byte[EncryptedFraming.encryptedFrameLength(payload)];
        back = new byte[plain.length];
        frame();
        if (!Arrays.equals(plain, back)) {
            throw new IllegalStateException("round trip mismatch");
        }
    }

    @Benchmark
    public byte[] frame() throws NoiseException {
        sender.encrypt(plain, 0, FrameHeader.SIZE, wire, 0);
        int in = FrameHeader.SIZE;
        int out = EncryptedFraming.ENCRYPTED_HEADER_LEN;
        for (int left = payload; left > 0; ) {
            int n = Math.min(left, CHUNK);
            sender.encrypt(plain, in, n, wire, out);
            in += n;
            out += n + MAC;
            left -= n;
        }
        receiver.decrypt(wire, 0, EncryptedFraming.ENCRYPTED_HEADER_LEN, back, 0);
        in = EncryptedFraming.ENCRYPTED_HEADER_LEN;
        out = FrameHeader.SIZE;
        for (int left = payload; left > 0; ) {
            int n = Math.min(left, CHUNK);
            receiver.decrypt(wire, in, n + MAC, back, out);
            in += n + MAC;
            out += n;
            left -= n;
        }
        return back;
    }
}
