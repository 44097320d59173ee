package org.hyperhash.sv2.noise;

import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the ChaCha20-Poly1305 implementation of every {@link CipherState} in this process, once: OpenSSL's
 * ({@code libcrypto.so.3} of the operating system, through FFM) when it loads and passes its RFC 8439 self-test,
 * else the pure-Java one. The system property {@value #PROPERTY} ({@code auto} default, {@code pure},
 * {@code native}), or the environment variable {@value #ENV}, overrides the choice; {@code native} fails instead of
 * falling back. {@value #LIBRARY_PROPERTY} names another library file (default {@code libcrypto.so.3}).
 *
 * <p>Messages below 320 bytes (every share-sized frame) always go through the pure-Java {@link ChaCha20Poly1305}; its
 * ChaCha20 blocks come from {@code VectorChaCha20} (8 or 16 blocks per pass, JDK Vector API) when the incubator module
 * {@code jdk.incubator.vector} is in the boot layer (the launchers pass {@code --add-modules jdk.incubator.vector}),
 * the chosen vector width ({@code hyperhash.aead.vector.bits}: 256, 512, or auto = {@code VectorWidth}'s choice) is native on this CPU, and a self-test against RFC 8439 passes; else from the scalar block
 * function. {@value #VECTOR_PROPERTY} ({@code auto} default, {@code on}, {@code off}), or {@value #VECTOR_ENV},
 * overrides that; {@code on} fails instead of falling back.
 */
public final class AeadProviders {
    /** System property selecting the AEAD: auto | pure | native. */
    public static final String PROPERTY = "hyperhash.aead.provider";
    /** Environment variable with the same meaning (the property wins). */
    public static final String ENV = "HH_AEAD_PROVIDER";
    /** System property naming the libcrypto to load (a file name found by the dynamic linker, or a path). */
    public static final String LIBRARY_PROPERTY = "hyperhash.aead.libcrypto";
    /** Name of the pure-Java implementation. */
    public static final String PURE_NAME = "pure-java (RFC 8439)";

    /** System property for the small-message ChaCha20 blocks: auto | on (vector, required) | off (scalar). */
    public static final String VECTOR_PROPERTY = "hyperhash.aead.vector";
    /** Environment variable with the same meaning (the property wins). */
    public static final String VECTOR_ENV = "HH_AEAD_VECTOR";
    /** The incubator module the vector blocks need. */
    public static final String VECTOR_MODULE = "jdk.incubator.vector";
    /** Name of the scalar small-message implementation. */
    public static final String SCALAR_NAME = "scalar ChaCha20";

    private static final Logger LOG = LoggerFactory.getLogger(AeadProviders.class);

    private AeadProviders() {
    }

    static String mode() {
        String m = System.getProperty(PROPERTY);
        if (m == null || m.isBlank()) {
            m = System.getenv(ENV);
        }
        return m == null || m.isBlank() ? "auto" : m.trim().toLowerCase(Locale.ROOT);
    }

    private static final class NativeHolder {
        static final NativeChaCha20Poly1305 IMPL;
        static final String FAILURE;

        static {
            NativeChaCha20Poly1305 n = null;
            String failure = null;
            try {
                n = NativeChaCha20Poly1305.load(System.getProperty(LIBRARY_PROPERTY, "libcrypto.so.3"));
            } catch (Throwable t) {
                if (t instanceof VirtualMachineError e) {
                    throw e;
                }
                failure = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
            IMPL = n;
            FAILURE = failure;
        }
    }

    /** The requested vector mode: auto, on or off (property, else environment, else auto). */
    public static String vectorMode() {
        String m = System.getProperty(VECTOR_PROPERTY);
        if (m == null || m.isBlank()) {
            m = System.getenv(VECTOR_ENV);
        }
        return m == null || m.isBlank() ? "auto" : m.trim().toLowerCase(Locale.ROOT);
    }

    /** The vector block source if it loads here and passes its self-test, whatever was chosen. */
    private static final class VectorHolder {
        static final ChaCha20Poly1305.Blocks IMPL;
        static final String FAILURE;

        static {
            ChaCha20Poly1305.Blocks v = null;
            String failure = null;
            String noC2 = c2Missing();
            if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
                failure = VECTOR_MODULE + " not in the boot layer (java --add-modules " + VECTOR_MODULE + ")";
            } else if (noC2 != null) {
                failure = noC2;
            } else {
                try {
                    // by name: this class must link on a JVM without the module
                    var ctor = Class.forName("org.hyperhash.sv2.noise.VectorChaCha20").getDeclaredConstructor();
                    v = (ChaCha20Poly1305.Blocks) ctor.newInstance();
                    selfTest(v);
                } catch (Throwable t) {
                    if (t instanceof VirtualMachineError e) {
                        throw e;
                    }
                    Throwable c = t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null
                            ? t.getCause() : t;
                    failure = c.getClass().getSimpleName() + ": " + c.getMessage();
                    v = null;
                }
            }
            IMPL = v;
            FAILURE = failure;
        }
    }

    /**
     * Why the Vector API would not be compiled to vector instructions here (only C2 does that; in C1 or the interpreter
     * every vector operation allocates and the blocks run far slower than the scalar path), or null.
     */
    private static String c2Missing() {
        try {
            var bean = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            if (bean == null) {
                return null;
            }
            if (Integer.parseInt(bean.getVMOption("TieredStopAtLevel").getValue()) < 4
                    || !Boolean.parseBoolean(bean.getVMOption("UseCompiler").getValue())) {
                return "no C2 compiler in this JVM (-XX:TieredStopAtLevel < 4 or -Xint)";
            }
        } catch (RuntimeException | LinkageError e) {
            // not HotSpot or no jdk.management: cannot tell, the self-test still runs
        }
        return null;
    }

    /**
     * RFC 8439 2.8.2 sealed and opened through the vector blocks (the tag, the ciphertext's ends, equal to the scalar
     * output), a flipped tag refused, every lane of one pass (each at another counter and nonce) equal to the scalar
     * block, and runs of headers and payloads with consecutive nonces (the lanes of the next
     * nonces) equal to the scalar output; throws when any differs.
     */
    static void selfTest(ChaCha20Poly1305.Blocks v) {
        byte[] key = NativeChaCha20Poly1305.hex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        int n0 = 7, n1 = 0x43424140, n2 = 0x47464544; // nonce 07000000 4041424344454647
        byte[] ad = NativeChaCha20Poly1305.hex("50515253c0c1c2c3c4c5c6c7");
        byte[] pt = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future,"
                + " sunscreen would be it.").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ChaCha20Poly1305 vec = new ChaCha20Poly1305(key, v);
        ChaCha20Poly1305 ref = new ChaCha20Poly1305(key, null);
        byte[] mine = new byte[pt.length + ChaCha20Poly1305.TAG_LEN];
        vec.seal(n0, n1, n2, ad, pt, 0, pt.length, mine, 0);
        byte[] expect = new byte[mine.length];
        ref.seal(n0, n1, n2, ad, pt, 0, pt.length, expect, 0);
        if (!java.util.Arrays.equals(mine, 0, 16, NativeChaCha20Poly1305.hex("d31a8d34648e60db7b86afbc53ef7ec2"), 0, 16)
                || !java.util.Arrays.equals(mine, pt.length - 2, pt.length, NativeChaCha20Poly1305.hex("6116"), 0, 2)
                || !java.util.Arrays.equals(mine, pt.length, mine.length,
                        NativeChaCha20Poly1305.hex("1ae10b594f09e26a7e902ecbd0600691"), 0, 16)
                || !java.util.Arrays.equals(mine, expect)) {
            throw new IllegalStateException("self-test: vector ChaCha20-Poly1305 differs from RFC 8439 2.8.2");
        }
        int wrong = ChaCha20Poly1305.firstWrongLane(v, key);
        if (wrong >= 0) {
            throw new IllegalStateException("self-test: vector ChaCha20 lane " + wrong + " differs from the scalar block");
        }
        byte[] back = new byte[pt.length];
        if (!vec.open(n0, n1, n2, ad, mine, 0, mine.length, back, 0) || !java.util.Arrays.equals(back, pt)) {
            throw new IllegalStateException("self-test: vector ChaCha20-Poly1305 open failed");
        }
        mine[mine.length - 1] ^= 1;
        if (vec.open(n0, n1, n2, ad, mine, 0, mine.length, back, 0)) {
            throw new IllegalStateException("self-test: vector ChaCha20-Poly1305 accepted a bad tag");
        }
        // frames: 6-byte headers and payloads with consecutive nonces across 2^32 (the carry into the high word), so
        // the lanes computed ahead for the next nonces (every lane of a pass) are used, each message equal to the
        // scalar output
        byte[] data = new byte[300];
        for (int i = 0; i < data.length; i++) {
            data[i] = pt[i % pt.length];
        }
        int[] lens = {6, 100, 6, 100, 6, 300, 6, 0, 6, 64, 6, 100, 6, 100, 6, 100};
        for (int start : new int[] {-3, -8}) {
            for (int i = 0; i < lens.length; i++) {
                long n = (start & 0xffffffffL) + i;
                int len = lens[i];
                byte[] a = new byte[len + 16];
                byte[] b = new byte[len + 16];
                vec.seal(0, (int) n, (int) (n >>> 32), null, data, 0, len, a, 0);
                ref.seal(0, (int) n, (int) (n >>> 32), null, data, 0, len, b, 0);
                if (!java.util.Arrays.equals(a, b)) {
                    throw new IllegalStateException("self-test: vector ChaCha20-Poly1305 differs at " + len
                            + " bytes, nonce " + n);
                }
            }
        }
    }

    private static final class ChosenVector {
        static final ChaCha20Poly1305.Blocks VEC = choose();

        private static ChaCha20Poly1305.Blocks choose() {
            String mode = vectorMode();
            switch (mode) {
                case "off", "scalar" -> {
                    LOG.info("ChaCha20-Poly1305 below {} B: {} (forced by {}=off)", CipherState.SMALL_LIMIT,
                            SCALAR_NAME, VECTOR_ENV);
                    return null;
                }
                case "on", "vector" -> {
                    if (VectorHolder.IMPL == null) {
                        throw new IllegalStateException("vector ChaCha20 required (" + VECTOR_ENV + "=on or -D"
                                + VECTOR_PROPERTY + "=on) but unavailable: " + VectorHolder.FAILURE);
                    }
                    LOG.info("ChaCha20-Poly1305 below {} B: {}", CipherState.SMALL_LIMIT, VectorHolder.IMPL.describe());
                    return VectorHolder.IMPL;
                }
                case "auto" -> {
                    if (VectorHolder.IMPL != null) {
                        LOG.info("ChaCha20-Poly1305 below {} B: {}", CipherState.SMALL_LIMIT,
                                VectorHolder.IMPL.describe());
                    } else {
                        LOG.info("ChaCha20-Poly1305 below {} B: {} (vector unavailable: {})", CipherState.SMALL_LIMIT,
                                SCALAR_NAME, VectorHolder.FAILURE);
                    }
                    return VectorHolder.IMPL;
                }
                default -> throw new IllegalArgumentException(VECTOR_ENV + " / -D" + VECTOR_PROPERTY
                        + " must be auto, on or off, got '" + mode + "'");
            }
        }
    }

    /** The block source every new {@link ChaCha20Poly1305} uses, or null for scalar (chosen once per process). */
    static ChaCha20Poly1305.Blocks blocksOrNull() {
        return ChosenVector.VEC;
    }

    /** The vector block source if it loaded and passed its self-test, whatever was chosen (tests, bench). */
    static Optional<ChaCha20Poly1305.Blocks> vectorImpl() {
        return Optional.ofNullable(VectorHolder.IMPL);
    }

    /** True when messages below 320 bytes use the vector ChaCha20 blocks. */
    public static boolean isVector() {
        return ChosenVector.VEC != null;
    }

    /** Name of the small-message implementation in use (for logs, metrics and {@code hh version}). */
    public static String smallName() {
        ChaCha20Poly1305.Blocks v = ChosenVector.VEC;
        return "pure-java (RFC 8439), " + (v == null ? SCALAR_NAME : v.describe());
    }

    /** Why the vector blocks are unavailable (one line), or empty if they loaded. */
    public static Optional<String> vectorUnavailableReason() {
        return Optional.ofNullable(VectorHolder.FAILURE);
    }

    private static final class Chosen {
        static final NativeChaCha20Poly1305 NATIVE = choose();

        private static NativeChaCha20Poly1305 choose() {
            String mode = mode();
            switch (mode) {
                case "pure" -> {
                    LOG.info("ChaCha20-Poly1305: {} (forced by {}=pure)", PURE_NAME, ENV);
                    return null;
                }
                case "native" -> {
                    if (NativeHolder.IMPL == null) {
                        throw new IllegalStateException("native ChaCha20-Poly1305 required (" + ENV + "=native or -D"
                                + PROPERTY + "=native) but unavailable: " + NativeHolder.FAILURE);
                    }
                    LOG.info("ChaCha20-Poly1305: {}", NativeHolder.IMPL.name());
                    return NativeHolder.IMPL;
                }
                case "auto" -> {
                    if (NativeHolder.IMPL != null) {
                        LOG.info("ChaCha20-Poly1305: {}", NativeHolder.IMPL.name());
                        return NativeHolder.IMPL;
                    }
                    LOG.info("ChaCha20-Poly1305: {} (libcrypto unavailable: {})", PURE_NAME, NativeHolder.FAILURE);
                    return null;
                }
                default -> throw new IllegalArgumentException(ENV + " / -D" + PROPERTY
                        + " must be auto, pure or native, got '" + mode + "'");
            }
        }
    }

    /** The chosen implementation, or null for pure Java (read once; CipherState keeps it in a static final). */
    static NativeChaCha20Poly1305 nativeOrNull() {
        return Chosen.NATIVE;
    }

    /** The native implementation if libcrypto loaded and passed its self-test, whatever was chosen (tests, bench). */
    static Optional<NativeChaCha20Poly1305> nativeImpl() {
        return Optional.ofNullable(NativeHolder.IMPL);
    }

    /** Name of the implementation Noise uses in this process (for logs, metrics and {@code hh version}). */
    public static String name() {
        NativeChaCha20Poly1305 n = Chosen.NATIVE;
        return n == null ? PURE_NAME : n.name();
    }

    /** True when the OpenSSL implementation is in use. */
    public static boolean isNative() {
        return Chosen.NATIVE != null;
    }

    /** Why libcrypto's AEAD is unavailable (one line), or empty if it loaded. */
    public static Optional<String> nativeUnavailableReason() {
        return Optional.ofNullable(NativeHolder.FAILURE);
    }
}
