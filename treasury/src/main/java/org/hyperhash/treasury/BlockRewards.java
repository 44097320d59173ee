package org.hyperhash.treasury;

import java.math.BigInteger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.Jdbc;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindowStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Found blocks to credits: tracks each block's confirmations through bitcoind, snapshots its PPLNS inputs once it
 * is on the main chain and at least {@code snapshotDelayMs} past its found time, so the pool's share log has
 * flushed the shares just before it ({@code block_distributions} + {@code distribution_inputs}), and credits
 * miners in one transaction when it reaches maturity (never before the snapshot). Nothing is credited before maturity, so an orphaned block reverses nothing.
 */
public final class BlockRewards {
    private static final Logger LOG = LoggerFactory.getLogger(BlockRewards.class);

    /**
     * @param windowMultiplePpm      PPLNS window as a multiple of network difficulty, in millionths (2.0 = 2,000,000)
     * @param feePpm                 pool fee in millionths of the reward
     * @param workScale              minimum work units per unit of share difficulty; raised by powers of ten per block
     *                               until the window has {@link Pplns#MIN_WINDOW_UNITS} units
     * @param maturityConfirmations  confirmations before crediting (100 on mainnet)
     * @param snapshotDelayMs        snapshot a block's inputs only this long after its found time (must exceed the
     *                               pool's share-log flush interval plus clock skew between pool and treasury)
     */
    public record Config(long windowMultiplePpm, long feePpm, long workScale, int maturityConfirmations, long snapshotDelayMs) {
        /** Default {@code pplns.snapshot-delay}: 5 s, above the pool's maximum ledger.flush-interval of 1 s. */
        public static final long DEFAULT_SNAPSHOT_DELAY_MS = 5_000;

        public Config(long windowMultiplePpm, long feePpm, long workScale, int maturityConfirmations) {
            this(windowMultiplePpm, feePpm, workScale, maturityConfirmations, DEFAULT_SNAPSHOT_DELAY_MS);
        }

        public Config {
            if (windowMultiplePpm <= 0) {
                throw new TreasuryException("pplns.window-multiple must be > 0");
            }
            if (feePpm < 0 || feePpm > 1_000_000) {
                throw new TreasuryException("pplns.fee-ppm must be in [0, 1000000]");
            }
            if (workScale < 1) {
                throw new TreasuryException("pplns.work-scale must be >= 1");
            }
            if (maturityConfirmations < 1) {
                throw new TreasuryException("maturity.confirmations must be >= 1");
            }
            if (snapshotDelayMs < 0) {
                throw new TreasuryException("pplns.snapshot-delay must be >= 0");
            }
        }
    }

    /** What one poll did. */
    public record PollResult(int checked, int snapshotted, int credited, int orphaned, int rpcErrors) {
    }

    /** The inputs a block's distribution was (or would be) computed with. */
    public record WindowParams(long windowMultiplePpm, Pplns.WorkScale workScale, String algorithm) {
    }

    /** The stored distribution of one block. */
    public record Distribution(String blockHash, long height, long foundAtMs, long rewardSats, double networkDifficulty,
                               long windowMultiplePpm, long feePpm, Pplns.WorkScale workScale, BigInteger windowUnits,
                               BigInteger countedUnits, String algorithm, String status, List<Pplns.WorkInput> inputs) {
    }

    /**
     * Result of {@link #audit}: ok when the recomputation equals the credited entries. {@code distribution} is the
     * stored distribution audited (its algorithm and work scale are what the split was computed with).
     */
    public record AuditReport(String blockHash, String status, boolean ok, Pplns.Split recomputed,
                              Map<String, Long> creditedSats, String inputsVsShareWindows, List<String> problems,
                              Distribution distribution) {
        /** The algorithm and how it turns share work into work units, e.g. {@code pplns-v2 (share work rounded up ...)}. */
        public String describeAlgorithm() {
            String a = distribution.algorithm();
            if (Pplns.ALGORITHM.equals(a)) {
                return a + " (share work rounded up to whole work units)";
            }
            if (Pplns.ALGORITHM_V1.equals(a)) {
                return a + " (share work rounded down to whole work units)";
            }
            return a + " (unknown to this build, which runs " + Pplns.ALGORITHM + ")";
        }

        /** The work scale as stored and where it came from, e.g. {@code 1000 x 10^8 work units per unit of share difficulty (...)}. */
        public String describeWorkScale() {
            Pplns.WorkScale w = distribution.workScale();
            String per = " work units per unit of share difficulty";
            if (Pplns.ALGORITHM_V1.equals(distribution.algorithm()) && w.exponent() == 0) {
                return w.base() + per + " (pplns-v1: pplns.work-scale alone, no exponent)";
            }
            String scale = w.base() + " x 10^" + w.exponent() + per;
            if (Pplns.ALGORITHM.equals(distribution.algorithm())) {
                return scale + " (pplns.work-scale " + w.base() + ", exponent " + w.exponent() + " derived from network difficulty "
                        + distribution.networkDifficulty() + " and window multiple "
                        + java.math.BigDecimal.valueOf(distribution.windowMultiplePpm(), 6).stripTrailingZeros().toPlainString() + ")";
            }
            return scale + " (as stored)";
        }
    }

