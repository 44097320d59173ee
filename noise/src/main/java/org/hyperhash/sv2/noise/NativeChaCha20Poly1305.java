package org.hyperhash.sv2.noise;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.hyperhash.base.HotPath;

/**
 * ChaCha20-Poly1305 (RFC 8439) from the operating system's OpenSSL 3 {@code libcrypto.so.3}, called through FFM
 * ({@code java.lang.foreign}). Chosen by {@link AeadProviders} when the library loads and passes the RFC 8439
 * self-test; the pure-Java {@link ChaCha20Poly1305} is the fallback.
 *
 * <p>Cost per message on 100-byte frames is what matters (an SV2 frame is two AEAD messages), so:
 * <ul>
 * <li>the downcalls are {@linkplain Linker.Option#critical(boolean) critical with heap access}: Java
 *     {@code byte[]} are passed to OpenSSL as they are (no copy into native memory, no thread-state
 *     transition); every call is short and never calls back into Java;</li>
 * <li>one {@code EVP_CIPHER_CTX} per thread (an event loop serves many connections), created once with the
 *     cipher and re-initialised per message with the connection's key and nonce only
 *     ({@code EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc)}): nothing is allocated per message or per
 *     connection, and no native memory grows with connections. A thread's context is freed by a
 *     {@link Cleaner} once the thread is gone.</li>
 * </ul>
 * Seal: init, AAD update, update, final, GET_TAG: 4-5 downcalls. Open: init, SET_TAG, AAD, update, final. OpenSSL
 * writes the plaintext before its final tag check, so {@code open} decrypts into the thread's scratch array and copies
 * the plaintext out only once the tag matched: a bad tag leaves the output untouched, as the pure-Java path does.
 */
