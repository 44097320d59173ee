package org.hyperhash.treasury;

import java.util.Locale;

/** Kinds of ledger entries (stored lower-case in {@code ledger_entries.kind}). */
public enum EntryKind {
    /** PPLNS share of a matured block (+). */
    BLOCK_CREDIT,
    /** Pool fee of a matured block, credited to {@link Accounts#POOL_ACCOUNT} (+). */
    POOL_FEE,
    /** Payout amount plus fee limit reserved before sending (-). */
    PAYOUT_RESERVE,
    /** Reservation returned after a definitively failed payout (+). */
    PAYOUT_RELEASE,
    /** Unused part of the fee limit returned after a successful payout (+). */
    PAYOUT_FEE_REFUND,
    /** Manual operator correction (+/-), always with a reference. */
    ADJUSTMENT;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EntryKind fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
