package org.hyperhash.sv2.noise;

import static jdk.incubator.vector.VectorOperators.ROL;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;
import org.hyperhash.base.HotPath;

/**
 * Eight ChaCha20 blocks side by side with the JDK's incubating Vector API: lane {@code i} of vector {@code xj} is state
 * word {@code j} of block {@code i}, so one quarter-round step works on all eight blocks at once (256-bit: AVX2 or
 * wider). A Noise frame is a 6-byte header message (Poly1305-key block + one data block) followed by the payload with
 * the next nonce (key block + data blocks), so one pass covers a message and the start of the next one (see
 * {@link ChaCha20Poly1305}).
 *
 * <p>This is the only class that references {@code jdk.incubator.vector}. {@link AeadProviders} loads it by name, and
 * only when the module is in the boot layer ({@code --add-modules jdk.incubator.vector}), so everything else links
 * without the module.
 */
@HotPath
final class VectorChaCha20 implements ChaCha20Poly1305.Blocks8 {
    private static final VectorSpecies<Integer> S = IntVector.SPECIES_256;

    /** Loaded reflectively by {@link AeadProviders}; fails where 256-bit integer vectors are not native. */
    VectorChaCha20() {
        if (IntVector.SPECIES_PREFERRED.vectorBitSize() < 256) {
            // emulated 256-bit vectors (e.g. 128-bit NEON/SSE only) would be far slower than the scalar path
            throw new IllegalStateException("preferred int vector is " + IntVector.SPECIES_PREFERRED.vectorBitSize()
                    + " bits, need 256");
        }
    }

    @Override
    public String describe() {
        return "vector ChaCha20 (jdk.incubator.vector, " + S.length() + " blocks x " + S.vectorBitSize() + " bits)";
    }

    @Override
    public void blocks8(int k0, int k1, int k2, int k3, int k4, int k5, int k6, int k7,
                        int n0, int n1, int n2, int counter, int first, int m1, int m2, int[] out) {
        // lanes [0, first): (n0, n1, n2) from counter; lanes [first, 8): (n0, m1, m2) from counter 0. Written lane by
        // lane (24 stores): the masked blend this needs was far slower than that in C2 on AVX2 (measured)
        for (int l = 0; l < 8; l++) {
            boolean mine = l < first;
            out[96 + l] = mine ? counter + l : l - first;
            out[104 + l] = n0;
            out[112 + l] = mine ? n1 : m1;
            out[120 + l] = mine ? n2 : m2;
        }
        // out[8 * word + lane]: word-major, so a block's words are read with stride 8
        IntVector.broadcast(S, 0x61707865).intoArray(out, 0);
        IntVector.broadcast(S, 0x3320646e).intoArray(out, 8);
        IntVector.broadcast(S, 0x79622d32).intoArray(out, 16);
        IntVector.broadcast(S, 0x6b206574).intoArray(out, 24);
        IntVector.broadcast(S, k0).intoArray(out, 32);
        IntVector.broadcast(S, k1).intoArray(out, 40);
        IntVector.broadcast(S, k2).intoArray(out, 48);
        IntVector.broadcast(S, k3).intoArray(out, 56);
        IntVector.broadcast(S, k4).intoArray(out, 64);
        IntVector.broadcast(S, k5).intoArray(out, 72);
        IntVector.broadcast(S, k6).intoArray(out, 80);
        IntVector.broadcast(S, k7).intoArray(out, 88);
        IntVector c12 = IntVector.fromArray(S, out, 96);
        IntVector c14 = IntVector.fromArray(S, out, 112);
        IntVector c15 = IntVector.fromArray(S, out, 120);
        // The state goes through the array between double rounds (16 loads and stores against ~300 vector operations
        // per double round): with the sixteen vectors carried in locals around a loop, C2 (JDK 25) kept them boxed
        // across the back edge (~4 GB/s of allocation, 30x slower), and unrolling all ten rounds in one method
        // is too large for C1 and for HotSpot's 8,000-byte compile limit.
        for (int i = 0; i < 10; i++) {
            doubleRound(out);
        }
        add(out, 0, 0x61707865);
        add(out, 8, 0x3320646e);
        add(out, 16, 0x79622d32);
        add(out, 24, 0x6b206574);
        add(out, 32, k0);
        add(out, 40, k1);
        add(out, 48, k2);
        add(out, 56, k3);
        add(out, 64, k4);
        add(out, 72, k5);
        add(out, 80, k6);
        add(out, 88, k7);
        IntVector.fromArray(S, out, 96).add(c12).intoArray(out, 96);
        add(out, 104, n0);
        IntVector.fromArray(S, out, 112).add(c14).intoArray(out, 112);
        IntVector.fromArray(S, out, 120).add(c15).intoArray(out, 120);
    }

    private static void add(int[] o, int at, int v) {
        IntVector.fromArray(S, o, at).add(v).intoArray(o, at);
    }

    /** One ChaCha20 double round (columns, then diagonals) over the eight blocks in {@code o}. */
    // The xor-rotate is written out at every step: behind a helper method taking the rotate count, C2 (JDK 25) did not
    // intrinsify the rotate and the double round ran ~50x slower (measured).
    private static void doubleRound(int[] o) {
        IntVector x0 = IntVector.fromArray(S, o, 0);
        IntVector x1 = IntVector.fromArray(S, o, 8);
        IntVector x2 = IntVector.fromArray(S, o, 16);
        IntVector x3 = IntVector.fromArray(S, o, 24);
        IntVector x4 = IntVector.fromArray(S, o, 32);
        IntVector x5 = IntVector.fromArray(S, o, 40);
        IntVector x6 = IntVector.fromArray(S, o, 48);
        IntVector x7 = IntVector.fromArray(S, o, 56);
        IntVector x8 = IntVector.fromArray(S, o, 64);
        IntVector x9 = IntVector.fromArray(S, o, 72);
        IntVector x10 = IntVector.fromArray(S, o, 80);
        IntVector x11 = IntVector.fromArray(S, o, 88);
        IntVector x12 = IntVector.fromArray(S, o, 96);
        IntVector x13 = IntVector.fromArray(S, o, 104);
        IntVector x14 = IntVector.fromArray(S, o, 112);
        IntVector x15 = IntVector.fromArray(S, o, 120);
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
        x1.intoArray(o, 8);
        x2.intoArray(o, 16);
        x3.intoArray(o, 24);
        x4.intoArray(o, 32);
        x5.intoArray(o, 40);
        x6.intoArray(o, 48);
        x7.intoArray(o, 56);
        x8.intoArray(o, 64);
        x9.intoArray(o, 72);
        x10.intoArray(o, 80);
        x11.intoArray(o, 88);
        x12.intoArray(o, 96);
        x13.intoArray(o, 104);
        x14.intoArray(o, 112);
        x15.intoArray(o, 120);
    }
}
