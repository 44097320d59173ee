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
 * Updated from every event loop (lock-free adders); at most {@code maxAddresses} addresses are
 * tracked (new ones beyond that are not tracked; the ledger still credits them).
 */
public final class MinerStats {
    static final int WINDOW_MINUTES = 10;
    private static final double TWO_POW_32 = 4294967296.0;

    private final InstantSource clock;
    private final int maxAddresses;
    private final ConcurrentHashMap<String, Map<String, Worker>> byAddress = new ConcurrentHashMap<>();
    private final Buckets pool = new Buckets();

    public MinerStats(InstantSource clock, int maxAddresses) {
        this.clock = clock;
        this.maxAddresses = maxAddresses;
    }

    /** Work of one worker. */
    static final class Worker {
        final LongAdder accepted = new LongAdder();
        final LongAdder rejected = new LongAdder();
        volatile long lastShareMs;
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

    private Worker worker(String address, String worker) {
        Map<String, Worker> workers = byAddress.get(address);
        if (workers == null) {
            if (byAddress.size() >= maxAddresses) {
                return null;
            }
            workers = byAddress.computeIfAbsent(address, a -> new ConcurrentHashMap<>());
        }
        return workers.computeIfAbsent(worker, w -> new Worker());
    }

    public void accepted(String address, String worker, double difficulty) {
        long now = clock.millis();
        pool.add(now, difficulty);
        Worker w = worker(address, worker);
        if (w != null) {
            w.accepted.increment();
            w.lastShareMs = now;
            w.work.add(now, difficulty);
        }
    }

    public void rejected(String address, String worker) {
        Worker w = worker(address, worker);
        if (w != null) {
            w.rejected.increment();
        }
    }

    /** Pool hashrate estimate (H/s) from accepted work of the last minutes. */
    public double poolHashrateHps() {
        return pool.hashrate(clock.millis());
    }

    public int trackedAddresses() {
        return byAddress.size();
    }

    /** The JSON body of /v1/miners/{address}, or null when the address never submitted a share here. */
    public Map<String, Object> describe(String address) {
        Map<String, Worker> workers = byAddress.get(address);
        if (workers == null) {
            return null;
        }
        long now = clock.millis();
        Map<String, Object> ws = new TreeMap<>();
        double total = 0;
        long acc = 0;
        long rej = 0;
        long last = 0;
        for (Map.Entry<String, Worker> e : workers.entrySet()) {
            Worker w = e.getValue();
            double h = w.work.hashrate(now);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("hashrate_hps", h);
            m.put("accepted_shares", w.accepted.sum());
            m.put("rejected_shares", w.rejected.sum());
            m.put("last_share_ms", w.lastShareMs);
            ws.put(e.getKey().isEmpty() ? "(default)" : e.getKey(), m);
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
