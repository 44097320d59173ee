package org.hyperhash.sv2.noise;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
    private static final IntVector IOTA = IntVector.zero(S).addIndex(1);

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
        VectorMask<Integer> a = IOTA.compare(VectorOperators.LT, first);
        // lanes [0, first): (n0, n1, n2) from counter; lanes [first, 8): (n0, m1, m2) from counter 0
        IntVector c12 = IOTA.sub(first).blend(IOTA.add(counter), a);
        IntVector c14 = IntVector.broadcast(S, m1).blend(n1, a);
        IntVector c15 = IntVector.broadcast(S, m2).blend(n2, a);
        IntVector x0 = IntVector.broadcast(S, 0x61707865), x1 = IntVector.broadcast(S, 0x3320646e);
        IntVector x2 = IntVector.broadcast(S, 0x79622d32), x3 = IntVector.broadcast(S, 0x6b206574);
        IntVector x4 = IntVector.broadcast(S, k0), x5 = IntVector.broadcast(S, k1);
        IntVector x6 = IntVector.broadcast(S, k2), x7 = IntVector.broadcast(S, k3);
        IntVector x8 = IntVector.broadcast(S, k4), x9 = IntVector.broadcast(S, k5);
        IntVector x10 = IntVector.broadcast(S, k6), x11 = IntVector.broadcast(S, k7);
        IntVector x12 = c12, x13 = IntVector.broadcast(S, n0), x14 = c14, x15 = c15;
        for (int i = 0; i < 10; i++) {
            // columns
            x0 = x0.add(x4); x12 = rol(x12.lanewise(VectorOperators.XOR, x0), 16);
            x8 = x8.add(x12); x4 = rol(x4.lanewise(VectorOperators.XOR, x8), 12);
            x0 = x0.add(x4); x12 = rol(x12.lanewise(VectorOperators.XOR, x0), 8);
            x8 = x8.add(x12); x4 = rol(x4.lanewise(VectorOperators.XOR, x8), 7);
            x1 = x1.add(x5); x13 = rol(x13.lanewise(VectorOperators.XOR, x1), 16);
            x9 = x9.add(x13); x5 = rol(x5.lanewise(VectorOperators.XOR, x9), 12);
            x1 = x1.add(x5); x13 = rol(x13.lanewise(VectorOperators.XOR, x1), 8);
            x9 = x9.add(x13); x5 = rol(x5.lanewise(VectorOperators.XOR, x9), 7);
            x2 = x2.add(x6); x14 = rol(x14.lanewise(VectorOperators.XOR, x2), 16);
            x10 = x10.add(x14); x6 = rol(x6.lanewise(VectorOperators.XOR, x10), 12);
            x2 = x2.add(x6); x14 = rol(x14.lanewise(VectorOperators.XOR, x2), 8);
            x10 = x10.add(x14); x6 = rol(x6.lanewise(VectorOperators.XOR, x10), 7);
            x3 = x3.add(x7); x15 = rol(x15.lanewise(VectorOperators.XOR, x3), 16);
            x11 = x11.add(x15); x7 = rol(x7.lanewise(VectorOperators.XOR, x11), 12);
            x3 = x3.add(x7); x15 = rol(x15.lanewise(VectorOperators.XOR, x3), 8);
            x11 = x11.add(x15); x7 = rol(x7.lanewise(VectorOperators.XOR, x11), 7);
            // diagonals
            x0 = x0.add(x5); x15 = rol(x15.lanewise(VectorOperators.XOR, x0), 16);
            x10 = x10.add(x15); x5 = rol(x5.lanewise(VectorOperators.XOR, x10), 12);
            x0 = x0.add(x5); x15 = rol(x15.lanewise(VectorOperators.XOR, x0), 8);
            x10 = x10.add(x15); x5 = rol(x5.lanewise(VectorOperators.XOR, x10), 7);
            x1 = x1.add(x6); x12 = rol(x12.lanewise(VectorOperators.XOR, x1), 16);
            x11 = x11.add(x12); x6 = rol(x6.lanewise(VectorOperators.XOR, x11), 12);
            x1 = x1.add(x6); x12 = rol(x12.lanewise(VectorOperators.XOR, x1), 8);
            x11 = x11.add(x12); x6 = rol(x6.lanewise(VectorOperators.XOR, x11), 7);
            x2 = x2.add(x7); x13 = rol(x13.lanewise(VectorOperators.XOR, x2), 16);
            x8 = x8.add(x13); x7 = rol(x7.lanewise(VectorOperators.XOR, x8), 12);
            x2 = x2.add(x7); x13 = rol(x13.lanewise(VectorOperators.XOR, x2), 8);
            x8 = x8.add(x13); x7 = rol(x7.lanewise(VectorOperators.XOR, x8), 7);
            x3 = x3.add(x4); x14 = rol(x14.lanewise(VectorOperators.XOR, x3), 16);
            x9 = x9.add(x14); x4 = rol(x4.lanewise(VectorOperators.XOR, x9), 12);
            x3 = x3.add(x4); x14 = rol(x14.lanewise(VectorOperators.XOR, x3), 8);
            x9 = x9.add(x14); x4 = rol(x4.lanewise(VectorOperators.XOR, x9), 7);
        }
        // out[8 * word + lane]: word-major, so a block's words are read with stride 8
        x0.add(0x61707865).intoArray(out, 0);
        x1.add(0x3320646e).intoArray(out, 8);
        x2.add(0x79622d32).intoArray(out, 16);
        x3.add(0x6b206574).intoArray(out, 24);
        x4.add(k0).intoArray(out, 32);
        x5.add(k1).intoArray(out, 40);
        x6.add(k2).intoArray(out, 48);
        x7.add(k3).intoArray(out, 56);
        x8.add(k4).intoArray(out, 64);
        x9.add(k5).intoArray(out, 72);
        x10.add(k6).intoArray(out, 80);
        x11.add(k7).intoArray(out, 88);
        x12.add(c12).intoArray(out, 96);
        x13.add(n0).intoArray(out, 104);
        x14.add(c14).intoArray(out, 112);
        x15.add(c15).intoArray(out, 120);
    }

    private static IntVector rol(IntVector v, int n) {
        return v.lanewise(VectorOperators.ROL, n);
    }
}
