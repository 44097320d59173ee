package org.hyperhash.cli;

final class CryptoInfo {
    private CryptoInfo() {
    }

    /** Filled in once the noise module's provider selection exists. */
    static String describe() {
        return "secp256k1 provider: (selected at daemon start)";
    }
}