    private final LedgerDatabase db;
    private final Config cfg;
    private final InstantSource clock;
    private final FoundBlockStore blocks;
    private final ShareWindowStore shares;

    public BlockRewards(LedgerDatabase db, Config cfg, InstantSource clock) {
        this.db = db;
        this.cfg = cfg;
        this.clock = clock;
        this.blocks = new FoundBlockStore(db, clock);
        this.shares = new ShareWindowStore(db);
    }

    /** The parameters this build and config would snapshot {@code b} with. */
    public WindowParams params(FoundBlock b) {
        return new WindowParams(cfg.windowMultiplePpm(),
                Pplns.WorkScale.derive(b.networkDifficulty(), cfg.windowMultiplePpm(), cfg.workScale()), Pplns.ALGORITHM);
    }

    /** Computes the PPLNS window for {@code b} from the current share windows. */
    public Pplns.Window window(FoundBlock b, WindowParams p) {
        Pplns.Collector col = new Pplns.Collector(Pplns.windowUnits(b.networkDifficulty(), p.windowMultiplePpm(), p.workScale()),
                p.workScale(), p.algorithm());
        shares.forEachNewestFirst(b.foundAtMs(), col::offer);
        return col.finish();
    }

    /** True once {@code b}'s shares have surely been flushed to the share log (now >= found_at + snapshot delay). */
    public boolean snapshotDue(FoundBlock b) {
        return clock.millis() - b.foundAtMs() >= cfg.snapshotDelayMs();
    }

