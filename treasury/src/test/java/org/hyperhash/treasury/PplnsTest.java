package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import org.hyperhash.ledger.ShareWindow;
import org.junit.jupiter.api.Test;

/** PPLNS against hand-computed cases. */
class PplnsTest {
    static Pplns.WorkInput in(String a, long units) {
        return new Pplns.WorkInput(a, BigInteger.valueOf(units));
    }

    @Test
    void feeAndProportionalSplitWithLargestRemainder() {
        // reward 1000 sats, fee 2% = 20, net 980 over work 1:1:1 -> 326.67 each -> 326, 326, 326 + 2 leftover
        // remainders are all equal (980 mod 3 = 2 for each) -> ties to the smaller account names a, b
        Pplns.Split s = Pplns.split(1000, 20_000, List.of(in("c", 5), in("a", 5), in("b", 5)));
        assertEquals(20, s.poolFeeSats());
        assertEquals(List.of(new Pplns.Allocation("a", 327), new Pplns.Allocation("b", 327), new Pplns.Allocation("c", 326)),
                s.allocations());
        assertEquals(1000, s.totalSats());
    }

    @Test
    void largestRemainderWins() {
        // reward 100, no fee, work 1:2:4 (W=7): 100*1/7=14 r2, 100*2/7=28 r4, 100*4/7=57 r1 -> sum 99, +1 to b (r4)
        Pplns.Split s = Pplns.split(100, 0, List.of(in("a", 1), in("b", 2), in("c", 4)));
        assertEquals(List.of(new Pplns.Allocation("a", 14), new Pplns.Allocation("b", 29), new Pplns.Allocation("c", 57)),
                s.allocations());
    }

    @Test
    void fullSubsidyExactAndNoWorkGoesToPool() {
        // 3.125 BTC, 1.5% fee: fee = 4,687,500; net 307,812,500 over 1:3 -> 76,953,125 and 230,859,375 exactly
        Pplns.Split s = Pplns.split(312_500_000L, 15_000, List.of(in("x", 1), in("y", 3)));
        assertEquals(4_687_500, s.poolFeeSats());
        assertEquals(List.of(new Pplns.Allocation("x", 76_953_125), new Pplns.Allocation("y", 230_859_375)), s.allocations());
        assertEquals(new Pplns.Split(500, List.of()), Pplns.split(500, 10_000, List.of()));
        assertThrows(TreasuryException.class, () -> Pplns.split(-1, 0, List.of()));
        assertThrows(TreasuryException.class, () -> Pplns.split(1, 1_000_001, List.of()));
        assertThrows(TreasuryException.class, () -> Pplns.split(1, 0, List.of(in("a", 1), in("a", 2))));
    }

    static final Pplns.WorkScale UNIT = new Pplns.WorkScale(1, 0);

    static Pplns.Window collect(BigInteger windowUnits, Pplns.WorkScale scale, List<ShareWindow> rows) {
        Pplns.Collector col = new Pplns.Collector(windowUnits, scale, Pplns.ALGORITHM);
        for (ShareWindow w : rows) {
            if (!col.offer(w)) {
                break;
            }
        }
        return col.finish();
    }

    @Test
    void windowCountsNewestFirstAndCutsTheCrossingSlice() {
        // difficulty 10, N = 2 -> window 20 units at scale 1. Newest slice (t=300): a 8, b 4 = 12 -> counted fully.
        // Next slice (t=200): a 6, c 10 = 16 > remaining 8 -> a 6*8/16 = 3, c 10*8/16 = 5. Slice t=100 is never read.
        Pplns.Collector col = new Pplns.Collector(Pplns.windowUnits(10.0, 2_000_000, UNIT), UNIT, Pplns.ALGORITHM);
        List<ShareWindow> rows = List.of(
                new ShareWindow("p", 300, "a", "w", 1, 8), new ShareWindow("p", 300, "b", "w", 1, 4),
                new ShareWindow("p", 200, "a", "w", 1, 6), new ShareWindow("p", 200, "c", "w", 1, 10),
                new ShareWindow("p", 100, "d", "w", 1, 99));
        int fed = 0;
        for (ShareWindow w : rows) {
            if (!col.offer(w)) {
                break;
            }
            fed++;
        }
        assertEquals(4, fed, "stops at the first row past the full window");
        Pplns.Window win = col.finish();
        assertEquals(BigInteger.valueOf(20), win.windowUnits());
        assertEquals(BigInteger.valueOf(20), win.countedUnits());
        assertEquals(List.of(in("a", 11), in("b", 4), in("c", 5)), win.inputs());
    }

