package org.hyperhash.sv2.channel;

import static org.hyperhash.sv2.channel.ShareValidationVectorsTest.kase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.junit.jupiter.api.Test;

/** Each rejection reason, job store eviction, per-job targets and batching, on the ext_valid vector. */
class ServerChannelTest {
    static final JsonNode C = kase("ext_valid");
    static final JsonNode S = C.get("share");
    static final int NTIME = (int) S.get("ntime").asLong();
    static final int VERSION = S.get("version").asInt();
    static final Bytes EXTRANONCE = Bytes.fromHex(S.get("extranonce").asText());
    static final Instant NOW = Instant.ofEpochSecond(NTIME);

    static SubmitSharesExtended share(int seq, int jobId, int ntime, int version, Bytes extranonce) {
        return new SubmitSharesExtended(1, seq, jobId, (int) S.get("nonce").asLong(), ntime, version, extranonce, List.of());
    }

    static SubmitSharesExtended valid(int seq, int jobId) {
        return share(seq, jobId, NTIME, VERSION, EXTRANONCE);
    }

    ExtendedChannel started() throws Exception {
        return (ExtendedChannel) ShareValidationVectorsTest.started(C);
    }

    JobTemplate template(long id, boolean future) throws Exception {
        JobTemplate jt = ShareValidationVectorsTest.job(C, 32);
        return new JobTemplate(id, future, jt.version(), jt.merklePath(), jt.fullExtranonceSize(), jt.coinbaseTxPrefix(),
                jt.coinbaseTxSuffix(), jt.segwit(), jt.outputs());
    }

    @Test
    void eachRejectionReasonHasItsSriCode() throws Exception {
        ExtendedChannel ch = started();
        assertEquals("invalid-channel-id", ((ShareResult.Rejected) ch.onShare(new SubmitSharesExtended(2, 0, 1, 0, NTIME,
                VERSION, EXTRANONCE, List.of()), NOW)).errorCode());
        assertEquals(RejectReason.INVALID_JOB_ID.result(), ch.onShare(valid(0, 99), NOW));
        assertEquals(RejectReason.BAD_EXTRANONCE_SIZE.result(), ch.onShare(share(0, 1, NTIME, VERSION, Bytes.fromHex("01")), NOW));
        assertEquals("bad-extranonce-size", RejectReason.BAD_EXTRANONCE_SIZE.errorCode());
        int minNtime = (int) C.get("chain_tip").get("min_ntime").asLong();
        assertEquals(RejectReason.NTIME_TOO_OLD.result(), ch.onShare(share(0, 1, minNtime - 1, VERSION, EXTRANONCE), NOW));
        assertEquals(RejectReason.NTIME_TOO_NEW.result(), ch.onShare(share(0, 1, NTIME + 7201, VERSION, EXTRANONCE), NOW));
        assertEquals("invalid-share", RejectReason.NTIME_TOO_NEW.errorCode());
        // bit 0 and bit 31 are outside the BIP323 mask
        assertEquals(RejectReason.INVALID_NON_ROLLABLE_VERSION_BIT.result(), ch.onShare(share(0, 1, NTIME, VERSION | 1, EXTRANONCE), NOW));
        assertEquals(RejectReason.INVALID_NON_ROLLABLE_VERSION_BIT.result(),
                ch.onShare(share(0, 1, NTIME, VERSION | 0x80000000, EXTRANONCE), NOW));
        // a rolled bit inside the mask is allowed (changes the hash, so this nonce misses the target)
        assertEquals(RejectReason.DIFFICULTY_TOO_LOW.result(), ch.onShare(share(0, 1, NTIME, VERSION | 0x00100000, EXTRANONCE), NOW));
        // ntime exactly at the upper bound is fine; the valid share still validates after all the rejects
        assertInstanceOf(ShareResult.Accepted.class, ch.onShare(valid(5, 1), NOW));
        assertEquals(RejectReason.DUPLICATE_SHARE.result(), ch.onShare(valid(6, 1), NOW));
    }

