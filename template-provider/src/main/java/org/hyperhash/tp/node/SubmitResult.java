package org.hyperhash.tp.node;

/** The outcome of {@code submitblock}. */
public sealed interface SubmitResult {

    /** The label used for metrics and logs: {@code accepted} or Core's reject string. */
    String label();

    /** {@code submitblock} returned {@code null}: the block was accepted. */
    record Accepted() implements SubmitResult {
        @Override
        public String label() {
            return "accepted";
        }
    }

    /**
     * {@code submitblock} returned a reject string, e.g. {@code high-hash},
     * {@code bad-txnmrklroot}, {@code duplicate}, {@code inconclusive}, {@code bad-cb-amount}.
     *
     * @param reason the string exactly as the node returned it
     */
    record Rejected(String reason) implements SubmitResult {
        public Rejected {
            java.util.Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String label() {
            return reason;
        }
    }

    static SubmitResult accepted() {
        return new Accepted();
    }

    static SubmitResult rejected(String reason) {
        return new Rejected(reason);
    }
}
