package org.hyperhash.web;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.hyperhash.ledger.LedgerException;

/**
 * Read-only queries of the web page and API over the shared ledger (the pool's {@code share_windows} and
 * {@code found_blocks}, the treasury's {@code balances}, {@code payouts}, {@code destinations} and
 * {@code block_distributions}). Every per-address query is a range scan of an index (migrations V7, V8) with a row
 * limit; pool-wide aggregates ({@link #poolSnapshot}) are computed by one background refresher, never per request.
 *
 * <p>Per-address work is bounded by the address's workers, not its share count: 1 h / 24 h hashrates, the chart, share
 * counts, best share and the PPLNS work come from the hourly rollup {@code worker_hours} (at most 25 rows per worker and
 * instance for a day); only the 10-minute hashrate reads 10 s share windows (at most 60 per worker). An hour only partly
 * inside "the last 1 h / 24 h" (or the PPLNS window) counts the part of its work after the cut-off, estimated from its
 * first and last share times as if shares came evenly between them.
 */
public final class LedgerView {
    static final double TWO_POW_32 = 4294967296.0;
    static final long MINUTE_MS = 60_000L;
    static final long HOUR_MS = 60 * MINUTE_MS;
    static final long DAY_MS = 24 * HOUR_MS;
    /** Hashrate chart: the last 24 h in hourly buckets (the rollup's hours; the last one still filling). */
    static final long CHART_BUCKET_MS = HOUR_MS;
    static final int CHART_BUCKETS = (int) (DAY_MS / CHART_BUCKET_MS);
    /** The live PPLNS window is looked for at most this far back and over at most this many share windows. */
    static final long PPLNS_LOOKBACK_MS = 7 * DAY_MS;
    static final int PPLNS_MAX_WINDOWS = 100_000;
    /** Most workers listed per address (an address with more shows the first ones by name and says so). */
    static final int MAX_WORKERS = 500;

    private final DataSource ds;

    public LedgerView(DataSource ds) {
        this.ds = ds;
    }

    /**
     * Hashrate over 10 min, 1 h and 24 h (H/s), from accepted work (sum of share difficulties) x 2^32 / seconds. A miner
     * (or pool) whose first share window in the last 24 h is younger than a period is rated over the time since that
     * window started (at least {@value #MIN_RATE_SECONDS} s), so a rig that started two minutes ago does not read as a
     * fifth of its speed.
     */
    public record Hashrate(double h10m, double h1h, double h24h) {
        static Hashrate of(double w10m, double w1h, double w24h, Long firstWindowMs, long nowMs) {
            return new Hashrate(rate(w10m, 600, firstWindowMs, nowMs), rate(w1h, 3600, firstWindowMs, nowMs),
                    rate(w24h, 86400, firstWindowMs, nowMs));
        }
    }

    static final double MIN_RATE_SECONDS = 30;

    static double rate(double work, double periodSeconds, Long firstWindowMs, long nowMs) {
        double seconds = periodSeconds;
        if (firstWindowMs != null) {
            seconds = Math.min(periodSeconds, Math.max(MIN_RATE_SECONDS, (nowMs - firstWindowMs) / 1000.0));
        }
        return work * TWO_POW_32 / seconds;
    }

    /** One chart point: bucket start (ms) and hashrate over the bucket (H/s). */
    public record Point(long startMs, double hashrateHps) {
    }

    /** A block found by the pool. {@code state} is pending, mature, orphaned or rejected. */
    public record Block(String hash, long height, long foundAtMs, String address, String worker, long rewardSats,
            double networkDifficulty, String ledgerStatus, String distribution, String state) {
    }

    /** The PPLNS window in force now (an estimate of what the treasury will count for the next block). */
    public record PplnsWindow(double windowMultiple, long feePpm, String paramsSource, Double networkDifficulty,
            Double targetWork, double workInWindow, Long windowStartMs, boolean full, Long lastRewardSats) {
    }

    /** Pool-wide numbers: computed by the refresher, read by every request. */
    public record PoolSnapshot(long computedAtMs, Hashrate hashrate, List<Point> chart, int minersOnline, int workersOnline,
            List<Block> recentBlocks, long blocksFound, PplnsWindow pplns) {
    }

