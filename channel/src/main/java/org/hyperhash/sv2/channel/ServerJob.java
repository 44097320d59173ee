package org.hyperhash.sv2.channel;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;

/**
 * A job as one channel sees it: the shared {@link JobTemplate} plus this channel's extranonce
 * prefix at the time the job was sent (SetExtranoncePrefix does not retro-apply), the target in
 * force for it, and for standard channels the precomputed merkle root.
 */
public final class ServerJob {
    final int jobId;
    final JobTemplate template;
    final Bytes extranoncePrefix;
    final byte[] coinbasePrefix;
    final byte[] coinbaseSuffix;
    final byte[] extranoncePrefixBytes;
    final byte[] flatMerklePath;
    final boolean versionRollingAllowed;
    /** Standard channels only: merkle root for the channel's prefix. */
    final Hash256 merkleRoot;
    Target target;
    double difficulty;
    /** Standard channels: header midstate for (job version, tip), built on first use. */
    Sha256d.Midstate midstate;
    Hash256 midstatePrevHash;
    /** Custom jobs (SetCustomMiningJob) only: the chain tip the client declared; null for the pool's own jobs. */
    ChainTip customTip;

    ServerJob(int jobId, JobTemplate template, Bytes extranoncePrefix, Target target, boolean versionRollingAllowed,
            byte[] flatMerklePath, Hash256 merkleRoot) {
        this.jobId = jobId;
        this.template = template;
        this.extranoncePrefix = extranoncePrefix;
        this.coinbasePrefix = template.coinbaseTxPrefix().unsafeArray();
        this.coinbaseSuffix = template.coinbaseTxSuffix().unsafeArray();
        this.extranoncePrefixBytes = extranoncePrefix.unsafeArray();
        this.flatMerklePath = flatMerklePath;
        this.versionRollingAllowed = versionRollingAllowed;
        this.merkleRoot = merkleRoot;
        setTarget(target);
    }

    void setTarget(Target t) {
        this.target = t;
        this.difficulty = Targets.toDifficulty(t);
    }

    public int jobId() {
        return jobId;
    }

    public JobTemplate template() {
        return template;
    }

    public Target target() {
        return target;
    }

    public Bytes extranoncePrefix() {
        return extranoncePrefix;
    }

    /** The client's chain tip for a custom job, or null for a job built from the pool's templates. */
    public ChainTip customTip() {
        return customTip;
    }
}
