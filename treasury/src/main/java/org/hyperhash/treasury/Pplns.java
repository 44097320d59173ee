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
 * <p>Work scale: work units per unit of share difficulty = {@code base x 10^exponent}, where {@code base} is the
 * configured {@code pplns.work-scale} and {@code exponent} is the smallest >= 0 that makes the window at least
 * {@link #MIN_WINDOW_UNITS} units ({@link WorkScale#derive}). Both are stored with the distribution. So the
 * resolution follows the block's network difficulty: regtest (~5e-10) and mainnet (~1e14) windows both have
 * >= 1e12 units, and arithmetic is BigInteger throughout (no overflow at any magnitude).
 *
 * <p>Work: each share window's {@code work} (sum of share difficulty, a double) is converted exactly to integer
 * <em>work units</em> = ceil(work x scale) ({@code pplns-v1}: floor), so a row with nonzero work always counts.
 * The window is {@code windowMultiplePpm / 1e6 x network difficulty} of work, floor-ed to units. Windows are taken
 * newest first, by window start (all rows with the same start form one slice); the slice that crosses the window
 * limit counts each row pro rata: ceil(units x remaining / sliceUnits) (v1: floor), so the counted total may exceed
 * the window by fewer units than that slice has rows.
 *
 * <p>Money: pool fee = floor(reward x feePpm / 1e6); each account gets floor(net x w / W); the leftover sats
 * (fewer than the number of accounts) go one each to the largest remainders (net x w mod W), ties to the
 * lexicographically smaller account. With no counted work the whole reward goes to the pool account. The money
 * split is the same in v1 and v2.
 */
public final class Pplns {
    /** Version tag stored with every distribution; bump it if the algorithm changes. */
    public static final String ALGORITHM = "pplns-v2";
    /** The earlier algorithm: floor-ed work units (a share below one unit counted nothing). */
    public static final String ALGORITHM_V1 = "pplns-v1";
    /** Smallest window, in work units, that {@link WorkScale#derive} aims for. */
    public static final BigInteger MIN_WINDOW_UNITS = BigInteger.TEN.pow(12);
    /** Upper bound of the derived exponent (a window of Double.MIN_VALUE difficulty needs ~340). */
    public static final int MAX_SCALE_EXPONENT = 400;
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

    /** True for the algorithms this build can recompute and credit. */
    public static boolean isKnown(String algorithm) {
        return ALGORITHM.equals(algorithm) || ALGORITHM_V1.equals(algorithm);
    }

    /** Work units per unit of difficulty: {@code base x 10^exponent}. */
    public record WorkScale(long base, int exponent) {
        public WorkScale {
            if (base < 1) {
                throw new TreasuryException("work scale base must be >= 1, got " + base);
            }
            if (exponent < 0 || exponent > MAX_SCALE_EXPONENT) {
                throw new TreasuryException("work scale exponent must be in [0, " + MAX_SCALE_EXPONENT + "], got " + exponent);
            }
        }

        public BigInteger perDifficulty() {
            return BigInteger.valueOf(base).multiply(BigInteger.TEN.pow(exponent));
        }

        /** The smallest {@code base x 10^k} (k >= 0) whose window is at least {@link #MIN_WINDOW_UNITS} units. */
        public static WorkScale derive(double networkDifficulty, long windowMultiplePpm, long base) {
            BigDecimal window = windowDifficulty(networkDifficulty, windowMultiplePpm).multiply(BigDecimal.valueOf(base));
            for (int k = 0; k <= MAX_SCALE_EXPONENT; k++) {
                if (window.scaleByPowerOfTen(k).setScale(0, RoundingMode.FLOOR).toBigInteger().compareTo(MIN_WINDOW_UNITS) >= 0) {
                    return new WorkScale(base, k);
                }
            }
            throw new TreasuryException("network difficulty " + networkDifficulty + " is too small for a PPLNS window");
        }

        @Override
        public String toString() {
            return exponent == 0 ? Long.toString(base) : base + "e" + exponent;
        }
    }

    private static BigDecimal windowDifficulty(double networkDifficulty, long windowMultiplePpm) {
        if (!(networkDifficulty > 0) || Double.isInfinite(networkDifficulty)) {
            throw new TreasuryException("network_difficulty must be finite and > 0, got " + networkDifficulty);
        }
        if (windowMultiplePpm <= 0) {
            throw new TreasuryException("pplns window multiple must be > 0");
        }
        return new BigDecimal(networkDifficulty).multiply(BigDecimal.valueOf(windowMultiplePpm)).movePointLeft(6);
    }

    /** Window size in work units (floor). */
    public static BigInteger windowUnits(double networkDifficulty, long windowMultiplePpm, WorkScale scale) {
        return windowDifficulty(networkDifficulty, windowMultiplePpm).multiply(new BigDecimal(scale.perDifficulty()))
                .setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
    }

    /** Exact work units of a double work value: ceil for {@link #ALGORITHM}, floor for {@link #ALGORITHM_V1}. */
    public static BigInteger units(double work, WorkScale scale, String algorithm) {
        if (!(work >= 0) || Double.isInfinite(work)) {
            throw new TreasuryException("work must be finite and >= 0, got " + work);
        }
        return new BigDecimal(work).multiply(new BigDecimal(scale.perDifficulty())).setScale(0, roundingOf(algorithm)).toBigIntegerExact();
    }

    private static RoundingMode roundingOf(String algorithm) {
        if (ALGORITHM.equals(algorithm)) {
            return RoundingMode.CEILING;
        }
        if (ALGORITHM_V1.equals(algorithm)) {
            return RoundingMode.FLOOR;
        }
        throw new TreasuryException("unknown PPLNS algorithm " + algorithm + " (this build runs " + ALGORITHM + ")");
    }

    /** Incremental window collector: feed share windows newest first until {@link #offer} returns false. */
    public static final class Collector {
        private final BigInteger limit;
        private final WorkScale scale;
        private final String algorithm;
        private final RoundingMode rounding;
        private final Map<String, BigInteger> perAccount = new TreeMap<>();
        private final List<ShareWindow> slice = new ArrayList<>();
        private long sliceStart = Long.MIN_VALUE;
        private BigInteger counted = BigInteger.ZERO;
        private boolean full;

        public Collector(BigInteger windowUnits, WorkScale scale, String algorithm) {
            this.limit = windowUnits;
            this.scale = scale;
            this.algorithm = algorithm;
            this.rounding = roundingOf(algorithm);
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
                BigInteger x = units(w.work(), scale, algorithm);
                u.add(x);
                sliceUnits = sliceUnits.add(x);
            }
            BigInteger remaining = limit.subtract(counted);
            boolean partial = sliceUnits.compareTo(remaining) > 0;
            for (int i = 0; i < slice.size(); i++) {
                BigInteger x = partial ? proRata(u.get(i), remaining, sliceUnits) : u.get(i);
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

        private BigInteger proRata(BigInteger units, BigInteger remaining, BigInteger sliceUnits) {
            BigInteger[] qr = units.multiply(remaining).divideAndRemainder(sliceUnits);
            return rounding == RoundingMode.CEILING && qr[1].signum() > 0 ? qr[0].add(BigInteger.ONE) : qr[0];
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
