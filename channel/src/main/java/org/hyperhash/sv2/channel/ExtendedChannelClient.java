package org.hyperhash.sv2.channel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;

/**
 * Client-side view of an upstream extended channel (translator, proxies): tracks jobs (future
 * and active, per-job target as the server sees it), the chain tip, the extranonce prefix and the
 * sequence numbers, and pre-checks shares against the upstream target before forwarding them.
 * Messages addressed to the channel's group id must be passed in too. Owner-thread confined.
 */
public final class ExtendedChannelClient {
    /**
     * A job as the client mines it.
     *
     * @param job the upstream job message
     * @param target target in force for it
     * @param extranoncePrefix prefix at the time it arrived
     */
    public record ClientJob(NewExtendedMiningJob job, Target target, Bytes extranoncePrefix) {
    }

    private final int channelId;
    private int groupChannelId;
    private final int extranonceSize;
    private final int maxJobs;
    private Bytes extranoncePrefix;
    private Target target;
    private final Map<Integer, ClientJob> future = new LinkedHashMap<>();
    private final Map<Integer, ClientJob> current = new LinkedHashMap<>();
    private ClientJob active;
    private SetNewPrevHash tip;
    private Target networkTarget;
    private int nextSequence;
    private final Sha256d sha = new Sha256d();
    private final byte[] header = new byte[80];
    private final byte[] hash = new byte[32];
    private final byte[] root = new byte[32];

    public ExtendedChannelClient(OpenExtendedMiningChannelSuccess s, int maxJobsPerTip) {
        this.channelId = s.channelId();
        this.groupChannelId = s.groupChannelId();
        this.extranonceSize = s.extranonceSize();
        this.extranoncePrefix = s.extranoncePrefix();
        this.target = s.target();
        this.maxJobs = Math.max(1, maxJobsPerTip);
    }

    public int channelId() {
        return channelId;
    }

    public int groupChannelId() {
        return groupChannelId;
    }

    /**
     * SetGroupChannel: this channel joins the group when listed (jobs and SetNewPrevHash addressed to the group are
     * then this channel's), and leaves it when the group it was in no longer lists it.
     */
    public void onSetGroupChannel(org.hyperhash.sv2.message.mining.SetGroupChannel g) {
        if (g.channelIds().contains(channelId)) {
            groupChannelId = g.groupChannelId();
        } else if (groupChannelId == g.groupChannelId()) {
            groupChannelId = 0;
        }
    }

    public int extranonceSize() {
        return extranonceSize;
    }

    public Bytes extranoncePrefix() {
        return extranoncePrefix;
    }

    /** Target for jobs received from now on. */
    public Target target() {
        return target;
    }

    /** The job to mine now (null before the first SetNewPrevHash). */
    public ClientJob activeJob() {
        return active;
    }

    /** The current tip (prev_hash, nbits, min_ntime), or null. */
    public SetNewPrevHash chainTip() {
        return tip;
    }

    private boolean mine(int id) {
        return id == channelId || (groupChannelId != 0 && id == groupChannelId);
    }

    /** Records a job; returns true if it is active right away (min_ntime present). */
    public boolean onNewExtendedMiningJob(NewExtendedMiningJob j) {
        if (!mine(j.channelId())) {
            throw new IllegalArgumentException("job for channel " + j.channelId() + " on channel " + channelId);
        }
        ClientJob cj = new ClientJob(j, target, extranoncePrefix);
        if (j.minNtime().isEmpty()) {
            future.put(j.jobId(), cj);
            trim(future);
            return false;
        }
        current.put(j.jobId(), cj);
        trim(current);
        active = cj;
        return true;
    }

    /** Activates the named future job; every other job becomes stale. Returns it (null if unknown). */
    public ClientJob onSetNewPrevHash(SetNewPrevHash m) {
        if (!mine(m.channelId())) {
            throw new IllegalArgumentException("SetNewPrevHash for channel " + m.channelId() + " on channel " + channelId);
        }
        tip = m;
        networkTarget = CompactBits.toTarget(m.nbits());
        ClientJob j = future.get(m.jobId());
        future.clear();
        current.clear();
        active = j;
        if (j != null) {
            current.put(m.jobId(), j);
        }
        return j;
    }

    /**
     * New target for later jobs and for every job received as a future job (empty min_ntime), activated or not
     * (spec 5.3.16, as {@link ServerChannel#setTarget} applies it): jobs received with a min_ntime keep theirs.
     * Pre-checking against the same target the pool uses keeps shares it would reject from being forwarded.
     */
    public void onSetTarget(SetTarget m) {
        target = m.maximumTarget();
        future.replaceAll((id, j) -> new ClientJob(j.job(), target, j.extranoncePrefix()));
        current.replaceAll((id, j) -> j.job().minNtime().isEmpty() ? new ClientJob(j.job(), target, j.extranoncePrefix()) : j);
        if (active != null) {
            active = current.getOrDefault(active.job().jobId(), active);
        }
    }