    @Test
    void crossingSliceRoundsUpSoNoRowDropsOut() {
        // window 4 units; newest slice 3 units; next slice a 1, b 2 (3 > remaining 1): ceil(1/3) = 1, ceil(2/3) = 1.
        // v1 (floor) gave a 0 and b 0: the crossing slice vanished. Counted may exceed the window by < rows of the slice.
        List<ShareWindow> rows = List.of(new ShareWindow("p", 300, "z", "w", 1, 3),
                new ShareWindow("p", 200, "a", "w", 1, 1), new ShareWindow("p", 200, "b", "w", 1, 2));
        Pplns.Window win = collect(BigInteger.valueOf(4), UNIT, rows);
        assertEquals(List.of(in("a", 1), in("b", 1), in("z", 3)), win.inputs());
        assertEquals(BigInteger.valueOf(5), win.countedUnits());
        Pplns.Collector v1 = new Pplns.Collector(BigInteger.valueOf(4), UNIT, Pplns.ALGORITHM_V1);
        rows.forEach(v1::offer);
        assertEquals(List.of(in("z", 3)), v1.finish().inputs());
    }

    @Test
    void unitsRoundUpExactlyAndV1StillFloors() {
        Pplns.WorkScale s = new Pplns.WorkScale(1000, 0);
        assertEquals(BigInteger.valueOf(1_500), Pplns.units(1.5, s, Pplns.ALGORITHM));
        // 0.1 is 0.1000000000000000055..., so ceil is 101 and floor 100 (both exact)
        assertEquals(BigInteger.valueOf(101), Pplns.units(0.1, s, Pplns.ALGORITHM));
        assertEquals(BigInteger.valueOf(100), Pplns.units(0.1, s, Pplns.ALGORITHM_V1));
        assertEquals(BigInteger.ZERO, Pplns.units(0.0, s, Pplns.ALGORITHM));
        assertEquals(BigInteger.ONE, Pplns.units(1e-300, s, Pplns.ALGORITHM), "a nonzero share always counts");
        assertEquals(BigInteger.ZERO, Pplns.units(1e-300, s, Pplns.ALGORITHM_V1));
        assertEquals(new BigInteger("30000000000000000"), Pplns.windowUnits(1.5e13, 2_000_000, s));
        assertThrows(TreasuryException.class, () -> Pplns.units(1, s, "pplns-v9"));
        assertThrows(TreasuryException.class, () -> Pplns.units(-1, s, Pplns.ALGORITHM));
        assertThrows(TreasuryException.class, () -> new Pplns.WorkScale(0, 0));
        assertThrows(TreasuryException.class, () -> new Pplns.WorkScale(1, -1));
        assertTrue(Pplns.isKnown("pplns-v1") && Pplns.isKnown("pplns-v2") && !Pplns.isKnown("pplns-v0"));
    }

