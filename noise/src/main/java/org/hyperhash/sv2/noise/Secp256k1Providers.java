package org.hyperhash.sv2.noise;

import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the secp256k1 implementation. {@link #best()} returns native libsecp256k1 (FFM) when it loads and
 * passes its self-test, else the pure-Java provider. The system property {@value #PROPERTY} ({@code auto}
 * default, {@code pure}, {@code native}) overrides the choice; {@code native} fails instead of falling back.
 */
public final class Secp256k1Providers {
    /** System property selecting the provider: auto | pure | native. */
    public static final String PROPERTY = "hyperhash.secp256k1.provider";
    /**
     * Environment variable with the same meaning (the property wins): operators set {@code HH_SECP256K1_PROVIDER=native}
     * in the unit's environment file so that a failed native load is a startup error instead of a silent fallback.
     */
    public static final String ENV = "HH_SECP256K1_PROVIDER";

    static String mode() {
        String m = System.getProperty(PROPERTY);
        if (m == null || m.isBlank()) {
            m = System.getenv(ENV);
        }
        return m == null || m.isBlank() ? "auto" : m.trim().toLowerCase(Locale.ROOT);
    }

    private static final Logger LOG = LoggerFactory.getLogger(Secp256k1Providers.class);

    private Secp256k1Providers() {
    }

    private static final class NativeHolder {
        static final NativeSecp256k1Provider PROVIDER;
        static final String FAILURE;

        static {
            NativeSecp256k1Provider p = null;
            String failure = null;
            try {
                p = NativeSecp256k1Provider.load();
            } catch (Throwable t) {
                if (t instanceof VirtualMachineError e) {
                    throw e;
                }
                failure = t.getClass().getSimpleName() + ": " + t.getMessage();
            }
            PROVIDER = p;
            FAILURE = failure;
        }
    }

    private static final class BestHolder {
        static final Secp256k1Provider BEST = choose();

        private static Secp256k1Provider choose() {
            String mode = mode();
            switch (mode) {
                case "pure" -> {
                    SelfTest.run(PureJavaSecp256k1Provider.INSTANCE);
                    LOG.info("secp256k1 provider: {} (forced by -D{}=pure)", PureJavaSecp256k1Provider.NAME, PROPERTY);
                    return PureJavaSecp256k1Provider.INSTANCE;
                }
                case "native" -> {
                    if (NativeHolder.PROVIDER == null) {
                        throw new IllegalStateException("native secp256k1 required (" + ENV + "=native or -D" + PROPERTY
                                + "=native) but unavailable: " + NativeHolder.FAILURE);
                    }
                    LOG.info("secp256k1 provider: {}", NativeHolder.PROVIDER.name());
                    return NativeHolder.PROVIDER;
                }
                case "auto" -> {
                    if (NativeHolder.PROVIDER != null) {
                        LOG.info("secp256k1 provider: {}", NativeHolder.PROVIDER.name());
                        return NativeHolder.PROVIDER;
                    }
                    SelfTest.run(PureJavaSecp256k1Provider.INSTANCE);
                    LOG.warn("native libsecp256k1 unavailable ({}); using {} (slower, not constant time; set {}=native"
                            + " to make this a startup error)", NativeHolder.FAILURE, PureJavaSecp256k1Provider.NAME, ENV);
                    return PureJavaSecp256k1Provider.INSTANCE;
                }
                default -> throw new IllegalArgumentException(ENV + " / -D" + PROPERTY
                        + " must be auto, pure or native, got '" + mode + "'");
            }
        }
    }

    /** The fastest provider that passed its self-test (loaded once, thread-safe). */
    public static Secp256k1Provider best() {
        return BestHolder.BEST;
    }

    /** The pure-Java provider (always available). */
    public static Secp256k1Provider pureJava() {
        return PureJavaSecp256k1Provider.INSTANCE;
    }

    /** The native FFM provider, if the bundled libsecp256k1 loaded and passed its self-test. */
    public static Optional<Secp256k1Provider> nativeProvider() {
        return Optional.ofNullable(NativeHolder.PROVIDER);
    }

    /** Why the native provider is unavailable (one line, for logs/status), or empty if it is available. */
    public static Optional<String> nativeUnavailableReason() {
        return Optional.ofNullable(NativeHolder.FAILURE);
    }
}
