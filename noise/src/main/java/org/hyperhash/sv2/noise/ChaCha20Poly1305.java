package org.hyperhash.sv2.noise;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.hyperhash.base.HotPath;

/**
 * Pure-Java ChaCha20-Poly1305 AEAD (RFC 8439) for short messages, where the JCA cipher's per-message
 * init and tag setup cost more than the data. Allocates nothing per message; the tag is compared in
 * constant time and a bad tag leaves the output untouched. Not thread-safe (one per {@link CipherState}).
 * Overlapping buffers are allowed when {@code outOff <= inOff} (in-place included).
 *
 * <p>The ChaCha20 blocks come from the scalar {@link #block} or, when {@link AeadProviders} loaded it, from
 * {@link Blocks8} (eight blocks per pass with the Vector API). A vector pass computes the message's blocks and fills
 * the remaining lanes with the first blocks of the next nonce: a Noise frame seals (or opens) its 6-byte header and
 * then its payload with consecutive nonces, so the payload's Poly1305 key and data blocks (up to 320 bytes) are
 * already there when it comes, and a frame costs one pass per direction instead of five scalar blocks.
 *
 * <p>An instance holds only the key (and which block source it uses): the Poly1305 state, the scalar block and the
 * vector window live in one scratch object per thread ({@link Scratch}), so an idle connection does not carry them.
 */
