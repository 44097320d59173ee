package org.hyperhash.pool.downstream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.RejectedExecutionException;
import org.hyperhash.base.HotPath;

/**
 * One event loop's shared buffer for the job fan-out (plaintext: direct chunks the socket writes; Noise: heap chunks
 * NoiseHandler seals from, {@link #localHeap()}): on a new block every connection of the loop appends
 * its frames to the current chunk, one connection after the other, and writes its own part of it as a slice, instead
 * of taking a pooled buffer of its own from the allocator per connection per block (allocation, release and the
 * first touch of a new buffer were 8-11% of the fan-out pass's Java samples at 10k miners, bench/README.md
 * plainbatch). The frames of consecutive connections are contiguous, as the floor's one shared message is.
 *
 * <p>A connection's part ("region") starts at the chunk's writer index when it opens one and ends where the next
 * connection's starts ({@link Writer#sealBatch}); each open region holds one reference to its chunk, which
 * its slice carries into the write and the write releases. The chunk itself is referenced here until it has less than
 * {@link #MIN_FREE} bytes left, or until the end of the task that took it (the fan-out pass; a task queued behind it
 * ends the pass) once no region is open: an idle loop holds no chunk. (The drain writes every session of the loop, then
 * flushes each one: its regions are all open until the flushes, and the chunk lasts the pass.)
 *
 * <p>A write that does not complete (the peer does not read, its kernel send buffer is full) keeps its chunk alive until
 * it does; a connection with such a write still queued sends its next regions as copies
 * ({@link DownstreamHandler#flush()}), so it holds at most one chunk ({@link #CHUNK_BYTES}), next to the send buffer it
 * already fills, until the write completes or the connection is dropped (slow-consumer mark, idle timeout).
 *
 * <p>Confined to its event loop's thread, like the connections using it.
 */
@HotPath
final class SharedBatch {
    /** Bytes per chunk: ~150 miners' NewMiningJob + SetNewPrevHash; a chunk grows when one connection writes more. */
    static final int CHUNK_BYTES = 16 * 1024;
    /** A region is not started in a chunk with less room than this (so a region rarely grows its chunk). */
    static final int MIN_FREE = 1024;

    private static final FastThreadLocal<SharedBatch> LOCAL = new FastThreadLocal<>() {
        @Override
        protected SharedBatch initialValue() {
            return new SharedBatch(false);
        }
    };
    private static final FastThreadLocal<SharedBatch> LOCAL_HEAP = new FastThreadLocal<>() {
        @Override
        protected SharedBatch initialValue() {
            return new SharedBatch(true);
        }
    };

    /** Heap chunks (Noise: NoiseHandler seals from the backing array) instead of direct ones (plaintext: the socket's). */
    private final boolean heap;

    /** Direct chunks. */
    SharedBatch() {
        this(false);
    }

    SharedBatch(boolean heap) {
        this.heap = heap;
    }

    /** A connection's side of a region (implemented by {@link DownstreamHandler}). */
    interface Writer {
        /** Another connection starts a region after this one's, which therefore ends at {@code end}. */
        void sealBatch(int end);
    }

    private ByteBuf chunk;
    /** The connection whose region ends at the chunk's writer index (still being written), or null. */
    private Writer last;
    /** Open regions on this thread, in any chunk. */
    private int regions;
    /** A chunk was taken in the running task; {@link #endPass} is queued behind it. */
    private boolean inPass;
    private final Runnable endPass = this::endPass;

    /** The calling event loop's instance (direct chunks, the plaintext fan-out). */
    static SharedBatch local() {
        return LOCAL.get();
    }

    /**
     * The calling event loop's instance with heap chunks, for the Noise fan-out: NoiseHandler seals a connection's
     * slice in {@code write()}, from the chunk's array into its own direct buffer, and releases the slice there, so
     * a region lives from the session's frames to its flush in the same pass. It replaces a 256-byte heap batch per
     * Noise session per block (~330 B of garbage per miner per block, the most of the pool's allocation in that
     * fan-out: young collections inside rounds, bench/README.md fanp99).
     */
    static SharedBatch localHeap() {
        return LOCAL_HEAP.get();
    }

    /**
     * Opens a region for {@code s} at the current chunk's writer index and returns the chunk, with one reference
     * for the region; the previous writer's region is sealed first.
     */
    ByteBuf open(Writer s, Channel ch) {
        sealLast();
        ByteBuf c = chunk;
        boolean taken = false;
        if (c == null || c.writableBytes() < MIN_FREE) {
            if (c != null) {
                c.release(); // its regions hold their own references
            }
            // ch's allocator only for a new chunk: it is behind the channel's config, one more object per connection
            // per block (4% of the pass's samples)
            c = chunk = heap ? ch.alloc().heapBuffer(CHUNK_BYTES) : ch.alloc().directBuffer(CHUNK_BYTES);
            taken = true;
        }
        last = s;
        regions++;
        c.retain();
        if (taken && !inPass) {
            // the event loop runs it after the task writing now (the drain): the pass's end
            try {
                ch.eventLoop().execute(endPass);
                inPass = true;
            } catch (RejectedExecutionException e) {
                // the loop is shutting down: the chunk goes back with the last region instead
            }
        }
        return c;
    }

    /** Whether {@code s}'s region is the one still open at the chunk's end. */
    boolean isLast(Writer s) {
        return last == s;
    }

    /** Seals the region still open at the chunk's end, if any: its end is the chunk's writer index now. */
    void sealLast() {
        if (last != null) {
            last.sealBatch(chunk.writerIndex());
            last = null;
        }
    }

    /**
     * {@code s}'s region is written (as a slice carrying its reference), copied out or dropped; the caller has taken
     * care of the region's reference. With no region left, the chunk is released.
     */
    void closed(Writer s) {
        if (last == s) {
            last = null;
        }
        if (--regions == 0 && !inPass) {
            releaseChunk();
        }
    }

    /** The task that took the chunk has ended: without open regions the chunk goes back. */
    void endPass() {
        inPass = false;
        if (regions == 0) {
            releaseChunk();
        }
    }

    private void releaseChunk() {
        if (chunk != null) {
            last = null;
            chunk.release();
            chunk = null;
        }
    }

    /** Open regions (tests). */
    int openRegions() {
        return regions;
    }

    /** Whether a chunk is held (tests). */
    boolean holdsChunk() {
        return chunk != null;
    }
}
