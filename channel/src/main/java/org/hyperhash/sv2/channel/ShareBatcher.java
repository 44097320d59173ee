package org.hyperhash.sv2.channel;

import org.hyperhash.base.HotPath;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;

/**
 * SubmitShares.Success accounting per channel: counters are per batch (reset after each
 * Success, spec 2026-02); {@code new_shares_sum} adds the job target's bdiff truncated to u64
 * (SRI), wrapping like a u64. Owner-thread confined.
 */
@HotPath
public final class ShareBatcher {
    private final int channelId;
    private final int batchSize;
    private int pending;
    private int lastSequenceNumber;
    private long sharesSum;

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
    public SubmitSharesSuccess onAccepted(int sequenceNumber, long truncatedDifficulty, boolean flushNow) {
        pending++;
        lastSequenceNumber = sequenceNumber;
        sharesSum += truncatedDifficulty;
        return flushNow || pending >= batchSize ? flush() : null;
    }

    /** The Success covering the pending shares, or null when nothing is pending (call from a timer). */
    public SubmitSharesSuccess flush() {
        if (pending == 0) {
            return null;
        }
        SubmitSharesSuccess s = new SubmitSharesSuccess(channelId, lastSequenceNumber, pending, sharesSum);
        pending = 0;
        sharesSum = 0;
        return s;
    }

    public int pending() {
        return pending;
    }
}
