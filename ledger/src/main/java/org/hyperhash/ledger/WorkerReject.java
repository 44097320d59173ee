package org.hyperhash.ledger;

import java.util.Objects;

/**
 * Rejected shares of one (address, worker) in one clock hour of one pool instance, for one reason
 * ({@code worker_rejects}, migration V8).
 *
 * @param reason a value of the pool's bounded reject-reason set, lower case ("stale_share", "duplicate_share", ...)
 */
public record WorkerReject(String instanceId, long hourStartMs, String address, String worker, String reason, long rejected) {
    public WorkerReject {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(reason, "reason");
        if (rejected < 0) {
            throw new IllegalArgumentException("rejected must be >= 0, got " + rejected);
        }
    }
}
