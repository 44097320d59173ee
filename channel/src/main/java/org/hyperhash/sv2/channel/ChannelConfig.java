package org.hyperhash.sv2.channel;

/**
 * Per-channel policy (one immutable record shared by all channels of a pool).
 *
 * @param sharesPerMinute target share rate used for the initial target (SRI formula)
 * @param maxPastJobs jobs of the current chain tip kept valid besides the active one (SRI: 16)
 * @param maxFutureJobs future jobs kept while waiting for SetNewPrevHash (oldest evicted)
 * @param shareBatchSize accepted shares per SubmitShares.Success (SRI examples: 10)
 * @param maxNtimeAheadSeconds accepted ntime upper bound: now + this (consensus allows 7200)
 * @param duplicateSetMaxEntries max share hashes remembered per chain tip for duplicate detection;
 *     once full, further shares of that tip are rejected (counted) until the next tip
 * @param versionRollingAllowed whether jobs allow BIP323 version rolling (false under
 *     REQUIRES_FIXED_VERSION)
 */
public record ChannelConfig(double sharesPerMinute, int maxPastJobs, int maxFutureJobs, int shareBatchSize,
        long maxNtimeAheadSeconds, int duplicateSetMaxEntries, boolean versionRollingAllowed) {

    /** BIP323 general-purpose version bits (5..28). */
    public static final int VERSION_ROLLING_MASK = 0x1FFFFFE0;

    public ChannelConfig {
        if (!(sharesPerMinute > 0) || Double.isInfinite(sharesPerMinute)) {
            throw new IllegalArgumentException("sharesPerMinute must be > 0, got " + sharesPerMinute);
        }
        if (maxPastJobs < 0 || maxPastJobs > 1024) {
            throw new IllegalArgumentException("maxPastJobs must be 0..1024, got " + maxPastJobs);
        }
        if (maxFutureJobs < 1 || maxFutureJobs > 64) {
            throw new IllegalArgumentException("maxFutureJobs must be 1..64, got " + maxFutureJobs);
        }
        if (shareBatchSize < 1) {
            throw new IllegalArgumentException("shareBatchSize must be >= 1, got " + shareBatchSize);
        }
        if (maxNtimeAheadSeconds < 0) {
            throw new IllegalArgumentException("maxNtimeAheadSeconds must be >= 0, got " + maxNtimeAheadSeconds);
        }
        if (duplicateSetMaxEntries < 16) {
            throw new IllegalArgumentException("duplicateSetMaxEntries must be >= 16, got " + duplicateSetMaxEntries);
        }
    }

    /** SRI-like defaults: 6 shares/min, 16 past jobs, 8 futures, batch 10, +7200 s, 131072 hashes, rolling on. */
    public static ChannelConfig defaults() {
        return new ChannelConfig(6.0, 16, 8, 10, 7200, 1 << 17, true);
    }

    public ChannelConfig withSharesPerMinute(double spm) {
        return new ChannelConfig(spm, maxPastJobs, maxFutureJobs, shareBatchSize, maxNtimeAheadSeconds,
                duplicateSetMaxEntries, versionRollingAllowed);
    }

    public ChannelConfig withShareBatchSize(int n) {
        return new ChannelConfig(sharesPerMinute, maxPastJobs, maxFutureJobs, n, maxNtimeAheadSeconds,
                duplicateSetMaxEntries, versionRollingAllowed);
    }

    public ChannelConfig withMaxPastJobs(int n) {
        return new ChannelConfig(sharesPerMinute, n, maxFutureJobs, shareBatchSize, maxNtimeAheadSeconds,
                duplicateSetMaxEntries, versionRollingAllowed);
    }

    public ChannelConfig withVersionRollingAllowed(boolean allowed) {
        return new ChannelConfig(sharesPerMinute, maxPastJobs, maxFutureJobs, shareBatchSize, maxNtimeAheadSeconds,
                duplicateSetMaxEntries, allowed);
    }

    public ChannelConfig withDuplicateSetMaxEntries(int n) {
        return new ChannelConfig(sharesPerMinute, maxPastJobs, maxFutureJobs, shareBatchSize, maxNtimeAheadSeconds,
                n, versionRollingAllowed);
    }
}
