package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;
import org.hyperhash.base.Bytes;
import org.junit.jupiter.api.Test;

class ExtranonceAllocatorTest {

    @Test
    void sriLayout() throws Exception {
        ExtranonceAllocator a = ExtranonceAllocator.sriPool(0xab);
        assertEquals(20, a.fullExtranonceSize());
        assertEquals(4, a.extendedPrefixSize());
        ExtranonceAllocation e0 = a.allocateExtended(0);
        assertEquals("ab000000", e0.prefix().toHex());
        assertEquals(16, e0.extranonceSize());
        assertEquals(20, e0.fullExtranonceSize());
        ExtranonceAllocation s1 = a.allocateStandard();
        assertEquals("ab000001" + "00".repeat(16), s1.prefix().toHex());
        assertEquals(0, s1.extranonceSize());
        assertEquals("ab000002", a.allocateExtended(16).prefix().toHex());
        ExtranonceException e = assertThrows(ExtranonceException.class, () -> a.allocateExtended(17));
        assertEquals(ExtranonceException.Reason.MIN_EXTRANONCE_SIZE_TOO_LARGE, e.reason());
        assertEquals("min-extranonce-size-too-large", e.errorCode());
        assertThrows(IllegalArgumentException.class, () -> ExtranonceAllocator.sriPool(256));
        assertThrows(IllegalArgumentException.class, () -> new ExtranonceAllocator(Bytes.of(new byte[10]), 7, 16));
    }

    @Test
    void exhaustionReleaseAndInstanceSeparation() throws Exception {
        ExtranonceAllocator a = new ExtranonceAllocator(Bytes.fromHex("0102"), 1, 4);
        ExtranonceAllocator b = new ExtranonceAllocator(Bytes.fromHex("0103"), 1, 4);
        Set<Bytes> seen = new HashSet<>();
        ExtranonceAllocation first = null;
        for (int i = 0; i < 256; i++) {
            ExtranonceAllocation x = i % 2 == 0 ? a.allocateExtended(4) : a.allocateStandard();
            first = first == null ? x : first;
            assertEquals(true, seen.add(x.prefix().slice(0, 3)), "unique " + i);
            assertEquals(true, seen.add(b.allocateExtended(1).prefix()), "other instance never overlaps");
        }
        assertEquals(256, a.inUse());
        ExtranonceException e = assertThrows(ExtranonceException.class, a::allocateStandard);
        assertEquals(ExtranonceException.Reason.EXHAUSTED, e.reason());
        a.release(first);
        a.release(first); // idempotent
        assertEquals(255, a.inUse());
        assertEquals(first.prefix(), a.allocateExtended(0).prefix());
        assertThrows(ExtranonceException.class, () -> a.allocateExtended(0));
    }

    @Test
    void releasedIndicesComeBackOldestFirstOncePastTheFreshRange() throws Exception {
        ExtranonceAllocator a = new ExtranonceAllocator(Bytes.fromHex("07"), 1, 0);
        ExtranonceAllocation[] all = new ExtranonceAllocation[256];
        for (int i = 0; i < 256; i++) {
            all[i] = a.allocateStandard();
        }
        // release 200 (more than the initial queue) in a scrambled order, each twice
        int[] order = new int[200];
        for (int k = 0; k < 200; k++) {
            order[k] = (k * 37) % 256;
        }
        for (int idx : order) {
            a.release(all[idx]);
            a.release(all[idx]);
        }
        assertEquals(56, a.inUse());
        for (int k = 0; k < 100; k++) {
            assertEquals(all[order[k]].prefix(), a.allocateStandard().prefix(), "reuse " + k);
        }
        // interleave: release more while the queue is partly drained (wraps the ring)
        a.release(all[order[0]]);
        for (int k = 100; k < 200; k++) {
            assertEquals(all[order[k]].prefix(), a.allocateStandard().prefix(), "reuse " + k);
        }
        assertEquals(all[order[0]].prefix(), a.allocateStandard().prefix());
        assertThrows(ExtranonceException.class, a::allocateStandard);
        assertEquals(256, a.inUse());
    }
}
