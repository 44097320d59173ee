package org.hyperhash.sv2.channel;

import org.hyperhash.base.HotPath;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;

/**
 * SubmitShares.Success accounting per channel: counters are per batch (reset after each
 * Success, spec 2026-02); {@code new_shares_sum} is the exact sum of the accepted shares' job-target
 * bdiffs (a double), truncated once to a saturating u64 when the Success is built, as SRI does
 * ({@code share_work_sum as u64}): ten shares at difficulty 0.5 report 5, not 0. Owner-thread confined.
 */
@HotPath
public final class ShareBatcher {
    private final int channelId;
    private final int batchSize;
    private int pending;
    private int lastSequenceNumber;
    private double sharesSum;

    public ShareBatcher(int channelId, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be >= 1");
        }
        this.channelId = channelId;
        this.batchSize = batchSize;
    }

    /**
     * Records an accepted share; returns the Success to send when the batch is full or
     * {@code flushNow} (e.g. a block), else null.
     */
    public SubmitSharesSuccess onAccepted(int sequenceNumber, double difficulty, boolean flushNow) {
        pending++;
        lastSequenceNumber = sequenceNumber;
        sharesSum += difficulty;
        return flushNow || pending >= batchSize ? flush() : null;
    }

    /** The Success covering the pending shares, or null when nothing is pending (call from a timer). */
    public SubmitSharesSuccess flush() {
        if (pending == 0) {
            return null;
        }
        SubmitSharesSuccess s = new SubmitSharesSuccess(channelId, lastSequenceNumber, pending, toU64(sharesSum));
        pending = 0;
        sharesSum = 0;
        return s;
    }

    /** Rust's {@code f64 as u64}: truncates toward zero, saturates at 0 and u64::MAX (NaN is 0). */
    static long toU64(double d) {
        if (!(d > 0)) {
            return 0;
        }
        if (d >= 0x1p64) {
            return -1L;
        }
        if (d >= 0x1p63) {
            return (long) (d - 0x1p63) ^ Long.MIN_VALUE;
        }
        return (long) d;
    }

    public int pending() {
        return pending;
    }
}
