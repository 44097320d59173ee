package org.hyperhash.sv2.netty;

import java.util.Locale;
import java.util.Objects;

/**
 * User event fired by the SV2 handlers (towards the application handler) right before they close
 * the channel because of a protocol error. {@link #kind()} is meant for counters (bounded label
 * set); {@link #detail()} for a log line (never contains key material).
 *
 * @param kind category
 * @param detail human readable detail, e.g. {@code SubmitSharesExtended.extranonce: length 33 exceeds B0_32 limit 32}
 */
public record Sv2ErrorEvent(Kind kind, String detail) {

    /** Error categories. */
    public enum Kind {
        /** The Noise handshake did not complete within {@link Sv2Limits#handshakeTimeout()}. */
        HANDSHAKE_TIMEOUT,
        /** Handshake message invalid (bad EllSwift encoding, AEAD failure during the handshake, bad state). */
        HANDSHAKE_FAILED,
        /** The server certificate was refused (wrong authority key / signature, expired, not yet valid, bad version). */
        CERTIFICATE_REJECTED,
        /** AEAD tag check failed on a transport message. */
        AEAD_FAILURE,
        /** A cipher state ran out of nonces. */
        NONCE_EXHAUSTED,
        /** msg_length above {@link Sv2Limits#maxFrameBytes()}. */
        FRAME_TOO_LARGE,
        /** A known message whose payload does not decode. */
        MALFORMED_MESSAGE,
        /** A bug in this process (unexpected exception in a handler); the connection is closed defensively. */
        INTERNAL_ERROR;

        /** Lower-case label for metrics, e.g. {@code aead_failure}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Sv2ErrorEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }
}