    /**
     * One worker of an address. Counts and best share cover the current clock hour and the 23 before it ("24 h").
     *
     * @param shares24h          accepted shares
     * @param rejected24h        rejected shares, all reasons
     * @param rejectedByReason   rejected shares by reason (the pool's bounded reason set, lower case; absent reasons omitted)
     * @param bestShareDifficulty highest difficulty of an accepted share's hash (0: not recorded, e.g. rows from before V8)
     * @param lastShareMs        acceptance time of the last accepted share, null when none in 24 h (rejects only)
     */
    public record Worker(String name, double hashrate10mHps, double hashrate1hHps, long shares24h, long rejected24h,
            java.util.Map<String, Long> rejectedByReason, double bestShareDifficulty, Long lastShareMs, boolean online) {
    }

    /** Share counts of an address over 24 h (the current clock hour and the 23 before it), all workers. */
    public record ShareStats(long accepted, long rejected, java.util.Map<String, Long> rejectedByReason, double bestShareDifficulty) {
    }

    /** A payout of an address. {@code preimage} is known for keysend payouts (invoice preimages are not stored). */
    public record Payout(String id, long createdAtMs, Long settledAtMs, long amountMsat, Long feePaidMsat, String status,
            String destinationKind, String paymentHash, String preimage, boolean dryRun, String failureReason) {
    }

    /** The payout destination of an address, as set through the signed-message flow. */
    public record Destination(String kind, String destination, long provedAtS, long updatedAtMs) {
    }

    /** The balance owed to an address. */
    public record Balance(long balanceMsat, long updatedAtMs) {
    }

    /** What /address/{addr} shows beside the lists. */
    public record AddressSummary(String address, Hashrate hashrate, List<Point> chart, int workersOnline, int workersSeen,
            ShareStats shares24h, Balance balance, double pplnsWork, double pplnsShare, Long estimatedNextRewardSats,
            Destination destination, List<Block> blocksFound) {
    }

    /** A page of a list, with the cursor of the next page (null on the last one). */
    public record Page<T>(List<T> items, String next) {
    }

    // ----- pool-wide (background refresher only) -----