    @Test
    void versionRollingNotAllowed() throws Exception {
        JsonNode ch = C.get("channel");
        ChannelConfig cfg = ChannelConfig.defaults().withSharesPerMinute(1).withVersionRollingAllowed(false);
        ExtendedChannel c = new ExtendedChannel(1, "u", cfg, null, null,
                new ExtranonceAllocation(0, Bytes.fromHex(ch.get("extranonce_prefix").asText()), 8),
                Targets.fromNominalHashrate(1000, 1), Target.MAX, 0);
        var opening = c.start(template(1, false), ShareValidationVectorsTest.tip(C));
        assertEquals(false, ((NewExtendedMiningJob) opening.getFirst()).versionRollingAllowed());
        assertEquals(RejectReason.VERSION_ROLLING_NOT_ALLOWED.result(), c.onShare(share(0, 1, NTIME, VERSION | 0x00100000, EXTRANONCE), NOW));
        assertEquals("version-rolling-not-allowed", RejectReason.VERSION_ROLLING_NOT_ALLOWED.errorCode());
        assertInstanceOf(ShareResult.Accepted.class, c.onShare(valid(1, 1), NOW));
    }

    @Test
    void staleVersusUnknownJobAndNewTipClearsDuplicates() throws Exception {
        ExtendedChannel ch = started();
        assertInstanceOf(ShareResult.Accepted.class, ch.onShare(valid(1, 1), NOW));
        // a future job for template 2 is pending: shares for it are invalid-job-id until activated
        NewExtendedMiningJob future = ch.onNewTemplate(template(2, true)).orElseThrow();
        assertEquals(2, future.jobId());
        assertTrue(future.minNtime().isEmpty());
        assertEquals(RejectReason.INVALID_JOB_ID.result(), ch.onShare(valid(2, 2), NOW));
        ChainTip tip = ShareValidationVectorsTest.tip(C);
        var snph = ch.onSetNewPrevHash(new ChainTip(2, tip.prevHash(), tip.headerTimestamp(), tip.nbits(), tip.networkTarget()))
                .orElseThrow();
        assertEquals(2, snph.jobId());
        assertEquals(RejectReason.STALE_SHARE.result(), ch.onShare(valid(3, 1), NOW));
        assertEquals("stale-share", RejectReason.STALE_SHARE.errorCode());
        // same header on the new tip's job: duplicate set was cleared (same prev hash in this test, so same hash)
        assertInstanceOf(ShareResult.Accepted.class, ch.onShare(valid(4, 2), NOW));
        assertEquals(RejectReason.INVALID_JOB_ID.result(), ch.onShare(valid(5, 3), NOW));
        // unknown tip template: no job activated, everything stale
        assertTrue(ch.onSetNewPrevHash(new ChainTip(77, Hash256.ZERO, NTIME, tip.nbits(), tip.networkTarget())).isEmpty());
        assertEquals(RejectReason.STALE_SHARE.result(), ch.onShare(valid(6, 2), NOW));
    }

    @Test
    void jobStoreKeepsMaxPastJobsThenStale() throws Exception {
        ChannelConfig cfg = ChannelConfig.defaults().withSharesPerMinute(1).withMaxPastJobs(2);
        ExtendedChannel ch = new ExtendedChannel(1, "u", cfg, null, null,
                new ExtranonceAllocation(0, Bytes.fromHex(C.get("channel").get("extranonce_prefix").asText()), 8),
                Targets.fromNominalHashrate(1000, 1), Target.MAX, 0);
        ch.start(template(1, false), ShareValidationVectorsTest.tip(C)); // job 1
        for (int i = 0; i < 3; i++) {
            NewExtendedMiningJob j = ch.onNewTemplate(template(1, false)).orElseThrow(); // jobs 2,3,4
            assertEquals((int) C.get("chain_tip").get("min_ntime").asLong(), j.minNtime().getAsInt());
        }
        assertEquals(2, ch.jobs().pastCount());
        assertEquals(RejectReason.STALE_SHARE.result(), ch.onShare(valid(1, 1), NOW)); // evicted
        assertInstanceOf(ShareResult.Accepted.class, ch.onShare(valid(2, 2), NOW));
        assertEquals(RejectReason.DUPLICATE_SHARE.result(), ch.onShare(valid(3, 4), NOW)); // same header hash
        // future jobs bounded by maxFutureJobs (8): the oldest is dropped
        for (int i = 0; i < 9; i++) {
            ch.onNewTemplate(template(100 + i, true));
        }
        assertEquals(8, ch.jobs().futureCount());
        assertTrue(ch.onSetNewPrevHash(ChainTip.of(100, Hash256.ZERO, NTIME, 0x207fffff)).isEmpty());
    }

