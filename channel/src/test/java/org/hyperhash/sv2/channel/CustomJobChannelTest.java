package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.hyperhash.base.Hash256;
import org.junit.jupiter.api.Test;

/**
 * Custom jobs (SetCustomMiningJob) on an extended channel, on the ext_valid vector: validated against their own
 * chain tip whatever the pool's tip is, dropped when the pool's chain moves to another prev_hash or a custom job on
 * another prev_hash arrives (their shares are then stale), bounded.
 */
class CustomJobChannelTest {
    private static final ServerChannelTest V = new ServerChannelTest();

    @Test
    void customJobSharesAreValidatedOnTheirOwnTip() throws Exception {
        ExtendedChannel ch = V.started();
        ChainTip vectorTip = ch.chainTip();
        // the pool's own chain moves elsewhere; the custom job keeps the tip it was declared on
        ch.onSetNewPrevHash(new ChainTip(999, Hash256.fromWireHex("11".repeat(32)), vectorTip.headerTimestamp(),
                vectorTip.nbits(), vectorTip.networkTarget()));
        JobTemplate t = V.template(Long.MIN_VALUE + 1, false);
        int jobId = ch.addCustomJob(t, new ChainTip(t.templateId(), vectorTip.prevHash(), vectorTip.headerTimestamp(),
                vectorTip.nbits(), vectorTip.networkTarget()));
        assertEquals(1, ch.customJobCount());
        ShareResult r = ch.onShare(ServerChannelTest.valid(1, jobId), ServerChannelTest.NOW);
        assertInstanceOf(ShareResult.Accepted.class, r, String.valueOf(r));
        // same share again: duplicate, as on template jobs
        assertEquals(RejectReason.DUPLICATE_SHARE.result(), ch.onShare(ServerChannelTest.valid(2, jobId),
                ServerChannelTest.NOW));
        // ntime before the custom job's min_ntime
        assertEquals(RejectReason.NTIME_TOO_OLD.result(), ch.onShare(ServerChannelTest.share(3, jobId,
                ServerChannelTest.NTIME - 1, ServerChannelTest.VERSION, ServerChannelTest.EXTRANONCE), ServerChannelTest.NOW));

        ch.dropCustomJobsNotOn(Hash256.fromWireHex("22".repeat(32)));
        assertEquals(0, ch.customJobCount());
        assertEquals(RejectReason.STALE_SHARE.result(), ch.onShare(ServerChannelTest.valid(4, jobId), ServerChannelTest.NOW));
    }

    @Test
    void anotherPrevHashReplacesCustomJobsAndTheirNumberIsBounded() throws Exception {
        ExtendedChannel ch = V.started();
        ChainTip tip = ch.chainTip();
        JobTemplate t = V.template(Long.MIN_VALUE + 2, false);
        for (int i = 0; i < 40; i++) {
            ch.addCustomJob(t, tip);
        }
        assertEquals(ChannelConfig.defaults().maxPastJobs() + 1, ch.customJobCount());
        int other = ch.addCustomJob(t, new ChainTip(t.templateId(), Hash256.fromWireHex("33".repeat(32)),
                tip.headerTimestamp(), tip.nbits(), tip.networkTarget()));
        assertEquals(1, ch.customJobCount());
        assertInstanceOf(ShareResult.Rejected.class, ch.onShare(ServerChannelTest.valid(1, other), ServerChannelTest.NOW),
                "the vector's share does not hash below target on another prev_hash");
        JobTemplate wrongSize = new JobTemplate(1, false, t.version(), t.merklePath(), t.fullExtranonceSize() + 1,
                t.coinbaseTxPrefix(), t.coinbaseTxSuffix(), t.segwit(), t.outputs());
        assertThrows(IllegalArgumentException.class, () -> ch.addCustomJob(wrongSize, tip));
    }
}
