package org.hyperhash.sv2.channel;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.MerkleBranch;
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
        return new ServerJob(jobId, t, extranoncePrefix, target, config.versionRollingAllowed(), t.flatMerklePath(), null);
    }

    @Override
    NewExtendedMiningJob jobMessage(ServerJob job) {
        OptionalInt minNtime = job.template.future() || tip == null ? OptionalInt.empty()
                : OptionalInt.of(tip.headerTimestamp());
        return job.template.toNewExtendedMiningJob(channelId, job.jobId, minNtime, job.versionRollingAllowed);
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

    @Override
    void hashShare(ServerJob job, byte[] extranonce, int version, int ntime, int nonce) {
        sha.update(job.coinbasePrefix).update(job.extranoncePrefixBytes).update(extranonce).update(job.coinbaseSuffix)
                .digestInto(root, 0);
        MerkleBranch.rootInPlace(root, 0, job.flatMerklePath, sha);
        BlockHeader80.write(header, 0, version, tip.prevHash().unsafeWireBytes(), root, ntime, tip.nbits(), nonce);
        sha.hash(header, 0, BlockHeader80.LENGTH, hash, 0);
    }

    @Override
    Bytes fullExtranonce(ServerJob job, byte[] extranonce) {
        return job.extranoncePrefix.concat(Bytes.of(extranonce));
    }
}
