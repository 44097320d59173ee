package org.hyperhash.sv2.channel;

import static org.hyperhash.sv2.channel.ShareValidationVectorsTest.kase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.sv2.message.mining.UpdateChannelError;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.junit.jupiter.api.Test;

/** Channel semantics found wrong by the issue-13 review (each test failed before its fix). */
class ChannelConformanceTest {
    static final JsonNode C = kase("ext_valid");
    static final JsonNode S = C.get("share");
    static final int NTIME = (int) S.get("ntime").asLong();
    static final Instant NOW = Instant.ofEpochSecond(NTIME);

    /** Any nonce: with an all-ones target it would be accepted, at difficulty 1e9 it is not. */
    static SubmitSharesExtended arbitrary(int seq, int jobId, int nonce, int extranonceSize) {
        return new SubmitSharesExtended(1, seq, jobId, nonce, NTIME, S.get("version").asInt(),
                Bytes.of(new byte[extranonceSize]), List.of());
    }

    @Test
    void setTargetRightAfterOpenSuccessGovernsTheOpeningJob() throws Exception {
        // nominal_hash_rate 0: initial target = max_target (every hash meets it)
        ExtendedChannel ch = ExtendedChannel.open(new OpenExtendedMiningChannel(1, "u", 0f, Target.MAX, 8), 1,
                ExtranonceAllocator.sriPool(1), ChannelConfig.defaults(), null);
        List<Sv2Message> opening = ch.start(ShareValidationVectorsTest.job(C, ch.fullExtranonceSize()),
                ShareValidationVectorsTest.tip(C));
        int jobId = ((NewExtendedMiningJob) opening.getFirst()).jobId();
        assertTrue(((NewExtendedMiningJob) opening.getFirst()).minNtime().isEmpty()); // sent as a future job
        ch.setTarget(Targets.fromDifficulty(1e9)); // what the pool sends right after the opening sequence
        for (int nonce = 0; nonce < 200; nonce++) {
            assertEquals(RejectReason.DIFFICULTY_TOO_LOW.result(), ch.onShare(arbitrary(nonce, jobId, nonce, ch.extranonceSize()), NOW),
                    "nonce " + nonce);
        }
    }

    @Test
    void newSharesSumIsTheExactSumTruncatedOnce() {
        ShareBatcher b = new ShareBatcher(3, 10);
        SubmitSharesSuccess s = null;
        for (int i = 1; i <= 10; i++) {
            s = b.onAccepted(i, 0.5, false);
        }
        assertEquals(new SubmitSharesSuccess(3, 10, 10, 5), s); // SRI: share_work_sum (f64) as u64
        assertNull(b.onAccepted(11, 1.75, false));
        assertNull(b.onAccepted(12, 1.75, false));
        assertEquals(3, b.flush().newSharesSum()); // 3.5 -> 3, not 1 + 1
        assertEquals(-1L, ShareBatcher.toU64(1e30)); // saturates at u64::MAX like Rust's `as`
        assertEquals(0L, ShareBatcher.toU64(Double.NaN));
        assertEquals(Long.MIN_VALUE, ShareBatcher.toU64(0x1p63));
    }

    @Test
    void updateChannelWithZeroMaximumTargetIsRefusedLikeOpen() throws Exception {
        ExtendedChannel ch = (ExtendedChannel) ShareValidationVectorsTest.started(C);
        Target before = ch.target();
        Target maxBefore = ch.maxTarget();
        var r = ch.onUpdateChannel(new UpdateChannel(1, 1e12f, Target.ZERO)).orElseThrow();
        assertEquals(new UpdateChannelError(1, "max-target-out-of-range"), r);
        assertEquals(before, ch.target());
        assertEquals(maxBefore, ch.maxTarget());
        ChannelOpenException e = org.junit.jupiter.api.Assertions.assertThrows(ChannelOpenException.class,
                () -> ExtendedChannel.open(new OpenExtendedMiningChannel(1, "u", 1f, Target.ZERO, 8), 2,
                        ExtranonceAllocator.sriPool(1), ChannelConfig.defaults(), null));
        assertEquals(((UpdateChannelError) r).errorCode(), e.errorCode());
    }

