package org.hyperhash.bench.noise;

import org.hyperhash.sv2.noise.AeadProviders;

/** Selects the AEAD of a benchmark fork before the first CipherState exists, and fails when it did not take. */
final class AeadChoice {
    private AeadChoice() {
    }

    static void select(String aead) {
        System.setProperty(AeadProviders.PROPERTY, aead);
        boolean wantNative = aead.equals("native");
        if (AeadProviders.isNative() != wantNative) {
            throw new IllegalStateException("benchmark asked for the " + aead + " AEAD but this JVM uses "
                    + AeadProviders.name() + " (chosen once per JVM; " + AeadProviders.nativeUnavailableReason().orElse("")
                    + ")");
        }
    }
}
