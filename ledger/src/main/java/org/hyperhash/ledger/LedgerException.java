package org.hyperhash.ledger;

/** A ledger storage failure (SQL error, failed migration, checksum mismatch). Messages never carry credentials. */
public class LedgerException extends RuntimeException {
    public LedgerException(String message) {
        super(message);
    }

    public LedgerException(String message, Throwable cause) {
        super(message, cause);
    }
}