@HotPath
final class ChaCha20Poly1305 implements Aead {
    static final int TAG_LEN = 16;
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] ZERO16 = new byte[16];
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Eight ChaCha20 blocks at once (implemented by {@code VectorChaCha20}, the only class that needs
     * {@code jdk.incubator.vector}). Lanes {@code [0, first)} are blocks {@code counter..} of nonce {@code (n0, n1, n2)},
     * lanes {@code [first, 8)} blocks {@code 0..} of nonce {@code (n0, m1, m2)}; word {@code w} of lane {@code i} goes to
     * {@code out[8 * w + i]}.
     */
    interface Blocks8 {
        void blocks8(int k0, int k1, int k2, int k3, int k4, int k5, int k6, int k7,
                     int n0, int n1, int n2, int counter, int first, int m1, int m2, int[] out);

        String describe();
    }

    /** This thread's scratch (tests look at the window). */
    static Scratch scratch() {
        return SCRATCH.get();
    }

    private int k0, k1, k2, k3, k4, k5, k6, k7;
    /** Bumped by every {@link #setKey}: keystream precomputed under an older key is never used. */
    private int epoch;
    /** Null: scalar blocks. */
    private final Blocks8 vec;

    ChaCha20Poly1305(byte[] key32) {
        this(key32, AeadProviders.blocks8OrNull());
    }

    /** With an explicit block source (tests run both on one JVM); {@code vec} null means scalar. */
    ChaCha20Poly1305(byte[] key32, Blocks8 vec) {
        this.vec = vec;
        setKey(key32);
    }

    @Override
    public void setKey(byte[] key32) {
        k0 = (int) I32.get(key32, 0);
        k1 = (int) I32.get(key32, 4);
        k2 = (int) I32.get(key32, 8);
        k3 = (int) I32.get(key32, 12);
        k4 = (int) I32.get(key32, 16);
        k5 = (int) I32.get(key32, 20);
        k6 = (int) I32.get(key32, 24);
        k7 = (int) I32.get(key32, 28);
        epoch++;
    }

    /** Writes {@code len} ciphertext bytes and the 16-byte tag to {@code out[outOff..]}. */
    @Override
    public void seal(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        Scratch p = SCRATCH.get();
        int need = 1 + ((len + 63) >>> 6);
        polyInit(p, n0, n1, n2, need);
        xor(p, n0, n1, n2, 1, need, in, inOff, len, out, outOff);
        if (ad != null) {
            p.polyPadded(ad, 0, ad.length);
        }
        p.polyPadded(out, outOff, len);
        p.polyLengths(ad == null ? 0 : ad.length, len);
        p.polyFinish(out, outOff + len);
    }

    /**
     * Verifies the tag over {@code in[inOff, inOff+len)} (ciphertext then tag) and only then writes
     * {@code len - 16} plaintext bytes to {@code out}; returns false (nothing written) on a bad tag.
     */
    @Override
    public boolean open(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        int ctLen = len - TAG_LEN;
        Scratch p = SCRATCH.get();
        int need = 1 + ((ctLen + 63) >>> 6);
        polyInit(p, n0, n1, n2, need);
        if (ad != null) {
            p.polyPadded(ad, 0, ad.length);
        }
        p.polyPadded(in, inOff, ctLen);
        p.polyLengths(ad == null ? 0 : ad.length, ctLen);
        byte[] pad = p.pad;
        p.polyFinish(pad, 0);
        long diff = ((long) I64.get(pad, 0) ^ (long) I64.get(in, inOff + ctLen))
                | ((long) I64.get(pad, 8) ^ (long) I64.get(in, inOff + ctLen + 8));
        p.clearPoly();
        if (diff != 0) {
            p.wipeWindow(this, n0, n1, n2);
            return false;
        }
        xor(p, n0, n1, n2, 1, need, in, inOff, ctLen, out, outOff);
        return true;
    }

    /**
     * The window lane holding block {@code counter} of nonce {@code (n0, n1, n2)} under this key, running a vector pass
     * when it is not there: the pass covers up to eight blocks of this message from {@code counter} ({@code left} are
     * still needed) and fills the lanes after them with blocks 0.. of the next Noise nonce (the 64-bit counter in
     * {@code n1, n2} plus one).
     */
    private int lane(Scratch p, int n0, int n1, int n2, int counter, int left) {
        if (p.owner == this && p.epoch == epoch && p.wn0 == n0) {
            if (p.wn1 == n1 && p.wn2 == n2 && counter >= p.wctr && counter < p.wctr + p.wfirst) {
                return counter - p.wctr;
            }
            int m1 = p.wn1 + 1;
            int m2 = m1 == 0 ? p.wn2 + 1 : p.wn2;
            if (m1 == n1 && m2 == n2 && counter < 8 - p.wfirst) {
                return p.wfirst + counter;
            }
        }
        int first = Math.min(left, 8);
        int m1 = n1 + 1;
        int m2 = m1 == 0 ? n2 + 1 : n2;
        vec.blocks8(k0, k1, k2, k3, k4, k5, k6, k7, n0, n1, n2, counter, first, m1, m2, p.win);
        p.owner = this;
        p.epoch = epoch;
        p.wn0 = n0;
        p.wn1 = n1;
        p.wn2 = n2;
        p.wctr = counter;
        p.wfirst = first;
        return 0;
    }

    /** Scalar ChaCha20 block for (key, counter, nonce) into {@code o[0..16)}. */
    private void block(int counter, int n0, int n1, int n2, int[] o) {
        int x0 = 0x61707865, x1 = 0x3320646e, x2 = 0x79622d32, x3 = 0x6b206574;
        int x4 = k0, x5 = k1, x6 = k2, x7 = k3, x8 = k4, x9 = k5, x10 = k6, x11 = k7;
        int x12 = counter, x13 = n0, x14 = n1, x15 = n2;
        for (int i = 0; i < 10; i++) {
            // columns
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 16); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 12);
            x0 += x4; x12 = Integer.rotateLeft(x12 ^ x0, 8); x8 += x12; x4 = Integer.rotateLeft(x4 ^ x8, 7);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 16); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 12);
            x1 += x5; x13 = Integer.rotateLeft(x13 ^ x1, 8); x9 += x13; x5 = Integer.rotateLeft(x5 ^ x9, 7);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 16); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 12);
            x2 += x6; x14 = Integer.rotateLeft(x14 ^ x2, 8); x10 += x14; x6 = Integer.rotateLeft(x6 ^ x10, 7);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 16); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 12);
            x3 += x7; x15 = Integer.rotateLeft(x15 ^ x3, 8); x11 += x15; x7 = Integer.rotateLeft(x7 ^ x11, 7);
            // diagonals
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 16); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 12);
            x0 += x5; x15 = Integer.rotateLeft(x15 ^ x0, 8); x10 += x15; x5 = Integer.rotateLeft(x5 ^ x10, 7);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 16); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 12);
            x1 += x6; x12 = Integer.rotateLeft(x12 ^ x1, 8); x11 += x12; x6 = Integer.rotateLeft(x6 ^ x11, 7);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 16); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 12);
            x2 += x7; x13 = Integer.rotateLeft(x13 ^ x2, 8); x8 += x13; x7 = Integer.rotateLeft(x7 ^ x8, 7);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 16); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 12);
            x3 += x4; x14 = Integer.rotateLeft(x14 ^ x3, 8); x9 += x14; x4 = Integer.rotateLeft(x4 ^ x9, 7);
        }
        o[0] = x0 + 0x61707865; o[1] = x1 + 0x3320646e; o[2] = x2 + 0x79622d32; o[3] = x3 + 0x6b206574;
        o[4] = x4 + k0; o[5] = x5 + k1; o[6] = x6 + k2; o[7] = x7 + k3;
        o[8] = x8 + k4; o[9] = x9 + k5; o[10] = x10 + k6; o[11] = x11 + k7;
        o[12] = x12 + counter; o[13] = x13 + n0; o[14] = x14 + n1; o[15] = x15 + n2;
    }

    /**
     * ChaCha20 keystream from block {@code counter} XORed over {@code len} bytes; {@code need} is the message's block
     * count (Poly1305 key included). Wipes the message's keystream afterwards.
     */
    private void xor(Scratch p, int n0, int n1, int n2, int counter, int need,
                     byte[] in, int inOff, int len, byte[] out, int outOff) {
        int done = 0;
        if (vec == null) {
            int[] k = p.ks;
            while (len - done >= 64) {
                block(counter++, n0, n1, n2, k);
                for (int j = 0; j < 16; j++) {
                    int at = done + 4 * j;
                    I32.set(out, outOff + at, (int) I32.get(in, inOff + at) ^ k[j]);
                }
                done += 64;
            }
            if (done < len) {
                block(counter, n0, n1, n2, k);
                tail(k, 0, 1, in, inOff, out, outOff, done, len);
            }
            java.util.Arrays.fill(k, 0);
            return;
        }
        int[] w = p.win;
        while (len - done >= 64) {
            int l = lane(p, n0, n1, n2, counter, need - counter);
            counter++;
            for (int j = 0; j < 16; j++) {
                int at = done + 4 * j;
                I32.set(out, outOff + at, (int) I32.get(in, inOff + at) ^ w[8 * j + l]);
            }
            done += 64;
        }
        if (done < len) {
            int l = lane(p, n0, n1, n2, counter, need - counter);
            tail(w, l, 8, in, inOff, out, outOff, done, len);
        }
        p.wipeWindow(this, n0, n1, n2);
    }

    /** The last partial block: keystream word {@code j} at {@code k[at + stride * j]}. */
    private static void tail(int[] k, int at, int stride, byte[] in, int inOff, byte[] out, int outOff, int done, int len) {
        for (; done + 4 <= len; done += 4, at += stride) {
            I32.set(out, outOff + done, (int) I32.get(in, inOff + done) ^ k[at]);
        }
        for (int b = 0; done < len; done++, b += 8) {
            out[outOff + done] = (byte) (in[inOff + done] ^ (k[at] >>> b));
        }
    }

    /** Poly1305 one-time key from ChaCha20 block 0 (RFC 8439 2.6); clamps r. */
    private void polyInit(Scratch p, int n0, int n1, int n2, int need) {
        long lo, hi;
        if (vec == null) {
            int[] k = p.ks;
            block(0, n0, n1, n2, k);
            lo = (k[0] & 0xffffffffL) | ((long) k[1] << 32);
            hi = (k[2] & 0xffffffffL) | ((long) k[3] << 32);
            p.sLo = (k[4] & 0xffffffffL) | ((long) k[5] << 32);
            p.sHi = (k[6] & 0xffffffffL) | ((long) k[7] << 32);
            java.util.Arrays.fill(k, 0);
        } else {
            int l = lane(p, n0, n1, n2, 0, need);
            int[] w = p.win;
            lo = (w[l] & 0xffffffffL) | ((long) w[8 + l] << 32);
            hi = (w[16 + l] & 0xffffffffL) | ((long) w[24 + l] << 32);
            p.sLo = (w[32 + l] & 0xffffffffL) | ((long) w[40 + l] << 32);
            p.sHi = (w[48 + l] & 0xffffffffL) | ((long) w[56 + l] << 32);
        }
        p.setR(lo, hi);
    }

    /**
     * Per-thread working state: the Poly1305 state of the message in progress, the scalar block, and the vector window
     * (eight blocks, word-major) with what it holds. One per thread instead of one per connection direction: an event
     * loop serves many connections, one message at a time.
     */
    static final class Scratch {
        final int[] ks = new int[16];
        final byte[] pad = new byte[16];
        final int[] win = new int[128];
        // the window: lanes [0, wfirst) are blocks wctr.. of nonce (wn0, wn1, wn2) under owner's key at epoch; lanes
        // [wfirst, 8) are blocks 0.. of the next nonce. owner null: nothing valid.
        ChaCha20Poly1305 owner;
        int epoch, wn0, wn1, wn2, wctr, wfirst;
        // Poly1305 state for the message in progress, radix 2^64: clamped r = r0 + 2^64 r1, s1 = 5 * (r1 / 4),
        // accumulator h = h0 + 2^64 h1 + 2^128 h2 (h2 stays below 8), and the final addend s
        private long r0, r1, s1;
        private long h0, h1, h2;
        long sLo, sHi;

        /**
         * Called when the message with this nonce is done: zeroes its keystream. When it came from the lanes of the
         * next nonce, the window is used up; otherwise those lanes stay for the next message.
         */
        void wipeWindow(ChaCha20Poly1305 c, int n0, int n1, int n2) {
            if (owner != c) {
                return;
            }
            if (wn0 == n0 && wn1 == n1 && wn2 == n2 && wfirst < 8) {
                for (int j = 0; j < 128; j += 8) {
                    for (int l = 0; l < wfirst; l++) {
                        win[j + l] = 0;
                    }
                }
                wctr = Integer.MIN_VALUE / 2; // lanes [0, wfirst) no longer match any counter
            } else {
                java.util.Arrays.fill(win, 0);
                owner = null;
            }
        }

        void setR(long lo, long hi) {
            r0 = lo & 0x0ffffffc0fffffffL;
            r1 = hi & 0x0ffffffc0ffffffcL;
            // the clamp clears r1's low two bits, so 2^128 r1 = 2^130 (r1 / 4) = 5 (r1 / 4) mod 2^130 - 5
            s1 = r1 + (r1 >>> 2);
            h0 = h1 = h2 = 0;
        }

        /** Feeds {@code len} bytes zero-padded to a multiple of 16 (the AEAD layout). */
        void polyPadded(byte[] m, int off, int len) {
            int full = len & ~15;
            if (full > 0) {
                polyBlocks(m, off, full, 1);
            }
            int rest = len - full;
            if (rest > 0) {
                System.arraycopy(m, off + full, pad, 0, rest);
                System.arraycopy(ZERO16, 0, pad, rest, 16 - rest);
                polyBlocks(pad, 0, 16, 1);
            }
        }

        void polyLengths(long adLen, long ctLen) {
            I64.set(pad, 0, adLen);
            I64.set(pad, 8, ctLen);
            polyBlocks(pad, 0, 16, 1);
        }

        /**
         * Carry out of the 64-bit sum {@code s = a + b}, as 0 or 1, without a branch or a compare (so no
         * data-dependent timing whatever the JIT does with it).
         */
        private static long carry(long a, long b, long s) {
            return ((a & b) | ((a | b) & ~s)) >>> 63;
        }

        /**
         * Poly1305 over whole 16-byte blocks, radix 2^64: four 64x64->128 products and two small ones per block
         * (the 26-bit-limb form needed 25). {@code hibit} is the 2^128 pad bit (1, or 0 only for a padded final
         * block).
         *
         * <p>Bounds that let some carries be skipped: r0, r1 < 2^60, s1 < 2^61, h2 <= 4 after each block, so
         * a2 <= 6; every high product half is below 2^61, so the high-half sums cannot overflow; a2 * s1 < 2^63 and
         * d0hi < 2^62, so their carries only need the top bits; d2 < 2^63.
         */
        void polyBlocks(byte[] m, int off, int len, long hibit) {
            long a0 = h0, a1 = h1, a2 = h2;
            final long q0 = r0, q1 = r1, t1 = s1;
            for (int end = off + len; off < end; off += 16) {
                long m0 = (long) I64.get(m, off);
                long m1 = (long) I64.get(m, off + 8);
                // h += m + 2^128 hibit
                long b0 = a0 + m0;
                long c = carry(a0, m0, b0);
                long t = a1 + m1;
                long c1 = carry(a1, m1, t);
                long b1 = t + c;
                c1 += (t & ~b1) >>> 63; // adding 0 or 1: carries only when t was all ones (then c1 was 0)
                long b2 = a2 + c1 + hibit;
                // d0 = b0 r0 + b1 s1
                long x = b0 * q0, y = b1 * t1;
                long d0 = x + y;
                long d0hi = Math.unsignedMultiplyHigh(b0, q0) + Math.unsignedMultiplyHigh(b1, t1) + carry(x, y, d0);
                // d1 = b0 r1 + b1 r0 + b2 s1 + d0hi
                x = b0 * q1;
                y = b1 * q0;
                long d1 = x + y;
                long d1hi = Math.unsignedMultiplyHigh(b0, q1) + Math.unsignedMultiplyHigh(b1, q0) + carry(x, y, d1);
                long z = b2 * t1;
                long e = d1 + z;
                d1hi += (d1 & ~e) >>> 63; // z < 2^63
                long f = e + d0hi;
                d1hi += (e & ~f) >>> 63; // d0hi < 2^63
                // d2 = b2 r0 + d1hi; fold 2^130 (d2 >> 2) back in as 5 (d2 >> 2)
                long d2 = b2 * q0 + d1hi;
                long k = (d2 & ~3L) + (d2 >>> 2);
                a0 = d0 + k;
                c = carry(d0, k, a0);
                a1 = f + c;
                a2 = (d2 & 3) + ((f & ~a1) >>> 63);
            }
            h0 = a0;
            h1 = a1;
            h2 = a2;
        }

        /** Final reduction mod 2^130-5, adds s, writes the 16-byte tag; clears the key material. */
        void polyFinish(byte[] out, int outOff) {
            long a0 = h0, a1 = h1, a2 = h2;
            // fold bits 130.. (h < 2^130 + 2^64 after polyBlocks, so h < 2^130 after this)
            long k = (a2 >>> 2) * 5;
            a2 &= 3;
            long b0 = a0 + k;
            long c = (a0 & ~b0) >>> 63; // k <= 5
            a0 = b0;
            long b1 = a1 + c;
            a2 += (a1 & ~b1) >>> 63; // never 1 under the bound above (a1 is 0 when h >= 2^130); kept for safety
            a1 = b1;
            // g = h + 5; h >= p exactly when g reaches 2^130, then the tag uses g's low 128 bits (g - 2^130 = h - p).
            // Selected with a mask, not a branch.
            long g0 = a0 + 5;
            c = (a0 & ~g0) >>> 63;
            long g1 = a1 + c;
            c = (a1 & ~g1) >>> 63;
            long useG = -((a2 + c) >>> 2);
            a0 = (a0 & ~useG) | (g0 & useG);
            a1 = (a1 & ~useG) | (g1 & useG);
            long lo2 = a0 + sLo;
            I64.set(out, outOff, lo2);
            I64.set(out, outOff + 8, a1 + sHi + carry(a0, sLo, lo2));
            clearPoly();
        }

        void clearPoly() {
            r0 = r1 = s1 = 0;
            h0 = h1 = h2 = 0;
            sLo = sHi = 0;
        }
    }

    // --- single primitives, for the RFC 8439 golden tests ---

    /** RFC 8439 2.3: one 64-byte ChaCha20 block, scalar ({@code vec} null) or from a vector pass. */
    static byte[] chacha20Block(Blocks8 vec, byte[] key32, int counter, byte[] nonce12) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key32, vec);
        int n0 = (int) I32.get(nonce12, 0), n1 = (int) I32.get(nonce12, 4), n2 = (int) I32.get(nonce12, 8);
        Scratch p = new Scratch();
        byte[] out = new byte[64];
        if (vec == null) {
            c.block(counter, n0, n1, n2, p.ks);
            for (int i = 0; i < 16; i++) {
                I32.set(out, 4 * i, p.ks[i]);
            }
        } else {
            int l = c.lane(p, n0, n1, n2, counter, 1);
            for (int i = 0; i < 16; i++) {
                I32.set(out, 4 * i, p.win[8 * i + l]);
            }
        }
        return out;
    }

    /** RFC 8439 2.4: ChaCha20 encryption from block {@code counter}. */
    static byte[] chacha20(Blocks8 vec, byte[] key32, int counter, byte[] nonce12, byte[] in) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key32, vec);
        byte[] out = new byte[in.length];
        c.xor(new Scratch(), (int) I32.get(nonce12, 0), (int) I32.get(nonce12, 4), (int) I32.get(nonce12, 8), counter,
                counter + ((in.length + 63) >>> 6), in, 0, in.length, out, 0);
        return out;
    }

    /** RFC 8439 2.5: Poly1305 MAC of any-length {@code msg} under a 32-byte one-time key. */
    static byte[] poly1305(byte[] key32, byte[] msg) {
        Scratch c = new Scratch();
        c.setR((long) I64.get(key32, 0), (long) I64.get(key32, 8));
        c.sLo = (long) I64.get(key32, 16);
        c.sHi = (long) I64.get(key32, 24);
        int full = msg.length & ~15;
        c.polyBlocks(msg, 0, full, 1);
        int rest = msg.length - full;
        if (rest > 0) {
            byte[] last = new byte[16];
            System.arraycopy(msg, full, last, 0, rest);
            last[rest] = 1;
            c.polyBlocks(last, 0, 16, 0);
        }
        byte[] tag = new byte[16];
        c.polyFinish(tag, 0);
        return tag;
    }
}
