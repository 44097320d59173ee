package org.hyperhash.treasury.lightning;

import java.util.Locale;

/** Where a miner's payouts go. */
public enum DestinationKind {
    /** user@domain, resolved through LNURL-pay for every payout. */
    LIGHTNING_ADDRESS,
    /** A node public key (33-byte hex); paid by keysend with a fresh preimage per payout. */
    KEYSEND,
    /** One BOLT11 invoice; consumed by one payout. */
    BOLT11;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DestinationKind parse(String s) {
        try {
            return valueOf(s.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("destination kind must be lightning_address, keysend or bolt11, got '" + s + "'");
        }
    }
}
