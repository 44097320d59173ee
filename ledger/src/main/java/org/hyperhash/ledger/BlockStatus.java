package org.hyperhash.ledger;

import java.util.Locale;

/** Lifecycle of a found block; stored lower-case in {@code found_blocks.status}. */
public enum BlockStatus {
    SUBMITTED, ACCEPTED, REJECTED, ORPHANED, CONFIRMED, MATURED;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BlockStatus fromDb(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new LedgerException("unknown found_blocks.status '" + s + "'");
        }
    }
}
