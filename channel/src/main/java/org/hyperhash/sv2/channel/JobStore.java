package org.hyperhash.sv2.channel;

import java.util.ArrayDeque;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.Target;

/**
 * One channel's jobs: future jobs (waiting for SetNewPrevHash, oldest evicted beyond the bound),
 * the active job and up to {@code maxPastJobs} earlier jobs of the current chain tip (SRI: 16).
 * A new chain tip drops everything except the activated future job. Owner-thread confined;
 * lookups are allocation-free.
 */
@HotPath
public final class JobStore {
    private final int maxPastJobs;
    private final int maxFutureJobs;
    private final ArrayDeque<ServerJob> futures = new ArrayDeque<>();
    private final ServerJob[] past;
    private int pastHead;
    private int pastCount;
    private ServerJob active;

    public JobStore(int maxPastJobs, int maxFutureJobs) {
        this.maxPastJobs = maxPastJobs;
        this.maxFutureJobs = maxFutureJobs;
        this.past = new ServerJob[Math.max(1, maxPastJobs)];
    }

    void addFuture(ServerJob job) {
        if (futures.size() >= maxFutureJobs) {
            futures.pollFirst();
        }
        futures.addLast(job);
    }

    void addActive(ServerJob job) {
        if (active != null && maxPastJobs > 0) {
            past[pastHead] = active;
            pastHead = (pastHead + 1) % maxPastJobs;
            if (pastCount < maxPastJobs) {
                pastCount++;
            }
        }
        active = job;
    }

    /**
     * New chain tip: the future job built from {@code templateId} (if any) becomes the only valid
     * job; everything else is dropped.
     *
     * @return the activated job, or null when no future job was built from that template
     */
    ServerJob activate(long templateId) {
        ServerJob found = null;
        for (ServerJob j : futures) {
            if (j.template.templateId() == templateId) {
                found = j;
            }
        }
        futures.clear();
        if (pastCount > 0) {
            java.util.Arrays.fill(past, 0, pastCount, null);
        }
        pastCount = 0;
        pastHead = 0;
        active = found;
        return found;
    }

    /** The job with this id on the current chain tip (active or past), or null. */
    public ServerJob findCurrent(int jobId) {
        ServerJob a = active;
        if (a != null && a.jobId == jobId) {
            return a;
        }
        for (int i = 0; i < pastCount; i++) {
            ServerJob p = past[i];
            if (p.jobId == jobId) {
                return p;
            }
        }
        return null;
    }

    /** True if {@code jobId} is a future job not activated yet. */
    public boolean isPendingFuture(int jobId) {
        for (ServerJob j : futures) {
            if (j.jobId == jobId) {
                return true;
            }
        }
        return false;
    }

    public ServerJob active() {
        return active;
    }

    public int pastCount() {
        return pastCount;
    }

    public int futureCount() {
        return futures.size();
    }

    /**
     * SetTarget: spec 5.3.16 makes a new target apply to jobs received later and to jobs already
     * received as future jobs (empty min_ntime), activated or not. That includes the opening job of
     * every channel (sent as a future job, then activated): a SetTarget right after
     * OpenMiningChannel.Success must govern it. Jobs sent with a min_ntime keep their target.
     */
    void retarget(Target t) {
        for (ServerJob j : futures) {
            j.setTarget(t);
        }
        if (active != null && active.template.future()) {
            active.setTarget(t);
        }
        for (int i = 0; i < pastCount; i++) {
            if (past[i].template.future()) {
                past[i].setTarget(t);
            }
        }
    }
}
