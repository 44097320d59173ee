package org.hyperhash.tp.template;

/** A SubmitSolution that cannot be turned into a block (the reason names what is wrong). */
public final class InvalidSolutionException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Short label for metrics/logs, e.g. {@code bad-coinbase-tx}, {@code missing-template-outputs}. */
    private final String reason;

    /** Every reason {@link BlockAssembler} throws (metrics register these up front). */
    public static final java.util.List<String> REASONS =
            java.util.List.of("bad-coinbase-tx", "bad-coinbase-prefix", "bad-coinbase-length", "missing-template-outputs");

    public InvalidSolutionException(String reason, String detail) {
        super(reason + ": " + detail);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
