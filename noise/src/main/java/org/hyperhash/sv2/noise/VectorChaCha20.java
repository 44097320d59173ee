package org.hyperhash.sv2.noise;

import static jdk.incubator.vector.VectorOperators.ROL;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.hyperhash.base.HotPath;

/**
 * ChaCha20 blocks side by side with the JDK's incubating Vector API: lane {@code i} of vector {@code xj} is state word
 * {@code j} of block {@code i}, so one quarter-round step works on all lanes at once: 8 blocks with 256-bit vectors
 * (AVX2 or wider), 16 with 512-bit ones (AVX-512). The species is chosen once, when this class loads:
 * {@value #BITS_PROPERTY} (or {@value #BITS_ENV}) {@code 256}, {@code 512} or {@code auto} (the default:
 * {@link VectorWidth}, 512 bits only on CPUs with full-width 512-bit units, 256 elsewhere). {@link ChaCha20Poly1305}
 * fills the lanes with the blocks of the message at hand and of the next nonces of the same key (a Noise frame is a
 * 6-byte header message and the payload with the next nonce), so one pass covers one or more whole frames.
 *
 * <p>Why not 512 bits wherever AVX-512 is: on a Zen 4 (AMD EPYC, family 25 model 17, KVM, 2026-12-07), a 16-lane
 * 512-bit pass costs 1.6-2.3x an 8-lane 256-bit one (266-371 vs 142-189 ns, thread CPU time), about the same per block,
 * since that core splits a 512-bit operation into two 256-bit halves. 16 lanes only pay where one key's frames follow
 * each other (one connection's stream: 0.625 instead of 1.25 passes per 100-byte frame); where an event loop serves
 * many connections, every message starts a pass for a cold key, and on Zen 4 that pass costs twice as much (100
 * connections round-robin: 1.17-1.69 us per frame with 512 bits vs 0.85-1.0 us with 256; bench/README.md, noise512).
 * On a Zen 5 (family 26, full 512-bit datapaths) the 16-lane pass costs about what the 8-lane one does, so both cases
 * gain or tie (bench/README.md, zen5).
 *
 * <p>This is the only class that references {@code jdk.incubator.vector}. {@link AeadProviders} loads it by name, and
 * only when the module is in the boot layer ({@code --add-modules jdk.incubator.vector}), so everything else links
 * without the module.
 */
@HotPath
final class VectorChaCha20 implements ChaCha20Poly1305.Blocks {
    /** System property choosing the vector width: auto ({@link VectorWidth}) | 256 | 512. */
    static final String BITS_PROPERTY = "hyperhash.aead.vector.bits";
    /** Environment variable with the same meaning (the property wins). */
    static final String BITS_ENV = "HH_AEAD_VECTOR_BITS";

    private static final String REQUESTED = requested();
    private static final VectorWidth.Cpu CPU = "auto".equals(REQUESTED) ? VectorWidth.thisCpu() : null;
    private static final VectorSpecies<Integer> S = bits(REQUESTED) == 512 ? IntVector.SPECIES_512 : IntVector.SPECIES_256;
    /** Lanes (blocks) per pass. */
    private static final int L = S.length();

    private static String requested() {
        String b = System.getProperty(BITS_PROPERTY);
        if (b == null || b.isBlank()) {
            b = System.getenv(BITS_ENV);
        }
        b = b == null || b.isBlank() ? "auto" : b.trim();
        return switch (b) {
            case "auto", "256", "512" -> b;
            default -> throw new IllegalArgumentException(BITS_ENV + " / -D" + BITS_PROPERTY
                    + " must be auto, 256 or 512, got '" + b + "'");
        };
    }

    /** The width a request stands for: 256, 512, or what {@code auto} picks on this CPU and JVM. */
    private static int bits(String requested) {
        return switch (requested) {
            case "512" -> 512;
            case "256" -> 256;
            default -> VectorWidth.autoBits(CPU, IntVector.SPECIES_PREFERRED.vectorBitSize());
        };
    }

    /** What {@code auto} picks on this machine (tests; reads {@code /proc/cpuinfo} again). */
    static int autoBits() {
        return VectorWidth.autoBits(VectorWidth.thisCpu(), IntVector.SPECIES_PREFERRED.vectorBitSize());
    }