    @Test
    void regtestMagnitude() {
        // network difficulty 2^-31 (regtest is ~4.66e-10), N = 2 -> window 2^-30 difficulty; base 1000 gives
        // floor(2^-30 x 1000) = 0 units (the old behaviour: everything to the pool). Derived: 2^-30 x 1000 x 10^18
        // = 9.3e11 < 1e12, x 10^19 = 9.3e12 -> exponent 19, scale 1e22, window floor(1e22 / 2^30) = 9,313,225,746,154.
        double diff = Math.scalb(1.0, -31);
        assertEquals(BigInteger.ZERO, Pplns.windowUnits(diff, 2_000_000, new Pplns.WorkScale(1000, 0)));
        Pplns.WorkScale s = Pplns.WorkScale.derive(diff, 2_000_000, 1000);
        assertEquals(new Pplns.WorkScale(1000, 19), s);
        assertEquals(BigInteger.TEN.pow(22), s.perDifficulty());
        assertEquals("1000e19", s.toString());
        BigInteger window = Pplns.windowUnits(diff, 2_000_000, s);
        assertEquals(new BigInteger("9313225746154"), window);
        // shares of difficulty 2^-40: alice 100 of them, bob 1 -> ceil(100e22 / 2^40) = 909,494,701,773 and
        // ceil(1e22 / 2^40) = 9,094,947,018 (1e22 / 2^40 = 9,094,947,017.73)
        double share = Math.scalb(1.0, -40);
        Pplns.Window w = collect(window, s, List.of(new ShareWindow("p", 100, "alice", "w", 100, 100 * share),
                new ShareWindow("p", 100, "bob", "w", 1, share)));
        assertEquals(List.of(in("alice", 909_494_701_773L), in("bob", 9_094_947_018L)), w.inputs());
        // 50 BTC, no fee, 100:1 -> 4,950,495,049.5 / 49,504,950.5 -> floors 4,950,495,049 + 49,504,950, 1 leftover sat
        // to the larger remainder (alice)
        Pplns.Split split = Pplns.split(5_000_000_000L, 0, w.inputs());
        assertEquals(List.of(new Pplns.Allocation("alice", 4_950_495_050L), new Pplns.Allocation("bob", 49_504_950L)),
                split.allocations());
        assertEquals(5_000_000_000L, split.totalSats());
    }

    @Test
    void signetMagnitude() {
        // difficulty 2^-10 (signet-like ~1e-3), N = 2 -> 2^-9 x 1000 = 1.953125 -> exponent 12, scale 1e15,
        // window 1,953,125,000,000 units. A 1e-7 share is 9.99999999999999954e-8 as a double: ceil(x 1e15) = 100,000,000.
        double diff = Math.scalb(1.0, -10);
        Pplns.WorkScale s = Pplns.WorkScale.derive(diff, 2_000_000, 1000);
        assertEquals(new Pplns.WorkScale(1000, 12), s);
        assertEquals(new BigInteger("1953125000000"), Pplns.windowUnits(diff, 2_000_000, s));
        assertEquals(BigInteger.valueOf(100_000_000), Pplns.units(1e-7, s, Pplns.ALGORITHM));
        assertEquals(BigInteger.valueOf(99_999_999), Pplns.units(1e-7, s, Pplns.ALGORITHM_V1));
    }

