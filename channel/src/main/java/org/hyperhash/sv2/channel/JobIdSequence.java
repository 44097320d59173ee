package org.hyperhash.sv2.channel;

/**
 * Job id counter (SRI: per channel, starting at 1). A group channel and its members share one
 * sequence so a broadcast job has the same id in every member. Owner-thread confined.
 */
public final class JobIdSequence {
    private int next = 1;

    /** The next job id (skips 0 on wrap-around). */
    public int next() {
        int id = next++;
        if (next == 0) {
            next = 1;
        }
        return id;
    }

    /** True if {@code jobId} was handed out already (ids are never reused within 2^32 jobs). */
    public boolean issued(int jobId) {
        return jobId != 0 && Integer.compareUnsigned(jobId, next) < 0;
    }
}
