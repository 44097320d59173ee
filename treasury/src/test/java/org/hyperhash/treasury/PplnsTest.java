package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Test
    void windowCountsNewestFirstAndCutsTheCrossingSlice() {
        // difficulty 10, N = 2 -> window 20 units at scale 1. Newest slice (t=300): a 8, b 4 = 12 -> counted fully.
        // Next slice (t=200): a 6, c 10 = 16 > remaining 8 -> a 6*8/16 = 3, c 10*8/16 = 5. Slice t=100 is never read.
        Pplns.Collector col = new Pplns.Collector(Pplns.windowUnits(10.0, 2_000_000, 1), 1);
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
    void fractionalDifficultyUsesWorkScale() {
        assertEquals(BigInteger.valueOf(1_500), Pplns.units(1.5, 1000));
        assertEquals(BigInteger.valueOf(100), Pplns.units(0.1, 1000), "0.1 is 0.1000000000000000055..., floor is exact");
        assertEquals(new BigInteger("30000000000000000"), Pplns.windowUnits(1.5e13, 2_000_000, 1000));
    }
}