    @Test
    void setTargetAppliesToLaterAndFutureJobsButNotToJobsWithMinNtime() throws Exception {
        ExtendedChannel ch = started(); // job 1: the opening job, sent as a future job and activated
        ch.onNewTemplate(template(1, false)); // job 2: sent with min_ntime, keeps the 1000 H/s target
        ch.onNewTemplate(template(9, true)); // future job 3 (not active yet)
        SetTarget st = ch.setTarget(Targets.fromDifficulty(1e9));
        assertEquals(1, st.channelId());
        ch.onNewTemplate(template(1, false)); // job 4, hard target
        assertEquals(RejectReason.DIFFICULTY_TOO_LOW.result(), ch.onShare(valid(1, 4), NOW));
        assertEquals(RejectReason.DIFFICULTY_TOO_LOW.result(), ch.onShare(valid(2, 1), NOW)); // opening job retargeted
        assertInstanceOf(ShareResult.Accepted.class, ch.onShare(valid(3, 2), NOW)); // job 2 kept its target
        ChainTip t = ShareValidationVectorsTest.tip(C);
        ch.onSetNewPrevHash(new ChainTip(9, t.prevHash(), t.headerTimestamp(), t.nbits(), t.networkTarget()));
        assertEquals(RejectReason.DIFFICULTY_TOO_LOW.result(), ch.onShare(valid(4, 3), NOW)); // future job got it
        // clamped to max target
        ExtendedChannel c2 = new ExtendedChannel(1, "u", ChannelConfig.defaults(), null, null,
                new ExtranonceAllocation(0, Bytes.of(new byte[4]), 16), Target.MAX, Targets.DIFF1_TARGET, 0);
        assertEquals(Targets.DIFF1_TARGET, c2.setTarget(Target.MAX).maximumTarget());
    }

    @Test
    void batchedSuccessCountsAndSumsDifficultyTruncatedOnce() throws Exception {
        ExtendedChannel ch = (ExtendedChannel) ShareValidationVectorsTest.channel(C);
        ChannelConfig cfg = ChannelConfig.defaults().withSharesPerMinute(1).withShareBatchSize(2);
        ch = new ExtendedChannel(1, "u", cfg, null, null, ch.allocation(), Target.MAX, Target.MAX, 0);
        ch.start(template(1, false), ShareValidationVectorsTest.tip(C));
        ch.onNewTemplate(template(1, false)); // job 2
        ShareResult.Accepted a1 = (ShareResult.Accepted) ch.onShare(valid(10, 1), NOW);
        assertNull(a1.ack());
        ShareResult.Accepted a2 = (ShareResult.Accepted) ch.onShare(share(11, 2, NTIME + 1, VERSION, EXTRANONCE), NOW);
        SubmitSharesSuccess ack = a2.ack();
        assertEquals(11, ack.lastSequenceNumber());
        assertEquals(2, ack.newSubmitsAcceptedCount());
        assertEquals(0, ack.newSharesSum()); // two shares at bdiff ~1e-9: the exact sum is still below 1
        assertNull(ch.flushAcks());

        ShareBatcher b = new ShareBatcher(7, 3);
        assertNull(b.onAccepted(1, 1024, false));
        assertNull(b.onAccepted(2, 1024, false));
        SubmitSharesSuccess s = b.onAccepted(3, 1024, false);
        assertEquals(new SubmitSharesSuccess(7, 3, 3, 3072), s);
        assertNull(b.onAccepted(4, 5, false));
        assertEquals(new SubmitSharesSuccess(7, 4, 1, 5), b.flush()); // per batch, reset after each Success
        assertEquals(new SubmitSharesSuccess(7, 9, 1, 1), b.onAccepted(9, 1, true));
    }

