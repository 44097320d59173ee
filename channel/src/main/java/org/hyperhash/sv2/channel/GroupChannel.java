package org.hyperhash.sv2.channel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.SetGroupChannel;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SetTarget;

/**
 * A group channel: one id addressing several standard and/or extended channels of a connection
 * (all with the same full extranonce length). A job broadcast to the group gets one id from the
 * shared {@link JobIdSequence} and is registered in every member (each with its own prefix and
 * target), so members validate shares for group job ids. Owner-thread confined.
 */
public final class GroupChannel {
    private final int groupChannelId;
    private final ChannelConfig config;
    private final JobIdSequence jobIds = new JobIdSequence();
    private final List<ServerChannel> members = new ArrayList<>();
    private final ArrayDeque<long[]> futureJobs = new ArrayDeque<>(); // {templateId, jobId}
    private int fullExtranonceSize = -1;
    private ChainTip tip;

    public GroupChannel(int groupChannelId, ChannelConfig config) {
        this.groupChannelId = groupChannelId;
        this.config = config;
    }

    public int groupChannelId() {
        return groupChannelId;
    }

    JobIdSequence jobIds() {
        return jobIds;
    }

    public List<ServerChannel> members() {
        return Collections.unmodifiableList(members);
    }

    /** Adds a member created with this group's job id sequence (done by the channels' open()). */
    void add(ServerChannel ch) {
        if (ch.jobIds != jobIds) {
            throw new IllegalArgumentException("channel " + ch.channelId() + " does not share the group's job ids");
        }
        if (fullExtranonceSize >= 0 && ch.fullExtranonceSize() != fullExtranonceSize) {
            throw new IllegalArgumentException("group " + groupChannelId + " needs full extranonce "
                    + fullExtranonceSize + ", channel has " + ch.fullExtranonceSize());
        }
        fullExtranonceSize = ch.fullExtranonceSize();
        members.add(ch);
    }

    /** Removes a member (on CloseChannel); the caller also closes the channel. */
    public void remove(ServerChannel ch) {
        members.remove(ch);
    }

    /** SetGroupChannel listing the current members. */
    public SetGroupChannel setGroupChannel() {
        return new SetGroupChannel(groupChannelId, members.stream().map(ServerChannel::channelId).toList());
    }

    /**
     * Broadcast job for a new template, registered in every member. Empty if the group has no
     * members or the template is non-future and there is no chain tip yet.
     */
    public Optional<NewExtendedMiningJob> onNewTemplate(JobTemplate t) {
        if (members.isEmpty() || (!t.future() && tip == null)) {
            return Optional.empty();
        }
        int jobId = jobIds.next();
        for (ServerChannel m : members) {
            m.addJob(t, jobId);
        }
        if (t.future()) {
            if (futureJobs.size() >= config.maxFutureJobs()) {
                futureJobs.pollFirst();
            }
            futureJobs.addLast(new long[] {t.templateId(), jobId});
        }
        OptionalInt minNtime = t.future() ? OptionalInt.empty() : OptionalInt.of(tip.headerTimestamp());
        return Optional.of(t.toNewExtendedMiningJob(groupChannelId, jobId, minNtime, config.versionRollingAllowed()));
    }

    /**
     * New chain tip for every member. Returns the group-addressed SetNewPrevHash when the group
     * broadcast a future job for this template, followed by a SetNewPrevHash addressed to each
     * member whose activated job is its own (a member that joined while a future template was
     * pending got that job on its own channel id, so the group message does not name it). Members
     * with no future job for the tip get nothing here: the caller starts them on fresh work.
     */
    public List<SetNewPrevHash> onSetNewPrevHash(ChainTip newTip) {
        this.tip = newTip;
        Integer jobId = null;
        for (long[] f : futureJobs) {
            if (f[0] == newTip.templateId()) {
                jobId = (int) f[1];
            }
        }
        futureJobs.clear();
        List<SetNewPrevHash> out = new ArrayList<>(1);
        if (jobId != null && !members.isEmpty()) {
            out.add(new SetNewPrevHash(groupChannelId, jobId, newTip.prevHash(), newTip.headerTimestamp(),
                    newTip.nbits()));
        }
        for (ServerChannel m : members) {
            Optional<SetNewPrevHash> own = m.onSetNewPrevHash(newTip);
            if (own.isPresent() && (jobId == null || own.get().jobId() != jobId)) {
                out.add(own.get());
            }
        }
        return out;
    }

    /** Sets the target of every member (each clamped to its own max target); SetTarget addressed to the group. */
    public SetTarget setTarget(Target t) {
        for (ServerChannel m : members) {
            m.setTarget(t);
        }
        return new SetTarget(groupChannelId, t);
    }
}
