package org.hyperhash.sv2.codec;

import java.util.Objects;

/**
 * A received SV2 frame or payload is malformed. The message names the SV2 message (spec name) and
 * the field (spec name) that failed, e.g. {@code SubmitSharesExtended.extranonce: length 33 exceeds
 * B0_32 limit 32}. Decoders in this module never let an unchecked exception escape for bad input:
 * every malformation surfaces as this exception.
 *
 * <p>No stack trace is captured: the exception describes peer input, not a bug, and hostile peers can
 * produce it at a high rate.
 */
public final class Sv2DecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong, for counters. */
    public enum Reason {
        /** Fewer bytes than the field needs. */
        TRUNCATED,
        /** A length prefix or element count above the type's (or the configured) maximum. */
        LENGTH_LIMIT,
        /** An OPTION count other than 0 or 1. */
        INVALID_OPTION,
        /** A value the type forbids. */
        INVALID_VALUE,
        /**
         * A STR0_255 whose bytes are not UTF-8. Not a framing error: SRI carries such strings as raw bytes,
         * so the pipeline delivers the message with replacement characters
         * ({@link org.hyperhash.sv2.netty.NonUtf8Message}) and the application answers with that message's
         * error (e.g. invalid-user-identity) instead of closing the connection.
         */
        INVALID_UTF8,
        /** Bytes left after the last field where no TLVs are defined. */
        TRAILING_BYTES,
        /** No message with this (extension_type, msg_type) is known. */
        UNKNOWN_MESSAGE
    }

    private final String messageName;
    private final String field;
    private final Reason reason;
    private final String detail;

    /**
     * @param messageName spec name of the message, or null when not known yet (the codec fills it in)
     * @param field spec name of the field (or a path such as {@code tlv[0].length})
     * @param reason category
     * @param detail human readable detail; must never contain secrets (it contains only lengths/values
     *               of public protocol fields)
     */
    public Sv2DecodeException(String messageName, String field, Reason reason, String detail) {
        super(render(messageName, field, detail), null, false, false);
        this.messageName = messageName;
        this.field = Objects.requireNonNull(field, "field");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.detail = Objects.requireNonNull(detail, "detail");
    }

    /** Exception for a field of a message not yet named; {@link #inMessage} adds the name. */
    public static Sv2DecodeException of(String field, Reason reason, String detail) {
        return new Sv2DecodeException(null, field, reason, detail);
    }

    /** This exception attributed to {@code name}, unless it already names a message. */
    public Sv2DecodeException inMessage(String name) {
        return messageName != null ? this : new Sv2DecodeException(name, field, reason, detail);
    }

    /** Spec name of the message, e.g. {@code SubmitSharesExtended}; null if the frame type was not determined. */
    public String messageName() {
        return messageName;
    }

    /** Spec name of the offending field, e.g. {@code extranonce}. */
    public String field() {
        return field;
    }

    public Reason reason() {
        return reason;
    }

    public String detail() {
        return detail;
    }

    private static String render(String messageName, String field, String detail) {
        return (messageName == null ? "" : messageName + ".") + field + ": " + detail;
    }
}
