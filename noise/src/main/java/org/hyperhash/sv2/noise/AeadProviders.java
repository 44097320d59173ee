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
