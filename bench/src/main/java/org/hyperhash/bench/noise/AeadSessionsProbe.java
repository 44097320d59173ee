package org.hyperhash.bench.noise;

import org.hyperhash.sv2.framing.EncryptedFraming;
import org.hyperhash.sv2.framing.FrameHeader;
import org.hyperhash.sv2.noise.AeadProviders;
import org.hyperhash.sv2.noise.CipherState;
import org.hyperhash.sv2.noise.NoiseException;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Small Noise frames (6-byte header + payload, both below the 320-byte AEAD limit) on one thread over many cipher
 * states taking turns, as an event loop serving many connections does: the case that decides the vector width
 * ({@code -Dhyperhash.aead.vector.bits=256|512}), because the lanes computed ahead for a key's next nonces go unused
 * when the next message is for another key. The width is chosen when the vector class loads, so run one JVM per
 * width, alternating, in one command (bench/README.md, zen5).
 *
 * <p>Per session count and round: frames round-robin over the sessions, {@code seal} (the pool's fan-out: each session
 * encrypts its frame) or {@code both} (sealed and opened by the peer's cipher state), thread CPU ns per frame and
 * process CPU ns per frame. Then a fixed scalar integer loop runs right after each frame and its wall time per call
 * ({@link System#nanoTime}, median) is compared with the same loop run without any AEAD work: if wide vector
 * instructions lowered the core's clock, the scalar loop would take longer between vector frames with 512 bits than
 * with 256 (the "scalar loop" columns).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Dhyperhash.aead.vector.bits=512 \
 *   -cp bench/target/benchmarks.jar org.hyperhash.bench.noise.AeadSessionsProbe \
 *   [--sessions 1,2,100,10000] [--mode seal|both] [--payload 100] [--frames 200000] [--rounds 8] [--scalar 256]
 * </pre>
 */
public final class AeadSessionsProbe {
    private static final int MAC = EncryptedFraming.MAC_LEN;

    private AeadSessionsProbe() {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sessionCounts = List.of(1, 2, 100, 10_000);
        String mode = "seal";
        int payload = 100;
        int frames = 200_000;
        int rounds = 8;
        int scalarIters = 256;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException("missing value after " + a);
            }
            switch (a) {
                case "--sessions" -> {
                    List<Integer> l = new ArrayList<>();
                    for (String s : v.split(",")) {
                        l.add(Integer.parseInt(s.trim()));
                    }
                    sessionCounts = l;
                }
                case "--mode" -> mode = v;
                case "--payload" -> payload = Integer.parseInt(v);
                case "--frames" -> frames = Integer.parseInt(v);
                case "--rounds" -> rounds = Integer.parseInt(v);
                case "--scalar" -> scalarIters = Integer.parseInt(v);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
            i++;
        }
        if (!mode.equals("seal") && !mode.equals("both")) {
            throw new IllegalArgumentException("--mode must be seal or both, got " + mode);
        }
        if (payload + FrameHeader.SIZE >= 320 || payload < 1) {
            throw new IllegalArgumentException("--payload must be 1..313 (small messages only), got " + payload);
        }
        AeadChoice.select("vector");
        System.out.printf(Locale.ROOT, "# %s; mode %s, payload %d B, %d frames x %d rounds, scalar loop %d%n",
                AeadProviders.smallName(), mode, payload, frames, rounds, scalarIters);
        for (int n : sessionCounts) {
            run(n, mode.equals("both"), payload, frames, rounds, scalarIters);
        }
    }

    private static void run(int sessions, boolean open, int payload, int frames, int rounds, int scalarIters)
            throws NoiseException {
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        CipherState[] send = new CipherState[sessions];
        CipherState[] recv = new CipherState[sessions];
        for (int i = 0; i < sessions; i++) {
            byte[] key = new byte[32];
            rnd.nextBytes(key);
            send[i] = new CipherState(key);
            recv[i] = new CipherState(key);
        }
        byte[] plain = new byte[FrameHeader.SIZE + payload];
        rnd.nextBytes(plain);
        byte[] wire = new byte[EncryptedFraming.encryptedFrameLength(payload)];
        byte[] back = new byte[plain.length];
        int hdrWire = EncryptedFraming.ENCRYPTED_HEADER_LEN;
        long sink = 0;
        double[] cpuNs = new double[rounds];
        double[] procNs = new double[rounds];
        double[] scalarBetween = new double[rounds];
        double[] scalarAlone = new double[rounds];
        long[] lap = new long[frames];
        for (int r = 0; r < rounds; r++) {
            // 1. the scalar loop alone (no AEAD in this stretch): median of its wall time per call
            for (int f = 0; f < frames; f++) {
                long a = System.nanoTime();
                sink += scalar(f, scalarIters);
                lap[f] = System.nanoTime() - a;
            }
            scalarAlone[r] = medianOf(lap);
            // 2. frames alone: thread and process CPU per frame
            long c0 = tmx.getCurrentThreadCpuTime();
            long p0 = os.getProcessCpuTime();
            for (int f = 0; f < frames; f++) {
                sink += frame(send[f % sessions], recv[f % sessions], open, plain, wire, back, payload, hdrWire);
            }
            long c1 = tmx.getCurrentThreadCpuTime();
            long p1 = os.getProcessCpuTime();
            cpuNs[r] = (c1 - c0) / (double) frames;
            procNs[r] = (p1 - p0) / (double) frames;
            // 3. the scalar loop right after each frame: median of its wall time per call
            for (int f = 0; f < frames; f++) {
                sink += frame(send[f % sessions], recv[f % sessions], open, plain, wire, back, payload, hdrWire);
                long a = System.nanoTime();
                sink += scalar(f, scalarIters);
                lap[f] = System.nanoTime() - a;
            }
            scalarBetween[r] = medianOf(lap);
        }
        if (open && !Arrays.equals(plain, back)) {
            throw new IllegalStateException("round trip mismatch");
        }
        // rounds 0-1 are warm-up (C2)
        int from = Math.min(2, rounds - 1);
        System.out.printf(Locale.ROOT,
                "sessions=%d ns/frame: thread median %.0f best %.0f | process median %.0f | scalar loop alone %.1f"
                        + " between frames %.1f ns (ratio %.3f) | %s sink=%d%n",
                sessions, median(cpuNs, from), min(cpuNs, from), median(procNs, from), median(scalarAlone, from),
                median(scalarBetween, from), median(scalarBetween, from) / median(scalarAlone, from),
                Arrays.toString(round(Arrays.copyOfRange(cpuNs, from, rounds))), sink & 1);
        for (int i = 0; i < sessions; i++) {
            send[i].destroy();
            recv[i].destroy();
        }
    }

    private static int frame(CipherState send, CipherState recv, boolean open, byte[] plain, byte[] wire, byte[] back,
            int payload, int hdrWire) throws NoiseException {
        send.encrypt(plain, 0, FrameHeader.SIZE, wire, 0);
        send.encrypt(plain, FrameHeader.SIZE, payload, wire, hdrWire);
        if (open) {
            recv.decrypt(wire, 0, hdrWire, back, 0);
            recv.decrypt(wire, hdrWire, payload + MAC, back, FrameHeader.SIZE);
        }
        return wire[hdrWire];
    }

    private static double medianOf(long[] a) {
        Arrays.sort(a);
        return a[a.length / 2];
    }

    /** A fixed dependent chain of integer multiplies, rotates and adds (no vector instructions). */
    private static long scalar(long seed, int iters) {
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < iters; i++) {
            x = Long.rotateLeft(x * 0xBF58476D1CE4E5B9L, 27) + i;
        }
        return x;
    }

    private static long[] round(double[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.round(a[i]);
        }
        return r;
    }

    private static double median(double[] a, int from) {
        double[] b = Arrays.copyOfRange(a, from, a.length);
        Arrays.sort(b);
        return b.length % 2 == 1 ? b[b.length / 2] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2;
    }

    private static double min(double[] a, int from) {
        double m = Double.MAX_VALUE;
        for (int i = from; i < a.length; i++) {
            m = Math.min(m, a[i]);
        }
        return m;
    }
}
