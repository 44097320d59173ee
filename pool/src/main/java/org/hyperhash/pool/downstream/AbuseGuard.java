package org.hyperhash.pool.downstream;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
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
 *
 * <p>Every limit and ban keys on the client's {@link #sourceKey source key}: an IPv4 address as is, an IPv6
 * address masked to its {@code limits.ipv6-prefix-length} network (default /64), so that a host rotating
 * addresses inside its own prefix neither escapes a ban nor multiplies its per-IP allowance.
 */
public final class AbuseGuard {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AbuseGuard.class);
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
    public Admission admit(InetAddress addr) {
        InetAddress ip = sourceKey(addr);
        if (bannedKey(ip)) {
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

    public void release(InetAddress addr) {
        InetAddress ip = sourceKey(addr);
        total.decrementAndGet();
        perIp.computeIfPresent(ip, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public boolean isBanned(InetAddress addr) {
        return bannedKey(sourceKey(addr));
    }

    private boolean bannedKey(InetAddress ip) {
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
    public void ban(InetAddress addr) {
        banKey(sourceKey(addr), "invalid shares");
    }

    /** Ban log lines per minute; beyond that one line per minute says how many were not logged. */
    static final int BAN_LOG_LINES_PER_MINUTE = 20;
    private final Object banLogLock = new Object();
    private long banLogMinute = Long.MIN_VALUE;
    private int banLogLines;
    private int banLogSuppressed;

    /** INFO line for a ban, rate-limited so a flood of distinct IPs cannot flood the log. */
    private void logBan(InetAddress ip, String reason, Duration d, long now) {
        long minute = now / 60_000;
        int suppressedBefore = 0;
        boolean log;
        synchronized (banLogLock) {
            if (minute != banLogMinute) {
                suppressedBefore = banLogSuppressed;
                banLogMinute = minute;
                banLogLines = 0;
                banLogSuppressed = 0;
            }
            log = banLogLines < BAN_LOG_LINES_PER_MINUTE;
            if (log) {
                banLogLines++;
            } else {
                banLogSuppressed++;
            }
        }
        if (suppressedBefore > 0) {
            LOG.info("{} more bans in the previous minute were not logged (see hh_pool_bans_total)", suppressedBefore);
        }
        if (log) {
            LOG.info("banned {} for {} ({})", ip.getHostAddress(), d, reason);
        }
    }

    private void banKey(InetAddress ip, String reason) {
        Duration d = limits.banDuration();
        if (d.isZero()) {
            return;
        }
        long now = clock.millis();
        if (!bannedUntilMs.containsKey(ip) && bannedUntilMs.size() >= MAX_BANNED) {
            if (now - lastPurgeMs >= 1000) {
                lastPurgeMs = now;
                bannedUntilMs.keySet().forEach(this::bannedKey);
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
        logBan(ip, reason, d, now);
    }

    /**
     * Records a protocol violation by {@code ip}; bans it (and returns true) when it reaches the
     * configured count within the window.
     */
    public boolean violation(InetAddress addr) {
        InetAddress ip = sourceKey(addr);
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
            banKey(ip, c[1] + " protocol violations");
            return true;
        }
        return false;
    }

    public int connections() {
        return total.get();
    }

    public int activeBans() {
        bannedUntilMs.keySet().forEach(this::bannedKey);
        return bannedUntilMs.size();
    }

    /**
     * The address that limits and bans count {@code addr} under: IPv4 (also IPv4-mapped IPv6) as is, other IPv6
     * addresses with every bit after the configured prefix length cleared (scope dropped).
     */
    public InetAddress sourceKey(InetAddress addr) {
        if (!(addr instanceof Inet6Address)) {
            return addr;
        }
        byte[] b = addr.getAddress();
        try {
            if (isV4Mapped(b)) {
                return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
            }
            int bits = limits.ipv6PrefixLength();
            for (int i = 0; i < 16; i++) {
                int keep = Math.max(0, Math.min(8, bits - 8 * i));
                b[i] &= (byte) (0xff00 >>> keep);
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 and 16 bytes are always valid lengths
        }
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