    /** Loaded reflectively by {@link AeadProviders}; fails where the chosen vectors would not be native. */
    VectorChaCha20() {
        int preferred = IntVector.SPECIES_PREFERRED.vectorBitSize();
        // emulated vectors (e.g. 128-bit NEON/SSE only, or 512 bits on AVX2) are far slower than the scalar path;
        // an explicit 256 or 512 is honoured anyway (the tests force each width on any machine)
        if ("auto".equals(REQUESTED) && preferred < S.vectorBitSize()) {
            throw new IllegalStateException("preferred int vector is " + preferred + " bits, need "
                    + S.vectorBitSize());
        }
    }

    @Override
    public int lanes() {
        return L;
    }

    @Override
    public String describe() {
        boolean emulated = IntVector.SPECIES_PREFERRED.vectorBitSize() < S.vectorBitSize();
        return "vector ChaCha20 (jdk.incubator.vector, " + L + " blocks x " + S.vectorBitSize() + " bits"
                + (emulated ? ", NOT native here: forced by " + BITS_PROPERTY : "")
                + ("auto".equals(REQUESTED)
                        ? ", " + VectorWidth.autoReason(CPU, IntVector.SPECIES_PREFERRED.vectorBitSize()) : "")
                + ")";
    }

    /**
     * Rows 12 to 15 of {@code out} (block counter, nonce words; {@code out[L * w + lane]}) are set by the caller; this
     * writes all sixteen words of every lane's block, word-major.
     */
    @Override
    public void blocks(int k0, int k1, int k2, int k3, int k4, int k5, int k6, int k7, int[] out) {
        IntVector c12 = IntVector.fromArray(S, out, 12 * L);
        IntVector c13 = IntVector.fromArray(S, out, 13 * L);
        IntVector c14 = IntVector.fromArray(S, out, 14 * L);
        IntVector c15 = IntVector.fromArray(S, out, 15 * L);
        IntVector.broadcast(S, 0x61707865).intoArray(out, 0);
        IntVector.broadcast(S, 0x3320646e).intoArray(out, L);
        IntVector.broadcast(S, 0x79622d32).intoArray(out, 2 * L);
        IntVector.broadcast(S, 0x6b206574).intoArray(out, 3 * L);
        IntVector.broadcast(S, k0).intoArray(out, 4 * L);
        IntVector.broadcast(S, k1).intoArray(out, 5 * L);
        IntVector.broadcast(S, k2).intoArray(out, 6 * L);
        IntVector.broadcast(S, k3).intoArray(out, 7 * L);
        IntVector.broadcast(S, k4).intoArray(out, 8 * L);
        IntVector.broadcast(S, k5).intoArray(out, 9 * L);
        IntVector.broadcast(S, k6).intoArray(out, 10 * L);
        IntVector.broadcast(S, k7).intoArray(out, 11 * L);
        // The state goes through the array after every two double rounds (16 loads and stores against ~200 vector
        // operations): with the sixteen vectors carried in locals around a loop, C2 (JDK 25) kept them boxed
        // across the back edge (~4 GB/s of allocation, 30x slower), and unrolling all ten rounds in one method
        // is too large for C1 and for HotSpot's 8,000-byte compile limit.
        for (int i = 0; i < 5; i++) {
            twoDoubleRounds(out);
        }
        add(out, 0, 0x61707865);
        add(out, L, 0x3320646e);
        add(out, 2 * L, 0x79622d32);
        add(out, 3 * L, 0x6b206574);
        add(out, 4 * L, k0);
        add(out, 5 * L, k1);
        add(out, 6 * L, k2);
        add(out, 7 * L, k3);
        add(out, 8 * L, k4);
        add(out, 9 * L, k5);
        add(out, 10 * L, k6);
        add(out, 11 * L, k7);
        IntVector.fromArray(S, out, 12 * L).add(c12).intoArray(out, 12 * L);
        IntVector.fromArray(S, out, 13 * L).add(c13).intoArray(out, 13 * L);
        IntVector.fromArray(S, out, 14 * L).add(c14).intoArray(out, 14 * L);
        IntVector.fromArray(S, out, 15 * L).add(c15).intoArray(out, 15 * L);
    }

    private static void add(int[] o, int at, int v) {
        IntVector.fromArray(S, o, at).add(v).intoArray(o, at);
    }

