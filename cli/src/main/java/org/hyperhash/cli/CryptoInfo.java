package org.hyperhash.cli;

import java.util.Locale;
import org.hyperhash.sv2.noise.AeadProviders;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;

/** The secp256k1 provider every daemon of this installation would use (the same selection, same self-test). */
final class CryptoInfo {
    private CryptoInfo() {
    }

    /** "secp256k1 provider: NAME (mode ...)" plus why native is unavailable when it is; never throws. */
    static String describe() {
        String mode = System.getProperty(Secp256k1Providers.PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        try {
            Secp256k1Provider p = Secp256k1Providers.best();
            StringBuilder b = new StringBuilder("secp256k1 provider: ").append(p.name())
                    .append(" (-D").append(Secp256k1Providers.PROPERTY).append('=').append(mode).append(')');
            Secp256k1Providers.nativeUnavailableReason().ifPresent(r -> b.append("; native libsecp256k1 unavailable: ").append(r));
            return b.toString();
        } catch (RuntimeException | ExceptionInInitializerError e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            return "secp256k1 provider: none usable (-D" + Secp256k1Providers.PROPERTY + "=" + mode + "): " + cause.getMessage();
        }
    }

    /** "ChaCha20-Poly1305: NAME (mode ...)" plus why libcrypto is unavailable when it is; never throws. */
    static String describeAead() {
        String mode = System.getProperty(AeadProviders.PROPERTY, System.getenv().getOrDefault(AeadProviders.ENV, "auto"))
                .trim().toLowerCase(Locale.ROOT);
        try {
            StringBuilder b = new StringBuilder("ChaCha20-Poly1305: ").append(AeadProviders.name())
                    .append(" for messages >= 320 B, ").append(AeadProviders.smallName()).append(" below (")
                    .append(AeadProviders.ENV).append('=').append(mode).append(", ").append(AeadProviders.VECTOR_ENV)
                    .append('=').append(AeadProviders.vectorMode()).append(')');
            AeadProviders.nativeUnavailableReason().ifPresent(r -> b.append("; libcrypto unavailable: ").append(r));
            if (!AeadProviders.isVector()) {
                AeadProviders.vectorUnavailableReason().ifPresent(r -> b.append("; vector ChaCha20 unavailable: ").append(r));
            }
            return b.toString();
        } catch (RuntimeException | ExceptionInInitializerError e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            return "ChaCha20-Poly1305: none usable (" + AeadProviders.ENV + "=" + mode + "): " + cause.getMessage();
        }
    }
}
