package org.hyperhash.bench.noise;

import org.hyperhash.sv2.noise.AeadProviders;

/**
 * Selects the AEAD of a benchmark fork before the first CipherState exists, and fails when it did not take:
 * {@code vector} (OpenSSL >= 320 B, vector ChaCha20 blocks below), {@code scalar} (OpenSSL >= 320 B, scalar blocks
 * below) or {@code pure} (JCA >= 320 B, scalar blocks below).
 */
final class AeadChoice {
    private AeadChoice() {
    }

    static void select(String aead) {
        boolean wantNative = !aead.equals("pure");
        boolean wantVector = aead.equals("vector");
        if (!aead.equals("pure") && !aead.equals("scalar") && !aead.equals("vector")) {
            throw new IllegalArgumentException("aead must be vector, scalar or pure, got " + aead);
        }
        System.setProperty(AeadProviders.PROPERTY, wantNative ? "native" : "pure");
        System.setProperty(AeadProviders.VECTOR_PROPERTY, wantVector ? "on" : "off");
        if (AeadProviders.isNative() != wantNative || AeadProviders.isVector() != wantVector) {
            throw new IllegalStateException("benchmark asked for the " + aead + " AEAD but this JVM uses "
                    + AeadProviders.name() + " / " + AeadProviders.smallName() + " (chosen once per JVM; "
                    + AeadProviders.nativeUnavailableReason().orElse("") + " "
                    + AeadProviders.vectorUnavailableReason().orElse("") + ")");
        }
    }

    /** This JVM's choice, as a benchmark parameter value. */
    static String current() {
        return AeadProviders.isNative() ? (AeadProviders.isVector() ? "vector" : "scalar") : "pure";
    }
}
