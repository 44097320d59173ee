package org.hyperhash.web;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/**
 * Rendered responses by request key (path and normalised query) for {@code ttl}: a burst of requests for one page
 * costs one ledger read, and concurrent misses of one key wait for the same computation. At most
 * {@code maxEntries} keys: when full, expired entries are dropped, then everything (a cold cache is only slower).
 */
final class ResponseCache {
    record Entry(int status, String contentType, byte[] body, long expiresNanos) {
    }

    private final long ttlNanos;
    private final int maxEntries;
    private final ConcurrentHashMap<String, CompletableFuture<Entry>> map = new ConcurrentHashMap<>();

    ResponseCache(java.time.Duration ttl, int maxEntries) {
        this.ttlNanos = ttl.toNanos();
        this.maxEntries = maxEntries;
    }

    Entry get(String key, long nowNanos, Supplier<Entry> compute) {
        if (ttlNanos == 0) {
            return compute.get();
        }
        while (true) {
            CompletableFuture<Entry> f = map.get(key);
            if (f == null) {
                if (map.size() >= maxEntries) {
                    map.values().removeIf(e -> e.isDone() && (e.isCompletedExceptionally() || e.join().expiresNanos() - nowNanos <= 0));
                    if (map.size() >= maxEntries) {
                        map.clear();
                    }
                }
                CompletableFuture<Entry> mine = new CompletableFuture<>();
                f = map.putIfAbsent(key, mine);
                if (f == null) {
                    try {
                        Entry e = compute.get();
                        mine.complete(e);
                        if (e.status() >= 500) {
                            map.remove(key, mine);
                        }
                        return e;
                    } catch (RuntimeException | Error e) {
                        map.remove(key, mine);
                        mine.completeExceptionally(e);
                        throw e;
                    }
                }
            }
            Entry e;
            try {
                e = f.get();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", ie);
            } catch (ExecutionException ee) {
                // the computation this request waited on failed: compute again (the failed entry is gone)
                continue;
            }
            if (e.expiresNanos() - nowNanos > 0) {
                return e;
            }
            map.remove(key, f);
        }
    }

    long ttlNanos() {
        return ttlNanos;
    }

    int size() {
        return map.size();
    }
}
