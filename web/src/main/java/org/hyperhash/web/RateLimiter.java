package org.hyperhash.web;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-IP token buckets (sustained {@code perSecond}, burst {@code burst}), for at most {@code maxTracked} IPs:
 * past that, buckets idle long enough to be full again are dropped, and if none are, new IPs share one overflow
 * bucket (so a flood of addresses cannot grow the map, and cannot starve the IPs already tracked).
 */
final class RateLimiter {
    private final double perSecond;
    private final double burst;
    private final int maxTracked;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Bucket overflow;

    private static final class Bucket {
        double tokens;
        long lastNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.lastNanos = now;
        }
    }

    RateLimiter(double perSecond, int burst, int maxTracked) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxTracked = maxTracked;
        this.overflow = new Bucket(burst, System.nanoTime());
    }

    /** Takes one token for {@code ip}; returns 0 when allowed, else the seconds to wait (for Retry-After). */
    long acquire(String ip, long nowNanos) {
        Bucket b = buckets.get(ip);
        if (b == null) {
            if (buckets.size() >= maxTracked) {
                evictFull(nowNanos);
            }
            b = buckets.size() >= maxTracked ? overflow : buckets.computeIfAbsent(ip, k -> new Bucket(burst, nowNanos));
        }
        synchronized (b) {
            double elapsed = Math.max(0, nowNanos - b.lastNanos) / 1e9;
            b.tokens = Math.min(burst, b.tokens + elapsed * perSecond);
            b.lastNanos = nowNanos;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / perSecond));
        }
    }

    private void evictFull(long nowNanos) {
        long refillNanos = (long) (burst / perSecond * 1e9);
        buckets.entrySet().removeIf(e -> nowNanos - e.getValue().lastNanos >= refillNanos);
    }

    int tracked() {
        return buckets.size();
    }
}
