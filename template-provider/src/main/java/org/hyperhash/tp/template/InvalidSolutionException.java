package org.hyperhash.tp.template;

/** A SubmitSolution that cannot be turned into a block (the reason names what is wrong). */
public final class InvalidSolutionException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Short label for metrics/logs, e.g. {@code bad-coinbase-tx}, {@code missing-template-outputs}. */
    private final String reason;

    public InvalidSolutionException(String reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
