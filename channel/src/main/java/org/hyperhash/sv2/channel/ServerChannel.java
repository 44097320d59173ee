package org.hyperhash.sv2.channel;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.sv2.message.mining.UpdateChannelError;

/**
 * Server-side state of one mining channel (sans-I/O): jobs per chain tip, per-job targets,
 * duplicate detection, share validation (sv2-protocol.md 5.6) and batched acks. Confined to the
 * connection's event loop: no locks. Per share: no BigInteger, no allocation on the reject and
 * accept paths beyond the result (reject results are shared constants); one reused 80-byte header
 * buffer.
 */
@HotPath
public abstract sealed class ServerChannel permits ExtendedChannel, StandardChannel {
    /** OpenMiningChannel.Error / UpdateChannel.Error code for a zero max target. */
    public static final String MAX_TARGET_OUT_OF_RANGE = "max-target-out-of-range";
    final int channelId;
    final String userIdentity;
    final ChannelConfig config;
    final JobIdSequence jobIds;
    final JobStore jobs;
    final DuplicateShareSet seen;
    final ShareBatcher batcher;
    final ExtranonceAllocation allocation;
    final int groupChannelId;
    final ExtranonceAllocator allocator;
    Bytes extranoncePrefix;
    Target target;
    Target maxTarget;
    ChainTip tip;
    private boolean closed;

    // hot-path scratch, reused for every share; allocated at the first hashed share (an idle miner's channel holds
    // none). The SHA-256 engine is the thread's (sha()): a channel is confined to its connection's event loop, and
    // each use is one uninterrupted update..digest sequence, so one engine per thread serves all its channels
    // (it was ~290 bytes per channel).
    byte[] header;
    byte[] hash;
    byte[] root;

    /** The calling thread's SHA-256d engine (see above). */
    static Sha256d sha() {
        return Sha256d.threadLocal();
    }

    ServerChannel(int channelId, String userIdentity, ChannelConfig config, JobIdSequence jobIds,
            ExtranonceAllocator allocator, ExtranonceAllocation allocation, Target target, Target maxTarget,
            int groupChannelId) {
        this.channelId = channelId;
        this.userIdentity = Objects.requireNonNull(userIdentity, "userIdentity");
        this.config = config;
        this.jobIds = jobIds != null ? jobIds : new JobIdSequence();
        this.jobs = new JobStore(config.maxPastJobs(), config.maxFutureJobs());
        this.seen = new DuplicateShareSet(config.duplicateSetMaxEntries());
        this.batcher = new ShareBatcher(channelId, config.shareBatchSize());
        this.allocator = allocator;
        this.allocation = allocation;
        this.extranoncePrefix = allocation.prefix();
        this.target = target;
        // most miners send the all-ones max_target: keep the shared constant, not each message's equal copy
        this.maxTarget = Target.MAX.equals(maxTarget) ? Target.MAX : maxTarget;
        this.groupChannelId = groupChannelId;
    }

    static void checkHashrate(float h, String code) throws ChannelOpenException {
        if (!Float.isFinite(h) || h < 0) {
            throw new ChannelOpenException(code, "nominal_hash_rate must be finite and >= 0, got " + h);
        }
    }

    static Target initialTarget(float nominalHashRate, Target maxTarget, ChannelConfig cfg) throws ChannelOpenException {
        checkHashrate(nominalHashRate, "invalid-nominal-hashrate");
        if (maxTarget.isZero()) {
            throw new ChannelOpenException(MAX_TARGET_OUT_OF_RANGE, "max_target is zero");
        }
        InitialTarget last = lastInitial;
        if (last != null && Float.floatToIntBits(last.nominalHashRate) == Float.floatToIntBits(nominalHashRate)
                && last.sharesPerMinute == cfg.sharesPerMinute() && last.maxTarget.equals(maxTarget)) {
            return last.target; // Target is immutable: channels opened alike share one instance
        }
        Target t = Targets.fromNominalHashrate(nominalHashRate, cfg.sharesPerMinute(), maxTarget);
        lastInitial = new InitialTarget(nominalHashRate, cfg.sharesPerMinute(), maxTarget, t);
        return t;
    }