    /**
     * Stores the distribution inputs of {@code b} once (idempotent); returns true when this call stored them. Does
     * nothing (false) before {@link #snapshotDue}.
     */
    public boolean snapshot(FoundBlock b) {
        if (!snapshotDue(b) || distribution(b.blockHash()).isPresent()) {
            return false;
        }
        WindowParams p = params(b);
        Pplns.Window w = window(b, p);
        long now = clock.millis();
        return Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO block_distributions (block_hash, height, found_at_ms, reward_sats, "
                    + "network_difficulty, window_multiple_ppm, fee_ppm, work_scale, work_scale_exp, window_work_units, counted_work_units, "
                    + "algorithm, status, computed_at_ms, updated_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'pending',?,?) "
                    + "ON CONFLICT (block_hash) DO NOTHING")) {
                ps.setString(1, b.blockHash());
                ps.setLong(2, b.height());
                ps.setLong(3, b.foundAtMs());
                ps.setLong(4, b.rewardSats());
                ps.setDouble(5, b.networkDifficulty());
                ps.setLong(6, p.windowMultiplePpm());
                ps.setLong(7, cfg.feePpm());
                ps.setLong(8, p.workScale().base());
                ps.setInt(9, p.workScale().exponent());
                ps.setString(10, w.windowUnits().toString());
                ps.setString(11, w.countedUnits().toString());
                ps.setString(12, p.algorithm());
                ps.setLong(13, now);
                ps.setLong(14, now);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO distribution_inputs (block_hash, account, work_units) VALUES (?,?,?)")) {
                for (Pplns.WorkInput in : w.inputs()) {
                    ps.setString(1, b.blockHash());
                    ps.setString(2, in.account());
                    ps.setString(3, in.workUnits().toString());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return true;
        });
    }

    /** The stored distribution of a block, with inputs. */
    public Optional<Distribution> distribution(String blockHash) {
        return Jdbc.query(db.dataSource(), c -> loadDistribution(c, blockHash));
    }

    private static Optional<Distribution> loadDistribution(Connection c, String blockHash) throws SQLException {
        Distribution d;
        try (PreparedStatement ps = c.prepareStatement("SELECT block_hash, height, found_at_ms, reward_sats, network_difficulty, "
                + "window_multiple_ppm, fee_ppm, work_scale, work_scale_exp, window_work_units, counted_work_units, algorithm, status "
                + "FROM block_distributions WHERE block_hash = ?")) {
            ps.setString(1, blockHash);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                d = new Distribution(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getDouble(5), rs.getLong(6),
                        rs.getLong(7), new Pplns.WorkScale(rs.getLong(8), rs.getInt(9)), new BigInteger(rs.getString(10)),
                        new BigInteger(rs.getString(11)), rs.getString(12), rs.getString(13), List.of());
            }
        }
        List<Pplns.WorkInput> inputs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT account, work_units FROM distribution_inputs WHERE block_hash = ? ORDER BY account")) {
            ps.setString(1, blockHash);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inputs.add(new Pplns.WorkInput(rs.getString(1), new BigInteger(rs.getString(2))));
                }
            }
        }
        return Optional.of(new Distribution(d.blockHash(), d.height(), d.foundAtMs(), d.rewardSats(), d.networkDifficulty(),
                d.windowMultiplePpm(), d.feePpm(), d.workScale(), d.windowUnits(), d.countedUnits(), d.algorithm(), d.status(),
                List.copyOf(inputs)));
    }

    /**
     * Credits a snapshotted block: one transaction writes every miner's credit, the pool fee, marks the
     * distribution credited and the block matured. Returns false when it was already credited (idempotent).
     */
    public boolean credit(String blockHash) {
        long now = clock.millis();
        return Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE block_distributions SET status = 'credited', updated_at_ms = ? WHERE block_hash = ? AND status = 'pending'")) {
                ps.setLong(1, now);
                ps.setString(2, blockHash);
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            Distribution d = loadDistribution(c, blockHash).orElseThrow();
            if (!Pplns.isKnown(d.algorithm())) {
                throw new TreasuryException("block " + blockHash + " was snapshotted with " + d.algorithm() + ", this build runs " + Pplns.ALGORITHM);
            }
            Pplns.Split split = Pplns.split(d.rewardSats(), d.feePpm(), d.inputs());
            for (Pplns.Allocation a : split.allocations()) {
                Accounts.append(c, a.account(), EntryKind.BLOCK_CREDIT, Math.multiplyExact(a.amountSats(), 1000L), blockHash, now);
            }
            if (split.poolFeeSats() > 0) {
                Accounts.append(c, Accounts.POOL_ACCOUNT, EntryKind.POOL_FEE, Math.multiplyExact(split.poolFeeSats(), 1000L), blockHash, now);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE block_distributions SET pool_fee_sats = ? WHERE block_hash = ?")) {
                ps.setLong(1, split.poolFeeSats());
                ps.setString(2, blockHash);
                ps.executeUpdate();
            }
            setBlockStatus(c, blockHash, BlockStatus.MATURED, "credited " + split.allocations().size() + " accounts", now);
            return true;
        });
    }

    /** Marks a block orphaned (and its pending distribution); a credited distribution is never reversed here. */
    public void orphan(String blockHash) {
        long now = clock.millis();
        Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE block_distributions SET status = 'orphaned', updated_at_ms = ? WHERE block_hash = ? AND status = 'pending'")) {
                ps.setLong(1, now);
                ps.setString(2, blockHash);
                ps.executeUpdate();
            }
            setBlockStatus(c, blockHash, BlockStatus.ORPHANED, "not on the main chain", now);
            return null;
        });
    }

    private static void setBlockStatus(Connection c, String hash, BlockStatus s, String result, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE found_blocks SET status = ?, submit_result = ?, updated_at_ms = ? WHERE block_hash = ?")) {
            ps.setString(1, s.dbName());
            ps.setString(2, result);
            ps.setLong(3, now);
            ps.setString(4, hash);
            ps.executeUpdate();
        }
    }

    /** One maturity pass over blocks that are submitted, accepted or confirmed. */
    public PollResult poll(BitcoindRpc rpc) {
        int checked = 0;
        int snap = 0;
        int credited = 0;
        int orphaned = 0;
        int errors = 0;
        for (FoundBlock b : blocks.listByStatus(EnumSet.of(BlockStatus.SUBMITTED, BlockStatus.ACCEPTED, BlockStatus.CONFIRMED))) {
            checked++;
            Optional<BitcoindRpc.BlockHeaderInfo> h;
            try {
                h = rpc.getBlockHeader(b.blockHash());
            } catch (BitcoindRpc.RpcException e) {
                errors++;
                LOG.warn("maturity check of block {} failed: {}", b.blockHash(), e.getMessage());
                continue;
            }
            if (h.isEmpty()) {
                continue;
            }
            long conf = h.get().confirmations();
            if (conf < 0) {
                orphan(b.blockHash());
                orphaned++;
                LOG.info("block {} at height {} is orphaned; nothing was credited", b.blockHash(), b.height());
                continue;
            }
            if (conf == 0) {
                continue;
            }
            if (snapshot(b)) {
                snap++;
            } else if (!snapshotDue(b) && distribution(b.blockHash()).isEmpty()) {
                // the share log may not have flushed up to the block yet: no snapshot, so no credit either (next poll)
                if (b.status() != BlockStatus.CONFIRMED) {
                    blocks.updateStatus(b.blockHash(), BlockStatus.CONFIRMED, conf + " confirmations");
                }
                continue;
            }
            if (conf >= cfg.maturityConfirmations()) {
                if (credit(b.blockHash())) {
                    credited++;
                    LOG.info("block {} at height {} matured ({} confirmations): credited", b.blockHash(), b.height(), conf);
                }
            } else if (b.status() != BlockStatus.CONFIRMED) {
                blocks.updateStatus(b.blockHash(), BlockStatus.CONFIRMED, conf + " confirmations");
            }
        }
        return new PollResult(checked, snap, credited, orphaned, errors);
    }

    /**
     * Recomputes a block's split from its stored inputs and compares it with the ledger entries that reference
     * the block; also recomputes the inputs from today's share windows (they may have been pruned).
     */
    public AuditReport audit(String blockHash) {
        Distribution d = distribution(blockHash).orElseThrow(() -> new TreasuryException("no distribution stored for block " + blockHash
                + " (unknown block, or not yet confirmed)"));
        List<String> problems = new ArrayList<>();
        Pplns.Split split = Pplns.split(d.rewardSats(), d.feePpm(), d.inputs());
        if (split.totalSats() != d.rewardSats()) {
            problems.add("split sums to " + split.totalSats() + " sats, reward is " + d.rewardSats());
        }
        BigInteger sum = BigInteger.ZERO;
        for (Pplns.WorkInput in : d.inputs()) {
            sum = sum.add(in.workUnits());
        }
        if (!sum.equals(d.countedUnits())) {
            problems.add("stored inputs sum to " + sum + " work units, stored counted total is " + d.countedUnits());
        }
        BigInteger windowUnits = Pplns.windowUnits(d.networkDifficulty(), d.windowMultiplePpm(), d.workScale());
        if (!windowUnits.equals(d.windowUnits())) {
            problems.add("stored window is " + d.windowUnits() + " work units, its stored inputs give " + windowUnits);
        }
        if (Pplns.ALGORITHM.equals(d.algorithm())
                && !Pplns.WorkScale.derive(d.networkDifficulty(), d.windowMultiplePpm(), d.workScale().base()).equals(d.workScale())) {
            problems.add("stored work scale " + d.workScale() + " is not the one derived from its network difficulty");
        }
        if (Pplns.ALGORITHM_V1.equals(d.algorithm()) && d.workScale().exponent() != 0) {
            problems.add("stored work scale " + d.workScale() + " has an exponent, which " + Pplns.ALGORITHM_V1 + " never used");
        }
        Map<String, Long> credited = new TreeMap<>();
        Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT account, kind, amount_msat FROM ledger_entries WHERE ref = ? AND kind IN ('block_credit','pool_fee')")) {
                ps.setString(1, blockHash);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String key = rs.getString(2).equals("pool_fee") ? Accounts.POOL_ACCOUNT + " (fee)" : rs.getString(1);
                        credited.merge(key, rs.getLong(3) / 1000, Long::sum);
                    }
                }
            }
            return null;
        });
        if (d.status().equals("credited")) {
            Map<String, Long> expected = new TreeMap<>();
            split.allocations().forEach(a -> expected.put(a.account(), a.amountSats()));
            if (split.poolFeeSats() > 0) {
                expected.put(Accounts.POOL_ACCOUNT + " (fee)", split.poolFeeSats());
            }
            if (!expected.equals(credited)) {
                problems.add("ledger credits " + credited + " differ from the recomputation " + expected);
            }
        } else if (!credited.isEmpty()) {
            problems.add("distribution is " + d.status() + " but the ledger has credits for it");
        }
        String vsShares;
        Optional<FoundBlock> fb = blocks.find(blockHash);
        if (fb.isEmpty()) {
            vsShares = "block row missing";
        } else {
            Pplns.Window now = Pplns.isKnown(d.algorithm())
                    ? window(fb.get(), new WindowParams(d.windowMultiplePpm(), d.workScale(), d.algorithm())) : null;
            if (now == null) {
                problems.add("unknown algorithm " + d.algorithm());
                now = new Pplns.Window(BigInteger.ZERO, BigInteger.ZERO, List.of());
            }
            if (now.inputs().isEmpty()) {
                vsShares = "share windows pruned (stored inputs are authoritative)";
            } else if (now.inputs().equals(d.inputs())) {
                vsShares = "match";
            } else {
                vsShares = "differ (share windows changed or were pruned since the snapshot; stored inputs are authoritative)";
            }
        }
        return new AuditReport(blockHash, d.status(), problems.isEmpty(), split, credited, vsShares, List.copyOf(problems), d);
    }
}
