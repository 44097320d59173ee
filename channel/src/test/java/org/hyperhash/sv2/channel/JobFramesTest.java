package org.hyperhash.sv2.channel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.junit.jupiter.api.Test;

/**
 * The fan-out forms {@link ServerChannel#onNewTemplate(JobTemplate, ByteBuf)} and
 * {@link ServerChannel#onSetNewPrevHash(ChainTip, ByteBuf)} against the message forms encoded by {@link Sv2Codec}: two
 * identical sets of channels get the same template and tip sequence, one through each API; every frame must be the
 * same bytes, every standard job's merkle root must equal {@link JobTemplate#merkleRoot(Bytes)} (computed apart, through
 * {@code MerkleBranch.root}), and the same shares must get the same results on both sets.
 */
class JobFramesTest {
    static final TxOut PAY = new TxOut(0, Bytes.fromHex("0014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc"));
    /** A BIP141 witness commitment output (makes the template segwit). */
    static final Bytes COMMITMENT = Bytes.fromHex(
            "0000000000000000266a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9");
    static final int NBITS = 0x207fffff; // regtest: most headers meet the share target
    static final long NOW = 1_700_000_000L;

    private final Random rnd = new Random(19);

    private Hash256 randomHash() {
        byte[] b = new byte[32];
        rnd.nextBytes(b);
        return Hash256.fromWireBytes(b);
    }

    /** A template: segwit or not, {@code txs} other transactions (merkle path length ~log2), coinbase_prefix of {@code prefixLen}. */
    private NewTemplate template(long id, boolean future, boolean segwit, int pathLen, int prefixLen) {
        List<Hash256> path = new ArrayList<>();
        for (int i = 0; i < pathLen; i++) {
            path.add(randomHash());
        }
        byte[] prefix = new byte[prefixLen];
        rnd.nextBytes(prefix);
        prefix[0] = 3; // BIP34 push of 3 bytes
        long value = 312_500_000L + rnd.nextInt(1_000_000);
        return new NewTemplate(id, future, 0x20000000 | rnd.nextInt(0x1000) << 13, 2, Bytes.of(prefix), -1, value,
                segwit ? 1 : 0, segwit ? COMMITMENT : Bytes.EMPTY, rnd.nextInt(1000), path);
    }

    private JobTemplate build(NewTemplate nt, int fullExtranonceSize) throws Exception {
        return new JobFactory("hyperhash", "").build(nt, List.of(new TxOut(nt.coinbaseTxValueRemaining(),
                PAY.scriptPubKey())), fullExtranonceSize);
    }

    /** Two identical channel sets (A: message API, B: frame API). */
    private List<ServerChannel[]> channels(int standard, int extended, int fullSize) {
        List<ServerChannel[]> out = new ArrayList<>();
        ChannelConfig cfg = ChannelConfig.defaults().withSharesPerMinute(6);
        for (int i = 0; i < standard + extended; i++) {
            boolean ext = i >= standard;
            byte[] p = new byte[ext ? fullSize - 8 : fullSize];
            rnd.nextBytes(p);
            ExtranonceAllocation a = new ExtranonceAllocation(i, Bytes.of(p), ext ? 8 : 0);
            // an easy target: the shares below are accepted, so both sets validate them end to end
            Target t = Target.MAX;
            ServerChannel[] pair = new ServerChannel[2];
            for (int k = 0; k < 2; k++) {
                pair[k] = ext ? new ExtendedChannel(i + 1, "u", cfg, null, null, a, t, Target.MAX, 0)
                        : new StandardChannel(i + 1, "u", cfg, null, null, a, t, Target.MAX, 0);
            }
            out.add(pair);
        }
        return out;
    }

