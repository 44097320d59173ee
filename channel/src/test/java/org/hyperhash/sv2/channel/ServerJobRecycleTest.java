package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.junit.jupiter.api.Test;

/**
 * Jobs reused from the thread's spare list (ServerJob.recycle / obtain) carry exactly their own job: every case of
 * sv2_share_validation.json, submitted against a job built from a recycled object after blocks on other templates
 * (other coinbases, so other merkle roots), gives the vector's golden header, hash and coinbase; the standard job's
 * frame carries the vector's merkle root. A past job stays valid next to reused ones, and an evicted job's id does
 * not come back with its object.
 */
class ServerJobRecycleTest {

    /** Runs {@code body} on a fresh thread: its spare list starts empty, so which object is reused is determined. */
    private static void onFreshThread(ThrowingRunnable body) throws Throwable {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The vector's template with another id and another locktime: another coinbase, so another merkle root. */
    private static JobTemplate other(JobTemplate t, long id, boolean future) {
        byte[] s = t.coinbaseTxSuffix().toArray();
        s[s.length - 1] ^= (byte) id;
        return new JobTemplate(id, future, t.version(), t.merklePath(), t.fullExtranonceSize(), t.coinbaseTxPrefix(),
                Bytes.of(s), t.segwit(), t.outputs());
    }

    private static ChainTip otherTip(ChainTip vectorTip, long templateId) {
        byte[] prev = new byte[32];
        prev[0] = (byte) templateId;
        prev[31] = 0x11;
        return new ChainTip(templateId, Hash256.wrap(prev), vectorTip.headerTimestamp(), vectorTip.nbits(),
                vectorTip.networkTarget());
    }

    /** One block on the fan-out path: the future job's frame, then its SetNewPrevHash. */
    private static void block(ServerChannel ch, JobTemplate future, ChainTip tip) {
        ByteBuf out = Unpooled.buffer();
        try {
            assertTrue(ch.onNewTemplate(future, out));
            assertTrue(ch.onSetNewPrevHash(tip, out));
        } finally {
            out.release();
        }
    }

    private static ShareResult submit(ServerChannel ch, JsonNode share, int jobId, int seq) {
        Instant now = Instant.ofEpochSecond(share.get("ntime").asLong());
        if (ch instanceof ExtendedChannel e) {
            return e.onShare(new SubmitSharesExtended(ch.channelId(), seq, jobId, (int) share.get("nonce").asLong(),
                    (int) share.get("ntime").asLong(), share.get("version").asInt(),
                    Bytes.fromHex(share.get("extranonce").asText()), List.of()), now);
        }
        return ((StandardChannel) ch).onShare(new SubmitSharesStandard(ch.channelId(), seq, jobId,
                (int) share.get("nonce").asLong(), (int) share.get("ntime").asLong(), share.get("version").asInt()), now);
    }

    /** The vector's expected result for its share (golden fields of sv2_share_validation.json). */
    private static void assertGolden(JsonNode c, ServerChannel ch, ShareResult r, JobTemplate vector) {
        String id = c.get("id").asText();
        JsonNode comp = c.get("computed");
        if (comp.get("meets_network_target").asBoolean()) {
            ShareResult.BlockFound b = assertInstanceOf(ShareResult.BlockFound.class, r, id);
            assertEquals(comp.get("header_80B").asText(), b.header().toHex(), id);
            assertEquals(comp.get("header_hash_raw").asText(), b.blockHash().toWireHex(), id);
            assertEquals(comp.get("coinbase_tx_with_witness").asText(), b.coinbaseTx().toHex(), id);
            assertEquals(vector.templateId(), b.templateId(), id);
        } else if (comp.get("meets_channel_target").asBoolean()) {
            ShareResult.Accepted a = assertInstanceOf(ShareResult.Accepted.class, r, id);
            assertEquals(Targets.toDifficulty(ch.target()), a.difficulty(), 0.0, id);
        } else {
            assertEquals(RejectReason.DIFFICULTY_TOO_LOW.result(), r, id);
        }
    }

    @Test
    void everyVectorOnRecycledJobs() throws Throwable {
        onFreshThread(() -> {
            int n = 0;
            for (JsonNode c : ShareValidationVectorsTest.ROOT.get("cases")) {
                String id = c.get("id").asText();
                ServerChannel ch = ShareValidationVectorsTest.channel(c);
                JobTemplate vector = ShareValidationVectorsTest.job(c, ch.fullExtranonceSize());
                ChainTip vectorTip = ShareValidationVectorsTest.tip(c);
                ch.start(other(vector, 100, true), otherTip(vectorTip, 100));
                List<ServerJob> active = new ArrayList<>();
                for (int b = 1; b <= 3; b++) {
                    block(ch, other(vector, 100 + b, true), otherTip(vectorTip, 100 + b));
                    active.add(ch.jobs().active());
                }
                // the vector's block: its job is built on the object that was active two blocks ago (dropped by the
                // last block's tip, taken back first)
                ByteBuf out = Unpooled.buffer();
                ByteBuf snph = Unpooled.buffer();
                try {
                    assertTrue(ch.onNewTemplate(vector.asFuture(), out));
                    assertTrue(ch.onSetNewPrevHash(vectorTip, snph));
                    ServerJob job = ch.jobs().active();
                    assertSame(active.get(1), job, id + ": a reused job object");
                    if (ch instanceof StandardChannel) {
                        Sv2Message m = Sv2Codec.decodeFrame(out);
                        NewMiningJob nmj = assertInstanceOf(NewMiningJob.class, m, id);
                        assertEquals(c.get("computed").get("merkle_root_raw").asText(), nmj.merkleRoot().toWireHex(), id);
                        assertEquals(job.jobId(), nmj.jobId(), id);
                    }
                } finally {
                    out.release();
                    snph.release();
                }
                int jobId = ch.jobs().active().jobId();
                assertGolden(c, ch, submit(ch, c.get("share"), jobId, 7), vector);
                n++;
            }
            assertEquals(5, n);
        });
    }

    @Test
    void pastJobNextToReusedOnesAndEvictedIdsStayStale() throws Throwable {
        onFreshThread(() -> {
            for (String id : List.of("std_valid", "ext_valid")) {
                JsonNode c = ShareValidationVectorsTest.kase(id);
                JsonNode ch0 = c.get("channel");
                ChannelConfig cfg = ChannelConfig.defaults().withSharesPerMinute(ch0.get("shares_per_minute").asDouble())
                        .withMaxPastJobs(2);
                Target target = Targets.fromNominalHashrate(ch0.get("nominal_hashrate_hs").asDouble(), cfg.sharesPerMinute());
                ExtranonceAllocation a = new ExtranonceAllocation(0, Bytes.fromHex(ch0.get("extranonce_prefix").asText()),
                        ch0.get("rollable_extranonce_size").asInt());
                ServerChannel ch = id.startsWith("ext") ? new ExtendedChannel(1, "user", cfg, null, null, a, target,
                        Target.MAX, 0) : new StandardChannel(1, "user", cfg, null, null, a, target, Target.MAX, 0);
                JobTemplate vector = ShareValidationVectorsTest.job(c, ch.fullExtranonceSize());
                ChainTip vectorTip = ShareValidationVectorsTest.tip(c);
                ch.start(other(vector, 200, true), otherTip(vectorTip, 200));
                block(ch, other(vector, 201, true), otherTip(vectorTip, 201));
                block(ch, vector.asFuture(), vectorTip);
                ServerJob vectorJob = ch.jobs().active();
                int vectorJobId = vectorJob.jobId();
                // two templates on the same tip: the vector's job is a past job, other jobs are built around it
                ByteBuf out = Unpooled.buffer();
                try {
                    assertTrue(ch.onNewTemplate(other(vector, 202, false), out));
                    assertTrue(ch.onNewTemplate(other(vector, 203, false), out));
                } finally {
                    out.release();
                }
                assertEquals(2, ch.jobs().pastCount(), id);
                assertGolden(c, ch, submit(ch, c.get("share"), vectorJobId, 1), vector);
                // a third template evicts the vector's job (2 past jobs kept); a fourth is built on its object
                out = Unpooled.buffer();
                try {
                    assertTrue(ch.onNewTemplate(other(vector, 204, false), out));
                    assertTrue(ch.onNewTemplate(other(vector, 205, false), out));
                } finally {
                    out.release();
                }
                assertSame(vectorJob, ch.jobs().active(), id + ": the evicted job's object is reused");
                assertTrue(vectorJobId != ch.jobs().active().jobId(), id);
                assertEquals(RejectReason.STALE_SHARE.result(), submit(ch, c.get("share"), vectorJobId, 2), id);
                assertTrue(ServerJob.freeOnThisThread() <= ServerJob.MAX_FREE);
            }
        });
    }
}
