package org.hyperhash.agent.manifest;

/** A refused manifest, root or artifact: {@link #reason()} for metrics, the message for the log. */
public final class RefusedException extends Exception {
    private final Reason reason;

    public RefusedException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