@HotPath
final class NativeChaCha20Poly1305 {
    static final int TAG_LEN = 16;
    private static final int EVP_CTRL_AEAD_GET_TAG = 0x10;
    private static final int EVP_CTRL_AEAD_SET_TAG = 0x11;
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "hh-aead-cleaner");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final MethodHandle cipherInit;
    private final MethodHandle cipherUpdate;
    private final MethodHandle cipherFinal;
    private final MethodHandle ctrl;
    private final MethodHandle ctxNew;
    private final MethodHandle ctxFree;
    private final MemorySegment cipher;
    private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(this::newPerThread);

    /** A thread's OpenSSL context and scratch; the context is freed when this holder is unreachable. */
    private static final class PerThread {
        final MemorySegment ctx;
        final byte[] iv = new byte[12];
        final int[] outl = new int[1];
        byte[] scratch = new byte[512]; // plaintext before its tag is checked; grows to the largest message seen

        PerThread(MemorySegment ctx) {
            this.ctx = ctx;
        }
    }

    private NativeChaCha20Poly1305(SymbolLookup lib) throws Throwable {
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        ValueLayout.OfInt i = ValueLayout.JAVA_INT;
        var a = ValueLayout.ADDRESS;
        MethodHandle fetchCipher = linker.downcallHandle(find(lib, "EVP_chacha20_poly1305"), FunctionDescriptor.of(a));
        MethodHandle version = linker.downcallHandle(find(lib, "OpenSSL_version"), FunctionDescriptor.of(a, i));
        ctxNew = linker.downcallHandle(find(lib, "EVP_CIPHER_CTX_new"), FunctionDescriptor.of(a));
        ctxFree = linker.downcallHandle(find(lib, "EVP_CIPHER_CTX_free"), FunctionDescriptor.ofVoid(a));
        cipherInit = linker.downcallHandle(find(lib, "EVP_CipherInit_ex"), FunctionDescriptor.of(i, a, a, a, a, a, i), critical);
        cipherUpdate = linker.downcallHandle(find(lib, "EVP_CipherUpdate"), FunctionDescriptor.of(i, a, a, a, a, i), critical);
        cipherFinal = linker.downcallHandle(find(lib, "EVP_CipherFinal_ex"), FunctionDescriptor.of(i, a, a, a), critical);
        ctrl = linker.downcallHandle(find(lib, "EVP_CIPHER_CTX_ctrl"), FunctionDescriptor.of(i, a, i, i, a), critical);
        cipher = (MemorySegment) fetchCipher.invokeExact();
        if (cipher.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("EVP_chacha20_poly1305() returned NULL");
        }
        MemorySegment v = ((MemorySegment) version.invokeExact(0)).reinterpret(256);
        name = "openssl " + v.getString(0).replaceFirst("^OpenSSL ", "") + " (libcrypto via FFM)";
    }

    /** Loads libcrypto.so.3 (or {@code library}) and runs the RFC 8439 self-test; throws when unusable. */
    static NativeChaCha20Poly1305 load(String library) throws Throwable {
        SymbolLookup lib = SymbolLookup.libraryLookup(library, Arena.global());
        NativeChaCha20Poly1305 n = new NativeChaCha20Poly1305(lib);
        n.selfTest();
        return n;
    }

    private static MemorySegment find(SymbolLookup lib, String symbol) {
        return lib.find(symbol).orElseThrow(() -> new IllegalStateException("libcrypto has no " + symbol));
    }

    String name() {
        return name;
    }

    private PerThread newPerThread() {
        MemorySegment ctx;
        int ok;
        try {
            ctx = (MemorySegment) ctxNew.invokeExact();
            if (ctx.equals(MemorySegment.NULL)) {
                throw new IllegalStateException("EVP_CIPHER_CTX_new failed");
            }
            ok = (int) cipherInit.invokeExact(ctx, cipher, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, 1);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ok != 1) {
            throw new IllegalStateException("EVP_CipherInit_ex(chacha20-poly1305) failed");
        }
        PerThread p = new PerThread(ctx);
        MethodHandle free = ctxFree;
        long address = ctx.address();
        CLEANER.register(p, () -> {
            try {
                free.invokeExact(MemorySegment.ofAddress(address));
            } catch (Throwable ignored) {
                // nothing to do at thread death
            }
        });
        return p;
    }

    /**
     * Writes {@code len} ciphertext bytes and the 16-byte tag to {@code out[outOff..]}; the 12-byte nonce is the
     * little-endian words n0, n1, n2 (Noise: 0, then the 64-bit counter), as {@link ChaCha20Poly1305}. {@code ad} may be null.
     */
    void seal(byte[] key, int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        PerThread p = perThread.get();
        if (partialOverlap(in, inOff, out, outOff, len)) {
            in = Arrays.copyOfRange(in, inOff, inOff + len);
            inOff = 0;
        }
        byte[] iv = p.iv;
        I32.set(iv, 0, n0);
        I32.set(iv, 4, n1);
        I32.set(iv, 8, n2);
        MemorySegment ctx = p.ctx;
        MemorySegment outl = MemorySegment.ofArray(p.outl);
        try {
            check((int) cipherInit.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.ofArray(key),
                    MemorySegment.ofArray(iv), 1), "EVP_CipherInit_ex");
            if (ad != null && ad.length > 0) {
                check((int) cipherUpdate.invokeExact(ctx, MemorySegment.NULL, outl, MemorySegment.ofArray(ad), ad.length),
                        "EVP_CipherUpdate(aad)");
            }
            MemorySegment o = MemorySegment.ofArray(out);
            if (len > 0) {
                check((int) cipherUpdate.invokeExact(ctx, o.asSlice(outOff, len), outl,
                        MemorySegment.ofArray(in).asSlice(inOff, len), len), "EVP_CipherUpdate");
            }
            check((int) cipherFinal.invokeExact(ctx, o.asSlice(outOff + len), outl), "EVP_CipherFinal_ex");
            check((int) ctrl.invokeExact(ctx, EVP_CTRL_AEAD_GET_TAG, TAG_LEN, o.asSlice(outOff + len, TAG_LEN)),
                    "EVP_CTRL_AEAD_GET_TAG");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Checks the tag over {@code in[inOff, inOff+len)} (ciphertext then tag) and writes {@code len - 16} plaintext
     * bytes to {@code out}; false on a bad tag (the plaintext written is zeroed).
     */
    boolean open(byte[] key, int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        PerThread p = perThread.get();
        int ctLen = len - TAG_LEN;
        byte[] scratch = p.scratch;
        if (scratch.length < ctLen) {
            scratch = p.scratch = new byte[Math.max(ctLen, 2 * scratch.length)];
        }
        byte[] iv = p.iv;
        I32.set(iv, 0, n0);
        I32.set(iv, 4, n1);
        I32.set(iv, 8, n2);
        MemorySegment ctx = p.ctx;
        MemorySegment outl = MemorySegment.ofArray(p.outl);
        MemorySegment src = MemorySegment.ofArray(in);
        MemorySegment tmp = MemorySegment.ofArray(scratch);
        int ok;
        try {
            check((int) cipherInit.invokeExact(ctx, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.ofArray(key),
                    MemorySegment.ofArray(iv), 0), "EVP_CipherInit_ex");
            check((int) ctrl.invokeExact(ctx, EVP_CTRL_AEAD_SET_TAG, TAG_LEN, src.asSlice(inOff + ctLen, TAG_LEN)),
                    "EVP_CTRL_AEAD_SET_TAG");
            if (ad != null && ad.length > 0) {
                check((int) cipherUpdate.invokeExact(ctx, MemorySegment.NULL, outl, MemorySegment.ofArray(ad), ad.length),
                        "EVP_CipherUpdate(aad)");
            }
            if (ctLen > 0) {
                check((int) cipherUpdate.invokeExact(ctx, tmp, outl, src.asSlice(inOff, ctLen), ctLen), "EVP_CipherUpdate");
            }
            ok = (int) cipherFinal.invokeExact(ctx, tmp.asSlice(ctLen), outl);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ok != 1) {
            return false;
        }
        System.arraycopy(scratch, 0, out, outOff, ctLen);
        return true;
    }

    /**
     * This implementation bound to a key array (one per {@link CipherState}, 16 bytes of heap, no native memory). The
     * array is used as it is, not copied: the caller owns it, and {@link Keyed#setKey} copies a new key into it.
     */
    Keyed keyed(byte[] key32) {
        if (key32.length != 32) {
            throw new IllegalArgumentException("key must be 32 bytes, got " + key32.length);
        }
        return new Keyed(this, key32);
    }

    static final class Keyed implements Aead {
        private final NativeChaCha20Poly1305 impl;
        private final byte[] key;

        Keyed(NativeChaCha20Poly1305 impl, byte[] key32) {
            this.impl = impl;
            this.key = key32;
        }

        @Override
        public void setKey(byte[] key32) {
            if (key32 != key) {
                System.arraycopy(key32, 0, key, 0, 32);
            }
        }

        @Override
        public void seal(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
            impl.seal(key, n0, n1, n2, ad, in, inOff, len, out, outOff);
        }

        @Override
        public boolean open(int n0, int n1, int n2, byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
            return impl.open(key, n0, n1, n2, ad, in, inOff, len, out, outOff);
        }

        /**
         * Zeroes the key array (the owning {@link CipherState}'s). The thread's OpenSSL context still holds the key
         * schedule of the last key it was initialised with until its next use: one key per thread, not per connection.
         */
        @Override
        public void destroy() {
            Arrays.fill(key, (byte) 0);
        }
    }

    /** OpenSSL's stream cipher writes forwards: in place is fine; any other overlap of the same array is copied first. */
    private static boolean partialOverlap(byte[] in, int inOff, byte[] out, int outOff, int len) {
        return in == out && outOff != inOff && outOff < inOff + len && inOff < outOff + len + TAG_LEN;
    }

    private static void check(int rc, String what) {
        if (rc != 1) {
            throw new IllegalStateException(what + " failed (libcrypto returned " + rc + ")");
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("libcrypto call failed", t);
    }

    /**
     * RFC 8439 section 2.8.2: the tag and the ciphertext's first and last bytes, the whole output equal to the pure-Java
     * implementation's, open restores the plaintext, and a flipped tag bit is refused; throws when any differs.
     */
    void selfTest() {
        byte[] key = hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        int n0 = 7, n1 = 0x43424140, n2 = 0x47464544; // nonce 07000000 4041424344454647
        byte[] ad = hex("50515253c0c1c2c3c4c5c6c7");
        byte[] pt = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
                + " sunscreen would be it.").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] mine = new byte[pt.length + TAG_LEN];
        seal(key, n0, n1, n2, ad, pt, 0, pt.length, mine, 0);
        byte[] ref = new byte[pt.length + TAG_LEN];
        new ChaCha20Poly1305(key, null).seal(n0, n1, n2, ad, pt, 0, pt.length, ref, 0); // scalar reference
        if (!Arrays.equals(mine, 0, 16, hex("d31a8d34648e60db7b86afbc53ef7ec2"), 0, 16)
                || !Arrays.equals(mine, pt.length - 2, pt.length, hex("6116"), 0, 2)
                || !Arrays.equals(mine, pt.length, mine.length, hex("1ae10b594f09e26a7e902ecbd0600691"), 0, 16)
                || !Arrays.equals(mine, ref)) {
            throw new IllegalStateException("self-test: libcrypto ChaCha20-Poly1305 differs from RFC 8439 2.8.2");
        }
        byte[] back = new byte[pt.length];
        if (!open(key, n0, n1, n2, ad, mine, 0, mine.length, back, 0) || !Arrays.equals(back, pt)) {
            throw new IllegalStateException("self-test: libcrypto ChaCha20-Poly1305 open failed");
        }
        mine[mine.length - 1] ^= 1;
        if (open(key, n0, n1, n2, ad, mine, 0, mine.length, back, 0)) {
            throw new IllegalStateException("self-test: libcrypto ChaCha20-Poly1305 accepted a bad tag");
        }
    }

    static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s, 2 * i, 2 * i + 2, 16);
        }
        return b;
    }
}
