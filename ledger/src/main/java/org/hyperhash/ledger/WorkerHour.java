package org.hyperhash.ledger;

import java.util.Objects;

/**
 * One (address, worker)'s shares in one clock hour of one pool instance ({@code worker_hours}, migration V8): the
 * rollup the web page and API read instead of the 10 s share windows.
 *
 * @param instanceId     pool instance
 * @param hourStartMs    hour start, epoch millis (a multiple of 3,600,000)
 * @param address        payout identity
 * @param worker         worker name ("" when none)
 * @param accepted       accepted shares (>= 0)
 * @param work           sum of the accepted shares' credited difficulty (>= 0, finite)
 * @param bestDifficulty highest difficulty of an accepted share's hash (>= 0, finite)
 * @param rejected       rejected shares, all reasons (>= 0)
 * @param firstShareMs   acceptance time of the first accepted share in the hour, 0 when none
 * @param lastShareMs    acceptance time of the last accepted share in the hour, 0 when none
 */
public record WorkerHour(String instanceId, long hourStartMs, String address, String worker, long accepted, double work,
        double bestDifficulty, long rejected, long firstShareMs, long lastShareMs) {
    public static final long HOUR_MS = 3_600_000L;

    public WorkerHour {
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(worker, "worker");
        if (accepted < 0 || rejected < 0) {
            throw new IllegalArgumentException("share counts must be >= 0, got " + accepted + " / " + rejected);
        }
        if (!(work >= 0) || Double.isInfinite(work) || !(bestDifficulty >= 0) || Double.isInfinite(bestDifficulty)) {
            throw new IllegalArgumentException("work and best difficulty must be finite and >= 0, got " + work + " / " + bestDifficulty);
        }
    }

    /** The start of the hour holding {@code epochMs}. */
    public static long hourOf(long epochMs) {
        return Math.floorDiv(epochMs, HOUR_MS) * HOUR_MS;
    }
}