    @Test
    void groupMemberJoiningWhileAFutureTemplateIsPendingLearnsItsJobWasActivated() throws Exception {
        ChannelConfig cfg = ChannelConfig.defaults();
        ExtranonceAllocator alloc = ExtranonceAllocator.sriPool(2);
        GroupChannel group = new GroupChannel(100, cfg);
        NewTemplate nt = ShareValidationVectorsTest.template(C.get("template"));
        TxOut pay = ShareValidationVectorsTest.poolOutput();
        JobFactory jf = new JobFactory("hh", "");
        JobTemplate current = jf.build(withId(nt, 4, false), List.of(pay), 20);
        JobTemplate future = jf.build(withId(nt, 5, true), List.of(pay), 20);
        ChainTip tip4 = ChainTip.of(4, Hash256.ZERO, NTIME, 0x207fffff);

        ExtendedChannel first = ExtendedChannel.open(new OpenExtendedMiningChannel(1, "a.w1", 1e12f, Target.MAX, 8),
                1, alloc, cfg, group);
        first.start(current, tip4);
        NewExtendedMiningJob groupFuture = group.onNewTemplate(future).orElseThrow(); // broadcast to the group
        // a second member joins now: it gets the current job and the pending future job on its own channel id
        ExtendedChannel late = ExtendedChannel.open(new OpenExtendedMiningChannel(2, "a.w2", 1e12f, Target.MAX, 8),
                2, alloc, cfg, group);
        late.start(current, tip4);
        NewExtendedMiningJob own = late.onNewTemplate(future).orElseThrow();
        assertEquals(2, own.channelId());

        List<SetNewPrevHash> out = group.onSetNewPrevHash(ChainTip.of(5, Hash256.ZERO, NTIME, 0x207fffff));
        assertEquals(2, out.size(), out.toString());
        assertEquals(100, out.get(0).channelId());
        assertEquals(groupFuture.jobId(), out.get(0).jobId());
        assertEquals(2, out.get(1).channelId()); // the late member is told about its own activated job
        assertEquals(own.jobId(), out.get(1).jobId());
        assertEquals(own.jobId(), late.jobs().active().jobId());
        assertInstanceOf(ServerJob.class, first.jobs().findCurrent(groupFuture.jobId()));
    }

    static NewTemplate withId(NewTemplate nt, long id, boolean future) {
        return new NewTemplate(id, future, nt.version(), nt.coinbaseTxVersion(), nt.coinbasePrefix(),
                nt.coinbaseTxInputSequence(), nt.coinbaseTxValueRemaining(), nt.coinbaseTxOutputsCount(),
                nt.coinbaseTxOutputs(), nt.coinbaseTxLocktime(), nt.merklePath());
    }

    @Test
    void clientAppliesSetTargetToTheActivatedFutureJobAsTheServerDoes() {
        ExtendedChannelClient c = new ExtendedChannelClient(new org.hyperhash.sv2.message.mining
                .OpenExtendedMiningChannelSuccess(1, 7, Target.MAX, 8, Bytes.of(new byte[4]), 0), 16);
        c.onNewExtendedMiningJob(new NewExtendedMiningJob(7, 1, java.util.OptionalInt.empty(), 0x20000000, true,
                List.of(), Bytes.of(new byte[10]), Bytes.of(new byte[10])));
        c.onSetNewPrevHash(new SetNewPrevHash(7, 1, Hash256.ZERO, NTIME, 0x1d00ffff)); // network target: hard
        c.onNewExtendedMiningJob(new NewExtendedMiningJob(7, 2, java.util.OptionalInt.of(NTIME), 0x20000000, true,
                List.of(), Bytes.of(new byte[10]), Bytes.of(new byte[10])));
        Target hard = Targets.fromDifficulty(1e9);
        c.onSetTarget(new org.hyperhash.sv2.message.mining.SetTarget(7, hard));
        assertEquals(2, c.activeJob().job().jobId());
        ShareResult r = c.check(1, Bytes.of(new byte[8]), 0, NTIME, 0x20000000);
        assertEquals(RejectReason.DIFFICULTY_TOO_LOW.result(), r, "the opening job now needs the new target");
        assertInstanceOf(ShareResult.Accepted.class, c.check(2, Bytes.of(new byte[8]), 0, NTIME, 0x20000000),
                "a job received with min_ntime keeps its target");
    }
}
