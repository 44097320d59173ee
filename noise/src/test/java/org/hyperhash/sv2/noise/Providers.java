package org.hyperhash.sv2.noise;

import java.util.stream.Stream;

/** Both providers, for parameterized tests. The native one must load on the build machines (Linux). */
final class Providers {
    private Providers() {
    }

    static Secp256k1Provider nativeOrFail() {
        return Secp256k1Providers.nativeProvider().orElseThrow(() -> new AssertionError(
                "native libsecp256k1 provider did not load: " + Secp256k1Providers.nativeUnavailableReason().orElse("?")));
    }

    static Stream<Secp256k1Provider> all() {
        return Stream.of(Secp256k1Providers.pureJava(), nativeOrFail());
    }
}
