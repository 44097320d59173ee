package org.hyperhash.sv2.netty;

import org.hyperhash.sv2.framing.FrameHeader;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-connection limits of an SV2 pipeline.
 *
 * @param maxFrameBytes largest accepted inbound plaintext frame, 6-byte header included
 *                      (7..2^24+5); a larger msg_length is a protocol error that closes the connection
 *                      before the payload is buffered
 * @param handshakeTimeout time allowed from channel activation to a completed Noise handshake
 * @param maxPayloadByType tighter msg_length limits for some msg_types (checked on the frame header, before the
 *                         payload is buffered); types not listed get {@link #maxPayloadBytes()}
 */
public record Sv2Limits(int maxFrameBytes, Duration handshakeTimeout, java.util.Map<Integer, Integer> maxPayloadByType) {
    /** Largest frame the format allows: 6 + (2^24 - 1). */
    public static final int MAX_POSSIBLE_FRAME_BYTES = FrameHeader.SIZE + FrameHeader.MAX_MSG_LENGTH;

    /**
     * Any frame the protocol allows (up to 16 MiB; needed for RequestTransactionData.Success and
     * ProvideMissingTransactions.Success), 10 s handshake. For template-provider / job-declaration links.
     */
    public static final Sv2Limits DEFAULT = new Sv2Limits(MAX_POSSIBLE_FRAME_BYTES, Duration.ofSeconds(10));

    /**
     * Mining-protocol links facing untrusted miners: 256 KiB frames (the largest mining message,
     * SetCustomMiningJob / NewExtendedMiningJob, is bounded by two B0_64K fields plus a 255-entry path).
     */
    public static final Sv2Limits MINING = new Sv2Limits(256 * 1024, Duration.ofSeconds(10));

    /** One frame limit for every message type. */
    public Sv2Limits(int maxFrameBytes, Duration handshakeTimeout) {
        this(maxFrameBytes, handshakeTimeout, java.util.Map.of());
    }

    public Sv2Limits {
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        maxPayloadByType = java.util.Map.copyOf(maxPayloadByType);
        if (maxFrameBytes <= FrameHeader.SIZE || maxFrameBytes > MAX_POSSIBLE_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be in 7.." + MAX_POSSIBLE_FRAME_BYTES + ": " + maxFrameBytes);
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive: " + handshakeTimeout);
        }
    }

    /** Largest accepted msg_length (payload bytes). */
    public int maxPayloadBytes() {
        return maxFrameBytes - FrameHeader.SIZE;
    }

    /** Largest accepted msg_length for {@code msgType}. */
    public int maxPayloadBytes(int msgType) {
        int all = maxPayloadBytes();
        if (maxPayloadByType.isEmpty()) {
            return all;
        }
        Integer t = maxPayloadByType.get(msgType);
        return t == null ? all : Math.min(all, t);
    }

    /** These limits with per-type msg_length limits. */
    public Sv2Limits withMaxPayloadByType(java.util.Map<Integer, Integer> byType) {
        return new Sv2Limits(maxFrameBytes, handshakeTimeout, byType);
    }
}
