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

    private static final String UPSERT_HOUR = "INSERT INTO worker_hours (instance_id, hour_start_ms, address, worker, accepted, work, "
            + "best_difficulty, rejected, first_share_ms, last_share_ms) VALUES (?,?,?,?,?,?,?,?,?,?) "
            + "ON CONFLICT (address, hour_start_ms, worker, instance_id) DO UPDATE SET "
            + "accepted = worker_hours.accepted + excluded.accepted, work = worker_hours.work + excluded.work, "
            + "best_difficulty = CASE WHEN excluded.best_difficulty > worker_hours.best_difficulty "
            + "THEN excluded.best_difficulty ELSE worker_hours.best_difficulty END, "
            + "rejected = worker_hours.rejected + excluded.rejected, "
            + "first_share_ms = CASE WHEN worker_hours.first_share_ms = 0 OR (excluded.first_share_ms > 0 "
            + "AND excluded.first_share_ms < worker_hours.first_share_ms) THEN excluded.first_share_ms ELSE worker_hours.first_share_ms END, "
            + "last_share_ms = CASE WHEN excluded.last_share_ms > worker_hours.last_share_ms "
            + "THEN excluded.last_share_ms ELSE worker_hours.last_share_ms END";
    private static final String UPSERT_REJECT = "INSERT INTO worker_rejects (instance_id, hour_start_ms, address, worker, reason, "
            + "rejected) VALUES (?,?,?,?,?,?) ON CONFLICT (address, hour_start_ms, worker, instance_id, reason) DO UPDATE SET "
            + "rejected = worker_rejects.rejected + excluded.rejected";

    private final LedgerDatabase db;

    public ShareWindowStore(LedgerDatabase db) {
        this.db = db;
    }

    /** Adds each row's shares and work to the stored row (inserting it if new), all in one transaction. */
    public void upsertBatch(List<ShareWindow> rows) {
        upsertBatch(rows, List.of(), List.of());
    }

    /**
     * Adds share windows, the hourly per-worker rollup and rejected-share counts (each row added to the stored one:
     * counts and work summed, best difficulty and last share time the larger), all in one transaction, so the rollup
     * never disagrees with the windows.
     */
    public void upsertBatch(List<ShareWindow> rows, List<WorkerHour> hours, List<WorkerReject> rejects) {
        if (rows.isEmpty() && hours.isEmpty() && rejects.isEmpty()) {
            return;
        }
        Jdbc.inTransaction(db.dataSource(), c -> {
            if (!hours.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(UPSERT_HOUR)) {
                    for (WorkerHour h : hours) {
                        ps.setString(1, h.instanceId());
                        ps.setLong(2, h.hourStartMs());
                        ps.setString(3, h.address());
                        ps.setString(4, h.worker());
                        ps.setLong(5, h.accepted());
                        ps.setDouble(6, h.work());
                        ps.setDouble(7, h.bestDifficulty());
                        ps.setLong(8, h.rejected());
                        ps.setLong(9, h.firstShareMs());
                        ps.setLong(10, h.lastShareMs());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            if (!rejects.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(UPSERT_REJECT)) {
                    for (WorkerReject r : rejects) {
                        ps.setString(1, r.instanceId());
                        ps.setLong(2, r.hourStartMs());
                        ps.setString(3, r.address());
                        ps.setString(4, r.worker());
                        ps.setString(5, r.reason());
                        ps.setLong(6, r.rejected());
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            if (rows.isEmpty()) {
                return null;
            }
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

    /** The hourly rollup rows of one address (newest first, at most {@code limit}). */
    public List<WorkerHour> hoursByAddress(String address, int limit) {
        return Jdbc.query(db.dataSource(), c -> {
            List<WorkerHour> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT instance_id, hour_start_ms, address, worker, accepted, work, "
                    + "best_difficulty, rejected, first_share_ms, last_share_ms FROM worker_hours WHERE address = ? "
                    + "ORDER BY hour_start_ms DESC, instance_id, worker LIMIT ?")) {
                ps.setString(1, address);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new WorkerHour(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                                rs.getDouble(6), rs.getDouble(7), rs.getLong(8), rs.getLong(9), rs.getLong(10)));
                    }
                }
            }
            return out;
        });
    }

    /** The rejected-share rows of one address (newest first, then worker and reason; at most {@code limit}). */
    public List<WorkerReject> rejectsByAddress(String address, int limit) {
        return Jdbc.query(db.dataSource(), c -> {
            List<WorkerReject> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT instance_id, hour_start_ms, address, worker, reason, rejected "
                    + "FROM worker_rejects WHERE address = ? ORDER BY hour_start_ms DESC, instance_id, worker, reason LIMIT ?")) {
                ps.setString(1, address);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new WorkerReject(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5),
                                rs.getLong(6)));
                    }
                }
            }
            return out;
        });
    }

    /** The tables the retention job prunes: each row's time column and primary key. */
    public enum Prunable {
        SHARE_WINDOWS("share_windows", "window_start_ms", "instance_id, window_start_ms, address, worker"),
        WORKER_HOURS("worker_hours", "hour_start_ms", "address, hour_start_ms, worker, instance_id"),
        WORKER_REJECTS("worker_rejects", "hour_start_ms", "address, hour_start_ms, worker, instance_id, reason");

        private final String table;
        private final String timeColumn;
        private final String deleteSql;

        Prunable(String table, String timeColumn, String key) {
            this.table = table;
            this.timeColumn = timeColumn;
            // the oldest rows first, at most ? of them, by primary key: one bounded transaction on both dialects
            // (SQLite >= 3.15 and PostgreSQL both take a row value IN a subquery)
            this.deleteSql = "DELETE FROM " + table + " WHERE (" + key + ") IN (SELECT " + key + " FROM " + table
                    + " WHERE " + timeColumn + " < ? ORDER BY " + timeColumn + " LIMIT ?)";
        }

        /** The table's name (the {@code table} label of the retention metrics). */
        public String table() {
            return table;
        }

        /** The column compared with the cut-off ({@code window_start_ms} or {@code hour_start_ms}). */
        public String timeColumn() {
            return timeColumn;
        }
    }

    /**
     * Deletes at most {@code batchSize} rows of {@code t} whose time column is before {@code beforeMs}, the oldest
     * first, in one transaction; returns the count (below {@code batchSize}: nothing older is left). Callers loop,
     * so a large backlog is never one huge transaction (the pool's share log keeps writing between batches).
     */
    public int deleteBatch(Prunable t, long beforeMs, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        return Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(t.deleteSql)) {
                ps.setLong(1, beforeMs);
                ps.setInt(2, batchSize);
                return ps.executeUpdate();
            }
        });
    }

    /** Rows of {@code t} whose time column is before {@code beforeMs} (tests, status). */
    public long countBefore(Prunable t, long beforeMs) {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + t.table + " WHERE " + t.timeColumn + " < ?")) {
                ps.setLong(1, beforeMs);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }
}
