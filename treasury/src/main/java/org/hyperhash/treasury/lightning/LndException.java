package org.hyperhash.treasury.lightning;

/** An LND call failed; {@link #kind()} says why in operator terms. Messages never carry the macaroon. */
public final class LndException extends Exception {
    /** Failure classes operators act on differently. */
    public enum Kind { UNREACHABLE, BAD_MACAROON, WALLET_LOCKED, TLS, TIMEOUT, REFUSED }

    private final Kind kind;

    public LndException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind getKind() {
        return kind;
    }

    public Kind kind() {
        return kind;
    }
}
