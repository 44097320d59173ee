package org.hyperhash.tp.node;

import org.hyperhash.base.Hash256;

import java.util.List;

/**
 * The fields of {@code getblock [hash, 1]} the template provider uses.
 *
 * @param hash block hash
 * @param height height
 * @param confirmations -1 when the block is not on the active chain
 * @param previousBlockHash parent (null for genesis)
 * @param time header nTime
 * @param bits header nBits
 * @param txids transaction ids, coinbase first
 */
public record BlockSummary(Hash256 hash, long height, long confirmations, Hash256 previousBlockHash,
                           long time, int bits, List<Hash256> txids) {
    public BlockSummary {
        txids = List.copyOf(txids);
    }
}
