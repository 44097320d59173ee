package org.hyperhash.sv1;

import org.hyperhash.base.Bytes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExtranonceLayoutTest {
    private static final Bytes SRI_PREFIX = Bytes.fromHex("01000002"); // 4-byte pool prefix, extranonce_size 16

    @Test
    void sriAggregatedLayout() {
        ExtranonceLayout l = ExtranonceLayout.choose(SRI_PREFIX, 16, 4, 2, 16, false);
        assertFalse(l.fixedInCoinb1());
        assertEquals(10, l.paddingBytes());
        assertEquals("01000002" + "00".repeat(10) + "0102", l.extranonce1(0x0102).toHex());
        assertEquals("00".repeat(10) + "0102" + "aabbccdd", l.upstreamExtranonce(0x0102, Bytes.fromHex("aabbccdd")).toHex());
        assertEquals(65536, l.capacity());
        // coinbase seen by the miner equals the upstream coinbase
        Bytes prefix = Bytes.fromHex("0203");
        Bytes en2 = Bytes.fromHex("aabbccdd");
        assertEquals(prefix.concat(SRI_PREFIX).concat(l.upstreamExtranonce(7, en2)),
                l.coinb1(prefix).concat(l.extranonce1(7)).concat(en2));
    }

    @Test
    void apolloLimitMovesFixedBytesIntoCoinb1() {
        Bytes longPrefix = Bytes.fromHex("11".repeat(24));
        ExtranonceLayout l = ExtranonceLayout.choose(longPrefix, 8, 4, 2, 16, false);
        assertTrue(l.fixedInCoinb1());
        assertEquals(2, l.extranonce1Size());
        Bytes prefix = Bytes.fromHex("0203");
        Bytes en2 = Bytes.fromHex("01020304");
        assertEquals(prefix.concat(longPrefix).concat(l.upstreamExtranonce(9, en2)),
                l.coinb1(prefix).concat(l.extranonce1(9)).concat(en2));
    }

    @Test
    void stableExtranonce1IsIndexOnly() {
        ExtranonceLayout a = ExtranonceLayout.choose(SRI_PREFIX, 16, 4, 2, 16, true);
        ExtranonceLayout b = ExtranonceLayout.choose(Bytes.fromHex("09090909"), 12, 4, 2, 16, true);
        assertEquals(a.extranonce1(5), b.extranonce1(5));
    }

    @Test
    void rejectsTooSmallUpstreamSpaceAndBadIndex() {
        assertThrows(IllegalArgumentException.class, () -> ExtranonceLayout.choose(SRI_PREFIX, 5, 4, 2, 16, false));
        ExtranonceLayout l = ExtranonceLayout.choose(SRI_PREFIX, 16, 4, 2, 16, false);
        assertThrows(IllegalArgumentException.class, () -> l.extranonce1(65536));
        assertThrows(IllegalArgumentException.class, () -> l.upstreamExtranonce(1, Bytes.fromHex("01")));
    }
}
