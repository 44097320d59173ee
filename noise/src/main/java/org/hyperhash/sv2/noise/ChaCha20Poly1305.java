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
 */
@HotPath
final class ChaCha20Poly1305 implements Aead {
    static final int TAG_LEN = 16;
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long M26 = 0x3ffffffL;
    private static final byte[] ZERO16 = new byte[16];

    private int k0, k1, k2, k3, k4, k5, k6, k7;
    private final int[] ks = new int[16];
    private final byte[] pad = new byte[16];
    // Poly1305 state for the message in progress: r limbs, 5*r, accumulator, s
    private long r0, r1, r2, r3, r4, s1, s2, s3, s4;
    private long h0, h1, h2, h3, h4;
    private long sLo, sHi;

    ChaCha20Poly1305(byte[] key32) {
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
    }

    /** Writes {@code len} ciphertext bytes and the 16-byte tag to {@code out[outOff..]}. */
    @Override
    public void seal(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        polyInit(n0, n1, n2);
        xor(n0, n1, n2, 1, in, inOff, len, out, outOff);
        if (ad != null) {
            polyPadded(ad, 0, ad.length);
        }
        polyPadded(out, outOff, len);
        polyLengths(ad == null ? 0 : ad.length, len);
        polyFinish(out, outOff + len);
    }

    /**
     * Verifies the tag over {@code in[inOff, inOff+len)} (ciphertext then tag) and only then writes
     * {@code len - 16} plaintext bytes to {@code out}; returns false (nothing written) on a bad tag.
     */
    @Override
    public boolean open(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        int ctLen = len - TAG_LEN;
        polyInit(n0, n1, n2);
        if (ad != null) {
            polyPadded(ad, 0, ad.length);
        }
        polyPadded(in, inOff, ctLen);
        polyLengths(ad == null ? 0 : ad.length, ctLen);
        polyFinish(pad, 0);
        long diff = ((long) I64.get(pad, 0) ^ (long) I64.get(in, inOff + ctLen))
                | ((long) I64.get(pad, 8) ^ (long) I64.get(in, inOff + ctLen + 8));
        clearPoly();
        if (diff != 0) {
            return false;
        }
        xor(n0, n1, n2, 1, in, inOff, ctLen, out, outOff);
        return true;
    }

    /** ChaCha20 block for (key, counter, nonce) into {@link #ks}. */
    private void block(int counter, int n0, int n1, int n2) {
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
        int[] o = ks;
        o[0] = x0 + 0x61707865; o[1] = x1 + 0x3320646e; o[2] = x2 + 0x79622d32; o[3] = x3 + 0x6b206574;
        o[4] = x4 + k0; o[5] = x5 + k1; o[6] = x6 + k2; o[7] = x7 + k3;
        o[8] = x8 + k4; o[9] = x9 + k5; o[10] = x10 + k6; o[11] = x11 + k7;
        o[12] = x12 + counter; o[13] = x13 + n0; o[14] = x14 + n1; o[15] = x15 + n2;
    }

    /** ChaCha20 keystream from block {@code counter} XORed over {@code len} bytes. */
    private void xor(int n0, int n1, int n2, int counter, byte[] in, int inOff, int len, byte[] out, int outOff) {
        int[] k = ks;
        int done = 0;
        while (len - done >= 64) {
            block(counter++, n0, n1, n2);
            for (int j = 0; j < 16; j++) {
                int at = done + 4 * j;
                I32.set(out, outOff + at, (int) I32.get(in, inOff + at) ^ k[j]);
            }
            done += 64;
        }
        if (done < len) {
            block(counter, n0, n1, n2);
            int j = 0;
            for (; done + 4 <= len; done += 4, j++) {
                I32.set(out, outOff + done, (int) I32.get(in, inOff + done) ^ k[j]);
            }
            for (int b = 0; done < len; done++, b += 8) {
                out[outOff + done] = (byte) (in[inOff + done] ^ (k[j] >>> b));
            }
        }
        java.util.Arrays.fill(k, 0);
    }

    /** Poly1305 one-time key from ChaCha20 block 0 (RFC 8439 2.6); clamps r. */
    private void polyInit(int n0, int n1, int n2) {
        block(0, n0, n1, n2);
        int[] k = ks;
        long lo = (k[0] & 0xffffffffL) | ((long) k[1] << 32);
        long hi = (k[2] & 0xffffffffL) | ((long) k[3] << 32);
        sLo = (k[4] & 0xffffffffL) | ((long) k[5] << 32);
        sHi = (k[6] & 0xffffffffL) | ((long) k[7] << 32);
        java.util.Arrays.fill(k, 0);
        setR(lo, hi);
    }

    private void setR(long lo, long hi) {
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
    private void polyPadded(byte[] m, int off, int len) {
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

    private void polyLengths(long adLen, long ctLen) {
        I64.set(pad, 0, adLen);
        I64.set(pad, 8, ctLen);
        polyBlocks(pad, 0, 16, 1L << 24);
    }

    /** Poly1305 over whole 16-byte blocks; {@code hibit} is 2^128 in limb 4 (0 only for a padded final block). */
    private void polyBlocks(byte[] m, int off, int len, long hibit) {
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
    private void polyFinish(byte[] out, int outOff) {
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

    private void clearPoly() {
        r0 = r1 = r2 = r3 = r4 = s1 = s2 = s3 = s4 = 0;
        h0 = h1 = h2 = h3 = h4 = 0;
        sLo = sHi = 0;
    }

    // --- single primitives, for the RFC 8439 golden tests ---

    /** RFC 8439 2.3: one 64-byte ChaCha20 block. */
    static byte[] chacha20Block(byte[] key32, int counter, byte[] nonce12) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key32);
        c.block(counter, (int) I32.get(nonce12, 0), (int) I32.get(nonce12, 4), (int) I32.get(nonce12, 8));
        byte[] out = new byte[64];
        for (int i = 0; i < 16; i++) {
            I32.set(out, 4 * i, c.ks[i]);
        }
        return out;
    }

    /** RFC 8439 2.4: ChaCha20 encryption from block {@code counter}. */
    static byte[] chacha20(byte[] key32, int counter, byte[] nonce12, byte[] in) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(key32);
        byte[] out = new byte[in.length];
        c.xor((int) I32.get(nonce12, 0), (int) I32.get(nonce12, 4), (int) I32.get(nonce12, 8), counter,
                in, 0, in.length, out, 0);
        return out;
    }

    /** RFC 8439 2.5: Poly1305 MAC of any-length {@code msg} under a 32-byte one-time key. */
    static byte[] poly1305(byte[] key32, byte[] msg) {
        ChaCha20Poly1305 c = new ChaCha20Poly1305(new byte[32]);
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
