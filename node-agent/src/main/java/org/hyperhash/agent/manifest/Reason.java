package org.hyperhash.agent.manifest;

/** Why a manifest, root or artifact was refused; {@link #label()} is the bounded metric label. */
public enum Reason {
    /** A signature by a trusted key does not verify (and the valid ones are below the threshold). */
    BAD_SIGNATURE,
    /** Fewer valid signatures by distinct trusted keys than the threshold. */
    BELOW_THRESHOLD,
    /** The manifest or the trusted root has expired (freeze attack). */
    EXPIRED,
    /** The version is not newer than the installed or last trusted one (rollback attack). */
    OLDER_VERSION,
    /** An artifact's SHA-256 does not match the manifest. */
    TAMPERED_ARTIFACT,
    /** An artifact's length does not match the manifest (or exceeds the size cap). */
    WRONG_LENGTH,
    /**
     * An artifact download did not complete within {@code download.timeout-seconds} (slow-retrieval attack: a
     * server drip-feeding data; or a link too slow for the artifact). Not a verdict on the release: the partial
     * file is kept and the next check resumes it.
     */
    SLOW_RETRIEVAL,
    /** An artifact matches another artifact or another release, not the one the manifest names. */
    MIX_AND_MATCH,
    /** The document is not valid JSON or misses/mistypes a field. */
    MALFORMED,
    /** A root rotation is not signed by the old keys' threshold (and the new keys' threshold). */
    ROTATION_REJECTED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
