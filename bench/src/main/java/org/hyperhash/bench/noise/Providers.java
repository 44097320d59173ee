package org.hyperhash.bench.noise;

import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;

/** Maps the {@code provider} JMH parameter to an implementation. */
final class Providers {
    private Providers() {
    }

    /** {@code native}: libsecp256k1 over FFM (fails if it does not load); {@code pure}: the Java fallback. */
    static Secp256k1Provider byName(String name) {
        return switch (name) {
            case "native" -> Secp256k1Providers.nativeProvider().orElseThrow(() -> new IllegalStateException(
                    "native secp256k1 unavailable: " + Secp256k1Providers.nativeUnavailableReason().orElse("?")));
            case "pure" -> Secp256k1Providers.pureJava();
            default -> throw new IllegalArgumentException("provider must be native or pure, got " + name);
        };
    }
}
