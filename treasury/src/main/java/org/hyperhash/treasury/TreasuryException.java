package org.hyperhash.treasury;

/** A treasury operation refused or failed; the message names the field or step and never carries secrets. */
public class TreasuryException extends RuntimeException {
    public TreasuryException(String message) {
        super(message);
    }

    public TreasuryException(String message, Throwable cause) {
        super(message, cause);
    }
}
