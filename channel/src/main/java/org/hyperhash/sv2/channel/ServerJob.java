package org.hyperhash.sv2.channel;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;

/**
 * A job as one channel sees it: the shared {@link JobTemplate} plus this channel's extranonce
 * prefix at the time the job was sent (SetExtranoncePrefix does not retro-apply), the target in
 * force for it, and for standard channels the precomputed merkle root.
 *
 * <p>On a new block every channel of every connection gets a job, so this object was the largest part of the
 * fan-out's garbage (72 bytes, plus a 32-byte array and a {@link Hash256} for a standard channel's root: 136 of the
 * 184 bytes allocated per plaintext miner per block, bench/README.md fanp99). So the root is held inline, as four
 * longs, and a job that its {@link JobStore} drops (a new chain tip, an evicted past or future job) goes back to a
 * small per-thread free list ({@link #recycle}) that the channel's next job is taken from ({@link #obtain}). A job
 * is confined to its channel's thread like the channel, and the store is its only holder on the job paths: the
 * channel's last-share state keeps the template and prefix, not the job, and custom jobs (never in the store) are
 * never recycled.
 */
public final class ServerJob {
    /** Per thread: jobs dropped by their store, for the next jobs built on the same thread (the event loop). */
    private static final ThreadLocal<Free> FREE = ThreadLocal.withInitial(Free::new);
    /** At most this many spare jobs per thread (~100 bytes each): a pass frees about as many as it takes. */
    static final int MAX_FREE = 256;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    int jobId;
    JobTemplate template;
    Bytes extranoncePrefix;
    boolean versionRollingAllowed;
    /** Standard channels only: the merkle root for the channel's prefix, wire order, as 4 little-endian longs. */
    long root0;
    long root1;
    long root2;
    long root3;
    Target target;
    double difficulty;
    /** Standard channels: header midstate for (job version, tip), built on first use. */
    Sha256d.Midstate midstate;
    Hash256 midstatePrevHash;
    /** Custom jobs (SetCustomMiningJob) only: the chain tip the client declared; null for the pool's own jobs. */
    ChainTip customTip;
    /** In a free list (a second recycle of the same job is ignored rather than handing it out twice). */
    private boolean free;

    private ServerJob() {
    }

    /**
     * A job (a spare one of this thread's free list, else a new one) with every field set.
     *
     * @param merkleRoot standard channels: the 32-byte merkle root (wire order) at {@code rootOff}; null for extended
     */
    static ServerJob obtain(int jobId, JobTemplate template, Bytes extranoncePrefix, Target target,
            boolean versionRollingAllowed, byte[] merkleRoot, int rootOff) {
        ServerJob j = FREE.get().take();
        if (j == null) {
            j = new ServerJob();
        }
        j.jobId = jobId;
        j.template = template;
        j.extranoncePrefix = extranoncePrefix;
        j.versionRollingAllowed = versionRollingAllowed;
        if (merkleRoot != null) {
            j.root0 = (long) LONG_LE.get(merkleRoot, rootOff);
            j.root1 = (long) LONG_LE.get(merkleRoot, rootOff + 8);
            j.root2 = (long) LONG_LE.get(merkleRoot, rootOff + 16);
            j.root3 = (long) LONG_LE.get(merkleRoot, rootOff + 24);
        } else {
            j.root0 = j.root1 = j.root2 = j.root3 = 0;
        }
        j.midstate = null;
        j.midstatePrevHash = null;
        j.customTip = null;
        j.setTarget(target);
        return j;
    }

    /**
     * Gives a job its store has dropped back to this thread's free list. The caller must hold the only reference
     * (see the class comment); a full list leaves it to the GC.
     */
    static void recycle(ServerJob j) {
        if (j == null || j.free || j.customTip != null) {
            return;
        }
        Free f = FREE.get();
        if (f.size < MAX_FREE) {
            j.free = true;
            j.template = null; // no template, prefix or midstate kept alive by a spare job
            j.extranoncePrefix = null;
            j.target = null;
            j.midstate = null;
            j.midstatePrevHash = null;
            f.jobs[f.size++] = j;
        }
    }

    /** Spare jobs on the calling thread (tests). */
    static int freeOnThisThread() {
        return FREE.get().size;
    }

    /** One thread's spare jobs, a stack. */
    private static final class Free {
        final ServerJob[] jobs = new ServerJob[MAX_FREE];
        int size;

        ServerJob take() {
            if (size == 0) {
                return null;
            }
            ServerJob j = jobs[--size];
            jobs[size] = null;
            j.free = false;
            return j;
        }
    }

    /** Writes the merkle root (standard channels; 32 bytes, wire order) into {@code out} at {@code off}. */
    void rootInto(byte[] out, int off) {
        LONG_LE.set(out, off, root0);
        LONG_LE.set(out, off + 8, root1);
        LONG_LE.set(out, off + 16, root2);
        LONG_LE.set(out, off + 24, root3);
    }

    /** The merkle root as a new {@link Hash256} (standard channels; the message path, not the fan-out). */
    Hash256 merkleRoot() {
        byte[] r = new byte[32];
        rootInto(r, 0);
        return Hash256.wrap(r);
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
