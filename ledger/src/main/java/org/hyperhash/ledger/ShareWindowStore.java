package org.hyperhash.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** The pool's share accounting table {@code share_windows}. Thread-safe. */
public final class ShareWindowStore {
    private static final String UPSERT = "INSERT INTO share_windows (instance_id, window_start_ms, address, worker, shares, work) "
            + "VALUES (?,?,?,?,?,?) ON CONFLICT (instance_id, window_start_ms, address, worker) DO UPDATE SET "
            + "shares = share_windows.shares + excluded.shares, work = share_windows.work + excluded.work";

    private final LedgerDatabase db;

    public ShareWindowStore(LedgerDatabase db) {
        this.db = db;
    }

    /** Adds each row's shares and work to the stored row (inserting it if new), all in one transaction. */
    public void upsertBatch(List<ShareWindow> rows) {
        if (rows.isEmpty()) {
            return;
        }
        Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (ShareWindow w : rows) {
                    ps.setString(1, w.instanceId());
                    ps.setLong(2, w.windowStartMs());
                    ps.setString(3, w.address());
                    ps.setString(4, w.worker());
                    ps.setLong(5, w.shares());
                    ps.setDouble(6, w.work());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * Streams windows starting at or before {@code atOrBeforeMs}, newest first (ties in a deterministic order:
     * instance, address, worker) until {@code consumer} returns false. Used by PPLNS.
     */
    public void forEachNewestFirst(long atOrBeforeMs, Predicate<ShareWindow> consumer) {
        Jdbc.query(db.dataSource(), c -> {
            c.setAutoCommit(false); // PostgreSQL streams with a fetch size only inside a transaction
            try (PreparedStatement ps = c.prepareStatement("SELECT instance_id, window_start_ms, address, worker, shares, work "
                    + "FROM share_windows WHERE window_start_ms <= ? ORDER BY window_start_ms DESC, instance_id, address, worker")) {
                ps.setFetchSize(1000);
                ps.setLong(1, atOrBeforeMs);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!consumer.test(new ShareWindow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getLong(5), rs.getDouble(6)))) {
                            break;
                        }
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
            return null;
        });
    }

    /** All windows of one address (newest first, at most {@code limit}). */
    public List<ShareWindow> byAddress(String address, int limit) {
        return Jdbc.query(db.dataSource(), c -> {
            List<ShareWindow> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT instance_id, window_start_ms, address, worker, shares, work "
                    + "FROM share_windows WHERE address = ? ORDER BY window_start_ms DESC, instance_id, worker LIMIT ?")) {
                ps.setString(1, address);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new ShareWindow(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                                rs.getLong(5), rs.getDouble(6)));
                    }
                }
            }
            return out;
        });
    }

    /** Deletes windows that start before {@code beforeMs}; returns the count. */
    public int pruneBefore(long beforeMs) {
        return Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM share_windows WHERE window_start_ms < ?")) {
                ps.setLong(1, beforeMs);
                return ps.executeUpdate();
            }
        });
    }
}
