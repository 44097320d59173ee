package org.hyperhash.treasury;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hyperhash.ledger.Jdbc;
import org.hyperhash.ledger.LedgerDatabase;

/**
 * Miner balances over the append-only {@code ledger_entries} table. Every change is one entry plus the matching
 * update of the {@code balances} cache in the same transaction; {@link #check()} proves the cache equals the sum
 * of entries. Amounts are integer millisatoshis; a single entry is bounded by the 21M BTC supply.
 */
public final class Accounts {
    /** The account that receives pool fees (and rewards of blocks with no counted work). */
    public static final String POOL_ACCOUNT = "@pool";
    /** 21,000,000 BTC in msat: no legitimate entry or balance exceeds it. */
    public static final long MAX_MONEY_MSAT = 21_000_000L * 100_000_000L * 1000L;

    private final LedgerDatabase db;

    public Accounts(LedgerDatabase db) {
        this.db = db;
    }

    /** A balance row. */
    public record Balance(String account, long balanceMsat, long entryCount, long updatedAtMs) {
    }

    /** A ledger entry. */
    public record Entry(long entryId, String account, EntryKind kind, long amountMsat, String ref, long createdAtMs) {
    }

    /** One discrepancy found by {@link #check()}. */
    public record Problem(String account, String what) {
    }

    /** Result of {@link #check()}: ok when there are no problems. */
    public record CheckReport(int accounts, long entries, long totalMsat, List<Problem> problems) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    /** Raised when a debit would take an account below zero. */
    public static final class InsufficientBalance extends TreasuryException {
        public InsufficientBalance(String account, long balanceMsat, long debitMsat) {
            super("account " + account + " has " + balanceMsat + " msat, cannot debit " + debitMsat + " msat");
        }
    }

