package org.hyperhash.pool.share;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.ledger.WorkerHour;
import org.hyperhash.ledger.WorkerReject;
import org.hyperhash.pool.admin.PoolMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share accounting: one writer thread behind a bounded queue.
 *
 * <ul>
 *   <li>Event loops call {@link #offerShare} (never blocks). When the queue is full it returns false
 *       and counts {@code hh_pool_sharelog_backpressure_total}: the caller keeps the share, stops
 *       reading from that connection and offers it again shortly (back-pressure, nothing lost).</li>
 *   <li>The writer adds each share's difficulty to its (window, address, worker) row in memory and
 *       upserts the rows changed since the last flush in ONE transaction every {@code flushInterval}
 *       (<= 1 s). A failed flush keeps the rows and retries (memory is bounded by the number of
 *       distinct rows, not shares).</li>
 *   <li>The same flush adds the hourly per-worker rollup ({@code worker_hours}: accepted shares, work, best share
 *       difficulty, rejected shares, first and last share time) and rejected shares by reason ({@code worker_rejects}) in the same
 *       transaction: the web page reads those instead of 10 s windows. Rejects ({@link #offerReject}) are statistics:
 *       a full reject queue drops the count (counted), never pauses a connection.</li>
 *   <li>{@link #recordBlock} goes to a separate queue the writer always drains first; each block is
 *       committed (durable) before any further share batch is written, and retried until it is.</li>
 *   <li>{@link #close()} drains both queues and flushes everything.</li>
 * </ul>
 * What a kill -9 loses: shares accepted since the last completed flush (at most one flush interval,
 * plus what was still queued). See pool/README.md.
 */
public final class ShareLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ShareLog.class);

    /**
     * One accepted share, as queued.
     *
     * @param difficulty     credited difficulty (the job target's)
     * @param hashDifficulty difficulty of the share's own hash ("best share"); 0 when unknown
     */
    public record Share(String address, String worker, double difficulty, long acceptedAtMs, double hashDifficulty) {
        public Share(String address, String worker, double difficulty, long acceptedAtMs) {
            this(address, worker, difficulty, acceptedAtMs, 0);
        }
    }

    /** One rejected share, as queued; {@code reason} is a value of the pool's bounded reason set (lower case). */
    private record Reject(String address, String worker, String reason, long atMs) {
    }

    private record Key(long windowStartMs, String address, String worker) {
    }

    private static final class Acc {
        long shares;
        double work;
    }

    private record RejectKey(long hourStartMs, String address, String worker, String reason) {
    }

    private static final class HourAcc {
        long accepted;
        double work;
        double best;
        long rejected;
        long firstShareMs;
        long lastShareMs;
    }

    private final ShareWindowStore windows;
    private final FoundBlockStore blocks;
    private final String instanceId;
    private final InstantSource clock;
    private final long windowMs;
    private final long flushMs;
    private final PoolMetrics metrics;
    private final BlockingQueue<Share> queue;
    private static final int BLOCK_BATCH = 1000;
    /** The overflow's ERROR line, at most one per 10 s (the next says how many were held back). */
    private static final org.hyperhash.daemon.LogLimiter OVERFLOW_LOG = new org.hyperhash.daemon.LogLimiter(LOG,
            Duration.ofSeconds(10));
    private final BlockingQueue<FoundBlock> blockQueue = new LinkedBlockingQueue<>(10_000);
    /** Found blocks past the queue's bound: never dropped (see {@link #recordBlock}); drained by the writer. */
    private final Queue<FoundBlock> blockOverflow = new ConcurrentLinkedQueue<>();
    private final AtomicLong blocksOverflowed = new AtomicLong();
    private final Map<Key, Acc> pending = new HashMap<>();
    /** Hourly per-worker rollup (worker_hours) and rejected shares by reason (worker_rejects), flushed with the windows. */
    private final Map<Key, HourAcc> pendingHours = new HashMap<>();
    private final Map<RejectKey, long[]> pendingRejects = new HashMap<>();
    private final BlockingQueue<Reject> rejectQueue;
    private final Thread writer;
    private final AtomicLong flushedShares = new AtomicLong();
    private final AtomicLong blocksRecorded = new AtomicLong();
    private final AtomicInteger handOffs = new AtomicInteger();
    private volatile boolean closing;
    private volatile long lastFlushMs;

    public ShareLog(ShareWindowStore windows, FoundBlockStore blocks, String instanceId, InstantSource clock,
            Duration window, Duration flushInterval, int queueCapacity, PoolMetrics metrics) {
        this.windows = windows;
        this.blocks = blocks;
        this.instanceId = instanceId;
        this.clock = clock;
        this.windowMs = window.toMillis();
        this.flushMs = Math.max(1, flushInterval.toMillis());
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.rejectQueue = new ArrayBlockingQueue<>(Math.max(1024, queueCapacity / 4));
        this.writer = Thread.ofPlatform().name("pool-sharelog").daemon(false).unstarted(this::run);
    }

    public void start() {
        writer.start();
    }

    /**
     * Queues an accepted share; false when the queue is full (the caller must keep the share and
     * retry: see class doc). Any thread; never blocks.
     */
    public boolean offerShare(String address, String worker, double difficulty) {
        return offerShare(address, worker, difficulty, 0);
    }

    /** As {@link #offerShare(String, String, double)}, with the difficulty of the share's hash (best-share statistics). */
    public boolean offerShare(String address, String worker, double difficulty, double hashDifficulty) {
        if (queue.offer(new Share(address, worker, difficulty, clock.millis(), hashDifficulty))) {
            return true;
        }
        metrics.shareLogBackpressure.increment();
        return false;
    }

    /**
     * Counts a rejected share of a known (address, worker) under {@code reason} (a bounded set: the pool's reject
     * reasons, lower case) for the per-worker statistics. Any thread; never blocks. Statistics only (no credit hangs
     * on it): when its queue is full the count is dropped and hh_pool_sharelog_rejects_dropped_total counts it.
     */
    public void offerReject(String address, String worker, String reason) {
        if (!rejectQueue.offer(new Reject(address, worker, reason, clock.millis()))) {
            metrics.shareLogRejectsDropped.increment();
        }
    }

    /** As {@link #offerShare}, for a share held back earlier (keeps its acceptance time). */
    public boolean offer(Share s) {
        if (queue.offer(s)) {
            return true;
        }
        metrics.shareLogBackpressure.increment();
        return false;
    }

    /**
     * Hands over shares a closing connection still held back (queue was full): a virtual thread waits for room.
     * {@link #close(Duration)} waits for every hand-off begun before it, so these shares are flushed too.
     */
    public void handOff(List<Share> shares) {
        if (shares.isEmpty()) {
            return;
        }
        List<Share> copy = List.copyOf(shares);
        handOffs.incrementAndGet();
        if (!writer.isAlive() && closing) {
            LOG.error("{} held-back shares handed over after the share log closed", copy.size());
        }
        Thread.ofVirtual().name("pool-held-shares").start(() -> {
            try {
                for (Share s : copy) {
                    queue.put(s);
                }
            } catch (InterruptedException e) {
                LOG.error("{} held-back shares not credited (interrupted at shutdown)", copy.size());
            } finally {
                handOffs.decrementAndGet();
            }
        });
    }

    /**
     * Queues a found block for a durable insert ahead of every share batch. Any thread; never blocks; never drops a
     * block. Past the queue's 10,000 (the ledger far behind or down: on mainnet a pool finds a handful of blocks a
     * year, on regtest every share can be one) a block goes to the overflow list, which the same writer drains after
     * the queue: one writer and one batch per turn, so a flood costs neither a thread per block nor a log line per
     * block ({@code hh_pool_sharelog_blocks_overflow_total} counts them; an error line at most every 10 s).
     */
    public void recordBlock(FoundBlock b) {
        if (blockQueue.offer(b)) {
            return;
        }
        blockOverflow.add(b);
        metrics.shareLogBlocksOverflow.increment();
        long n = blocksOverflowed.incrementAndGet();
        OVERFLOW_LOG.error("block-overflow", "found-block queue full ({} queued): {} blocks kept in the overflow list so far"
                + " (latest {}); the ledger is not keeping up with found blocks (down? check /v1/ready 'ledger')",
                blockQueue.size(), n, b.blockHash());
    }

    /** Shares queued but not yet aggregated. */
    public int queued() {
        return queue.size();
    }

    public long flushedShares() {
        return flushedShares.get();
    }

    public long blocksRecorded() {
        return blocksRecorded.get();
    }

    public long lastFlushMs() {
        return lastFlushMs;
    }

    private void run() {
        long nextFlush = clock.millis() + flushMs;
        List<Share> drained = new ArrayList<>(4096);
        while (true) {
            drainBlocks();
            drainRejects();
            try {
                long wait = Math.max(0, nextFlush - clock.millis());
                Share s = queue.poll(closing ? 1 : Math.min(wait, 50), TimeUnit.MILLISECONDS);
                if (s != null) {
                    add(s);
                    queue.drainTo(drained, 4096);
                    for (Share d : drained) {
                        add(d);
                    }
                    drained.clear();
                }
            } catch (InterruptedException e) {
                closing = true;
            }
            if (closing && queue.isEmpty() && handOffs.get() == 0) {
                drainBlocks();
                drainRejects();
                flush(true);
                return;
            }
            if (clock.millis() >= nextFlush) {
                drainBlocks(); // blocks are always durable before the shares around them
                flush(false);
                nextFlush = clock.millis() + flushMs;
            }
        }
    }

    private void add(Share s) {
        long start = Math.floorDiv(s.acceptedAtMs(), windowMs) * windowMs;
        Acc a = pending.computeIfAbsent(new Key(start, s.address(), s.worker()), k -> new Acc());
        a.shares++;
        a.work += s.difficulty();
        HourAcc h = pendingHours.computeIfAbsent(new Key(WorkerHour.hourOf(s.acceptedAtMs()), s.address(), s.worker()),
                k -> new HourAcc());
        h.accepted++;
        h.work += s.difficulty();
        double best = s.hashDifficulty();
        if (best > h.best && best < Double.POSITIVE_INFINITY) {
            h.best = best;
        }
        h.firstShareMs = h.firstShareMs == 0 ? s.acceptedAtMs() : Math.min(h.firstShareMs, s.acceptedAtMs());
        h.lastShareMs = Math.max(h.lastShareMs, s.acceptedAtMs());
    }

    private void drainRejects() {
        Reject r;
        while ((r = rejectQueue.poll()) != null) {
            long hour = WorkerHour.hourOf(r.atMs());
            pendingHours.computeIfAbsent(new Key(hour, r.address(), r.worker()), k -> new HourAcc()).rejected++;
            pendingRejects.computeIfAbsent(new RejectKey(hour, r.address(), r.worker(), r.reason()), k -> new long[1])[0]++;
        }
    }

    private void drainBlocks() {
        List<FoundBlock> batch = new ArrayList<>();
        while (blockQueue.drainTo(batch, BLOCK_BATCH) > 0 || drainOverflow(batch) > 0) {
            insertBlocksUntilDone(batch);
            batch.clear();
        }
    }

    private int drainOverflow(List<FoundBlock> into) {
        FoundBlock b;
        while (into.size() < BLOCK_BATCH && (b = blockOverflow.poll()) != null) {
            into.add(b);
        }
        return into.size();
    }

    /** One transaction per batch, retried with back-off until it commits (a block is never given up while running). */
    private void insertBlocksUntilDone(List<FoundBlock> batch) {
        long backoff = 100;
        while (true) {
            try {
                int inserted = blocks.insertFound(batch);
                blocksRecorded.addAndGet(batch.size());
                if (batch.size() <= 3) {
                    for (FoundBlock b : batch) {
                        LOG.info("found block {} recorded in the ledger", b.blockHash());
                    }
                } else {
                    LOG.info("{} found blocks recorded in the ledger in one transaction ({} already present), {} .. {}",
                            batch.size(), batch.size() - inserted, batch.getFirst().blockHash(), batch.getLast().blockHash());
                }
                return;
            } catch (RuntimeException e) {
                LOG.error("recording {} found block(s) failed, retrying: {}", batch.size(), e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    closing = true;
                    Thread.currentThread().interrupt();
                    if (backoff > 1600) {
                        LOG.error("giving up recording {} found block(s) during shutdown: {}", batch.size(), batch);
                        return;
                    }
                }
                backoff = Math.min(5000, backoff * 2);
            }
        }
    }

    private void flush(boolean last) {
        if (pending.isEmpty() && pendingHours.isEmpty()) {
            lastFlushMs = clock.millis();
            return;
        }
        List<ShareWindow> rows = new ArrayList<>(pending.size());
        long shares = 0;
        for (Map.Entry<Key, Acc> e : pending.entrySet()) {
            Key k = e.getKey();
            rows.add(new ShareWindow(instanceId, k.windowStartMs(), k.address(), k.worker(), e.getValue().shares,
                    e.getValue().work));
            shares += e.getValue().shares;
        }
        List<WorkerHour> hours = new ArrayList<>(pendingHours.size());
        for (Map.Entry<Key, HourAcc> e : pendingHours.entrySet()) {
            Key k = e.getKey();
            HourAcc h = e.getValue();
            hours.add(new WorkerHour(instanceId, k.windowStartMs(), k.address(), k.worker(), h.accepted, h.work, h.best, h.rejected,
                    h.firstShareMs, h.lastShareMs));
        }
        List<WorkerReject> rejects = new ArrayList<>(pendingRejects.size());
        for (Map.Entry<RejectKey, long[]> e : pendingRejects.entrySet()) {
            RejectKey k = e.getKey();
            rejects.add(new WorkerReject(instanceId, k.hourStartMs(), k.address(), k.worker(), k.reason(), e.getValue()[0]));
        }
        int attempts = last ? 5 : 1;
        for (int i = 0; i < attempts; i++) {
            try {
                long t0 = System.nanoTime();
                windows.upsertBatch(rows, hours, rejects);
                metrics.shareLogFlush.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                pending.clear();
                pendingHours.clear();
                pendingRejects.clear();
                flushedShares.addAndGet(shares);
                metrics.shareLogBatchRows.record(rows.size());
                lastFlushMs = clock.millis();
                return;
            } catch (RuntimeException e) {
                metrics.shareLogFlushFailures.increment();
                LOG.warn("share window flush of {} rows failed (kept, retrying): {}", rows.size(), e.toString());
                if (last) {
                    try {
                        Thread.sleep(200L << i);
                    } catch (InterruptedException ie) {
                        break;
                    }
                }
            }
        }
        if (last) {
            LOG.error("share windows NOT written at shutdown: {} rows, {} shares", rows.size(), shares);
        }
    }

    /** Stops accepting work, drains the queues and writes everything; returns when done or after the deadline. */
    public void close(Duration deadline) {
        closing = true;
        try {
            writer.join(deadline.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            LOG.error("share log did not finish flushing within {}", deadline);
            writer.interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(20));
    }
}
