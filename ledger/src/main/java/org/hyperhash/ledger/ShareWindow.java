package org.hyperhash.ledger;

import java.util.Objects;

/**
 * Accepted work of one (address, worker) in one accounting window of one pool instance.
 *
 * @param instanceId    pool instance that accepted the shares
 * @param windowStartMs window start, epoch millis
 * @param address       the miner's payout identity (bitcoin address)
 * @param worker        worker name ("" when none)
 * @param shares        accepted share count (>= 0)
 * @param work          sum of the accepted shares' difficulty (>= 0, finite)
 */
public record ShareWindow(String instanceId, long windowStartMs, String address, String worker, long shares, double work) {
    public ShareWindow {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(worker, "worker");
        if (shares < 0) {
            throw new IllegalArgumentException("shares must be >= 0, got " + shares);
        }
        if (!(work >= 0) || Double.isInfinite(work)) {
            throw new IllegalArgumentException("work must be finite and >= 0, got " + work);
        }
    }
}
