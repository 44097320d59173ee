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
    private static final long M26 = 0x3ffffffL;
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
        // Poly1305 state for the message in progress: r limbs, 5*r, accumulator, s
        private long r0, r1, r2, r3, r4, s1, s2, s3, s4;
        private long h0, h1, h2, h3, h4;
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
            lo &= 0x0ffffffc0fffffffL;
            hi &= 0x0ffffffc0ffffffcL;
            r0 = lo & M26;
            r1 = (lo >>> 26) & M26;
            r2 = ((lo >>> 52) | (hi << 12)) & M26;
            r3 = (hi >>> 14) & M26;
            r4 = hi >>> 40;
            s1 = r1 * 5;
            s2 = r2 * 5;
            s3 = r3 * 5;
            s4 = r4 * 5;
            h0 = h1 = h2 = h3 = h4 = 0;
        }

        /** Feeds {@code len} bytes zero-padded to a multiple of 16 (the AEAD layout). */
        void polyPadded(byte[] m, int off, int len) {
            int full = len & ~15;
            if (full > 0) {
                polyBlocks(m, off, full, 1L << 24);
            }
            int rest = len - full;
            if (rest > 0) {
                System.arraycopy(m, off + full, pad, 0, rest);
                System.arraycopy(ZERO16, 0, pad, rest, 16 - rest);
                polyBlocks(pad, 0, 16, 1L << 24);
            }
        }

        void polyLengths(long adLen, long ctLen) {
            I64.set(pad, 0, adLen);
            I64.set(pad, 8, ctLen);
            polyBlocks(pad, 0, 16, 1L << 24);
        }

        /** Poly1305 over whole 16-byte blocks; {@code hibit} is 2^128 in limb 4 (0 only for a padded final block). */
        void polyBlocks(byte[] m, int off, int len, long hibit) {
            long a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
            final long q0 = r0, q1 = r1, q2 = r2, q3 = r3, q4 = r4, t1 = s1, t2 = s2, t3 = s3, t4 = s4;
            for (int end = off + len; off < end; off += 16) {
                long lo = (long) I64.get(m, off);
                long hi = (long) I64.get(m, off + 8);
                a0 += lo & M26;
                a1 += (lo >>> 26) & M26;
                a2 += ((lo >>> 52) | (hi << 12)) & M26;
                a3 += (hi >>> 14) & M26;
                a4 += (hi >>> 40) | hibit;
                long d0 = a0 * q0 + a1 * t4 + a2 * t3 + a3 * t2 + a4 * t1;
                long d1 = a0 * q1 + a1 * q0 + a2 * t4 + a3 * t3 + a4 * t2;
                long d2 = a0 * q2 + a1 * q1 + a2 * q0 + a3 * t4 + a4 * t3;
                long d3 = a0 * q3 + a1 * q2 + a2 * q1 + a3 * q0 + a4 * t4;
                long d4 = a0 * q4 + a1 * q3 + a2 * q2 + a3 * q1 + a4 * q0;
                d1 += d0 >>> 26;
                a0 = d0 & M26;
                d2 += d1 >>> 26;
                a1 = d1 & M26;
                d3 += d2 >>> 26;
                a2 = d2 & M26;
                d4 += d3 >>> 26;
                a3 = d3 & M26;
                long c = d4 >>> 26;
                a4 = d4 & M26;
                a0 += c * 5;
                a1 += a0 >>> 26;
                a0 &= M26;
            }
            h0 = a0;
            h1 = a1;
            h2 = a2;
            h3 = a3;
            h4 = a4;
        }

        /** Final reduction mod 2^130-5, adds s, writes the 16-byte tag; clears the key material. */
        void polyFinish(byte[] out, int outOff) {
            long a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
            long c = a1 >>> 26; a1 &= M26; a2 += c;
            c = a2 >>> 26; a2 &= M26; a3 += c;
            c = a3 >>> 26; a3 &= M26; a4 += c;
            c = a4 >>> 26; a4 &= M26; a0 += c * 5;
            c = a0 >>> 26; a0 &= M26; a1 += c;
            // g = h + 5 - 2^130; use g when it is non-negative (h >= p), selected without a branch
            long g0 = a0 + 5; c = g0 >>> 26; g0 &= M26;
            long g1 = a1 + c; c = g1 >>> 26; g1 &= M26;
            long g2 = a2 + c; c = g2 >>> 26; g2 &= M26;
            long g3 = a3 + c; c = g3 >>> 26; g3 &= M26;
            long g4 = a4 + c - (1L << 26);
            long keepH = g4 >> 63;
            a0 = (a0 & keepH) | (g0 & ~keepH);
            a1 = (a1 & keepH) | (g1 & ~keepH);
            a2 = (a2 & keepH) | (g2 & ~keepH);
            a3 = (a3 & keepH) | (g3 & ~keepH);
            a4 = (a4 & keepH) | (g4 & M26 & ~keepH);
            long lo = a0 | (a1 << 26) | (a2 << 52);
            long hi = (a2 >>> 12) | (a3 << 14) | (a4 << 40);
            long lo2 = lo + sLo;
            long carry = ((lo & sLo) | ((lo | sLo) & ~lo2)) >>> 63;
            I64.set(out, outOff, lo2);
            I64.set(out, outOff + 8, hi + sHi + carry);
            clearPoly();
        }

        void clearPoly() {
            r0 = r1 = r2 = r3 = r4 = s1 = s2 = s3 = s4 = 0;
            h0 = h1 = h2 = h3 = h4 = 0;
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
        c.polyBlocks(msg, 0, full, 1L << 24);
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
