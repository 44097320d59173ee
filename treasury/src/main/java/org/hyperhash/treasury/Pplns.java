package org.hyperhash.treasury;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.hyperhash.ledger.ShareWindow;

/**
 * Pay-per-last-N-shares in exact integer arithmetic, so an audit recomputes every satoshi.
 *
 * <p>Work: each share window's {@code work} (sum of share difficulty, a double) is converted exactly to integer
 * <em>work units</em> = floor(work x {@code workScale}). The window is {@code windowMultiplePpm / 1e6 x network
 * difficulty} of work, also in units. Windows are taken newest first, by window start (all rows with the same
 * start form one slice); the slice that crosses the window limit counts each row pro rata:
 * floor(units x remaining / sliceUnits).
 *
 * <p>Money: pool fee = floor(reward x feePpm / 1e6); each account gets floor(net x w / W); the leftover sats
 * (fewer than the number of accounts) go one each to the largest remainders (net x w mod W), ties to the
 * lexicographically smaller account. With no counted work the whole reward goes to the pool account.
 */
public final class Pplns {
    /** Version tag stored with every distribution; bump it if the algorithm changes. */
    public static final String ALGORITHM = "pplns-v1";
    private static final BigInteger MILLION = BigInteger.valueOf(1_000_000);

    private Pplns() {
    }

    /** Per-account counted work. */
    public record WorkInput(String account, BigInteger workUnits) {
    }

    /** The counted window. */
    public record Window(BigInteger windowUnits, BigInteger countedUnits, List<WorkInput> inputs) {
    }

    /** One account's share of a reward. */
    public record Allocation(String account, long amountSats) {
    }

    /** The split of one reward: pool fee + allocations (sorted by account); they sum to the reward. */
    public record Split(long poolFeeSats, List<Allocation> allocations) {
        public long totalSats() {
            long t = poolFeeSats;
            for (Allocation a : allocations) {
                t = Math.addExact(t, a.amountSats());
            }
            return t;
        }
    }

    /** Window size in work units. */
    public static BigInteger windowUnits(double networkDifficulty, long windowMultiplePpm, long workScale) {
        if (!(networkDifficulty > 0) || Double.isInfinite(networkDifficulty)) {
            throw new TreasuryException("network_difficulty must be finite and > 0, got " + networkDifficulty);
        }
        if (windowMultiplePpm <= 0) {
            throw new TreasuryException("pplns window multiple must be > 0");
        }
        return new BigDecimal(networkDifficulty).multiply(BigDecimal.valueOf(workScale))
                .multiply(BigDecimal.valueOf(windowMultiplePpm)).divide(BigDecimal.valueOf(1_000_000), 0, RoundingMode.FLOOR)
                .toBigIntegerExact();
    }

    /** Exact work units of a double work value. */
    public static BigInteger units(double work, long workScale) {
        return new BigDecimal(work).multiply(BigDecimal.valueOf(workScale)).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
    }

    /** Incremental window collector: feed share windows newest first until {@link #offer} returns false. */
    public static final class Collector {
        private final BigInteger limit;
        private final long workScale;
        private final Map<String, BigInteger> perAccount = new TreeMap<>();
        private final List<ShareWindow> slice = new ArrayList<>();
        private long sliceStart = Long.MIN_VALUE;
        private BigInteger counted = BigInteger.ZERO;
        private boolean full;

        public Collector(BigInteger windowUnits, long workScale) {
            this.limit = windowUnits;
            this.workScale = workScale;
        }

        /** Adds one row (newest first); returns false once the window is full (stop feeding). */
        public boolean offer(ShareWindow w) {
            if (full) {
                return false;
            }
            if (w.windowStartMs() != sliceStart && !slice.isEmpty()) {
                flushSlice();
                if (full) {
                    return false;
                }
            }
            sliceStart = w.windowStartMs();
            slice.add(w);
            return true;
        }

        private void flushSlice() {
            BigInteger sliceUnits = BigInteger.ZERO;
            List<BigInteger> u = new ArrayList<>(slice.size());
            for (ShareWindow w : slice) {
                BigInteger x = units(w.work(), workScale);
                u.add(x);
                sliceUnits = sliceUnits.add(x);
            }
            BigInteger remaining = limit.subtract(counted);
            boolean partial = sliceUnits.compareTo(remaining) > 0;
            for (int i = 0; i < slice.size(); i++) {
                BigInteger x = partial ? u.get(i).multiply(remaining).divide(sliceUnits) : u.get(i);
                if (x.signum() > 0) {
                    perAccount.merge(slice.get(i).address(), x, BigInteger::add);
                    counted = counted.add(x);
                }
            }
            if (partial || counted.compareTo(limit) >= 0) {
                full = true;
            }
            slice.clear();
        }

        /** The collected window (call after feeding). */
        public Window finish() {
            if (!slice.isEmpty()) {
                flushSlice();
            }
            List<WorkInput> inputs = new ArrayList<>();
            perAccount.forEach((a, x) -> inputs.add(new WorkInput(a, x)));
            return new Window(limit, counted, List.copyOf(inputs));
        }
    }

    /** Splits {@code rewardSats} over {@code inputs} (see class doc). Deterministic for any input order. */
    public static Split split(long rewardSats, long feePpm, List<WorkInput> inputs) {
        if (rewardSats < 0) {
            throw new TreasuryException("reward_sats must be >= 0, got " + rewardSats);
        }
        if (feePpm < 0 || feePpm > 1_000_000) {
            throw new TreasuryException("pool fee_ppm must be in [0, 1000000], got " + feePpm);
        }
        BigInteger reward = BigInteger.valueOf(rewardSats);
        long fee = reward.multiply(BigInteger.valueOf(feePpm)).divide(MILLION).longValueExact();
        long net = rewardSats - fee;
        List<WorkInput> sorted = new ArrayList<>();
        BigInteger total = BigInteger.ZERO;
        for (WorkInput in : inputs) {
            if (in.workUnits().signum() < 0) {
                throw new TreasuryException("work_units of " + in.account() + " is negative");
            }
            if (in.workUnits().signum() > 0) {
                sorted.add(in);
                total = total.add(in.workUnits());
            }
        }
        sorted.sort(Comparator.comparing(WorkInput::account));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).account().equals(sorted.get(i - 1).account())) {
                throw new TreasuryException("duplicate account in PPLNS inputs: " + sorted.get(i).account());
            }
        }
        if (total.signum() == 0) {
            return new Split(rewardSats, List.of());
        }
        BigInteger netB = BigInteger.valueOf(net);
        long[] amounts = new long[sorted.size()];
        BigInteger[] rema = new BigInteger[sorted.size()];
        long given = 0;
        for (int i = 0; i < sorted.size(); i++) {
            BigInteger[] qr = netB.multiply(sorted.get(i).workUnits()).divideAndRemainder(total);
            amounts[i] = qr[0].longValueExact();
            rema[i] = qr[1];
            given += amounts[i];
        }
        long leftover = net - given;
        Integer[] order = new Integer[sorted.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> {
            int c = rema[b].compareTo(rema[a]);
            return c != 0 ? c : sorted.get(a).account().compareTo(sorted.get(b).account());
        });
        for (int k = 0; k < leftover; k++) {
            amounts[order[k]]++;
        }
        List<Allocation> out = new ArrayList<>(sorted.size());
        for (int i = 0; i < sorted.size(); i++) {
            if (amounts[i] > 0) {
                out.add(new Allocation(sorted.get(i).account(), amounts[i]));
            }
        }
        return new Split(fee, List.copyOf(out));
    }
}
