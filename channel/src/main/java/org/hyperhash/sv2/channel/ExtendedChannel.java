package org.hyperhash.sv2.channel;

import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;

/**
 * Server-side extended channel: the client rolls {@code extranonceSize} bytes after the
 * channel's prefix; the coinbase txid is hashed per share by streaming prefix, extranonce prefix,
 * extranonce and suffix into one reused digest (no copies).
 */
@HotPath
public final class ExtendedChannel extends ServerChannel {
    private final int extranonceSize;
    private final java.util.ArrayDeque<ServerJob> customJobs = new java.util.ArrayDeque<>(2);

    /** Direct constructor (tests, proxies with their own allocation). */
    public ExtendedChannel(int channelId, String userIdentity, ChannelConfig config, JobIdSequence jobIds,
            ExtranonceAllocator allocator, ExtranonceAllocation allocation, Target target, Target maxTarget,
            int groupChannelId) {
        super(channelId, userIdentity, config, jobIds, allocator, allocation, target, maxTarget, groupChannelId);
        this.extranonceSize = allocation.extranonceSize();
        if (allocation.fullExtranonceSize() > ExtranonceAllocator.MAX_FULL_EXTRANONCE) {
            throw new IllegalArgumentException("full extranonce exceeds 32 bytes");
        }
    }

    /**
     * Opens a channel for OpenExtendedMiningChannel: validates the request, computes the initial
     * target (SRI formula, clamped to max_target), allocates a prefix and, if {@code group} is
     * given, joins it.
     *
     * @throws ChannelOpenException with the OpenMiningChannel.Error code
     */
    public static ExtendedChannel open(OpenExtendedMiningChannel req, int channelId, ExtranonceAllocator allocator,
            ChannelConfig config, GroupChannel group) throws ChannelOpenException {
        Target t = initialTarget(req.nominalHashRate(), req.maxTarget(), config);
        ExtranonceAllocation a;
        try {
            a = allocator.allocateExtended(req.minExtranonceSize());
        } catch (ExtranonceException e) {
            throw new ChannelOpenException(e.errorCode(), e.getMessage());
        }
        ExtendedChannel ch = new ExtendedChannel(channelId, req.userIdentity(), config,
                group != null ? group.jobIds() : null, allocator, a, t, req.maxTarget(),
                group != null ? group.groupChannelId() : 0);
        if (group != null) {
            group.add(ch);
        }
        return ch;
    }

    /** OpenExtendedMiningChannel.Success for this channel. */
    public OpenExtendedMiningChannelSuccess openSuccess(int requestId) {
        return new OpenExtendedMiningChannelSuccess(requestId, channelId, target, extranonceSize, extranoncePrefix,
                groupChannelId);
    }

    public int extranonceSize() {
        return extranonceSize;
    }

    @Override
    public int fullExtranonceSize() {
        return extranoncePrefix.length() + extranonceSize;
    }

    @Override
    ServerJob newJob(JobTemplate t, int jobId) {
        return ServerJob.obtain(jobId, t, extranoncePrefix, target, config.versionRollingAllowed(), null, 0);
    }

    @Override
    NewExtendedMiningJob jobMessage(ServerJob job) {
        OptionalInt minNtime = job.template.future() || tip == null ? OptionalInt.empty()
                : OptionalInt.of(tip.headerTimestamp());
        return job.template.toNewExtendedMiningJob(channelId, job.jobId, minNtime, job.versionRollingAllowed);
    }

    @Override
    void writeJobFrame(ServerJob job, ByteBuf out) {
        job.template.writeExtendedJobFrame(jobMessage(job), out); // the template's frame, ids patched
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<NewExtendedMiningJob> onNewTemplate(JobTemplate t) {
        return (Optional<NewExtendedMiningJob>) super.onNewTemplate(t);
    }

    /** Validates a SubmitSharesExtended (sv2-protocol.md 5.6). */
    public ShareResult onShare(SubmitSharesExtended s, Instant now) {
        if (s.channelId() != channelId) {
            return wrongChannel();
        }
        return validate(s.sequenceNumber(), s.jobId(), s.nonce(), s.ntime(), s.version(),
                s.extranonce().unsafeArray(), extranonceSize, now.getEpochSecond());
    }

    /**
     * Adds a custom job (SetCustomMiningJob, already validated by the caller against its token and the chain) with its
     * own chain tip. It is not touched by the pool's SetNewPrevHash: a custom job with another prev_hash drops the
     * older custom jobs, and at most {@code maxPastJobs + 1} are kept. Returns the job id to put in
     * SetCustomMiningJob.Success. {@code t} must be built for {@link #fullExtranonceSize()}.
     */
    public int addCustomJob(JobTemplate t, ChainTip customTip) {
        if (t.fullExtranonceSize() != fullExtranonceSize()) {
            throw new IllegalArgumentException("custom job built for full extranonce " + t.fullExtranonceSize()
                    + " but channel " + channelId + " needs " + fullExtranonceSize());
        }
        ServerJob job = ServerJob.obtain(jobIds.next(), t, extranoncePrefix, target, config.versionRollingAllowed(),
                null, 0);
        job.customTip = customTip;
        if (!customJobs.isEmpty() && !customJobs.peekLast().customTip.prevHash().equals(customTip.prevHash())) {
            customJobs.clear();
            seen.clear();
        }
        if (customJobs.size() > config.maxPastJobs()) {
            customJobs.pollFirst();
        }
        customJobs.addLast(job);
        return job.jobId;
    }

    /** Custom jobs kept for shares (tests, status). */
    public int customJobCount() {
        return customJobs.size();
    }

    /** Drops custom jobs built on another prev_hash than {@code prevHash} (the pool's chain moved on). */
    public void dropCustomJobsNotOn(org.hyperhash.base.Hash256 prevHash) {
        customJobs.removeIf(j -> !j.customTip.prevHash().equals(prevHash));
    }

    @Override
    ServerJob findCustomJob(int jobId) {
        for (ServerJob j : customJobs) {
            if (j.jobId == jobId) {
                return j;
            }
        }
        return null;
    }

    @Override
    void hashShare(ServerJob job, byte[] extranonce, int version, int ntime, int nonce) {
        if (root == null) {
            root = new byte[32];
        }
        Sha256d sha = sha();
        JobTemplate t = job.template;
        sha.update(t.coinbaseTxPrefix().unsafeArray()).update(job.extranoncePrefix.unsafeArray()).update(extranonce)
                .update(t.coinbaseTxSuffix().unsafeArray()).digestInto(root, 0);
        MerkleBranch.rootInPlace(root, 0, t.flatMerklePath(), sha);
        ChainTip tip = job.customTip != null ? job.customTip : this.tip;
        BlockHeader80.write(header, 0, version, tip.prevHash().unsafeWireBytes(), root, ntime, tip.nbits(), nonce);
        sha.hash(header, 0, BlockHeader80.LENGTH, hash, 0);
    }

    @Override
    Bytes fullExtranonce(Bytes jobPrefix, byte[] extranonce) {
        return jobPrefix.concat(Bytes.of(extranonce));
    }
}
