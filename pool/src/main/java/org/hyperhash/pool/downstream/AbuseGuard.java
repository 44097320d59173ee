package org.hyperhash.pool.downstream;

import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;

/**
 * Connection admission (global and per-IP limits) and IP bans with expiry. Thread-safe; used
 * once per connection open/close and when a connection crosses a ban threshold (cold path).
 * Bans affect new connections only; the offending connection is closed by its handler.
 */
public final class AbuseGuard {
    private final PoolConfig.Limits limits;
    private final InstantSource clock;
    private final PoolMetrics metrics;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, Long> bannedUntilMs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, long[]> violations = new ConcurrentHashMap<>();
    private volatile long lastPurgeMs = Long.MIN_VALUE / 2;

    /** Most IPs banned at once (bounds memory under a flood of distinct addresses). */
    public static final int MAX_BANNED = 100_000;

    public AbuseGuard(PoolConfig.Limits limits, InstantSource clock, PoolMetrics metrics) {
        this.limits = limits;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Admission verdict. */
    public enum Admission { OK, BANNED, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP }

    /** Tries to admit a connection; on OK the caller must call {@link #release} when it closes. */
    public Admission admit(InetAddress ip) {
        if (isBanned(ip)) {
            return Admission.BANNED;
        }
        if (total.incrementAndGet() > limits.maxConnections()) {
            total.decrementAndGet();
            return Admission.MAX_CONNECTIONS;
        }
        AtomicInteger n = perIp.computeIfAbsent(ip, k -> new AtomicInteger());
        if (n.incrementAndGet() > limits.maxConnectionsPerIp()) {
            n.decrementAndGet();
            total.decrementAndGet();
            return Admission.MAX_CONNECTIONS_PER_IP;
        }
        return Admission.OK;
    }

    public void release(InetAddress ip) {
        total.decrementAndGet();
        perIp.computeIfPresent(ip, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public boolean isBanned(InetAddress ip) {
        Long until = bannedUntilMs.get(ip);
        if (until == null) {
            return false;
        }
        if (until <= clock.millis()) {
            if (bannedUntilMs.remove(ip, until)) {
                metrics.bannedIps.decrementAndGet();
            }
            return false;
        }
        return true;
    }

    /**
     * Bans {@code ip} for the configured duration (no-op when the duration is zero). The table holds at most
     * {@link #MAX_BANNED} IPs: when full, expired entries are purged (at most once a second) and a new IP that
     * still does not fit is not banned (its connection is closed all the same).
     */
    public void ban(InetAddress ip) {
        Duration d = limits.banDuration();
        if (d.isZero()) {
            return;
        }
        long now = clock.millis();
        if (!bannedUntilMs.containsKey(ip) && bannedUntilMs.size() >= MAX_BANNED) {
            if (now - lastPurgeMs >= 1000) {
                lastPurgeMs = now;
                bannedUntilMs.keySet().forEach(this::isBanned);
            }
            if (bannedUntilMs.size() >= MAX_BANNED) {
                metrics.bansRefused.increment();
                return;
            }
        }
        if (bannedUntilMs.put(ip, now + d.toMillis()) == null) {
            metrics.bannedIps.incrementAndGet();
        }
        metrics.bans.increment();
    }

    /**
     * Records a protocol violation by {@code ip}; bans it (and returns true) when it reaches the
     * configured count within the window.
     */
    public boolean violation(InetAddress ip) {
        long now = clock.millis();
        if (violations.size() > 100_000) {
            violations.clear(); // bounded: under a flood of distinct IPs we forget old counts
        }
        long[] c = violations.compute(ip, (k, v) -> {
            if (v == null || now - v[0] > limits.banWindow().toMillis()) {
                return new long[] {now, 1};
            }
            v[1]++;
            return v;
        });
        if (c[1] >= limits.banProtocolViolations()) {
            violations.remove(ip);
            ban(ip);
            return true;
        }
        return false;
    }

    public int connections() {
        return total.get();
    }

    public int activeBans() {
        bannedUntilMs.keySet().forEach(this::isBanned);
        return bannedUntilMs.size();
    }
}
