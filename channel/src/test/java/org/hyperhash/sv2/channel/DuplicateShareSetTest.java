package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hyperhash.base.LittleEndian;
import org.junit.jupiter.api.Test;

class DuplicateShareSetTest {

    static byte[] hash(long low) {
        byte[] h = new byte[32];
        LittleEndian.putLong(h, 0, low);
        h[31] = 0x7f;
        return h;
    }

    @Test
    void duplicatesBoundAndClearAcrossGrowth() {
        DuplicateShareSet s = new DuplicateShareSet(1000);
        s.clear(); // clearing an empty set is a no-op
        for (long i = 0; i < 1000; i++) {
            assertEquals(DuplicateShareSet.Add.ADDED, s.add(hash(i * 0x100000001L)), "add " + i);
        }
        assertEquals(1000, s.size());
        assertEquals(DuplicateShareSet.Add.DUPLICATE, s.add(hash(0)));
        assertEquals(DuplicateShareSet.Add.DUPLICATE, s.add(hash(999 * 0x100000001L)));
        assertEquals(DuplicateShareSet.Add.FULL, s.add(hash(-5)));
        assertTrue(s.contains(hash(500 * 0x100000001L)));
        s.clear();
        assertEquals(0, s.size());
        assertFalse(s.contains(hash(500 * 0x100000001L)));
        assertEquals(DuplicateShareSet.Add.ADDED, s.add(hash(0)));
        assertEquals(DuplicateShareSet.Add.DUPLICATE, s.add(hash(0)));
    }
}
