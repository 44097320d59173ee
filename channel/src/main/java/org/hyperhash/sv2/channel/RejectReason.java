package org.hyperhash.sv2.channel;

/** Why a share was rejected; {@link #errorCode()} is the SubmitShares.Error code (SRI strings, sv2-protocol.md 4.4). */
public enum RejectReason {
    INVALID_CHANNEL_ID("invalid-channel-id"),
    INVALID_JOB_ID("invalid-job-id"),
    STALE_SHARE("stale-share"),
    DIFFICULTY_TOO_LOW("difficulty-too-low"),
    DUPLICATE_SHARE("duplicate-share"),
    BAD_EXTRANONCE_SIZE("bad-extranonce-size"),
    /** ntime below the chain tip's min_ntime. */
    NTIME_TOO_OLD("invalid-share"),
    /** ntime beyond now + the configured bound. */
    NTIME_TOO_NEW("invalid-share"),
    /** Duplicate-detection set for this chain tip is full (see ChannelConfig.duplicateSetMaxEntries). */
    TOO_MANY_SHARES("invalid-share"),
    VERSION_ROLLING_NOT_ALLOWED("version-rolling-not-allowed"),
    INVALID_NON_ROLLABLE_VERSION_BIT("invalid-non-rollable-version-bit");

    private final String errorCode;
    private final ShareResult.Rejected result;

    RejectReason(String errorCode) {
        this.errorCode = errorCode;
        this.result = new ShareResult.Rejected(this, errorCode);
    }

    public String errorCode() {
        return errorCode;
    }

    /** The shared (allocation-free) result instance for this reason. */
    public ShareResult.Rejected result() {
        return result;
    }
}