    public PoolSnapshot poolSnapshot(long nowMs, long offlineAfterMs, double defaultMultiple, long defaultFeePpm, int recentBlocks) {
        return query(c -> {
            // 1 h, 24 h and the chart from the hourly rollup; 10 min from the share windows (at most 10 minutes of them)
            long hourNow = Math.floorDiv(nowMs, HOUR_MS) * HOUR_MS;
            long chartFrom = hourNow - (CHART_BUCKETS - 1) * HOUR_MS;
            long dayAgo = nowMs - DAY_MS;
            double[] buckets = new double[CHART_BUCKETS];
            double w1h = 0;
            double w24h = 0;
            Long first = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT hour_start_ms, SUM(work), "
                    + "MIN(CASE WHEN first_share_ms > 0 THEN first_share_ms END), MAX(last_share_ms) FROM worker_hours "
                    + "WHERE hour_start_ms >= ? GROUP BY hour_start_ms")) {
                ps.setLong(1, Math.floorDiv(dayAgo, HOUR_MS) * HOUR_MS);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long hour = rs.getLong(1);
                        double work = rs.getDouble(2);
                        Long f = nullableLong(rs, 3);
                        long fh = f == null ? hour : f;
                        long lh = Math.max(fh, rs.getLong(4));
                        double in24h = after(work, fh, lh, dayAgo);
                        if (in24h > 0 && f != null) {
                            first = first == null ? Math.max(f, dayAgo) : Math.min(first, Math.max(f, dayAgo));
                        }
                        w24h += in24h;
                        w1h += after(work, fh, lh, nowMs - HOUR_MS);
                        if (hour >= chartFrom) {
                            buckets[(int) ((hour - chartFrom) / HOUR_MS)] += work;
                        }
                    }
                }
            }
            double w10m = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(work), 0), MIN(window_start_ms) FROM share_windows "
                    + "WHERE window_start_ms >= ?")) {
                ps.setLong(1, nowMs - 10 * MINUTE_MS);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    w10m = rs.getDouble(1);
                    Long f = nullableLong(rs, 2);
                    if (f != null) {
                        first = first == null ? f : Math.min(first, f);
                    }
                }
            }
            Hashrate h = Hashrate.of(w10m, w1h, w24h, first, nowMs);
            List<Point> chart = points(buckets, chartFrom / CHART_BUCKET_MS, nowMs, first);
            int miners;
            int workers;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(DISTINCT address) FROM share_windows WHERE window_start_ms >= ?")) {
                ps.setLong(1, nowMs - offlineAfterMs);
                miners = singleInt(ps);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM (SELECT DISTINCT address, worker FROM share_windows "
                    + "WHERE window_start_ms >= ?) t")) {
                ps.setLong(1, nowMs - offlineAfterMs);
                workers = singleInt(ps);
            }
            List<Block> blocks = blocks(c, null, Long.MAX_VALUE, "\uffff", recentBlocks);
            long found;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM found_blocks")) {
                found = singleInt(ps);
            }
            return new PoolSnapshot(nowMs, h, chart, miners, workers, blocks, found,
                    pplnsWindow(c, nowMs, defaultMultiple, defaultFeePpm));
        });
    }

    private PplnsWindow pplnsWindow(Connection c, long nowMs, double defaultMultiple, long defaultFeePpm) throws SQLException {
        double multiple = defaultMultiple;
        long fee = defaultFeePpm;
        String source = "configured";
        try (PreparedStatement ps = c.prepareStatement("SELECT window_multiple_ppm, fee_ppm, height FROM block_distributions "
                + "ORDER BY found_at_ms DESC LIMIT 1"); ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                multiple = rs.getLong(1) / 1e6;
                fee = rs.getLong(2);
                source = "distribution of block " + rs.getLong(3);
            }
        }
        Double netDiff = null;
        Long reward = null;
        try (PreparedStatement ps = c.prepareStatement("SELECT network_difficulty, reward_sats FROM found_blocks "
                + "WHERE status NOT IN ('rejected','orphaned') ORDER BY found_at_ms DESC, block_hash DESC LIMIT 1");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                netDiff = rs.getDouble(1);
                reward = rs.getLong(2);
            }
        }
        if (netDiff == null) {
            return new PplnsWindow(multiple, fee, source, null, null, 0, null, false, null);
        }
        double target = multiple * netDiff;
        double sum = 0;
        Long start = null;
        boolean full = false;
        try (PreparedStatement ps = c.prepareStatement("SELECT window_start_ms, SUM(work) FROM share_windows WHERE window_start_ms >= ? "
                + "GROUP BY window_start_ms ORDER BY window_start_ms DESC LIMIT ?")) {
            ps.setLong(1, nowMs - PPLNS_LOOKBACK_MS);
            ps.setInt(2, PPLNS_MAX_WINDOWS);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    start = rs.getLong(1);
                    sum += rs.getDouble(2);
                    if (sum >= target) {
                        full = true;
                        break;
                    }
                }
            }
        }
        return new PplnsWindow(multiple, fee, source, netDiff, target, sum, start, full, reward);
    }

    // ----- per address (bounded: index range scans with limits) -----

    /** True when the ledger knows the address: share windows, rollup rows (rejects only), a balance, a payout or a destination. */
    public boolean known(String address) {
        return query(c -> {
            // worker_hours: a miner whose every share was rejected has no share window but should see why
            for (String sql : List.of("SELECT 1 FROM share_windows WHERE address = ? LIMIT 1",
                    "SELECT 1 FROM worker_hours WHERE address = ? LIMIT 1",
                    "SELECT 1 FROM balances WHERE account = ?", "SELECT 1 FROM payouts WHERE account = ? LIMIT 1",
                    "SELECT 1 FROM destinations WHERE account = ?")) {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, address);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return true;
                        }
                    }
                }
            }
            return false;
        });
    }

    /** The summary of an address and its first {@value #MAX_WORKERS} workers (what the address page shows). */
    public record AddressView(AddressSummary summary, List<Worker> workers) {
    }

    public AddressSummary address(String address, long nowMs, long offlineAfterMs, PoolSnapshot pool) {
        return addressView(address, nowMs, offlineAfterMs, pool).summary();
    }

    /**
     * One range scan of the address's hourly rollup grouped by hour (hashrates, chart, counts, PPLNS work), the worker
     * list (rollup by worker, 10-minute windows, rejects by reason), point reads of balance and destination and the last
     * ten blocks it found.
     */
    public AddressView addressView(String address, long nowMs, long offlineAfterMs, PoolSnapshot pool) {
        return query(c -> {
            PplnsWindow win = pool.pplns();
            long hourNow = Math.floorDiv(nowMs, HOUR_MS) * HOUR_MS;
            long dayAgo = nowMs - DAY_MS;
            long countsFrom = hourNow - (CHART_BUCKETS - 1) * HOUR_MS;
            long from = Math.floorDiv(dayAgo, HOUR_MS) * HOUR_MS;
            if (win.windowStartMs() != null) {
                from = Math.min(from, Math.floorDiv(win.windowStartMs(), HOUR_MS) * HOUR_MS);
            }
            double[] buckets = new double[CHART_BUCKETS];
            double w1h = 0;
            double w24h = 0;
            double pplnsWork = 0;
            long accepted = 0;
            long rejected = 0;
            double best = 0;
            Long first = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT hour_start_ms, SUM(work), SUM(accepted), SUM(rejected), "
                    + "MAX(best_difficulty), MIN(CASE WHEN first_share_ms > 0 THEN first_share_ms END), MAX(last_share_ms) "
                    + "FROM worker_hours WHERE address = ? AND hour_start_ms >= ? GROUP BY hour_start_ms")) {
                ps.setString(1, address);
                ps.setLong(2, from);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long hour = rs.getLong(1);
                        double work = rs.getDouble(2);
                        Long f = nullableLong(rs, 6);
                        long fh = f == null ? hour : f;
                        long lh = Math.max(fh, rs.getLong(7));
                        if (win.windowStartMs() != null) {
                            pplnsWork += after(work, fh, lh, win.windowStartMs());
                        }
                        double in24h = after(work, fh, lh, dayAgo);
                        if (in24h > 0 && f != null) {
                            first = first == null ? Math.max(f, dayAgo) : Math.min(first, Math.max(f, dayAgo));
                        }
                        w24h += in24h;
                        w1h += after(work, fh, lh, nowMs - HOUR_MS);
                        if (hour >= countsFrom) {
                            buckets[(int) ((hour - countsFrom) / HOUR_MS)] += work;
                            accepted += rs.getLong(3);
                            rejected += rs.getLong(4);
                            best = Math.max(best, rs.getDouble(5));
                        }
                    }
                }
            }
            double w10m = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT SUM(work), MIN(window_start_ms) FROM share_windows "
                    + "WHERE address = ? AND window_start_ms >= ?")) {
                ps.setString(1, address);
                ps.setLong(2, nowMs - 10 * MINUTE_MS);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        w10m = rs.getDouble(1);
                        Long f = nullableLong(rs, 2);
                        if (f != null) {
                            first = first == null ? f : Math.min(first, f);
                        }
                    }
                }
            }
            Hashrate h = Hashrate.of(w10m, w1h, w24h, first, nowMs);
            List<Point> chart = points(buckets, countsFrom / CHART_BUCKET_MS, nowMs, first);
            java.util.Map<String, Long> reasons = new java.util.TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT reason, SUM(rejected) FROM worker_rejects "
                    + "WHERE address = ? AND hour_start_ms >= ? GROUP BY reason")) {
                ps.setString(1, address);
                ps.setLong(2, countsFrom);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        reasons.put(rs.getString(1), rs.getLong(2));
                    }
                }
            }
            ShareStats stats = new ShareStats(accepted, rejected, reasons, best);
            List<Worker> workers = workers(c, address, nowMs, offlineAfterMs, null, MAX_WORKERS);
            int online = (int) workers.stream().filter(Worker::online).count();
            Balance balance = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT balance_msat, updated_at_ms FROM balances WHERE account = ?")) {
                ps.setString(1, address);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        balance = new Balance(rs.getLong(1), rs.getLong(2));
                    }
                }
            }
            double denominator = win.full() && win.targetWork() != null ? Math.max(win.targetWork(), win.workInWindow())
                    : win.workInWindow();
            double share = denominator > 0 ? Math.min(1.0, pplnsWork / denominator) : 0;
            Long estimate = win.lastRewardSats() == null ? null
                    : (long) Math.floor(share * win.lastRewardSats() * (1_000_000 - win.feePpm()) / 1_000_000.0);
            Destination dest = null;
            try (PreparedStatement ps = c.prepareStatement("SELECT kind, destination, proof_timestamp_s, updated_at_ms FROM destinations "
                    + "WHERE account = ?")) {
                ps.setString(1, address);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        dest = new Destination(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4));
                    }
                }
            }
            List<Block> mine = blocks(c, address, Long.MAX_VALUE, "\uffff", 10);
            return new AddressView(new AddressSummary(address, h, chart, online, workers.size(), stats, balance, pplnsWork, share,
                    estimate, dest, mine), workers);
        });
    }

    /**
     * The part of an hour's {@code work} done at or after {@code cutoffMs}, its shares taken as evenly spread between the
     * hour's first and last share.
     */
    static double after(double work, long firstMs, long lastMs, long cutoffMs) {
        if (work <= 0 || lastMs < cutoffMs) {
            return 0;
        }
        if (firstMs >= cutoffMs || lastMs == firstMs) {
            return work;
        }
        return work * (lastMs - cutoffMs) / (double) (lastMs - firstMs);
    }

    /** A page of the workers of an address by name; {@code afterName} is the previous page's {@code next} (or null). */
    public Page<Worker> workerPage(String address, long nowMs, long offlineAfterMs, String afterName, int limit) {
        return query(c -> page(workers(c, address, nowMs, offlineAfterMs, afterName, limit + 1), limit, Worker::name));
    }

    /**
     * Workers seen in the current clock hour and the 23 before it, by name: the rollup grouped by worker (1 h hashrate
     * from the current and previous hour, counts, best share, last share), then the 10-minute windows and the rejects by
     * reason of exactly those workers (a name range).
     */
    private static List<Worker> workers(Connection c, String address, long nowMs, long offlineAfterMs, String afterName, int limit)
            throws SQLException {
        long hourNow = Math.floorDiv(nowMs, HOUR_MS) * HOUR_MS;
        long countsFrom = hourNow - (CHART_BUCKETS - 1) * HOUR_MS;
        record Row(String name, long accepted, long rejected, double best, long last, Long first, double workNow, double workPrev,
                Long prevFirst, long prevLast) {
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT worker, SUM(accepted), SUM(rejected), MAX(best_difficulty), "
                + "MAX(last_share_ms), MIN(CASE WHEN first_share_ms > 0 THEN first_share_ms END), "
                + "SUM(CASE WHEN hour_start_ms >= ? THEN work ELSE 0 END), SUM(CASE WHEN hour_start_ms = ? THEN work ELSE 0 END), "
                + "MIN(CASE WHEN hour_start_ms = ? AND first_share_ms > 0 THEN first_share_ms END), "
                + "MAX(CASE WHEN hour_start_ms = ? THEN last_share_ms ELSE 0 END) "
                + "FROM worker_hours WHERE address = ? AND hour_start_ms >= ?" + (afterName == null ? "" : " AND worker > ?")
                + " GROUP BY worker ORDER BY worker LIMIT ?")) {
            int i = 1;
            ps.setLong(i++, hourNow);
            ps.setLong(i++, hourNow - HOUR_MS);
            ps.setLong(i++, hourNow - HOUR_MS);
            ps.setLong(i++, hourNow - HOUR_MS);
            ps.setString(i++, address);
            ps.setLong(i++, countsFrom);
            if (afterName != null) {
                ps.setString(i++, afterName);
            }
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getDouble(4), rs.getLong(5), nullableLong(rs, 6),
                            rs.getDouble(7), rs.getDouble(8), nullableLong(rs, 9), rs.getLong(10)));
                }
            }
        }
        if (rows.isEmpty()) {
            return List.of();
        }
        String lastName = rows.getLast().name();
        String range = " AND worker <= ?" + (afterName == null ? "" : " AND worker > ?");
        java.util.Map<String, double[]> tenMin = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT worker, SUM(work), MIN(window_start_ms) FROM share_windows "
                + "WHERE address = ? AND window_start_ms >= ?" + range + " GROUP BY worker")) {
            int i = 1;
            ps.setString(i++, address);
            ps.setLong(i++, nowMs - 10 * MINUTE_MS);
            ps.setString(i++, lastName);
            if (afterName != null) {
                ps.setString(i, afterName);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tenMin.put(rs.getString(1), new double[] {rs.getDouble(2), rs.getLong(3)});
                }
            }
        }
        java.util.Map<String, java.util.Map<String, Long>> reasons = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT worker, reason, SUM(rejected) FROM worker_rejects "
                + "WHERE address = ? AND hour_start_ms >= ?" + range + " GROUP BY worker, reason")) {
            int i = 1;
            ps.setString(i++, address);
            ps.setLong(i++, countsFrom);
            ps.setString(i++, lastName);
            if (afterName != null) {
                ps.setString(i, afterName);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    reasons.computeIfAbsent(rs.getString(1), k -> new java.util.TreeMap<>()).put(rs.getString(2), rs.getLong(3));
                }
            }
        }
        List<Worker> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            double[] t = tenMin.get(r.name());
            Long first = r.first();
            if (t != null) {
                first = first == null ? (long) t[1] : Math.min(first, (long) t[1]);
            }
            long prevFirst = r.prevFirst() == null ? hourNow - HOUR_MS : r.prevFirst();
            double w1h = r.workNow() + after(r.workPrev(), prevFirst, Math.max(prevFirst, r.prevLast()), nowMs - HOUR_MS);
            Long last = r.last() > 0 ? r.last() : null;
            out.add(new Worker(r.name(), rate(t == null ? 0 : t[0], 600, first, nowMs), rate(w1h, 3600, first, nowMs), r.accepted(),
                    r.rejected(), reasons.getOrDefault(r.name(), java.util.Map.of()), r.best(), last,
                    last != null && last >= nowMs - offlineAfterMs));
        }
        return out;
    }

    /** Payouts of an address, newest first; {@code cursor} is the previous page's {@code next} (or null). */
    public Page<Payout> payouts(String address, String cursor, int limit) {
        long beforeMs = Long.MAX_VALUE;
        String beforeId = "\uffff";
        if (cursor != null) {
            Cursor k = Cursor.parse(cursor);
            beforeMs = k.ms();
            beforeId = k.key();
        }
        long fMs = beforeMs;
        String fId = beforeId;
        return query(c -> {
            List<Payout> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT payout_id, created_at_ms, settled_at_ms, amount_msat, fee_paid_msat, "
                    + "status, destination_kind, payment_hash, keysend_preimage, dry_run, failure_reason FROM payouts "
                    + "WHERE account = ? AND (created_at_ms < ? OR (created_at_ms = ? AND payout_id < ?)) "
                    + "ORDER BY created_at_ms DESC, payout_id DESC LIMIT ?")) {
                ps.setString(1, address);
                ps.setLong(2, fMs);
                ps.setLong(3, fMs);
                ps.setString(4, fId);
                ps.setInt(5, limit + 1);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Payout(rs.getString(1), rs.getLong(2), nullableLong(rs, 3), rs.getLong(4), nullableLong(rs, 5),
                                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10) != 0,
                                rs.getString(11)));
                    }
                }
            }
            return page(out, limit, p -> new Cursor(p.createdAtMs(), p.id()).encode());
        });
    }

    /** Blocks found by the pool, newest first; {@code cursor} is the previous page's {@code next} (or null). */
    public Page<Block> blocks(String cursor, int limit) {
        long beforeMs = Long.MAX_VALUE;
        String beforeHash = "\uffff";
        if (cursor != null) {
            Cursor k = Cursor.parse(cursor);
            beforeMs = k.ms();
            beforeHash = k.key();
        }
        long fMs = beforeMs;
        String fHash = beforeHash;
        return query(c -> page(blocks(c, null, fMs, fHash, limit + 1), limit, b -> new Cursor(b.foundAtMs(), b.hash()).encode()));
    }

    private static List<Block> blocks(Connection c, String address, long beforeMs, String beforeHash, int limit) throws SQLException {
        List<Block> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT f.block_hash, f.height, f.found_at_ms, f.address, f.worker, f.reward_sats, "
                + "f.network_difficulty, f.status, d.status FROM found_blocks f LEFT JOIN block_distributions d ON d.block_hash = f.block_hash "
                + "WHERE " + (address == null ? "" : "f.address = ? AND ")
                + "(f.found_at_ms < ? OR (f.found_at_ms = ? AND f.block_hash < ?)) "
                + "ORDER BY f.found_at_ms DESC, f.block_hash DESC LIMIT ?")) {
            int i = 1;
            if (address != null) {
                ps.setString(i++, address);
            }
            ps.setLong(i++, beforeMs);
            ps.setLong(i++, beforeMs);
            ps.setString(i++, beforeHash);
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String status = rs.getString(8);
                    String dist = rs.getString(9);
                    out.add(new Block(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getLong(6),
                            rs.getDouble(7), status, dist, state(status, dist)));
                }
            }
        }
        return out;
    }

    /** pending (submitted, awaiting maturity or crediting), mature (credited), orphaned, rejected. */
    static String state(String ledgerStatus, String distribution) {
        if ("rejected".equals(ledgerStatus)) {
            return "rejected";
        }
        if ("orphaned".equals(ledgerStatus) || "orphaned".equals(distribution)) {
            return "orphaned";
        }
        if ("matured".equals(ledgerStatus) || "credited".equals(distribution)) {
            return "mature";
        }
        return "pending";
    }

    private static List<Point> points(double[] work, long firstBucket, long nowMs, Long firstWindowMs) {
        List<Point> out = new ArrayList<>(CHART_BUCKETS);
        for (int i = 0; i < CHART_BUCKETS; i++) {
            long start = (firstBucket + i) * CHART_BUCKET_MS;
            // the last bucket is still filling, the first one with shares may have started mid-way: each rate is over
            // the part of its bucket that had passed since mining started (at least MIN_RATE_SECONDS)
            long from = firstWindowMs == null ? start : Math.max(start, firstWindowMs);
            double seconds = Math.max(MIN_RATE_SECONDS, (Math.min(start + CHART_BUCKET_MS, nowMs) - from) / 1000.0);
            out.add(new Point(start, work[i] * TWO_POW_32 / seconds));
        }
        return out;
    }

    /** A keyset cursor: a time and a tie-breaking key, as "ms.key" (the key is a hex hash or a payout id). */
    record Cursor(long ms, String key) {
        static Cursor parse(String s) {
            int dot = s.indexOf('.');
            if (dot <= 0 || dot == s.length() - 1 || s.length() > 200) {
                throw new BadRequest("cursor must be the 'next' value of a previous page");
            }
            try {
                long ms = Long.parseLong(s.substring(0, dot));
                String key = s.substring(dot + 1);
                if (!key.matches("[A-Za-z0-9_-]{1,128}")) {
                    throw new BadRequest("cursor must be the 'next' value of a previous page");
                }
                return new Cursor(ms, key);
            } catch (NumberFormatException e) {
                throw new BadRequest("cursor must be the 'next' value of a previous page");
            }
        }

        String encode() {
            return ms + "." + key;
        }
    }

    /** Invalid request input (a 400 with this message). */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private static <T> Page<T> page(List<T> rows, int limit, java.util.function.Function<T, String> cursorOf) {
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<T> items = List.copyOf(rows.subList(0, limit));
        return new Page<>(items, cursorOf.apply(items.getLast()));
    }

    private static Long nullableLong(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : v;
    }

    private static int singleInt(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return (int) Math.min(Integer.MAX_VALUE, rs.getLong(1));
        }
    }

    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T query(Query<T> q) {
        // autocommit reads: no write lock on SQLite (transactions there are BEGIN IMMEDIATE), no snapshot to hold open
        try (Connection c = ds.getConnection()) {
            return q.run(c);
        } catch (SQLException e) {
            throw new LedgerException("ledger read failed: " + e.getMessage(), e);
        }
    }
}
