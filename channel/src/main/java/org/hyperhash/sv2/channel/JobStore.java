package org.hyperhash.sv2.channel;

import org.hyperhash.base.HotPath;
import org.hyperhash.base.Target;

/**
 * One channel's jobs: future jobs (waiting for SetNewPrevHash, oldest evicted beyond the bound),
 * the active job and up to {@code maxPastJobs} earlier jobs of the current chain tip (SRI: 16).
 * A new chain tip drops everything except the activated future job. Owner-thread confined;
 * lookups are allocation-free. A job this store drops goes back to its thread's spare jobs ({@link
 * ServerJob#recycle}): the store is a job's only holder, so the job objects of a channel that gets a job per block
 * are reused rather than left to the GC.
 */
@HotPath
public final class JobStore {
    private final int maxPastJobs;
    private final int maxFutureJobs;
    /**
     * Future jobs, oldest first, as a ring of {@code maxFutureJobs} slots: a new block touches this store on every
     * channel of every connection (add the future job, then activate it), and an ArrayDeque was one more object and
     * an iterator per channel per block on that walk.
     */
    private final ServerJob[] futures;
    private int futureHead;
    private int futureCount;
    private final ServerJob[] past;
    private int pastHead;
    private int pastCount;
    private ServerJob active;

    public JobStore(int maxPastJobs, int maxFutureJobs) {
        this.maxPastJobs = maxPastJobs;
        this.maxFutureJobs = maxFutureJobs;
        this.past = new ServerJob[Math.max(1, maxPastJobs)];
        this.futures = new ServerJob[Math.max(1, maxFutureJobs)];
    }

    void addFuture(ServerJob job) {
        if (futureCount >= maxFutureJobs) {
            ServerJob.recycle(futures[futureHead]);
            futures[futureHead] = null; // evict the oldest
            futureHead = (futureHead + 1) % futures.length;
            futureCount--;
        }
        futures[(futureHead + futureCount) % futures.length] = job;
        futureCount++;
    }

    private ServerJob future(int i) {
        return futures[(futureHead + i) % futures.length];
    }

    void addActive(ServerJob job) {
        if (active != null && maxPastJobs > 0) {
            if (pastCount == maxPastJobs) {
                ServerJob.recycle(past[pastHead]); // the oldest, overwritten now
            }
            past[pastHead] = active;
            pastHead = (pastHead + 1) % maxPastJobs;
            if (pastCount < maxPastJobs) {
                pastCount++;
            }
        } else {
            ServerJob.recycle(active);
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
        for (int i = 0; i < futureCount; i++) {
            ServerJob j = future(i);
            if (j.template.templateId() == templateId) {
                found = j;
            }
        }
        for (int i = 0; i < futureCount; i++) {
            int k = (futureHead + i) % futures.length;
            if (futures[k] != found) {
                ServerJob.recycle(futures[k]);
            }
            futures[k] = null;
        }
        futureHead = 0;
        futureCount = 0;
        for (int i = 0; i < pastCount; i++) {
            ServerJob.recycle(past[i]);
            past[i] = null;
        }
        pastCount = 0;
        pastHead = 0;
        ServerJob.recycle(active);
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
        for (int i = 0; i < futureCount; i++) {
            if (future(i).jobId == jobId) {
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
        return futureCount;
    }

    /**
     * SetTarget: spec 5.3.16 makes a new target apply to jobs received later and to jobs already
     * received as future jobs (empty min_ntime), activated or not. That includes the opening job of
     * every channel (sent as a future job, then activated): a SetTarget right after
     * OpenMiningChannel.Success must govern it. Jobs sent with a min_ntime keep their target.
     */
    void retarget(Target t) {
        for (int i = 0; i < futureCount; i++) {
            future(i).setTarget(t);
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
