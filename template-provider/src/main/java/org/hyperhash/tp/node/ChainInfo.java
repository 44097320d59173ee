package org.hyperhash.tp.node;

import org.hyperhash.base.Hash256;

/**
 * The fields of {@code getblockchaininfo} the template provider uses.
 *
 * @param chain "main", "test", "testnet4", "signet", "regtest" (or "devnet" for the embedded chain)
 * @param blocks height of the active tip
 * @param headers height of the best known header
 * @param bestBlockHash tip hash
 * @param bits tip nBits
 * @param verificationProgress 0..1
 * @param initialBlockDownload Core's IBD flag
 */
public record ChainInfo(String chain, long blocks, long headers, Hash256 bestBlockHash, int bits,
                        double verificationProgress, boolean initialBlockDownload) {
    public ChainInfo {
        java.util.Objects.requireNonNull(chain, "chain");
        java.util.Objects.requireNonNull(bestBlockHash, "bestblockhash");
    }
}
