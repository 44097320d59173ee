package org.hyperhash.sv2.channel;

import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.LittleEndian;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;

/**
 * Server-side standard channel (header-only mining): the merkle root is computed once per job
 * for this channel's prefix; per share only the header is hashed, from a cached midstate of the
 * first 64 header bytes when the share keeps the job's version.
 */
@HotPath
public final class StandardChannel extends ServerChannel {

    public StandardChannel(int channelId, String userIdentity, ChannelConfig config, JobIdSequence jobIds,
            ExtranonceAllocator allocator, ExtranonceAllocation allocation, Target target, Target maxTarget,
            int groupChannelId) {
        super(channelId, userIdentity, config, jobIds, allocator, allocation, target, maxTarget, groupChannelId);
    }

    /**
     * Opens a channel for OpenStandardMiningChannel (prefix = the whole full extranonce).
     *
     * @throws ChannelOpenException with the OpenMiningChannel.Error code
     */
    public static StandardChannel open(OpenStandardMiningChannel req, int channelId, ExtranonceAllocator allocator,
            ChannelConfig config, GroupChannel group) throws ChannelOpenException {
        Target t = initialTarget(req.nominalHashRate(), req.maxTarget(), config);
        ExtranonceAllocation a;
        try {
            a = allocator.allocateStandard();
        } catch (ExtranonceException e) {
            throw new ChannelOpenException(e.errorCode(), e.getMessage());
        }
        StandardChannel ch = new StandardChannel(channelId, req.userIdentity(), config,
                group != null ? group.jobIds() : null, allocator, a, t, req.maxTarget(),
                group != null ? group.groupChannelId() : 0);
        if (group != null) {
            group.add(ch);
        }
        return ch;
    }

    public OpenStandardMiningChannelSuccess openSuccess(int requestId) {
        return new OpenStandardMiningChannelSuccess(requestId, channelId, target, extranoncePrefix, groupChannelId);
    }

    @Override
    public int fullExtranonceSize() {
        return extranoncePrefix.length();
    }

    @Override
    ServerJob newJob(JobTemplate t, int jobId) {
        byte[] r = ROOT.get();
        merkleRoot(t, extranoncePrefix, r);
        return ServerJob.obtain(jobId, t, extranoncePrefix, target, config.versionRollingAllowed(), r, 0);
    }

    /** The thread's scratch for a job's merkle root, which the job keeps inline (ServerJob). */
    private static final ThreadLocal<byte[]> ROOT = ThreadLocal.withInitial(() -> new byte[32]);

    /** Merkle root for this channel's prefix into {@code r}: one streamed coinbase hash + the flat path, no copies. */
    private static void merkleRoot(JobTemplate t, Bytes prefix, byte[] r) {
        Sha256d sha = sha();
        sha.update(t.coinbaseTxPrefix().unsafeArray()).update(prefix.unsafeArray())
                .update(t.coinbaseTxSuffix().unsafeArray()).digestInto(r, 0);
        MerkleBranch.rootInPlace(r, 0, t.flatMerklePath(), sha);
    }

    @Override
    NewMiningJob jobMessage(ServerJob job) {
        OptionalInt minNtime = job.template.future() || tip == null ? OptionalInt.empty()
                : OptionalInt.of(tip.headerTimestamp());
        return new NewMiningJob(channelId, job.jobId, minNtime, job.template.version(), job.merkleRoot());
    }

    @Override
    void writeJobFrame(ServerJob job, ByteBuf out) {
        boolean noMin = job.template.future() || tip == null; // as jobMessage
        JobFrames.newMiningJob(out, channelId, job.jobId, noMin, noMin ? 0 : tip.headerTimestamp(),
                job.template.version(), job);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<NewMiningJob> onNewTemplate(JobTemplate t) {
        return (Optional<NewMiningJob>) super.onNewTemplate(t);
    }

    /** Validates a SubmitSharesStandard (sv2-protocol.md 5.6). */
    public ShareResult onShare(SubmitSharesStandard s, Instant now) {
        if (s.channelId() != channelId) {
            return wrongChannel();
        }
        return validate(s.sequenceNumber(), s.jobId(), s.nonce(), s.ntime(), s.version(), null, -1,
                now.getEpochSecond());
    }

    @Override
    void hashShare(ServerJob job, byte[] extranonce, int version, int ntime, int nonce) {
        // BlockHeader80.write's layout, the root written from the job's longs (no array per job or per share)
        LittleEndian.putInt(header, BlockHeader80.OFFSET_VERSION, version);
        System.arraycopy(tip.prevHash().unsafeWireBytes(), 0, header, BlockHeader80.OFFSET_PREV_HASH, 32);
        job.rootInto(header, BlockHeader80.OFFSET_MERKLE_ROOT);
        LittleEndian.putInt(header, BlockHeader80.OFFSET_TIME, ntime);
        LittleEndian.putInt(header, BlockHeader80.OFFSET_BITS, tip.nbits());
        LittleEndian.putInt(header, BlockHeader80.OFFSET_NONCE, nonce);
        Sha256d sha = sha();
        if (version == job.template.version()) {
            if (job.midstate == null || job.midstatePrevHash != tip.prevHash()) {
                job.midstate = sha.midstate(header, 0, 64);
                job.midstatePrevHash = tip.prevHash();
            }
            sha.finish(job.midstate, header, 64, 16, hash, 0);
        } else {
            sha.hash(header, 0, BlockHeader80.LENGTH, hash, 0);
        }
    }

    @Override
    Bytes fullExtranonce(Bytes jobPrefix, byte[] extranonce) {
        return jobPrefix;
    }
}