    /**
     * Two ChaCha20 double rounds (columns, then diagonals) over the lanes in {@code o}: the state goes through the array
     * every two double rounds, not every one (8-lane pass 160-172 instead of 184-190 ns, measured; five per call was no
     * faster).
     */
    // The xor-rotate is written out at every step: behind a helper method taking the rotate count, C2 (JDK 25) did not
    // intrinsify the rotate and the double round ran ~50x slower (measured).
    private static void twoDoubleRounds(int[] o) {
        IntVector x0 = IntVector.fromArray(S, o, 0);
        IntVector x1 = IntVector.fromArray(S, o, L);
        IntVector x2 = IntVector.fromArray(S, o, 2 * L);
        IntVector x3 = IntVector.fromArray(S, o, 3 * L);
        IntVector x4 = IntVector.fromArray(S, o, 4 * L);
        IntVector x5 = IntVector.fromArray(S, o, 5 * L);
        IntVector x6 = IntVector.fromArray(S, o, 6 * L);
        IntVector x7 = IntVector.fromArray(S, o, 7 * L);
        IntVector x8 = IntVector.fromArray(S, o, 8 * L);
        IntVector x9 = IntVector.fromArray(S, o, 9 * L);
        IntVector x10 = IntVector.fromArray(S, o, 10 * L);
        IntVector x11 = IntVector.fromArray(S, o, 11 * L);
        IntVector x12 = IntVector.fromArray(S, o, 12 * L);
        IntVector x13 = IntVector.fromArray(S, o, 13 * L);
        IntVector x14 = IntVector.fromArray(S, o, 14 * L);
        IntVector x15 = IntVector.fromArray(S, o, 15 * L);
        x0 = x0.add(x4); x12 = x12.lanewise(XOR, x0).lanewise(ROL, 16);
        x8 = x8.add(x12); x4 = x4.lanewise(XOR, x8).lanewise(ROL, 12);
        x0 = x0.add(x4); x12 = x12.lanewise(XOR, x0).lanewise(ROL, 8);
        x8 = x8.add(x12); x4 = x4.lanewise(XOR, x8).lanewise(ROL, 7);
        x1 = x1.add(x5); x13 = x13.lanewise(XOR, x1).lanewise(ROL, 16);
        x9 = x9.add(x13); x5 = x5.lanewise(XOR, x9).lanewise(ROL, 12);
        x1 = x1.add(x5); x13 = x13.lanewise(XOR, x1).lanewise(ROL, 8);
        x9 = x9.add(x13); x5 = x5.lanewise(XOR, x9).lanewise(ROL, 7);
        x2 = x2.add(x6); x14 = x14.lanewise(XOR, x2).lanewise(ROL, 16);
        x10 = x10.add(x14); x6 = x6.lanewise(XOR, x10).lanewise(ROL, 12);
        x2 = x2.add(x6); x14 = x14.lanewise(XOR, x2).lanewise(ROL, 8);
        x10 = x10.add(x14); x6 = x6.lanewise(XOR, x10).lanewise(ROL, 7);
        x3 = x3.add(x7); x15 = x15.lanewise(XOR, x3).lanewise(ROL, 16);
        x11 = x11.add(x15); x7 = x7.lanewise(XOR, x11).lanewise(ROL, 12);
        x3 = x3.add(x7); x15 = x15.lanewise(XOR, x3).lanewise(ROL, 8);
        x11 = x11.add(x15); x7 = x7.lanewise(XOR, x11).lanewise(ROL, 7);
        x0 = x0.add(x5); x15 = x15.lanewise(XOR, x0).lanewise(ROL, 16);
        x10 = x10.add(x15); x5 = x5.lanewise(XOR, x10).lanewise(ROL, 12);
        x0 = x0.add(x5); x15 = x15.lanewise(XOR, x0).lanewise(ROL, 8);
        x10 = x10.add(x15); x5 = x5.lanewise(XOR, x10).lanewise(ROL, 7);
        x1 = x1.add(x6); x12 = x12.lanewise(XOR, x1).lanewise(ROL, 16);
        x11 = x11.add(x12); x6 = x6.lanewise(XOR, x11).lanewise(ROL, 12);
        x1 = x1.add(x6); x12 = x12.lanewise(XOR, x1).lanewise(ROL, 8);
        x11 = x11.add(x12); x6 = x6.lanewise(XOR, x11).lanewise(ROL, 7);
        x2 = x2.add(x7); x13 = x13.lanewise(XOR, x2).lanewise(ROL, 16);
        x8 = x8.add(x13); x7 = x7.lanewise(XOR, x8).lanewise(ROL, 12);
        x2 = x2.add(x7); x13 = x13.lanewise(XOR, x2).lanewise(ROL, 8);
        x8 = x8.add(x13); x7 = x7.lanewise(XOR, x8).lanewise(ROL, 7);
        x3 = x3.add(x4); x14 = x14.lanewise(XOR, x3).lanewise(ROL, 16);
        x9 = x9.add(x14); x4 = x4.lanewise(XOR, x9).lanewise(ROL, 12);
        x3 = x3.add(x4); x14 = x14.lanewise(XOR, x3).lanewise(ROL, 8);
        x9 = x9.add(x14); x4 = x4.lanewise(XOR, x9).lanewise(ROL, 7);
        // the second double round
        x0 = x0.add(x4); x12 = x12.lanewise(XOR, x0).lanewise(ROL, 16);
        x8 = x8.add(x12); x4 = x4.lanewise(XOR, x8).lanewise(ROL, 12);
        x0 = x0.add(x4); x12 = x12.lanewise(XOR, x0).lanewise(ROL, 8);
        x8 = x8.add(x12); x4 = x4.lanewise(XOR, x8).lanewise(ROL, 7);
        x1 = x1.add(x5); x13 = x13.lanewise(XOR, x1).lanewise(ROL, 16);
        x9 = x9.add(x13); x5 = x5.lanewise(XOR, x9).lanewise(ROL, 12);
        x1 = x1.add(x5); x13 = x13.lanewise(XOR, x1).lanewise(ROL, 8);
        x9 = x9.add(x13); x5 = x5.lanewise(XOR, x9).lanewise(ROL, 7);
        x2 = x2.add(x6); x14 = x14.lanewise(XOR, x2).lanewise(ROL, 16);
        x10 = x10.add(x14); x6 = x6.lanewise(XOR, x10).lanewise(ROL, 12);
        x2 = x2.add(x6); x14 = x14.lanewise(XOR, x2).lanewise(ROL, 8);
        x10 = x10.add(x14); x6 = x6.lanewise(XOR, x10).lanewise(ROL, 7);
        x3 = x3.add(x7); x15 = x15.lanewise(XOR, x3).lanewise(ROL, 16);
        x11 = x11.add(x15); x7 = x7.lanewise(XOR, x11).lanewise(ROL, 12);
        x3 = x3.add(x7); x15 = x15.lanewise(XOR, x3).lanewise(ROL, 8);
        x11 = x11.add(x15); x7 = x7.lanewise(XOR, x11).lanewise(ROL, 7);
        x0 = x0.add(x5); x15 = x15.lanewise(XOR, x0).lanewise(ROL, 16);
        x10 = x10.add(x15); x5 = x5.lanewise(XOR, x10).lanewise(ROL, 12);
        x0 = x0.add(x5); x15 = x15.lanewise(XOR, x0).lanewise(ROL, 8);
        x10 = x10.add(x15); x5 = x5.lanewise(XOR, x10).lanewise(ROL, 7);
        x1 = x1.add(x6); x12 = x12.lanewise(XOR, x1).lanewise(ROL, 16);
        x11 = x11.add(x12); x6 = x6.lanewise(XOR, x11).lanewise(ROL, 12);
        x1 = x1.add(x6); x12 = x12.lanewise(XOR, x1).lanewise(ROL, 8);
        x11 = x11.add(x12); x6 = x6.lanewise(XOR, x11).lanewise(ROL, 7);
        x2 = x2.add(x7); x13 = x13.lanewise(XOR, x2).lanewise(ROL, 16);
        x8 = x8.add(x13); x7 = x7.lanewise(XOR, x8).lanewise(ROL, 12);
        x2 = x2.add(x7); x13 = x13.lanewise(XOR, x2).lanewise(ROL, 8);
        x8 = x8.add(x13); x7 = x7.lanewise(XOR, x8).lanewise(ROL, 7);
        x3 = x3.add(x4); x14 = x14.lanewise(XOR, x3).lanewise(ROL, 16);
        x9 = x9.add(x14); x4 = x4.lanewise(XOR, x9).lanewise(ROL, 12);
        x3 = x3.add(x4); x14 = x14.lanewise(XOR, x3).lanewise(ROL, 8);
        x9 = x9.add(x14); x4 = x4.lanewise(XOR, x9).lanewise(ROL, 7);
        x0.intoArray(o, 0);
        x1.intoArray(o, L);
        x2.intoArray(o, 2 * L);
        x3.intoArray(o, 3 * L);
        x4.intoArray(o, 4 * L);
        x5.intoArray(o, 5 * L);
        x6.intoArray(o, 6 * L);
        x7.intoArray(o, 7 * L);
        x8.intoArray(o, 8 * L);
        x9.intoArray(o, 9 * L);
        x10.intoArray(o, 10 * L);
        x11.intoArray(o, 11 * L);
        x12.intoArray(o, 12 * L);
        x13.intoArray(o, 13 * L);
        x14.intoArray(o, 14 * L);
        x15.intoArray(o, 15 * L);
    }
}
