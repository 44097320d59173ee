package org.hyperhash.ledger;

import java.util.Objects;

/**
 * A block found by the pool.
 *
 * @param blockHash         display-order hex hash (primary key)
 * @param rewardSats        coinbase value paid to the pool (subsidy + fees), sats
 * @param networkDifficulty network difficulty at the block (PPLNS window = multiple of this)
 * @param submitResult      bitcoind's submitblock answer or a status note (may be null)
 */
public record FoundBlock(String blockHash, long height, long foundAtMs, String instanceId, String address, String worker,
                         long rewardSats, double networkDifficulty, BlockStatus status, String submitResult, long updatedAtMs) {
    public FoundBlock {
        Objects.requireNonNull(blockHash, "blockHash");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(status, "status");
        if (height < 0) {
            throw new IllegalArgumentException("height must be >= 0, got " + height);
        }
        if (rewardSats < 0) {
            throw new IllegalArgumentException("rewardSats must be >= 0, got " + rewardSats);
        }
        if (!(networkDifficulty > 0) || Double.isInfinite(networkDifficulty)) {
            throw new IllegalArgumentException("networkDifficulty must be finite and > 0, got " + networkDifficulty);
        }
    }
}