    private static byte[] encoded(Optional<? extends Sv2Message> m) {
        if (m.isEmpty()) {
            return new byte[0];
        }
        ByteBuf b = Unpooled.buffer();
        Sv2Codec.encodeFrame(m.get(), b);
        return bytes(b);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] r = new byte[b.readableBytes()];
        b.readBytes(r);
        b.release();
        return r;
    }

    private static byte[] viaFrame(boolean written, ByteBuf b) {
        assertEquals(written, b.readableBytes() > 0);
        return bytes(b);
    }

    @Test
    void framesAreTheMessageBytesForManyChannelsAndTemplates() throws Exception {
        int frames = 0;
        for (int fullSize : new int[] {8, 12, 16, 32}) {
            for (int prefixLen : new int[] {4, 40, 90}) {
                if (prefixLen + 10 + 1 + fullSize > 100) {
                    continue; // scriptSig over 100 bytes: JobFactory refuses it
                }
                List<ServerChannel[]> chans = channels(40, 8, fullSize);
                long id = 1;
                ChainTip tip = null;
                for (int round = 0; round < 6; round++) {
                    boolean segwit = round % 2 == 0;
                    int pathLen = new int[] {0, 1, 2, 5, 11, 0}[round];
                    // a non-future template (before the first tip: no job on any channel), then a block
                    JobTemplate active = build(template(++id, false, segwit, pathLen, prefixLen), fullSize);
                    frames += step(chans, ch -> encoded(ch.onNewTemplate(active)),
                            (ch, b) -> viaFrame(ch.onNewTemplate(active, b), b), tip == null);
                    JobTemplate future = build(template(++id, true, !segwit, pathLen, prefixLen), fullSize);
                    frames += step(chans, ch -> encoded(ch.onNewTemplate(future)),
                            (ch, b) -> viaFrame(ch.onNewTemplate(future, b), b), false);
                    ChainTip next = ChainTip.of(future.templateId(), randomHash(), (int) NOW + round, NBITS);
                    frames += step(chans, ch -> encoded(ch.onSetNewPrevHash(next)),
                            (ch, b) -> viaFrame(ch.onSetNewPrevHash(next, b), b), false);
                    tip = next;
                    // a tip naming no future job of the channels: nothing written by either form
                    ChainTip unknown = ChainTip.of(999_999, randomHash(), (int) NOW + round, NBITS);
                    if (round == 4) {
                        frames += step(chans, ch -> encoded(ch.onSetNewPrevHash(unknown)),
                                (ch, b) -> viaFrame(ch.onSetNewPrevHash(unknown, b), b), true);
                        // what the pool does then: start each channel on the tip's template (message API on both)
                        tip = ChainTip.of(active.templateId(), unknown.prevHash(), unknown.headerTimestamp(), NBITS);
                        for (ServerChannel[] p : chans) {
                            List<Sv2Message> a = p[0].start(active, tip);
                            assertEquals(2, a.size());
                            assertEquals(a, p[1].start(active, tip));
                        }
                    }
                    // a non-future template on the current tip: min_ntime present
                    JobTemplate onTip = build(template(++id, false, segwit, pathLen, prefixLen), fullSize);
                    frames += step(chans, ch -> encoded(ch.onNewTemplate(onTip)),
                            (ch, b) -> viaFrame(ch.onNewTemplate(onTip, b), b), false);
                    checkMerkleRoots(chans, onTip);
                    sameShareResults(chans, tip);
                }
            }
        }
        assertTrue(frames > 5_000, "frames compared: " + frames);
    }

    interface Old {
        byte[] apply(ServerChannel ch);
    }

    interface New {
        byte[] apply(ServerChannel ch, ByteBuf out);
    }

    /** Applies one event to both sets; returns how many frames were compared. */
    private static int step(List<ServerChannel[]> chans, Old old, New neu, boolean expectNone) {
        int n = 0;
        for (ServerChannel[] p : chans) {
            byte[] a = old.apply(p[0]);
            ByteBuf b = Unpooled.buffer(16);
            b.writeBytes(new byte[] {7, 7, 7}); // the batch may hold earlier frames: appended, not overwritten
            b.readerIndex(3);
            byte[] c = neu.apply(p[1], b);
            assertArrayEquals(a, c, "channel " + p[0].channelId());
            assertEquals(expectNone, a.length == 0, "channel " + p[0].channelId());
            n += a.length > 0 ? 1 : 0;
        }
        return n;
    }

    /** Each standard channel's active job (decoded from its frame) has the merkle root computed apart. */
    private static void checkMerkleRoots(List<ServerChannel[]> chans, JobTemplate t) throws Exception {
        for (ServerChannel[] p : chans) {
            if (p[1] instanceof StandardChannel s) {
                ServerJob j = s.jobs().active();
                assertEquals(t.merkleRoot(s.extranoncePrefix()), j.merkleRoot());
                ByteBuf b = Unpooled.buffer();
                s.writeJobFrame(j, b);
                NewMiningJob m = (NewMiningJob) Sv2Codec.decodeFrame(b);
                assertEquals(t.merkleRoot(s.extranoncePrefix()), m.merkleRoot());
                assertEquals(j.jobId(), m.jobId());
            }
        }
    }

    /** A few shares per channel on the active job: same result on both sets (accepted, duplicate, stale). */
    private void sameShareResults(List<ServerChannel[]> chans, ChainTip tip) {
        Instant now = Instant.ofEpochSecond(NOW + 10);
        for (ServerChannel[] p : chans) {
            int jobId = p[0].jobs().active().jobId();
            assertEquals(jobId, p[1].jobs().active().jobId());
            for (int k = 0; k < 3; k++) {
                int nonce = rnd.nextInt();
                int seq = k;
                int job = k == 2 ? jobId - 1 : jobId; // an older job id: stale or past job
                ShareResult[] r = new ShareResult[2];
                for (int s = 0; s < 2; s++) {
                    r[s] = p[s] instanceof StandardChannel sc
                            ? sc.onShare(new SubmitSharesStandard(sc.channelId(), seq, job, nonce, tip.headerTimestamp(),
                                    sc.jobs().active().template().version()), now)
                            : ((ExtendedChannel) p[s]).onShare(new SubmitSharesExtended(p[s].channelId(), seq, job, nonce,
                                    tip.headerTimestamp(), p[s].jobs().active().template().version(),
                                    Bytes.of(new byte[8]), List.of()), now);
                }
                assertEquals(describe(r[0]), describe(r[1]));
            }
        }
    }

    private static String describe(ShareResult r) {
        return switch (r) {
            case ShareResult.Accepted a -> "accepted " + a.jobId() + " " + a.difficulty() + " " + a.hashDifficulty();
            case ShareResult.BlockFound b -> "block " + b.blockHash() + " " + b.coinbaseTx();
            case ShareResult.Rejected j -> "rejected " + j.reason();
        };
    }
}
