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
 * {@link Blocks} (8 or 16 blocks per pass with the Vector API). A vector pass computes the message's blocks and fills
 * the remaining lanes with the blocks of the next nonces of the same key ({@link Window}): a Noise frame seals (or
 * opens) its 6-byte header and then its payload with consecutive nonces, so the payload's Poly1305 key and data blocks
 * are already there when it comes, and when the same key's next frame follows on this thread (a stream of frames on
 * one connection) its blocks are there too. How many lanes each next nonce gets is predicted from the block counts of
 * the key's last message at an even and at an odd nonce (headers and payloads alternate); a wrong guess only costs
 * another pass, since each lane is computed with, and looked up by, its own nonce and counter.
 *
 * <p>An instance holds only the key (and which block source it uses): the Poly1305 state, the scalar block and the
 * vector windows live in one scratch object per thread ({@link Scratch}), so an idle connection does not carry them.
 */
@HotPath
final class ChaCha20Poly1305 implements Aead {
    static final int TAG_LEN = 16;
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] ZERO16 = new byte[16];
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@link #lanes()} ChaCha20 blocks at once (implemented by {@code VectorChaCha20}, the only class that needs
     * {@code jdk.incubator.vector}). Word {@code w} of lane {@code i} is {@code out[lanes() * w + i]}; the caller sets
     * each lane's words 12 to 15 (block counter and nonce), the call computes the blocks in place.
     */
    interface Blocks {
        int lanes();

        void blocks(int k0, int k1, int k2, int k3, int k4, int k5, int k6, int k7, int[] out);

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
    private final Blocks vec;
    /**
     * The scratch of the thread that used this instance last: a connection stays on its event loop, so this saves the
     * {@code ThreadLocal} lookup (2-3% of a 100-byte frame round trip, JFR) at one reference per instance; checked against
     * the current thread on every use, so a stale or racing value only costs the lookup.
     */
    private Scratch last;

    ChaCha20Poly1305(byte[] key32) {
        this(key32, AeadProviders.blocksOrNull());
    }

    /** With an explicit block source (tests run both on one JVM); {@code vec} null means scalar. */
    ChaCha20Poly1305(byte[] key32, Blocks vec) {
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

    /**
     * Zeroes the key and, when called on the thread that used this instance last (a connection's event loop, where
     * its close runs), releases that thread's keystream windows computed with it: without this a thread's window
     * kept the last instances it served, key included, reachable after their connection closed. Another thread's
     * windows are left alone (they are not ours to touch); the new epoch makes them unusable, and that thread's
     * next message overwrites them.
     */
    @Override
    public void destroy() {
        k0 = k1 = k2 = k3 = k4 = k5 = k6 = k7 = 0;
        epoch++;
        Scratch p = last;
        last = null;
        if (p != null && p.thread == Thread.currentThread()) {
            p.forget(this);
        }
    }

    private Scratch threadScratch() {
        Scratch p = last;
        if (p == null || p.thread != Thread.currentThread()) {
            p = SCRATCH.get();
            last = p;
        }
        return p;
    }

    /** Writes {@code len} ciphertext bytes and the 16-byte tag to {@code out[outOff..]}. */
    @Override
    public void seal(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        Scratch p = threadScratch();
        int need = 1 + ((len + 63) >>> 6);
        Window w = vec == null ? null : p.window(this, n0, n1, n2, need);
        polyInit(p, w, n0, n1, n2, need);
        xor(p, w, n0, n1, n2, 1, need, in, inOff, len, out, outOff);
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
        Scratch p = threadScratch();
        int need = 1 + ((ctLen + 63) >>> 6);
        Window w = vec == null ? null : p.window(this, n0, n1, n2, need);
        polyInit(p, w, n0, n1, n2, need);
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
            if (w != null) {
                w.release();
            }
            return false;
        }
        xor(p, w, n0, n1, n2, 1, need, in, inOff, ctLen, out, outOff);
        return true;
    }

    /**
     * The lane of window {@code w} (owned by this key) holding block {@code counter} of nonce {@code (n0, n1, n2)},
     * running a vector pass when it is not there: the pass covers up to {@code lanes()} blocks of this message from
     * {@code counter} ({@code left} are still needed; the message has {@code need}) and fills the lanes after them with
     * blocks 0.. of the next nonces, as many per nonce as {@link Window#predict} expects.
     */
    private int lane(Window w, int n0, int n1, int n2, int counter, int left, int need) {
        long nonce = (n1 & 0xffffffffL) | ((long) n2 << 32);
        int l = w.lane(nonce, counter);
        if (l >= 0) {
            return l;
        }
        int lanes = vec.lanes();
        int[] o = w.win;
        int first = Math.min(left, lanes);
        Window.setLanes(o, lanes, 0, first, counter, n0, nonce);
        int[] seg = w.segLane;
        seg[0] = 0;
        int at = first;
        int segs = 1;
        long m = nonce;
        while (at < lanes) {
            m++;
            int n = Math.min(w.predict(m, nonce, need), lanes - at);
            seg[segs++] = at;
            Window.setLanes(o, lanes, at, n, 0, n0, m);
            at += n;
        }
        seg[segs] = lanes;
        vec.blocks(k0, k1, k2, k3, k4, k5, k6, k7, o);
        w.base = nonce;
        w.ctr0 = counter;
        w.segs = segs;
        w.done = 0;
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
     * count (Poly1305 key included). Afterwards the scalar block is wiped; the vector lanes are marked used
     * ({@link Window#consumed}).
     */
    private void xor(Scratch p, Window wd, int n0, int n1, int n2, int counter, int need,
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
        int[] w = wd.win;
        int lanes = vec.lanes();
        while (len - done >= 64) {
            int l = lane(wd, n0, n1, n2, counter, need - counter, need);
            counter++;
            for (int j = 0; j < 16; j++) {
                int at = done + 4 * j;
                I32.set(out, outOff + at, (int) I32.get(in, inOff + at) ^ w[lanes * j + l]);
            }
            done += 64;
        }
        if (done < len) {
            int l = lane(wd, n0, n1, n2, counter, need - counter, need);
            tail(w, l, lanes, in, inOff, out, outOff, done, len);
        }
        wd.consumed((n1 & 0xffffffffL) | ((long) n2 << 32));
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
    private void polyInit(Scratch p, Window wd, int n0, int n1, int n2, int need) {
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
            int l = lane(wd, n0, n1, n2, 0, need, need);
            int[] w = wd.win;
            int n = vec.lanes();
            lo = (w[l] & 0xffffffffL) | ((long) w[n + l] << 32);
            hi = (w[2 * n + l] & 0xffffffffL) | ((long) w[3 * n + l] << 32);
            p.sLo = (w[4 * n + l] & 0xffffffffL) | ((long) w[5 * n + l] << 32);
            p.sHi = (w[6 * n + l] & 0xffffffffL) | ((long) w[7 * n + l] << 32);
        }
        p.setR(lo, hi);
    }

    /**
     * Vector keystream computed ahead for one key: {@code segs} segments, segment {@code s} holding blocks of nonce
     * {@code base + s} in lanes {@code [segLane[s], segLane[s + 1])} (from counter {@code ctr0} for segment 0, from 0
     * for the others); segments below {@code done} are used up (zeroed with the rest once all are, see
     * {@link #consumed}). Valid only for {@code owner} at
     * {@code epoch} (its key) and nonce word {@code n0}.
     */
    static final class Window {
        /** Sixteen words per lane, word-major ({@code win[lanes * w + lane]}); sized on first use. */
        int[] win;
        ChaCha20Poly1305 owner;
        int epoch, n0;
        long base;
        int ctr0, segs, done;
        final int[] segLane = new int[17];
        /** Block count of the owner's last message at an even / an odd nonce (0: none yet). */
        int needEven, needOdd;
        /** Last use, for picking the window to take over. */
        long used;

        /** The lane holding block {@code counter} of {@code nonce}, or -1. */
        int lane(long nonce, int counter) {
            long d = nonce - base;
            if (d < done || d >= segs) {
                return -1;
            }
            int s = (int) d;
            int from = s == 0 ? ctr0 : 0;
            int l = segLane[s] + counter - from;
            return counter >= from && l < segLane[s + 1] ? l : -1;
        }

        /**
         * Block count expected for the message at {@code next}, while the one at {@code nonce} (with {@code need}
         * blocks) is in progress: the last count seen at {@code next}'s parity (headers and payloads alternate), else 6
         * (a payload below 320 bytes) after a 2-block message (a header) and 2 otherwise.
         */
        int predict(long next, long nonce, int need) {
            if (((next ^ nonce) & 1) == 0) {
                return need;
            }
            int seen = (next & 1) == 0 ? needEven : needOdd;
            return seen != 0 ? seen : need == 2 ? 6 : 2;
        }

        /** Words 12 to 15 of lanes {@code [at, at + n)}: blocks {@code counter..} of nonce {@code (n0, nonce)}. */
        static void setLanes(int[] o, int lanes, int at, int n, int counter, int n0, long nonce) {
            int lo = (int) nonce;
            int hi = (int) (nonce >>> 32);
            for (int i = 0; i < n; i++) {
                o[12 * lanes + at + i] = counter + i;
                o[13 * lanes + at + i] = n0;
                o[14 * lanes + at + i] = lo;
                o[15 * lanes + at + i] = hi;
            }
        }

        /**
         * The message at {@code nonce} is done: its lanes and those of every earlier nonce are used up, and once no
         * lane is left the whole window is zeroed (one {@code Arrays.fill}). Zeroing each message's lanes right away,
         * sixteen short strided runs, cost ~10% of a 100-byte frame round trip (JFR); so a used lane's keystream
         * stays until the window's last lane is used, the next pass overwrites it, or an open fails, i.e. no longer
         * than the unused lanes of the next nonces next to it.
         */
        void consumed(long nonce) {
            long d = nonce - base;
            if (d < done || d >= segs) {
                return;
            }
            done = (int) d + 1;
            if (done == segs) {
                java.util.Arrays.fill(win, 0);
                segs = done = 0;
            }
        }

        /** Zeroes everything and forgets the owner (a failed open). */
        void release() {
            if (win != null) {
                java.util.Arrays.fill(win, 0);
            }
            owner = null;
            segs = done = 0;
        }
    }

    /**
     * Per-thread working state: the Poly1305 state of the message in progress, the scalar block, and two vector
     * windows (the keys of the last two messages, e.g. a connection's two directions, or a sender and a receiver) with
     * what they hold. One per thread instead of one per connection direction: an event loop serves many connections,
     * one message at a time.
     */
    static final class Scratch {
        /** The thread this scratch belongs to. */
        final Thread thread = Thread.currentThread();
        final int[] ks = new int[16];
        final byte[] pad = new byte[16];
        final Window w0 = new Window();
        final Window w1 = new Window();
        private long clock;
        // Poly1305 state for the message in progress, radix 2^64: clamped r = r0 + 2^64 r1, s1 = 5 * (r1 / 4),
        // accumulator h = h0 + 2^64 h1 + 2^128 h2 (h2 stays below 8), and the final addend s
        private long r0, r1, s1;
        private long h0, h1, h2;
        long sLo, sHi;

        /**
         * The window of {@code c}'s key (taking over the one used longer ago when {@code c} has none: the pass the
         * message's first lookup then runs overwrites all of it), with this message's block count noted for
         * {@link Window#predict}.
         */
        Window window(ChaCha20Poly1305 c, int n0, int n1, int n2, int need) {
            Window w;
            if (w0.owner == c && w0.epoch == c.epoch && w0.n0 == n0) {
                w = w0;
            } else if (w1.owner == c && w1.epoch == c.epoch && w1.n0 == n0) {
                w = w1;
            } else {
                w = w0.used <= w1.used ? w0 : w1;
                int size = 16 * c.vec.lanes();
                if (w.win == null || w.win.length != size) {
                    w.win = new int[size];
                }
                // no lane of the previous key's keystream outlives this call: with segs = 0 the message's first
                // lookup misses, and that pass overwrites every lane
                w.owner = c;
                w.epoch = c.epoch;
                w.n0 = n0;
                w.segs = w.done = 0;
                w.needEven = w.needOdd = 0;
            }
            w.used = ++clock;
            if ((n1 & 1) == 0) {
                w.needEven = need;
            } else {
                w.needOdd = need;
            }
            return w;
        }

        /** Releases (zeroes) the windows {@code c} owns. */
        void forget(ChaCha20Poly1305 c) {
            if (w0.owner == c) {
                w0.release();
            }
            if (w1.owner == c) {
                w1.release();
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

    /**
     * One pass of {@code v} with every lane at a different counter and nonce (the nonce's low word carrying into the
     * high word between lanes) against the scalar block function: the index of the first lane that differs, or -1.
     */
    static int firstWrongLane(Blocks v, byte[] key32) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key32, v);
        int lanes = v.lanes();
        int[] o = new int[16 * lanes];
        for (int l = 0; l < lanes; l++) {
            Window.setLanes(o, lanes, l, 1, 3 * l + 1, 0x01020304, 0xffff_fffcL + l);
        }
        v.blocks(c.k0, c.k1, c.k2, c.k3, c.k4, c.k5, c.k6, c.k7, o);
        int[] ref = new int[16];
        for (int l = 0; l < lanes; l++) {
            long nonce = 0xffff_fffcL + l;
            c.block(3 * l + 1, 0x01020304, (int) nonce, (int) (nonce >>> 32), ref);
            for (int w = 0; w < 16; w++) {
                if (o[lanes * w + l] != ref[w]) {
                    return l;
                }
            }
        }
        return -1;
    }

    // --- single primitives, for the RFC 8439 golden tests ---

    /** RFC 8439 2.3: one 64-byte ChaCha20 block, scalar ({@code vec} null) or from a vector pass. */
    static byte[] chacha20Block(Blocks vec, byte[] key32, int counter, byte[] nonce12) {
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
            Window w = p.window(c, n0, n1, n2, counter + 1);
            int l = c.lane(w, n0, n1, n2, counter, 1, counter + 1);
            for (int i = 0; i < 16; i++) {
                I32.set(out, 4 * i, w.win[vec.lanes() * i + l]);
            }
        }
        return out;
    }

    /** RFC 8439 2.4: ChaCha20 encryption from block {@code counter}. */
    static byte[] chacha20(Blocks vec, byte[] key32, int counter, byte[] nonce12, byte[] in) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key32, vec);
        byte[] out = new byte[in.length];
        int n0 = (int) I32.get(nonce12, 0), n1 = (int) I32.get(nonce12, 4), n2 = (int) I32.get(nonce12, 8);
        int need = counter + ((in.length + 63) >>> 6);
        Scratch p = new Scratch();
        c.xor(p, vec == null ? null : p.window(c, n0, n1, n2, need), n0, n1, n2, counter, need, in, 0, in.length,
                out, 0);
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