    /**
     * Appends one entry and updates the cached balance, inside the caller's transaction. A debit that would make
     * the balance negative throws {@link InsufficientBalance} (the caller's transaction must roll back).
     * Returns the new balance.
     */
    public static long append(Connection c, String account, EntryKind kind, long amountMsat, String ref, long nowMs) throws SQLException {
        if (account == null || account.isBlank() || account.length() > 200) {
            throw new TreasuryException("ledger entry account must be 1..200 characters");
        }
        if (ref == null || ref.isBlank()) {
            throw new TreasuryException("ledger entry ref must not be empty");
        }
        if (amountMsat == 0 || amountMsat > MAX_MONEY_MSAT || amountMsat < -MAX_MONEY_MSAT) {
            throw new TreasuryException("ledger entry amount_msat out of range: " + amountMsat);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ledger_entries (account, kind, amount_msat, ref, created_at_ms) VALUES (?,?,?,?,?)")) {
            ps.setString(1, account);
            ps.setString(2, kind.dbName());
            ps.setLong(3, amountMsat);
            ps.setString(4, ref);
            ps.setLong(5, nowMs);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO balances (account, balance_msat, entry_count, updated_at_ms) "
                + "VALUES (?,?,1,?) ON CONFLICT (account) DO UPDATE SET balance_msat = balances.balance_msat + excluded.balance_msat, "
                + "entry_count = balances.entry_count + 1, updated_at_ms = excluded.updated_at_ms")) {
            ps.setString(1, account);
            ps.setLong(2, amountMsat);
            ps.setLong(3, nowMs);
            ps.executeUpdate();
        }
        long balance = balance(c, account);
        if (balance > MAX_MONEY_MSAT) {
            throw new TreasuryException("account " + account + " balance would exceed 21M BTC");
        }
        if (amountMsat < 0 && balance < 0) {
            throw new InsufficientBalance(account, balance - amountMsat, -amountMsat);
        }
        return balance;
    }

    /** The cached balance of {@code account} on connection {@code c} (0 when unknown). */
    public static long balance(Connection c, String account) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT balance_msat FROM balances WHERE account = ?")) {
            ps.setString(1, account);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        }
    }

    public long balanceMsat(String account) {
        return Jdbc.query(db.dataSource(), c -> balance(c, account));
    }

    public Optional<Balance> find(String account) {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT account, balance_msat, entry_count, updated_at_ms FROM balances WHERE account = ?")) {
                ps.setString(1, account);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Balance(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
                            : Optional.<Balance>empty();
                }
            }
        });
    }

    /** All balances, largest first. */
    public List<Balance> balances() {
        return Jdbc.query(db.dataSource(), c -> {
            List<Balance> out = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT account, balance_msat, entry_count, updated_at_ms FROM balances ORDER BY balance_msat DESC, account")) {
                while (rs.next()) {
                    out.add(new Balance(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }
            }
            return out;
        });
    }

    /** Total owed to miners (every balance except the pool's own account), msat. */
    public long owedMsat() {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(balance_msat), 0) FROM balances WHERE account <> ?")) {
                ps.setString(1, POOL_ACCOUNT);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    /** Entries of one account, oldest first. */
    public List<Entry> entries(String account) {
        return Jdbc.query(db.dataSource(), c -> {
            List<Entry> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT entry_id, account, kind, amount_msat, ref, created_at_ms "
                    + "FROM ledger_entries WHERE account = ? ORDER BY entry_id")) {
                ps.setString(1, account);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Entry(rs.getLong(1), rs.getString(2), EntryKind.fromDb(rs.getString(3)), rs.getLong(4),
                                rs.getString(5), rs.getLong(6)));
                    }
                }
            }
            return out;
        });
    }

    /** A manual correction entry (operator action; the ref must be unique per account and kind). */
    public long adjust(String account, long amountMsat, String ref, long nowMs) {
        return Jdbc.inTransaction(db.dataSource(), c -> append(c, account, EntryKind.ADJUSTMENT, amountMsat, ref, nowMs));
    }

    /**
     * Proves the ledger: every cached balance equals the sum (and count) of its entries, no entry-only or
     * balance-only accounts, no negative balance, and every payout's entries match its status
     * (open: reserve only; succeeded: reserve + fee refund; failed: reserve + release of the same amount).
     */
    public CheckReport check() {
        return Jdbc.query(db.dataSource(), c -> {
            List<Problem> problems = new ArrayList<>();
            int accounts = 0;
            long entries = 0;
            long total = 0;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT COALESCE(b.account, e.account), b.balance_msat, b.entry_count, e.total, e.n FROM balances b "
                            + "FULL OUTER JOIN (SELECT account, SUM(amount_msat) AS total, COUNT(*) AS n FROM ledger_entries GROUP BY account) e "
                            + "ON e.account = b.account ORDER BY 1")) {
                while (rs.next()) {
                    accounts++;
                    String a = rs.getString(1);
                    long bal = rs.getLong(2);
                    boolean hasBalance = !rs.wasNull();
                    long count = rs.getLong(3);
                    long sum = rs.getLong(4);
                    boolean hasEntries = rs.getObject(4) != null;
                    long n = rs.getLong(5);
                    entries += n;
                    total += sum;
                    if (!hasBalance) {
                        problems.add(new Problem(a, "entries sum to " + sum + " msat but no balance row"));
                    } else if (!hasEntries) {
                        problems.add(new Problem(a, "balance " + bal + " msat with no entries"));
                    } else {
                        if (bal != sum) {
                            problems.add(new Problem(a, "balance " + bal + " msat != sum of entries " + sum + " msat"));
                        }
                        if (count != n) {
                            problems.add(new Problem(a, "entry_count " + count + " != " + n + " entries"));
                        }
                    }
                    if (bal < 0) {
                        problems.add(new Problem(a, "negative balance " + bal + " msat"));
                    }
                }
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT p.payout_id, p.account, p.status, p.amount_msat + p.fee_limit_msat, p.fee_limit_msat - COALESCE(p.fee_paid_msat, 0), "
                            + "(SELECT COALESCE(SUM(amount_msat),0) FROM ledger_entries e WHERE e.ref = p.payout_id AND e.account = p.account AND e.kind = 'payout_reserve'), "
                            + "(SELECT COALESCE(SUM(amount_msat),0) FROM ledger_entries e WHERE e.ref = p.payout_id AND e.account = p.account AND e.kind = 'payout_release'), "
                            + "(SELECT COALESCE(SUM(amount_msat),0) FROM ledger_entries e WHERE e.ref = p.payout_id AND e.account = p.account AND e.kind = 'payout_fee_refund') "
                            + "FROM payouts p WHERE p.dry_run = 0 ORDER BY p.payout_id")) {
                while (rs.next()) {
                    String id = rs.getString(1);
                    String a = rs.getString(2);
                    String status = rs.getString(3);
                    long reserved = rs.getLong(4);
                    long refund = rs.getLong(5);
                    long r = rs.getLong(6);
                    long rel = rs.getLong(7);
                    long fr = rs.getLong(8);
                    if (r != -reserved) {
                        problems.add(new Problem(a, "payout " + id + " reserve entry " + r + " != -" + reserved));
                    }
                    boolean ok = switch (status) {
                        case "reserved", "in_flight" -> rel == 0 && fr == 0;
                        case "succeeded" -> rel == 0 && fr == refund;
                        case "failed" -> rel == reserved && fr == 0;
                        default -> false;
                    };
                    if (!ok) {
                        problems.add(new Problem(a, "payout " + id + " (" + status + ") has release " + rel + ", fee refund " + fr));
                    }
                }
            }
            return new CheckReport(accounts, entries, total, problems);
        });
    }
}