    /**
     * The last initial target computed. A reconnect storm opens thousands of channels with the same nominal hash
     * rate (one farm's miners, or a proxy's): the BigDecimal division of {@link Targets#fromNominalHashrate} was 2% of
     * the pool's CPU per reconnect, and each channel held its own copy of the same value.
     */
    private record InitialTarget(float nominalHashRate, double sharesPerMinute, Target maxTarget, Target target) {
    }

    private static volatile InitialTarget lastInitial;

    public int channelId() {
        return channelId;
    }

    public String userIdentity() {
        return userIdentity;
    }

    public int groupChannelId() {
        return groupChannelId;
    }

    /** Target for jobs sent from now on. */
    public Target target() {
        return target;
    }

    public Target maxTarget() {
        return maxTarget;
    }

    public Bytes extranoncePrefix() {
        return extranoncePrefix;
    }

    /** Full extranonce length (prefix + rollable bytes): OP_PUSHBYTES_N of this channel's jobs. */
    public abstract int fullExtranonceSize();

    public ChainTip chainTip() {
        return tip;
    }

    public JobStore jobs() {
        return jobs;
    }

    public ExtranonceAllocation allocation() {
        return allocation;
    }

    /**
     * Registers a job built from {@code t} with the given id. Future templates wait for their
     * SetNewPrevHash; others become active on the current tip.
     *
     * @return the job, or null for a non-future template when there is no chain tip yet
     */
    ServerJob addJob(JobTemplate t, int jobId) {
        if (t.fullExtranonceSize() != fullExtranonceSize()) {
            throw new IllegalArgumentException("template built for full extranonce " + t.fullExtranonceSize()
                    + " but channel " + channelId + " needs " + fullExtranonceSize());
        }
        if (!t.future() && tip == null) {
            return null;
        }
        ServerJob job = newJob(t, jobId);
        if (t.future()) {
            jobs.addFuture(job);
        } else {
            jobs.addActive(job);
        }
        return job;
    }

    abstract ServerJob newJob(JobTemplate t, int jobId);

    /** A custom job (SetCustomMiningJob) still valid on this channel, or null; only extended channels have them. */
    ServerJob findCustomJob(int jobId) {
        return null;
    }

    /** The job message for this channel (NewExtendedMiningJob or NewMiningJob). */
    abstract Sv2Message jobMessage(ServerJob job);

    /**
     * A new template: returns the job message to send on this channel (empty for a non-future
     * template before any chain tip).
     */
    public Optional<? extends Sv2Message> onNewTemplate(JobTemplate t) {
        ServerJob job = addJob(t, jobIds.next());
        return job == null ? Optional.empty() : Optional.of(jobMessage(job));
    }

    /**
     * New chain tip: the future job built from {@code tip.templateId()} becomes active, every other
     * job becomes stale, duplicate detection restarts. Returns the mining SetNewPrevHash to send,
     * or empty when this channel has no future job for that template (send a fresh job then).
     */
    public Optional<SetNewPrevHash> onSetNewPrevHash(ChainTip newTip) {
        ServerJob job = activate(newTip);
        if (job == null) {
            return Optional.empty();
        }
        return Optional.of(new SetNewPrevHash(channelId, job.jobId, newTip.prevHash(), newTip.headerTimestamp(),
                newTip.nbits()));
    }

    private ServerJob activate(ChainTip newTip) {
        this.tip = newTip;
        seen.clear();
        return jobs.activate(newTip.templateId());
    }

    /**
     * The fan-out form of {@link #onNewTemplate(JobTemplate)}: the same job (same id, same state change), its frame
     * appended to {@code out} (the session's batch) instead of returned as a message. On a new block the pool runs
     * this and {@link #onSetNewPrevHash(ChainTip, ByteBuf)} for every channel of every connection; the message
     * objects, Optionals and the generic encoder were a measurable part of the per-miner cost (bench/README.md,
     * stdjob).
     *
     * @return whether a frame was written (false exactly where {@link #onNewTemplate(JobTemplate)} is empty)
     */
    public boolean onNewTemplate(JobTemplate t, ByteBuf out) {
        ServerJob job = addJob(t, jobIds.next());
        if (job == null) {
            return false;
        }
        writeJobFrame(job, out);
        return true;
    }

