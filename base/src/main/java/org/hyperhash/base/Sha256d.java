package org.hyperhash.base;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Double SHA-256 over the JCA {@code SHA-256} digest (JDK intrinsics; ~1.6x BouncyCastle, see
 * dependencies.md). An instance is NOT thread-safe: keep one per owner thread (per channel, per
 * event loop) or use {@link #threadLocal()}. All instance methods that write into caller buffers
 * allocate nothing.
 *
 * <p>Midstate: {@link #midstate(byte[], int, int)} feeds a fixed prefix once; {@link
 * #finish(Midstate, byte[], int, int, byte[], int)} clones that state (one small allocation) and
 * hashes only the tail. For an 80-byte header whose first 64 bytes are fixed this saves one of
 * the three compressions. The clone is kept on purpose: copying eight state words into a pure-Java
 * compression was measured 2.2x slower per header than clone + JDK SHA-NI intrinsic (bench/README.md).
 */
@HotPath
public final class Sha256d {
    private static final ThreadLocal<Sha256d> LOCAL = ThreadLocal.withInitial(Sha256d::new);

    private final MessageDigest md;
    private final byte[] inner = new byte[32];

    public Sha256d() {
        md = newSha256();
    }

    /** The calling thread's instance (for cold paths and code without its own instance). */
    public static Sha256d threadLocal() {
        return LOCAL.get();
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }

    /** Single SHA-256 (allocates the result). */
    public static byte[] sha256(byte[] data) {
        return newSha256().digest(data);
    }

    /** SHA256d of {@code data} as a new array (convenience, thread-local instance). */
    public static byte[] hash(byte[] data) {
        byte[] out = new byte[32];
        threadLocal().hash(data, 0, data.length, out, 0);
        return out;
    }

    /** SHA256d as a {@link Hash256} in internal (wire) order. */
    public static Hash256 of(byte[] data) {
        return Hash256.wrap(hash(data));
    }

    public static Hash256 of(Bytes data) {
        return of(data.unsafeArray());
    }

    /** SHA256d of {@code in[off, off+len)} written to {@code out[outOff, outOff+32)}. */
    public void hash(byte[] in, int off, int len, byte[] out, int outOff) {
        md.update(in, off, len);
        finishInto(md, out, outOff);
    }

    /** Streaming: feed bytes (then {@link #digestInto}). Lets callers hash concatenations without copying. */
    public Sha256d update(byte[] in, int off, int len) {
        md.update(in, off, len);
        return this;
    }

    public Sha256d update(byte[] in) {
        md.update(in, 0, in.length);
        return this;
    }

    /** Completes a streaming hash started with {@link #update}; the instance is then reset. */
    public void digestInto(byte[] out, int outOff) {
        finishInto(md, out, outOff);
    }

    /** Discards anything fed with {@link #update}. */
    public void reset() {
        md.reset();
    }

    /** SHA256d(a[0..32) || b[0..32)) into out (merkle node). */
    public void hashPair(byte[] a, int aOff, byte[] b, int bOff, byte[] out, int outOff) {
        md.update(a, aOff, 32);
        md.update(b, bOff, 32);
        finishInto(md, out, outOff);
    }

    /** Captures SHA-256 state after {@code prefix[off, off+len)}. */
    public Midstate midstate(byte[] prefix, int off, int len) {
        MessageDigest m = newSha256();
        m.update(prefix, off, len);
        return new Midstate(m, len);
    }

    /** SHA256d(prefix || tail) using a midstate taken over the prefix. */
    public void finish(Midstate ms, byte[] tail, int off, int len, byte[] out, int outOff) {
        MessageDigest c;
        try {
            c = (MessageDigest) ms.state.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 provider does not support clone", e);
        }
        c.update(tail, off, len);
        try {
            c.digest(inner, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        md.update(inner, 0, 32);
        try {
            md.digest(out, outOff, 32);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    private void finishInto(MessageDigest first, byte[] out, int outOff) {
        try {
            first.digest(inner, 0, 32);
            md.update(inner, 0, 32);
            md.digest(out, outOff, 32);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 state after a fixed prefix. Immutable once built; may be shared by one owner thread. */
    public static final class Midstate {
        private final MessageDigest state;
        private final int prefixLength;

        private Midstate(MessageDigest state, int prefixLength) {
            this.state = state;
            this.prefixLength = prefixLength;
        }

        public int prefixLength() {
            return prefixLength;
        }
    }
}
