package org.hyperhash.sv2.channel;

/** A TDP NewTemplate (plus payout outputs) cannot be turned into a valid coinbase. The message names the field. */
public final class InvalidTemplateException extends Exception {
    private final String field;

    public InvalidTemplateException(String field, String detail) {
        super(field + ": " + detail);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