    public void onSetExtranoncePrefix(SetExtranoncePrefix m) {
        extranoncePrefix = m.extranoncePrefix();
    }

    private void trim(Map<Integer, ClientJob> m) {
        while (m.size() > maxJobs) {
            Integer oldest = m.keySet().iterator().next();
            m.remove(oldest);
        }
    }

    /**
     * Checks a share the way the upstream server will: Accepted (sequenceNumber -1, no ack) when it
     * meets the job's upstream target or the network target, else the Rejected the server would
     * send. {@link #lastShareMeetsNetworkTarget()} tells whether it is a block.
     */
    public ShareResult check(int jobId, Bytes extranonce, int nonce, int ntime, int version) {
        return check(current.get(jobId), tip, networkTarget, extranonceSize, channelId, jobId, extranonce, nonce, ntime,
                version, sha, header, root, hash);
    }

    /**
     * {@link #check} as a pure function of a channel's state, for a reader that copied that state (the translator's
     * SV1 loops check shares against the bridge's published state without the bridge thread): the result, and the
     * share's hash (wire order) in {@code hash} when a hash was computed. {@code sha}, {@code header}, {@code root}
     * and {@code hash} are the caller's scratch (80, 32, 32 bytes).
     *
     * @param j the job as {@link #currentJob} returned it (null: stale)
     * @param tip {@link #chainTip()}
     * @param networkTarget {@link #networkTarget()}
     */
    public static ShareResult check(ClientJob j, SetNewPrevHash tip, Target networkTarget, int extranonceSize, int channelId,
            int jobId, Bytes extranonce, int nonce, int ntime, int version, Sha256d sha, byte[] header, byte[] root,
            byte[] hash) {
        if (j == null || tip == null) {
            return RejectReason.STALE_SHARE.result();
        }
        if (extranonce.length() != extranonceSize) {
            return RejectReason.BAD_EXTRANONCE_SIZE.result();
        }
        if (Integer.compareUnsigned(ntime, tip.minNtime()) < 0) {
            return RejectReason.NTIME_TOO_OLD.result();
        }
        NewExtendedMiningJob job = j.job();
        int mask = job.versionRollingAllowed() ? ChannelConfig.VERSION_ROLLING_MASK : 0;
        if (((version ^ job.version()) & ~mask) != 0) {
            return job.versionRollingAllowed() ? RejectReason.INVALID_NON_ROLLABLE_VERSION_BIT.result()
                    : RejectReason.VERSION_ROLLING_NOT_ALLOWED.result();
        }
        sha.update(job.coinbaseTxPrefix().unsafeArray()).update(j.extranoncePrefix().unsafeArray())
                .update(extranonce.unsafeArray()).update(job.coinbaseTxSuffix().unsafeArray()).digestInto(root, 0);
        MerkleBranch.rootInPlace(root, 0, job.merklePath(), sha);
        BlockHeader80.write(header, 0, version, tip.prevHash().unsafeWireBytes(), root, ntime, tip.nbits(), nonce);
        sha.hash(header, 0, 80, hash, 0);
        if (!networkTarget.isMetBy(hash) && !j.target().isMetBy(hash)) {
            return RejectReason.DIFFICULTY_TOO_LOW.result();
        }
        return new ShareResult.Accepted(channelId, -1, jobId, Targets.toDifficulty(j.target()), null);
    }

    /** The active-tip job with this id, or null (what {@link #check} looks up). */
    public ClientJob currentJob(int jobId) {
        return current.get(jobId);
    }

    /** The network target of the current tip, or null before the first SetNewPrevHash. */
    public Target networkTarget() {
        return networkTarget;
    }

    /** Whether the share last passed to {@link #check} meets the network target. */
    public boolean lastShareMeetsNetworkTarget() {
        return networkTarget != null && networkTarget.isMetBy(hash);
    }

    /** Hash of the share last passed to {@link #check} (wire order). */
    public Hash256 lastShareHash() {
        return Hash256.fromWireBytes(hash);
    }

    /** Builds the SubmitSharesExtended with the next sequence number. */
    public SubmitSharesExtended submit(int jobId, Bytes extranonce, int nonce, int ntime, int version) {
        return submit(jobId, extranonce, nonce, ntime, version, List.of());
    }

    /** A share with TLV fields of negotiated extensions (e.g. 0x0002 user_identity). */
    public SubmitSharesExtended submit(int jobId, Bytes extranonce, int nonce, int ntime, int version,
            List<org.hyperhash.sv2.message.Tlv> tlvs) {
        return new SubmitSharesExtended(channelId, nextSequence++, jobId, nonce, ntime, version, extranonce, tlvs);
    }

    /** min_ntime to start a job at: the job's own or the tip's. */
    public OptionalInt startNtime(ClientJob j) {
        if (j.job().minNtime().isPresent()) {
            return j.job().minNtime();
        }
        return tip == null ? OptionalInt.empty() : OptionalInt.of(tip.minNtime());
    }
}
