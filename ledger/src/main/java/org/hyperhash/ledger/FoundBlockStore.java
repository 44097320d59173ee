package org.hyperhash.ledger;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The {@code found_blocks} table: the pool inserts, the pool and treasury update status. Thread-safe. */
public final class FoundBlockStore {
    private static final String COLS = "block_hash, height, found_at_ms, instance_id, address, worker, reward_sats, "
            + "network_difficulty, status, submit_result, updated_at_ms";

    private final LedgerDatabase db;
    private final InstantSource clock;

    public FoundBlockStore(LedgerDatabase db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /**
     * Records a found block; committed (durable) before it returns. Returns false when the hash was already
     * recorded (the stored row is left unchanged), so a retried insert is harmless.
     */
    public boolean insertFound(FoundBlock b) {
        return insertFound(List.of(b)) == 1;
    }

    /**
     * Records found blocks in one transaction (one commit, so a burst of blocks costs one sync, not one per block);
     * committed before it returns, all or none. Returns how many were new; hashes already recorded are left unchanged,
     * so a retried batch is harmless.
     */
    public int insertFound(List<FoundBlock> found) {
        if (found.isEmpty()) {
            return 0;
        }
        return Jdbc.inTransaction(db.dataSource(), c -> {
            int inserted = 0;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO found_blocks (" + COLS + ") VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                    + "ON CONFLICT (block_hash) DO NOTHING")) {
                for (FoundBlock b : found) {
                    ps.setString(1, b.blockHash());
                    ps.setLong(2, b.height());
                    ps.setLong(3, b.foundAtMs());
                    ps.setString(4, b.instanceId());
                    ps.setString(5, b.address());
                    ps.setString(6, b.worker());
                    ps.setLong(7, b.rewardSats());
                    ps.setDouble(8, b.networkDifficulty());
                    ps.setString(9, b.status().dbName());
                    ps.setString(10, b.submitResult());
                    ps.setLong(11, b.updatedAtMs());
                    inserted += ps.executeUpdate();
                }
            }
            return inserted;
        });
    }

    /** Sets status and result; returns false when no block has that hash. */
    public boolean updateStatus(String blockHash, BlockStatus status, String result) {
        return Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE found_blocks SET status = ?, submit_result = ?, updated_at_ms = ? WHERE block_hash = ?")) {
                ps.setString(1, status.dbName());
                ps.setString(2, result);
                ps.setLong(3, clock.millis());
                ps.setString(4, blockHash);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Sets status and result only while the block is still {@code expected} (e.g. the pool's submitblock outcome must
     * not overwrite a later {@code confirmed} from the treasury); false when no such row (yet).
     */
    public boolean updateStatusFrom(String blockHash, BlockStatus expected, BlockStatus status, String result) {
        return Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE found_blocks SET status = ?, submit_result = ?,"
                    + " updated_at_ms = ? WHERE block_hash = ? AND status = ?")) {
                ps.setString(1, status.dbName());
                ps.setString(2, result);
                ps.setLong(3, clock.millis());
                ps.setString(4, blockHash);
                ps.setString(5, expected.dbName());
                return ps.executeUpdate() == 1;
            }
        });
    }

    public Optional<FoundBlock> find(String blockHash) {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM found_blocks WHERE block_hash = ?")) {
                ps.setString(1, blockHash);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<FoundBlock>empty();
                }
            }
        });
    }

    /** Blocks whose status is one of {@code statuses}, oldest first. */
    public List<FoundBlock> listByStatus(Set<BlockStatus> statuses) {
        if (statuses.isEmpty()) {
            return List.of();
        }
        StringBuilder in = new StringBuilder();
        for (int i = 0; i < statuses.size(); i++) {
            in.append(i == 0 ? "?" : ",?");
        }
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLS + " FROM found_blocks WHERE status IN (" + in
                    + ") ORDER BY height, block_hash")) {
                int i = 1;
                for (BlockStatus s : statuses) {
                    ps.setString(i++, s.dbName());
                }
                List<FoundBlock> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Reads one row selected with this store's column order. */
    public static FoundBlock read(ResultSet rs) throws SQLException {
        return new FoundBlock(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6),
                rs.getLong(7), rs.getDouble(8), BlockStatus.fromDb(rs.getString(9)), rs.getString(10), rs.getLong(11));
    }
}