    /** Appends the frame of {@link #jobMessage(ServerJob)} to {@code out}. */
    abstract void writeJobFrame(ServerJob job, ByteBuf out);

    /**
     * The fan-out form of {@link #onSetNewPrevHash(ChainTip)}: the same state change, the SetNewPrevHash frame
     * appended to {@code out}.
     *
     * @return whether a frame was written (false where {@link #onSetNewPrevHash(ChainTip)} is empty: send a fresh
     *     job then)
     */
    public boolean onSetNewPrevHash(ChainTip newTip, ByteBuf out) {
        ServerJob job = activate(newTip);
        if (job == null) {
            return false;
        }
        JobFrames.setNewPrevHash(out, channelId, job.jobId, newTip.prevHash().unsafeWireBytes(),
                newTip.headerTimestamp(), newTip.nbits());
        return true;
    }

    /**
     * Opening sequence on current work (SRI order after .Success): the job as a future job, then
     * SetNewPrevHash naming it.
     */
    public List<Sv2Message> start(JobTemplate current, ChainTip currentTip) {
        ServerJob job = addJob(current.asFuture(), jobIds.next());
        Sv2Message jobMsg = jobMessage(job);
        SetNewPrevHash snph = onSetNewPrevHash(currentTip).orElseThrow();
        return List.of(jobMsg, snph);
    }

    /**
     * Sets the target, clamped to the channel's max target, for jobs sent from now on and for every
     * job sent as a future job (empty min_ntime), activated or not, as spec 5.3.16 says
     * ({@link JobStore#retarget}). Jobs sent with a min_ntime keep their target.
     */
    public SetTarget setTarget(Target newTarget) {
        Target t = newTarget.min(maxTarget);
        this.target = t;
        jobs.retarget(t);
        return new SetTarget(channelId, t);
    }

    /**
     * UpdateChannel: records the new maximum target and recomputes the target from the nominal
     * hashrate (SRI). Returns SetTarget when the target changed, UpdateChannel.Error for a bad
     * hashrate or a zero maximum_target (refused as OpenMiningChannel refuses it:
     * {@code max-target-out-of-range}), else empty. A pool running vardiff may ignore the hashrate
     * and only honour the max.
     */
    public Optional<Sv2Message> onUpdateChannel(UpdateChannel u) {
        if (!Float.isFinite(u.nominalHashRate()) || u.nominalHashRate() < 0) {
            return Optional.of(new UpdateChannelError(channelId, "invalid-nominal-hashrate"));
        }
        if (u.maximumTarget().isZero()) {
            return Optional.of(new UpdateChannelError(channelId, MAX_TARGET_OUT_OF_RANGE));
        }
        this.maxTarget = u.maximumTarget();
        Target t = Targets.fromNominalHashrate(u.nominalHashRate(), config.sharesPerMinute(), maxTarget);
        if (t.equals(target)) {
            return Optional.empty();
        }
        return Optional.of(setTarget(t));
    }

    /** Changes the prefix for jobs sent afterwards (existing jobs keep theirs). */
    public SetExtranoncePrefix setExtranoncePrefix(Bytes prefix) {
        if (prefix.length() != extranoncePrefix.length()) {
            throw new IllegalArgumentException("new prefix must keep length " + extranoncePrefix.length());
        }
        this.extranoncePrefix = prefix;
        return new SetExtranoncePrefix(channelId, prefix);
    }

    /** SubmitShares.Success for shares accepted since the last ack, or null (call from a timer). */
    public SubmitSharesSuccess flushAcks() {
        return batcher.flush();
    }

    /** Releases the extranonce prefix. Idempotent. */
    public void close() {
        if (!closed) {
            closed = true;
            if (allocator != null) {
                allocator.release(allocation);
            }
        }
    }

    /**
     * The last hashed share's template and job prefix (not its job: a job is reused once its store drops it,
     * {@link ServerJob#recycle}).
     */
    private JobTemplate lastTemplate;
    private Bytes lastPrefix;
    private byte[] lastExtranonce;

    /**
     * The job template of the last share that reached hashing (a Hyper Node maps an accepted share onto its upstream
     * custom job), or null. Valid on the channel's event loop until the next share.
     */
    public JobTemplate lastShareTemplate() {
        return lastTemplate;
    }

