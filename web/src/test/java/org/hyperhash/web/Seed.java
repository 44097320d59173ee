package org.hyperhash.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;

/** Writes ledger rows as the pool and the treasury would (tests and the load test only). */
final class Seed {
    private final DataSource ds;

    Seed(DataSource ds) {
        this.ds = ds;
    }

    /** Regtest P2WPKH address number n (a fixed pattern, no key behind it). */
    static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) 0xa0;
        h[16] = (byte) (n >>> 24);
        h[17] = (byte) (n >>> 16);
        h[18] = (byte) (n >>> 8);
        h[19] = (byte) n;
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    /** A share window and its part of the hourly rollup (first/last share = the window start), as the pool's share log. */
    void window(String instance, long startMs, String address, String worker, long shares, double work) throws SQLException {
        exec("INSERT INTO share_windows (instance_id, window_start_ms, address, worker, shares, work) VALUES (?,?,?,?,?,?)",
                instance, startMs, address, worker, shares, work);
        hour(instance, startMs, address, worker, shares, work, 0, 0, startMs);
    }

    /** Adds to the worker_hours row of the hour holding {@code atMs}, as the pool's share log does. */
    void hour(String instance, long atMs, String address, String worker, long accepted, double work, double best, long rejected,
            long shareMs) throws SQLException {
        long first = accepted > 0 ? shareMs : 0;
        exec("INSERT INTO worker_hours (instance_id, hour_start_ms, address, worker, accepted, work, best_difficulty, rejected, "
                + "first_share_ms, last_share_ms) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (address, hour_start_ms, worker, instance_id) "
                + "DO UPDATE SET accepted = worker_hours.accepted + excluded.accepted, work = worker_hours.work + excluded.work, "
                + "best_difficulty = CASE WHEN excluded.best_difficulty > worker_hours.best_difficulty THEN excluded.best_difficulty "
                + "ELSE worker_hours.best_difficulty END, rejected = worker_hours.rejected + excluded.rejected, "
                + "first_share_ms = CASE WHEN worker_hours.first_share_ms = 0 OR (excluded.first_share_ms > 0 AND excluded.first_share_ms "
                + "< worker_hours.first_share_ms) THEN excluded.first_share_ms ELSE worker_hours.first_share_ms END, "
                + "last_share_ms = CASE WHEN excluded.last_share_ms > worker_hours.last_share_ms THEN excluded.last_share_ms "
                + "ELSE worker_hours.last_share_ms END",
                instance, Math.floorDiv(atMs, 3_600_000L) * 3_600_000L, address, worker, accepted, work, best, rejected, first, first);
    }

    /** Rejected shares of a worker in the hour holding {@code atMs}: worker_rejects and the worker_hours total. */
    void reject(String instance, long atMs, String address, String worker, String reason, long n) throws SQLException {
        long hour = Math.floorDiv(atMs, 3_600_000L) * 3_600_000L;
        exec("INSERT INTO worker_rejects (instance_id, hour_start_ms, address, worker, reason, rejected) VALUES (?,?,?,?,?,?) "
                + "ON CONFLICT (address, hour_start_ms, worker, instance_id, reason) DO UPDATE SET "
                + "rejected = worker_rejects.rejected + excluded.rejected", instance, hour, address, worker, reason, n);
        hour(instance, atMs, address, worker, 0, 0, 0, n, 0);
    }

    void block(String hash, long height, long foundAtMs, String address, String worker, long rewardSats, double netDiff, String status)
            throws SQLException {
        exec("INSERT INTO found_blocks (block_hash, height, found_at_ms, instance_id, address, worker, reward_sats, network_difficulty, "
                + "status, submit_result, updated_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?)", hash, height, foundAtMs, "pool-a", address, worker,
                rewardSats, netDiff, status, null, foundAtMs);
    }

    void distribution(String hash, long height, long foundAtMs, long rewardSats, String status) throws SQLException {
        exec("INSERT INTO block_distributions (block_hash, height, found_at_ms, reward_sats, network_difficulty, window_multiple_ppm, "
                + "fee_ppm, work_scale, window_work_units, counted_work_units, algorithm, status, pool_fee_sats, computed_at_ms, "
                + "updated_at_ms, work_scale_exp) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", hash, height, foundAtMs, rewardSats, 1.0,
                3_000_000L, 20_000L, 1000L, "1000", "1000", "pplns-v2", status, 0L, foundAtMs, foundAtMs, 0);
    }

    void balance(String account, long msat, long atMs) throws SQLException {
        exec("INSERT INTO balances (account, balance_msat, entry_count, updated_at_ms) VALUES (?,?,?,?)", account, msat, 1L, atMs);
    }

    void payout(String id, String account, String kind, String hash, String preimage, long msat, String status, long createdMs)
            throws SQLException {
        exec("INSERT INTO payouts (payout_id, account, destination_kind, destination, payment_request, payment_hash, keysend_preimage, "
                + "amount_msat, fee_limit_msat, fee_paid_msat, status, attempts, failure_reason, dry_run, created_at_ms, updated_at_ms, "
                + "settled_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", id, account, kind, "dest-" + id, null, hash, preimage, msat,
                1000L, 0L, status, 1, null, 0, createdMs, createdMs, "succeeded".equals(status) ? createdMs + 1000 : null);
    }

    void destination(String account, String kind, String destination, long provedS, long atMs) throws SQLException {
        exec("INSERT INTO destinations (account, kind, destination, proof_message, proof_signature, proof_timestamp_s, updated_at_ms) "
                + "VALUES (?,?,?,?,?,?,?)", account, kind, destination, "msg", "sig", provedS, atMs);
    }

    private void exec(String sql, Object... args) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }
}