    @Test
    void mainnetMagnitude() {
        // difficulty 1e14, N = 2, base 1000 -> window 2e17 units, exponent 0 (the configured scale is enough).
        Pplns.WorkScale s = Pplns.WorkScale.derive(1e14, 2_000_000, 1000);
        assertEquals(new Pplns.WorkScale(1000, 0), s);
        BigInteger window = Pplns.windowUnits(1e14, 2_000_000, s);
        assertEquals(new BigInteger("200000000000000000"), window);
        // newest slice: alice 6e13, bob 1e14 (1.6e17 units); next: carol 8e13, dave 2e13 = 1e17 > remaining 4e16
        // -> carol 8e16 x 4e16 / 1e17 = 3.2e16, dave 8e15; erin's older slice is never read.
        Pplns.Window w = collect(window, s, List.of(
                new ShareWindow("p", 300, "alice", "w", 60_000, 6e13), new ShareWindow("p", 300, "bob", "w", 100_000, 1e14),
                new ShareWindow("p", 200, "carol", "w", 80_000, 8e13), new ShareWindow("p", 200, "dave", "w", 20_000, 2e13),
                new ShareWindow("p", 100, "erin", "w", 1, 1e9)));
        assertEquals(window, w.countedUnits());
        assertEquals(List.of(new Pplns.WorkInput("alice", new BigInteger("60000000000000000")),
                new Pplns.WorkInput("bob", new BigInteger("100000000000000000")),
                new Pplns.WorkInput("carol", new BigInteger("32000000000000000")),
                new Pplns.WorkInput("dave", new BigInteger("8000000000000000"))), w.inputs());
        // reward 3.125 BTC + 12,345,678 fees = 324,845,678; fee 1% = 3,248,456; net 321,597,222 x 0.3/0.5/0.16/0.04 =
        // 96,479,166.6 / 160,798,611 / 51,455,555.52 / 12,863,888.88 -> 2 leftover sats to dave (.88) and alice (.6)
        Pplns.Split split = Pplns.split(324_845_678L, 10_000, w.inputs());
        assertEquals(3_248_456L, split.poolFeeSats());
        assertEquals(List.of(new Pplns.Allocation("alice", 96_479_167L), new Pplns.Allocation("bob", 160_798_611L),
                new Pplns.Allocation("carol", 51_455_555L), new Pplns.Allocation("dave", 12_863_889L)), split.allocations());
        assertEquals(324_845_678L, split.totalSats());
    }

    @Test
    void extremeMagnitudesDoNotOverflow() {
        // the largest configurable scale at mainnet difficulty: 2e14 x (2^63 - 1), past any long
        Pplns.WorkScale big = new Pplns.WorkScale(Long.MAX_VALUE, 0);
        assertEquals(new BigInteger("1844674407370955161400000000000000"), Pplns.windowUnits(1e14, 2_000_000, big));
        assertEquals(Pplns.WorkScale.derive(1e14, 2_000_000, Long.MAX_VALUE), big);
        // a share row of Double.MAX_VALUE work is exact at that scale
        assertEquals(new BigDecimal(Double.MAX_VALUE).toBigIntegerExact().multiply(BigInteger.valueOf(Long.MAX_VALUE)),
                Pplns.units(Double.MAX_VALUE, big, Pplns.ALGORITHM));
        // the smallest positive difficulty with the smallest window still gets a >= 1e12-unit window
        Pplns.WorkScale tiny = Pplns.WorkScale.derive(Double.MIN_VALUE, 1, 1);
        assertTrue(Pplns.windowUnits(Double.MIN_VALUE, 1, tiny).compareTo(Pplns.MIN_WINDOW_UNITS) >= 0);
        assertTrue(Pplns.windowUnits(Double.MIN_VALUE, 1, new Pplns.WorkScale(1, tiny.exponent() - 1)).compareTo(Pplns.MIN_WINDOW_UNITS) < 0,
                "the derived exponent is the smallest");
        assertThrows(TreasuryException.class, () -> Pplns.WorkScale.derive(0.0, 2_000_000, 1000));
        assertThrows(TreasuryException.class, () -> Pplns.WorkScale.derive(Double.POSITIVE_INFINITY, 2_000_000, 1000));
        // net x work past 2^63 and 2^1000-sized work units: the split is still exact
        BigInteger huge = BigInteger.TWO.pow(1000);
        Pplns.Split split = Pplns.split(Long.MAX_VALUE, 0, List.of(new Pplns.WorkInput("a", huge),
                new Pplns.WorkInput("b", huge.multiply(BigInteger.valueOf(3)))));
        BigInteger q = BigInteger.valueOf(Long.MAX_VALUE).divide(BigInteger.valueOf(4));
        assertEquals(Long.MAX_VALUE, split.totalSats());
        // (2^63 - 1) x 1/4 = 2305843009213693951.75, x 3/4 = 6917529027641081855.25 -> 1 leftover sat to a (.75)
        assertEquals(List.of(new Pplns.Allocation("a", q.longValueExact() + 1), new Pplns.Allocation("b", 6_917_529_027_641_081_855L)),
                split.allocations());
    }
}
