package org.hyperhash.pool.share;

import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-memory per-address statistics for {@code /v1/miners/{address}} and the pool hashrate
 * estimate: accepted/rejected counts, last share, and accepted work over the last
 * {@value #WINDOW_MINUTES} minutes in one-minute buckets (hashrate = work * 2^32 / seconds).
 * Updated from every event loop (lock-free adders). Bounded: at most {@code maxAddresses} addresses,
 * {@code maxWorkersPerAddress} workers per address and {@code maxWorkers} workers in all; a worker is
 * created by an accepted share only (a rejected share for an unknown name creates nothing) and evicted
 * after {@code idleEviction} without shares. Names beyond a bound are not tracked (counted through
 * {@code onRefused}; the ledger still credits their work).
 */
public final class MinerStats {
    static final int WINDOW_MINUTES = 10;
    private static final double TWO_POW_32 = 4294967296.0;

    /** Default bounds: workers per address, workers in all, idle time before eviction. */
    public static final int DEFAULT_MAX_WORKERS_PER_ADDRESS = 1000;
    public static final int DEFAULT_MAX_WORKERS = 200_000;
    public static final java.time.Duration DEFAULT_IDLE_EVICTION = java.time.Duration.ofHours(1);
    /** Largest page of workers /v1/miners/{address} returns. */
    public static final int MAX_PAGE = 1000;

    private final InstantSource clock;
    private final int maxAddresses;
    private final int maxWorkersPerAddress;
    private final int maxWorkers;
    private final long idleEvictionMs;
    private final Runnable onRefused;
    private final java.util.concurrent.atomic.AtomicInteger workers = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong lastSweepMs = new java.util.concurrent.atomic.AtomicLong();
    private final ConcurrentHashMap<String, Map<String, Worker>> byAddress = new ConcurrentHashMap<>();
    private final Buckets pool = new Buckets();

    public MinerStats(InstantSource clock, int maxAddresses) {
        this(clock, maxAddresses, DEFAULT_MAX_WORKERS_PER_ADDRESS, DEFAULT_MAX_WORKERS, DEFAULT_IDLE_EVICTION, () -> { });
    }

    public MinerStats(InstantSource clock, int maxAddresses, int maxWorkersPerAddress, int maxWorkers,
            java.time.Duration idleEviction, Runnable onRefused) {
        this.clock = clock;
        this.maxAddresses = maxAddresses;
        this.maxWorkersPerAddress = maxWorkersPerAddress;
        this.maxWorkers = maxWorkers;
        this.idleEvictionMs = idleEviction.toMillis();
        this.onRefused = onRefused;
        this.lastSweepMs.set(clock.millis());
    }

    /** Work of one worker. */
    static final class Worker {
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        volatile long lastShareMs;
        volatile long lastSeenMs;
        final Buckets work = new Buckets();
    }

    /** One-minute buckets of difficulty (stored as fixed-point 1e-9 units in longs). */
    static final class Buckets {
        final AtomicLongArray minute = new AtomicLongArray(WINDOW_MINUTES);
        final AtomicLongArray nanoWork = new AtomicLongArray(WINDOW_MINUTES);
        /** First sample time (ms); until a whole window has passed, the rate is over the time since then. */
        volatile long firstMs = Long.MIN_VALUE;

        void add(long nowMs, double difficulty) {
            if (firstMs == Long.MIN_VALUE) {
                firstMs = nowMs;
            }
            long m = nowMs / 60_000;
            int i = (int) (m % WINDOW_MINUTES);
            long seen = minute.get(i);
            if (seen != m && minute.compareAndSet(i, seen, m)) {
                nanoWork.set(i, 0);
            }
            nanoWork.addAndGet(i, (long) Math.min(Long.MAX_VALUE / 4, difficulty * 1e9));
        }

        double hashrate(long nowMs) {
            long m = nowMs / 60_000;
            double sum = 0;
            for (int i = 0; i < WINDOW_MINUTES; i++) {
                long bm = minute.get(i);
                if (bm > m - WINDOW_MINUTES && bm <= m) {
                    sum += nanoWork.get(i) / 1e9;
                }
            }
            // the current minute is partial: divide by the time actually covered, and right after the first
            // sample by the time since then (floored at 30 s so a single early share does not read as a spike)
            double seconds = (WINDOW_MINUTES - 1) * 60.0 + (nowMs % 60_000) / 1000.0;
            long first = firstMs;
            if (first != Long.MIN_VALUE) {
                seconds = Math.min(seconds, Math.max(30.0, (nowMs - first) / 1000.0));
            }
            return sum * TWO_POW_32 / Math.max(1.0, seconds);
        }
    }

    private Worker existing(String address, String worker) {
        Map<String, Worker> ws = byAddress.get(address);
        return ws == null ? null : ws.get(worker);
    }

    private Worker worker(String address, String worker, long now) {
        Worker w = existing(address, worker);
        if (w != null) {
            return w;
        }
        if (now - lastSweepMs.get() >= 60_000) {
            evictIdle();
        }
        Map<String, Worker> ws = byAddress.get(address);
        if (ws == null) {
            if (byAddress.size() >= maxAddresses) {
                onRefused.run();
                return null;
            }
            ws = byAddress.computeIfAbsent(address, a -> new ConcurrentHashMap<>());
        }
        if (ws.size() >= maxWorkersPerAddress || workers.get() >= maxWorkers) {
            onRefused.run();
            return null;
        }
        boolean[] created = new boolean[1];
        w = ws.computeIfAbsent(worker, k -> {
            created[0] = true;
            return new Worker();
        });
        if (created[0]) {
            workers.incrementAndGet();
        }
        return w;
    }

    /** Drops workers without a share for the idle eviction time and addresses left without workers. */
    public void evictIdle() {
        long now = clock.millis();
        lastSweepMs.set(now);
        for (Map.Entry<String, Map<String, Worker>> a : byAddress.entrySet()) {
            a.getValue().entrySet().removeIf(e -> {
                boolean idle = now - e.getValue().lastSeenMs > idleEvictionMs;
                if (idle) {
                    workers.decrementAndGet();
                }
                return idle;
            });
            if (a.getValue().isEmpty()) {
                byAddress.remove(a.getKey(), a.getValue());
            }
        }
    }

    public void accepted(String address, String worker, double difficulty) {
        long now = clock.millis();
        pool.add(now, difficulty);
        Worker w = worker(address, worker, now);
        if (w != null) {
            w.accepted.increment();
            w.lastShareMs = now;
            w.lastSeenMs = now;
            w.work.add(now, difficulty);
        }
    }

    /** Counts a rejected share for a worker already tracked; an unknown name creates nothing. */
    public void rejected(String address, String worker) {
        Worker w = existing(address, worker);
        if (w != null) {
            w.rejected.increment();
            w.lastSeenMs = clock.millis();
        }
    }

    /** Workers tracked in all. */
    public int trackedWorkers() {
        return workers.get();
    }

    /** Pool hashrate estimate (H/s) from accepted work of the last minutes. */
    public double poolHashrateHps() {
        return pool.hashrate(clock.millis());
    }

    public int trackedAddresses() {
        return byAddress.size();
    }

    /** The JSON body of /v1/miners/{address} with the first {@link #MAX_PAGE} workers. */
    public Map<String, Object> describe(String address) {
        return describe(address, 0, MAX_PAGE);
    }

    /**
     * The JSON body of /v1/miners/{address}?offset=&limit=, or null when the address has no tracked worker: totals
     * over every worker, and the workers sorted by name from {@code offset}, at most {@code limit} (capped at
     * {@link #MAX_PAGE}); {@code workers_total} says how many there are.
     */
    public Map<String, Object> describe(String address, int offset, int limit) {
        Map<String, Worker> workers = byAddress.get(address);
        if (workers == null) {
            return null;
        }
        int from = Math.max(0, offset);
        int size = Math.max(0, Math.min(MAX_PAGE, limit));
        long now = clock.millis();
        TreeMap<String, Worker> sorted = new TreeMap<>(workers);
        Map<String, Object> ws = new LinkedHashMap<>();
        double total = 0;
        long acc = 0;
        long rej = 0;
        long last = 0;
        int i = 0;
        for (Map.Entry<String, Worker> e : sorted.entrySet()) {
            Worker w = e.getValue();
            double h = w.work.hashrate(now);
            if (i >= from && i < from + size) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("hashrate_hps", h);
                m.put("accepted_shares", w.accepted.sum());
                m.put("rejected_shares", w.rejected.sum());
                m.put("last_share_ms", w.lastShareMs);
                ws.put(e.getKey().isEmpty() ? "(default)" : e.getKey(), m);
            }
            i++;
            total += h;
            acc += w.accepted.sum();
            rej += w.rejected.sum();
            last = Math.max(last, w.lastShareMs);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", address);
        out.put("hashrate_hps", total);
        out.put("accepted_shares", acc);
        out.put("rejected_shares", rej);
        out.put("last_share_ms", last);
        out.put("workers_total", sorted.size());
        out.put("offset", from);
        out.put("limit", size);
        out.put("workers", ws);
        return out;
    }

    /** Addresses with at least one accepted share (for the demo's status line). */
    public java.util.List<String> creditedAddresses() {
        return byAddress.entrySet().stream()
                .filter(e -> e.getValue().values().stream().anyMatch(w -> w.accepted.sum() > 0))
                .map(Map.Entry::getKey).sorted().toList();
    }
}
