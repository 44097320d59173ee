package org.hyperhash.sv2.noise;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * libsecp256k1 through Java FFM, using the shared object shipped inside
 * {@code fr.acinq.secp256k1:secp256k1-kmp-jni-jvm-linux:0.23.0} (its C API is exported alongside the JNI glue;
 * we call the C symbols directly because ACINQ's Java API has no EllSwift). The .so is pinned by SHA-256 and a
 * self-test over BIP324/BIP340 vector rows must pass before the provider is handed out.
 *
 * <p>All downcalls are {@linkplain Linker.Option#critical(boolean) critical} with heap access: arrays are
 * passed without copying to native memory, and the library never calls back into Java. The context is
 * created once, randomised, and only used through const-context functions, so it is shared by all threads.
 */
// Restricted FFM methods are the point of this class; the launcher passes --enable-native-access.
@SuppressWarnings("restricted")
final class NativeSecp256k1Provider implements Secp256k1Provider {
    /** Version of the ACINQ artifact whose .so we load (pinned in the parent pom). */
    static final String ARTIFACT_VERSION = "0.23.0";
    static final String NAME = "libsecp256k1-ffm (secp256k1-kmp-jni-jvm-linux " + ARTIFACT_VERSION + ")";

    private static final Map<String, String> PINNED_SHA256 = Map.of(
            "linux-x86_64", "25f0f0bfd3e4b202563f772963ea803f0f949e5593476d3cd4b755f800bf7704",
            "linux-aarch64", "4e9c780ba134d130799c5f2d15ba90bf9fb477b34fc78d0f5b55fee90a734e37");

    private static final int SECP256K1_CONTEXT_NONE = 1;
    private static final int SECP256K1_EC_COMPRESSED = (1 << 1) | (1 << 8);
    private static final byte[] EXTRAPARAMS_MAGIC = {(byte) 0xda, (byte) 0x6f, (byte) 0xb3, (byte) 0x8c};

    private final MemorySegment ctx;
    private final MemorySegment bip324HashFunction;
    private final MethodHandle ellswiftCreate;
    private final MethodHandle ellswiftDecode;
    private final MethodHandle pubkeySerialize;
    private final MethodHandle ellswiftXdh;
    private final MethodHandle keypairCreate;
    private final MethodHandle keypairXonlyPub;
    private final MethodHandle xonlySerialize;
    private final MethodHandle xonlyParse;
    private final MethodHandle sign32;
    private final MethodHandle signCustom;
    private final MethodHandle verify;

    private NativeSecp256k1Provider(SymbolLookup lib) throws Throwable {
        Linker linker = Linker.nativeLinker();
        Linker.Option critical = Linker.Option.critical(true);
        MethodHandle contextCreate = linker.downcallHandle(find(lib, "secp256k1_context_create"),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
        MethodHandle contextRandomize = linker.downcallHandle(find(lib, "secp256k1_context_randomize"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), critical);
        MethodHandle selftest = linker.downcallHandle(find(lib, "secp256k1_selftest"), FunctionDescriptor.ofVoid());
        ellswiftCreate = linker.downcallHandle(find(lib, "secp256k1_ellswift_create"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS), critical);
        ellswiftDecode = linker.downcallHandle(find(lib, "secp256k1_ellswift_decode"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), critical);
        pubkeySerialize = linker.downcallHandle(find(lib, "secp256k1_ec_pubkey_serialize"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT), critical);
        ellswiftXdh = linker.downcallHandle(find(lib, "secp256k1_ellswift_xdh"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS,
                        ADDRESS), critical);
        keypairCreate = linker.downcallHandle(find(lib, "secp256k1_keypair_create"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), critical);
        keypairXonlyPub = linker.downcallHandle(find(lib, "secp256k1_keypair_xonly_pub"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS), critical);
        xonlySerialize = linker.downcallHandle(find(lib, "secp256k1_xonly_pubkey_serialize"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), critical);
        xonlyParse = linker.downcallHandle(find(lib, "secp256k1_xonly_pubkey_parse"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS), critical);
        sign32 = linker.downcallHandle(find(lib, "secp256k1_schnorrsig_sign32"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS), critical);
        // sign_custom receives a struct holding a pointer: native memory only, so not critical-with-heap.
        signCustom = linker.downcallHandle(find(lib, "secp256k1_schnorrsig_sign_custom"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
        verify = linker.downcallHandle(find(lib, "secp256k1_schnorrsig_verify"),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), critical);
        // secp256k1_ellswift_xdh_hash_function_bip324 is a data symbol holding the function pointer.
        bip324HashFunction = find(lib, "secp256k1_ellswift_xdh_hash_function_bip324")
                .reinterpret(ADDRESS.byteSize()).get(ADDRESS, 0);

        selftest.invokeExact();
        ctx = (MemorySegment) contextCreate.invokeExact(SECP256K1_CONTEXT_NONE);
        if (ctx.equals(MemorySegment.NULL)) {
            throw new IllegalStateException("secp256k1_context_create returned NULL");
        }
        byte[] seed = Hashes.random32();
        int ok = (int) contextRandomize.invokeExact(ctx, MemorySegment.ofArray(seed));
        Secp256k1Keys.wipe(seed);
        if (ok != 1) {
            throw new IllegalStateException("secp256k1_context_randomize failed");
        }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " not exported"));
    }

    /**
     * Extracts the pinned .so for this platform into the private native directory ({@link NativeDir}, never /tmp,
     * which is often mounted noexec), loads it and runs the self-test.
     *
     * @throws Exception with a one-line reason when the provider cannot be used
     */
    static NativeSecp256k1Provider load() throws Throwable {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            throw new IllegalStateException("bundled libsecp256k1 is for Linux only (os.name=" + os + ")");
        }
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "linux-x86_64";
            case "aarch64", "arm64" -> "linux-aarch64";
            default -> throw new IllegalStateException("no bundled libsecp256k1 for os.arch="
                    + System.getProperty("os.arch"));
        };
        String resource = "fr/acinq/secp256k1/jni/native/" + arch + "/libsecp256k1-jni.so";
        byte[] so;
        try (InputStream in = NativeSecp256k1Provider.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource
                        + " not on the class path (secp256k1-kmp-jni-jvm-linux missing)");
            }
            so = in.readAllBytes();
        }
        String pinned = PINNED_SHA256.get(arch);
        String name = "libsecp256k1-" + pinned.substring(0, 16) + ".so";
        // a file of that name byte-identical to the resource was written by an earlier start after the check below:
        // comparing bytes instead of hashing both (1.8 MB each, in the interpreter at this point) saved 0.2-0.4 s of a
        // start's CPU (issue 19, storm during a restart; bench/README.md "Translator start-up CPU")
        Path file = NativeDir.installed(so, name);
        if (file == null) {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(so));
            if (!sha.equals(pinned)) {
                throw new IllegalStateException("unexpected libsecp256k1 build (sha256 " + sha + "); expected the one from "
                        + "secp256k1-kmp-jni-jvm-linux " + ARTIFACT_VERSION);
            }
            file = NativeDir.install(so, name, sha);
        }
        SymbolLookup lib = SymbolLookup.libraryLookup(file, Arena.global());
        NativeSecp256k1Provider p = new NativeSecp256k1Provider(lib);
        SelfTest.run(p);
        return p;
    }

    @Override
    public String name() {
        return NAME;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native secp256k1 call failed", t);
    }

    @Override
    public byte[] ellswiftCreate(byte[] secretKey32, byte[] auxRand32) {
        Secp256k1Keys.requireSecret(secretKey32);
        if (auxRand32 != null) {
            Secp256k1Keys.requireLength(auxRand32, 32, "auxRand32");
        }
        byte[] aux = auxRand32 != null ? auxRand32 : Hashes.random32();
        byte[] out = new byte[64];
        int ok;
        try {
            ok = (int) ellswiftCreate.invokeExact(ctx, MemorySegment.ofArray(out), MemorySegment.ofArray(secretKey32),
                    MemorySegment.ofArray(aux));
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ok != 1) {
            throw new IllegalArgumentException("secp256k1_ellswift_create rejected the secret key");
        }
        return out;
    }

    @Override
    public byte[] ellswiftDecode(byte[] ellswift64) {
        Secp256k1Keys.requireLength(ellswift64, 64, "ellswift64");
        byte[] pubkey = new byte[64];
        byte[] ser = new byte[33];
        long[] serLen = {33};
        try {
            int ok = (int) ellswiftDecode.invokeExact(ctx, MemorySegment.ofArray(pubkey),
                    MemorySegment.ofArray(ellswift64));
            if (ok != 1) {
                throw new IllegalStateException("secp256k1_ellswift_decode failed");
            }
            ok = (int) pubkeySerialize.invokeExact(ctx, MemorySegment.ofArray(ser), MemorySegment.ofArray(serLen),
                    MemorySegment.ofArray(pubkey), SECP256K1_EC_COMPRESSED);
            if (ok != 1 || serLen[0] != 33) {
                throw new IllegalStateException("secp256k1_ec_pubkey_serialize failed");
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
        byte[] x = new byte[32];
        System.arraycopy(ser, 1, x, 0, 32);
        return x;
    }

    @Override
    public byte[] ellswiftXdh(byte[] ellswiftInitiator64, byte[] ellswiftResponder64, byte[] secretKey32,
                              boolean initiating) {
        Secp256k1Keys.requireLength(ellswiftInitiator64, 64, "ellswiftInitiator64");
        Secp256k1Keys.requireLength(ellswiftResponder64, 64, "ellswiftResponder64");
        Secp256k1Keys.requireSecret(secretKey32);
        byte[] out = new byte[32];
        int ok;
        try {
            ok = (int) ellswiftXdh.invokeExact(ctx, MemorySegment.ofArray(out),
                    MemorySegment.ofArray(ellswiftInitiator64), MemorySegment.ofArray(ellswiftResponder64),
                    MemorySegment.ofArray(secretKey32), initiating ? 0 : 1, bip324HashFunction, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (ok != 1) {
            throw new IllegalArgumentException("secp256k1_ellswift_xdh failed");
        }
        return out;
    }

    private byte[] keypair(byte[] secretKey32) throws Throwable {
        Secp256k1Keys.requireSecret(secretKey32);
        byte[] kp = new byte[96];
        int ok = (int) keypairCreate.invokeExact(ctx, MemorySegment.ofArray(kp), MemorySegment.ofArray(secretKey32));
        if (ok != 1) {
            throw new IllegalArgumentException("secp256k1_keypair_create rejected the secret key");
        }
        return kp;
    }

    @Override
    public byte[] xonlyPublicKey(byte[] secretKey32) {
        byte[] kp = null;
        try {
            kp = keypair(secretKey32);
            byte[] xonly = new byte[64];
            int ok = (int) keypairXonlyPub.invokeExact(ctx, MemorySegment.ofArray(xonly), MemorySegment.NULL,
                    MemorySegment.ofArray(kp));
            byte[] out = new byte[32];
            ok &= (int) xonlySerialize.invokeExact(ctx, MemorySegment.ofArray(out), MemorySegment.ofArray(xonly));
            if (ok != 1) {
                throw new IllegalStateException("x-only public key derivation failed");
            }
            return out;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Secp256k1Keys.wipe(kp);
        }
    }

    @Override
    public byte[] signSchnorr(byte[] message, byte[] secretKey32, byte[] auxRand32) {
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        if (auxRand32 != null) {
            Secp256k1Keys.requireLength(auxRand32, 32, "auxRand32");
        }
        byte[] aux = auxRand32 != null ? auxRand32 : Hashes.random32();
        byte[] kp = null;
        byte[] sig = new byte[64];
        try {
            kp = keypair(secretKey32);
            int ok;
            if (message.length == 32) {
                ok = (int) sign32.invokeExact(ctx, MemorySegment.ofArray(sig), MemorySegment.ofArray(message),
                        MemorySegment.ofArray(kp), MemorySegment.ofArray(aux));
            } else {
                ok = signCustomNative(sig, message, kp, aux);
            }
            if (ok != 1) {
                throw new IllegalStateException("secp256k1_schnorrsig_sign failed");
            }
            return sig;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            Secp256k1Keys.wipe(kp);
        }
    }

    private int signCustomNative(byte[] sig, byte[] message, byte[] kp, byte[] aux) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nSig = arena.allocate(64);
            MemorySegment nMsg = arena.allocate(Math.max(1, message.length));
            MemorySegment.copy(message, 0, nMsg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, message.length);
            MemorySegment nKp = arena.allocate(96);
            MemorySegment.copy(kp, 0, nKp, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, 96);
            MemorySegment nAux = arena.allocate(32);
            MemorySegment.copy(aux, 0, nAux, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, 32);
            // struct { unsigned char magic[4]; nonce_function_hardened noncefp; void *ndata; }
            MemorySegment params = arena.allocate(24, 8);
            MemorySegment.copy(EXTRAPARAMS_MAGIC, 0, params, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, 4);
            params.set(ADDRESS, 8, MemorySegment.NULL);
            params.set(ADDRESS, 16, nAux);
            int ok = (int) signCustom.invokeExact(ctx, nSig, nMsg, (long) message.length, nKp, params);
            MemorySegment.copy(nSig, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, sig, 0, 64);
            nKp.fill((byte) 0);
            return ok;
        }
    }

    @Override
    public boolean verifySchnorr(byte[] signature64, byte[] message, byte[] xonlyPublicKey32) {
        Secp256k1Keys.requireLength(signature64, 64, "signature64");
        Secp256k1Keys.requireLength(xonlyPublicKey32, 32, "xonlyPublicKey32");
        if (message == null) {
            throw new IllegalArgumentException("message must not be null");
        }
        byte[] xonly = new byte[64];
        try {
            int ok = (int) xonlyParse.invokeExact(ctx, MemorySegment.ofArray(xonly),
                    MemorySegment.ofArray(xonlyPublicKey32));
            if (ok != 1) {
                return false;
            }
            ok = (int) verify.invokeExact(ctx, MemorySegment.ofArray(signature64), MemorySegment.ofArray(message),
                    (long) message.length, MemorySegment.ofArray(xonly));
            return ok == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @Override
    public String toString() {
        return NAME;
    }
}