    @Test
    void initialTargetIsReusedOnlyForTheSameInputs() throws Exception {
        ChannelConfig cfg = ChannelConfig.defaults();
        Target a = ServerChannel.initialTarget(2e12f, Target.MAX, cfg);
        Target b = ServerChannel.initialTarget(2e12f, new Target(-1L, -1L, -1L, -1L), cfg);
        assertTrue(a == b, "same rate, equal max target: one shared instance");
        assertEquals(Targets.fromNominalHashrate((double) 2e12f, cfg.sharesPerMinute()), a);
        Target other = ServerChannel.initialTarget(3e12f, Target.MAX, cfg);
        assertEquals(Targets.fromNominalHashrate((double) 3e12f, cfg.sharesPerMinute()), other);
        ChannelConfig faster = cfg.withSharesPerMinute(cfg.sharesPerMinute() * 4);
        assertEquals(Targets.fromNominalHashrate((double) 3e12f, faster.sharesPerMinute()),
                ServerChannel.initialTarget(3e12f, Target.MAX, faster));
        Target low = Targets.fromNominalHashrate((double) 3e12f, faster.sharesPerMinute()).min(Target.fromBeHex(
                "0000000000000000ffff00000000000000000000000000000000000000000000"));
        assertTrue(low.compareTo(Targets.fromNominalHashrate((double) 3e12f, faster.sharesPerMinute())) < 0);
        assertEquals(low, ServerChannel.initialTarget(3e12f, Target.fromBeHex(
                "0000000000000000ffff00000000000000000000000000000000000000000000"), faster), "clamped to max_target");
        assertThrows(ChannelOpenException.class, () -> ServerChannel.initialTarget(3e12f, Target.ZERO, faster));
    }

    @Test
    void openFromRequestsAndGroupBroadcast() throws Exception {
        ExtranonceAllocator alloc = ExtranonceAllocator.sriPool(3);
        ChannelConfig cfg = ChannelConfig.defaults();
        GroupChannel group = new GroupChannel(100, cfg);
        ExtendedChannel ext = ExtendedChannel.open(new OpenExtendedMiningChannel(7, "addr.w1", 1e12f, Target.MAX, 8), 1,
                alloc, cfg, group);
        StandardChannel std = StandardChannel.open(new OpenStandardMiningChannel(8, "addr.w2", 1e12f, Target.MAX), 2,
                alloc, cfg, group);
        var ok = ext.openSuccess(7);
        assertEquals(16, ok.extranonceSize());
        assertEquals("03000000", ok.extranoncePrefix().toHex());
        assertEquals(100, ok.groupChannelId());
        assertEquals(Targets.fromNominalHashrate((double) 1e12f, 6), ok.target());
        assertEquals("03000001" + "00".repeat(16), std.openSuccess(8).extranoncePrefix().toHex());
        assertEquals(List.of(1, 2), group.setGroupChannel().channelIds());

        ChannelOpenException e = assertThrows(ChannelOpenException.class, () -> ExtendedChannel.open(
                new OpenExtendedMiningChannel(9, "x", 1f, Target.MAX, 17), 3, alloc, cfg, null));
        assertEquals("min-extranonce-size-too-large", e.errorCode());
        e = assertThrows(ChannelOpenException.class, () -> ExtendedChannel.open(
                new OpenExtendedMiningChannel(9, "x", Float.NaN, Target.MAX, 4), 3, alloc, cfg, null));
        assertEquals("invalid-nominal-hashrate", e.errorCode());

        NewTemplate nt = ShareValidationVectorsTest.template(C.get("template"));
        TxOut pay = ShareValidationVectorsTest.poolOutput();
        JobTemplate jt = new JobFactory("hh", "").build(
                new NewTemplate(5, true, nt.version(), nt.coinbaseTxVersion(), nt.coinbasePrefix(), nt.coinbaseTxInputSequence(),
                        nt.coinbaseTxValueRemaining(), nt.coinbaseTxOutputsCount(), nt.coinbaseTxOutputs(), nt.coinbaseTxLocktime(),
                        nt.merklePath()), List.of(pay), 20);
        NewExtendedMiningJob gj = group.onNewTemplate(jt).orElseThrow();
        assertEquals(100, gj.channelId());
        var snph = group.onSetNewPrevHash(ChainTip.of(5, Hash256.ZERO, NTIME, 0x207fffff)).getFirst();
        assertEquals(gj.jobId(), snph.jobId());
        assertEquals(100, snph.channelId());
        // both members know the group job
        assertTrue(ext.jobs().findCurrent(gj.jobId()) != null && std.jobs().findCurrent(gj.jobId()) != null);
        assertEquals(ext.extranoncePrefix(), ext.jobs().findCurrent(gj.jobId()).extranoncePrefix());
        assertEquals(100, group.setTarget(Targets.fromDifficulty(2)).channelId());
        assertEquals(2, alloc.inUse());
        ext.close();
        ext.close();
        assertEquals(1, alloc.inUse());
    }
}