    /** The last hashed share's header hash (wire order), as {@link #lastShareTemplate()}. */
    public byte[] lastShareHash() {
        return hash == null ? new byte[32] : hash.clone();
    }

    /** The last hashed share's full extranonce (channel prefix || rolled part), as {@link #lastShareTemplate()}. */
    public Bytes lastShareFullExtranonce() {
        return lastTemplate == null ? Bytes.EMPTY : fullExtranonce(lastPrefix, lastExtranonce);
    }

    /** Computes {@link #hash} for the share (and leaves the header in {@link #header}). */
    abstract void hashShare(ServerJob job, byte[] extranonce, int version, int ntime, int nonce);

    /** The job's prefix || extranonce (block submission only). */
    abstract Bytes fullExtranonce(Bytes jobPrefix, byte[] extranonce);

    /** Share validation, sv2-protocol.md 5.6 steps 2..9 (step 1 is the caller's channel lookup). */
    final ShareResult validate(int sequenceNumber, int jobId, int nonce, int ntime, int version, byte[] extranonce,
            int expectedExtranonceLength, long nowEpochSeconds) {
        ServerJob job = jobs.findCurrent(jobId);
        if (job == null) {
            job = findCustomJob(jobId);
        }
        if (job == null) {
            return (jobIds.issued(jobId) && !jobs.isPendingFuture(jobId)) ? RejectReason.STALE_SHARE.result()
                    : RejectReason.INVALID_JOB_ID.result();
        }
        if (expectedExtranonceLength >= 0 && extranonce.length != expectedExtranonceLength) {
            return RejectReason.BAD_EXTRANONCE_SIZE.result();
        }
        ChainTip t = job.customTip != null ? job.customTip : tip;
        long ntimeU = ntime & 0xffffffffL;
        if (ntimeU < (t.headerTimestamp() & 0xffffffffL)) {
            return RejectReason.NTIME_TOO_OLD.result();
        }
        if (ntimeU > nowEpochSeconds + config.maxNtimeAheadSeconds()) {
            return RejectReason.NTIME_TOO_NEW.result();
        }
        int mask = job.versionRollingAllowed ? ChannelConfig.VERSION_ROLLING_MASK : 0;
        if (((version ^ job.template.version()) & ~mask) != 0) {
            return job.versionRollingAllowed ? RejectReason.INVALID_NON_ROLLABLE_VERSION_BIT.result()
                    : RejectReason.VERSION_ROLLING_NOT_ALLOWED.result();
        }
        if (header == null) {
            header = new byte[BlockHeader80.LENGTH];
            hash = new byte[32];
        }
        hashShare(job, extranonce, version, ntime, nonce);
        lastTemplate = job.template;
        lastPrefix = job.extranoncePrefix;
        lastExtranonce = extranonce;
        boolean block = t.networkTarget().isMetBy(hash);
        if (!block && !job.target.isMetBy(hash)) {
            return RejectReason.DIFFICULTY_TOO_LOW.result();
        }
        switch (seen.add(hash)) {
            case DUPLICATE:
                return RejectReason.DUPLICATE_SHARE.result();
            case FULL:
                if (!block) {
                    return RejectReason.TOO_MANY_SHARES.result();
                }
                break; // never drop a block
            default:
                break;
        }
        SubmitSharesSuccess ack = batcher.onAccepted(sequenceNumber, job.difficulty, block);
        if (!block) {
            return new ShareResult.Accepted(channelId, sequenceNumber, jobId, job.difficulty, ack, Targets.hashDifficulty(hash));
        }
        Bytes full = fullExtranonce(job.extranoncePrefix, extranonce);
        return new ShareResult.BlockFound(channelId, sequenceNumber, jobId, job.template.templateId(), version, ntime,
                nonce, t.nbits(), t.prevHash(), full, job.template.coinbaseWithWitness(full),
                Hash256.fromWireBytes(hash), Bytes.of(header), job.difficulty, ack);
    }

    final ShareResult wrongChannel() {
        return RejectReason.INVALID_CHANNEL_ID.result();
    }
}
