package org.hyperhash.translator.bridge;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What the translator does when the pool answers an OpenExtendedMiningChannel with OpenMiningChannel.Error
 * (config {@code upstream.open-retry}): a transient code is retried on the same connection with bounded exponential
 * back-off and jitter while SV1 miners stay connected; after {@code maxWait} without a channel, or at once on a
 * permanent code, the connection is given up and the existing pool failover takes over. Sans-I/O.
 *
 * <p>SV2 error codes are implementation-defined (sv2-protocol.md 4.4): the strings SRI sends for a bad request
 * (identity, hashrate, target, extranonce size, channel kind) are permanent for that pool: asking again gets the same
 * answer. {@code no-work-available} (a pool without a template yet: its TP is down or starting) is transient. A code
 * this table does not know is retried like a transient one, bounded by {@code maxWait}: the spec says to treat
 * unknown codes as informational, and a bounded retry then a failover is the safe reading either way.
 *
 * @param initial first retry delay
 * @param max cap of a single delay
 * @param jitter 0..1: each delay is shortened by up to this fraction, at random (so translators behind one pool that
 *     restarts do not all ask again in the same instant)
 * @param maxWait how long miners wait for a channel on one pool connection before it is given up (failover); 0 =
 *     give up at the first refusal (no retry)
 */
public record OpenRetry(Duration initial, Duration max, double jitter, Duration maxWait) {

    /** How an OpenMiningChannel.Error code is handled. */
    public enum Kind { TRANSIENT, PERMANENT }

    /** Why a channel request was retried: a bounded label set (metrics). */
    public enum Reason {
        NO_WORK_AVAILABLE("no_work_available"),
        /** a code this table does not know */
        UNKNOWN_CODE("unknown_code");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** Why the translator gave a pool connection up after a refused channel: a bounded label set (metrics). */
    public enum GiveUp {
        PERMANENT_ERROR("permanent_error"),
        WAIT_EXCEEDED("wait_exceeded"),
        /** a transient refusal on a connection that went back to a higher-priority pool: back to the pool with work */
        FAILBACK_REFUSED("failback_refused");

        private final String label;

        GiveUp(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The Hyperhash pool's answer while it has no template (DownstreamHandler.NO_WORK). */
    public static final String NO_WORK_AVAILABLE = "no-work-available";

    /** Codes that describe the request or the account, not the pool's momentary state (SRI's strings and ours). */
    static final Set<String> PERMANENT = Set.of("unknown-user", "invalid-user-identity", "invalid-nominal-hashrate",
            "max-target-out-of-range", "min-extranonce-size-too-large", "unsupported-min-extranonce-size",
            "standard-channels-not-supported-for-custom-work", "extended-channels-not-supported-for-standard-jobs",
            "too-many-channels");

    public static OpenRetry defaults() {
        return new OpenRetry(Duration.ofSeconds(1), Duration.ofSeconds(15), 0.2, Duration.ofSeconds(120));
    }

    public OpenRetry {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(maxWait, "maxWait");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("upstream.open-retry: need 0 < initial <= max (got initial " + initial
                    + ", max " + max + ")");
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("upstream.open-retry.jitter must be 0..1: " + jitter);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("upstream.open-retry.max-wait must be >= 0");
        }
    }

    /** Transient or permanent (case-insensitive; unknown codes are transient, see the class comment). */
    public static Kind classify(String code) {
        String c = code == null ? "" : code.trim().toLowerCase(Locale.ROOT);
        return PERMANENT.contains(c) ? Kind.PERMANENT : Kind.TRANSIENT;
    }

    /** The metrics reason of a transient code. */
    public static Reason reason(String code) {
        String c = code == null ? "" : code.trim().toLowerCase(Locale.ROOT);
        return c.equals(NO_WORK_AVAILABLE) ? Reason.NO_WORK_AVAILABLE : Reason.UNKNOWN_CODE;
    }

    /**
     * Delay before retry number {@code attempt} (1 = the first retry): {@code min(max, initial * 2^(attempt-1))},
     * shortened by {@code jitter * u} of itself.
     *
     * @param u uniform random in [0, 1)
     */
    public long delayMillis(int attempt, double u) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1");
        }
        long base = Math.min(max.toMillis(), initial.toMillis() << Math.min(attempt - 1, 30));
        if (base < 0) {
            base = max.toMillis();
        }
        double f = Math.max(0, Math.min(u, 1));
        return Math.max(1, base - (long) (base * jitter * f));
    }
}
