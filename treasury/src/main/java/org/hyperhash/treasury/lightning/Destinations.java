package org.hyperhash.treasury.lightning;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hyperhash.ledger.Jdbc;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.treasury.TreasuryException;
import org.hyperhash.treasury.proof.AddressProof;

/** Per-miner payout destinations, set only with a valid proof of address control. */
public final class Destinations {
    private static final Pattern PUBKEY = Pattern.compile("0[23][0-9a-f]{64}");

    /** A stored destination. */
    public record Destination(String account, DestinationKind kind, String destination, long proofTimestampSeconds) {
    }

    private final LedgerDatabase db;
    private final AddressProof proof;
    private final String lnNetwork;
    private final InstantSource clock;

    /** @param lnNetwork BOLT11 currency prefix of our network: bc, tb, tbs or bcrt */
    public Destinations(LedgerDatabase db, AddressProof proof, String lnNetwork, InstantSource clock) {
        this.db = db;
        this.proof = proof;
        this.lnNetwork = lnNetwork;
        this.clock = clock;
    }

    /** Checks a destination's syntax for its kind; returns its normalised form or throws naming the problem. */
    public String normalise(DestinationKind kind, String destination) {
        if (destination == null || destination.isBlank()) {
            throw new IllegalArgumentException("destination is empty");
        }
        return switch (kind) {
            case LIGHTNING_ADDRESS -> LnurlPay.checkAddress(destination);
            case KEYSEND -> {
                String k = destination.strip().toLowerCase(java.util.Locale.ROOT);
                if (!PUBKEY.matcher(k).matches()) {
                    throw new IllegalArgumentException("keysend destination must be a 33-byte compressed node public key in hex");
                }
                yield k;
            }
            case BOLT11 -> {
                Bolt11Invoice inv = Bolt11Invoice.decode(destination);
                if (!inv.network().equals(lnNetwork)) {
                    throw new IllegalArgumentException("invoice is for network '" + inv.network() + "', we pay on '" + lnNetwork + "'");
                }
                if (inv.expiredAt(clock.millis() / 1000)) {
                    throw new IllegalArgumentException("invoice has expired");
                }
                yield inv.paymentRequest();
            }
        };
    }

    /**
     * Sets {@code account}'s destination after verifying the signed challenge
     * ({@link AddressProof#challenge}). Throws {@link AddressProof.InvalidProof} or IllegalArgumentException.
     */
    public Destination set(String account, DestinationKind kind, String destination, String signedMessage, String signatureBase64)
            throws AddressProof.InvalidProof {
        String norm = normalise(kind, destination);
        long last = find(account).map(Destination::proofTimestampSeconds).orElse(Long.MIN_VALUE);
        proof.verify(account, kind.dbName(), destination.strip(), signedMessage, signatureBase64, clock.millis() / 1000, last);
        long ts = Long.parseLong(AddressProof.parse(signedMessage).get("timestamp"));
        long now = clock.millis();
        Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO destinations (account, kind, destination, proof_message, "
                    + "proof_signature, proof_timestamp_s, updated_at_ms) VALUES (?,?,?,?,?,?,?) ON CONFLICT (account) DO UPDATE SET "
                    + "kind = excluded.kind, destination = excluded.destination, proof_message = excluded.proof_message, "
                    + "proof_signature = excluded.proof_signature, proof_timestamp_s = excluded.proof_timestamp_s, updated_at_ms = excluded.updated_at_ms "
                    + "WHERE destinations.proof_timestamp_s < excluded.proof_timestamp_s")) {
                ps.setString(1, account);
                ps.setString(2, kind.dbName());
                ps.setString(3, norm);
                ps.setString(4, signedMessage);
                ps.setString(5, signatureBase64);
                ps.setLong(6, ts);
                ps.setLong(7, now);
                if (ps.executeUpdate() != 1) {
                    throw new TreasuryException("a newer destination proof for " + account + " was stored concurrently");
                }
            }
            return null;
        });
        return new Destination(account, kind, norm, ts);
    }

    public Optional<Destination> find(String account) {
        return Jdbc.query(db.dataSource(), c -> find(c, account));
    }

    static Optional<Destination> find(Connection c, String account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT kind, destination, proof_timestamp_s FROM destinations WHERE account = ?")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Destination(account, DestinationKind.parse(rs.getString(1)), rs.getString(2), rs.getLong(3)));
            }
        }
    }

    /** Removes a consumed one-shot (BOLT11) destination inside the caller's transaction. */
    static void consumeBolt11(Connection c, String account, String paymentRequest) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM destinations WHERE account = ? AND kind = 'bolt11' AND destination = ?")) {
            ps.setString(1, account);
            ps.setString(2, paymentRequest);
            ps.executeUpdate();
        }
    }

    static boolean isPubkey(String hex) {
        return hex != null && PUBKEY.matcher(hex).matches() && HexFormat.of().parseHex(hex).length == 33;
    }
}
