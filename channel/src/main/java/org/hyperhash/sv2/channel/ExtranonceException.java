package org.hyperhash.sv2.channel;

/** An extranonce prefix could not be allocated. {@link #errorCode()} is the OpenMiningChannel.Error code to send. */
public final class ExtranonceException extends Exception {
    /** Why allocation failed. */
    public enum Reason {
        /** Every prefix of the configured space is in use. */
        EXHAUSTED("extranonce-prefix-space-exhausted"),
        /** The client asked for more rollable bytes than this allocator leaves it (SRI error code). */
        MIN_EXTRANONCE_SIZE_TOO_LARGE("min-extranonce-size-too-large");

        private final String errorCode;

        Reason(String errorCode) {
            this.errorCode = errorCode;
        }

        public String errorCode() {
            return errorCode;
        }
    }

    private final Reason reason;

    public ExtranonceException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    public String errorCode() {
        return reason.errorCode();
    }
}
