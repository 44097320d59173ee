package org.hyperhash.daemon;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Connection admission for a daemon's public port (pool mining port, template provider TDP port): an optional
 * allowlist of client networks, global and per-IP connection caps, protocol-violation counting and IP bans with
 * expiry. Thread-safe; used once per connection open/close and when a connection misbehaves (cold path). Bans affect
 * new connections only; the offending connection is closed by its handler.
 *
 * <p>Every limit and ban keys on the client's {@link #sourceKey source key}: an IPv4 address as is, an IPv6 address
 * masked to its {@code ipv6PrefixLength} network (default /64), so that a host rotating addresses inside its own
 * prefix neither escapes a ban nor multiplies its per-IP allowance. Every table is bounded.
 */
public final class ConnectionGuard {
    private static final org.slf4j.Logger BAN_LOG = org.slf4j.LoggerFactory.getLogger(ConnectionGuard.class);
    /** Most IPs banned at once (bounds memory under a flood of distinct addresses). */
    public static final int MAX_BANNED = 100_000;
    private static final int MAX_VIOLATION_ENTRIES = 100_000;

    /**
     * @param maxConnections open connections in total
     * @param maxConnectionsPerIp open connections per source key
     * @param banViolations violations within {@code banWindow} that ban the source
     * @param banWindow window of the violation count
     * @param banDuration ban length; zero = never ban
     * @param ipv6PrefixLength IPv6 addresses count per network of this length
     * @param allow client networks allowed to connect; empty = everyone
     */
    public record Limits(int maxConnections, int maxConnectionsPerIp, int banViolations, Duration banWindow,
            Duration banDuration, int ipv6PrefixLength, List<Cidr> allow) {
        public Limits {
            if (maxConnections < 1 || maxConnectionsPerIp < 1 || banViolations < 1) {
                throw new IllegalArgumentException("connection limits must be >= 1");
            }
            if (ipv6PrefixLength < 1 || ipv6PrefixLength > 128) {
                throw new IllegalArgumentException("ipv6-prefix-length must be 1..128, got " + ipv6PrefixLength);
            }
            if (banWindow.isNegative() || banWindow.isZero() || banDuration.isNegative()) {
                throw new IllegalArgumentException("ban window must be > 0 and ban duration >= 0");
            }
            allow = List.copyOf(allow);
        }
    }

    /** What the guard reports to the daemon's metrics. */
    public interface Events {
        /** A ban was issued (or renewed). */
        void banned();

        /** A ban was not recorded because the table was full. */
        void banRefused();

        /** The number of banned source keys changed by {@code delta}. */
        void bannedChanged(int delta);

        Events NONE = new Events() {
            @Override
            public void banned() {
            }

            @Override
            public void banRefused() {
            }

            @Override
            public void bannedChanged(int delta) {
            }
        };
    }

    /** Admission verdict. */
    public enum Admission { OK, NOT_ALLOWED, BANNED, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP }

    /** An IPv4 or IPv6 network ({@code 10.0.0.0/8}, {@code 2001:db8::/32}; a bare address is a /32 or /128). */
    public record Cidr(byte[] network, int prefixLength) {
        public static Cidr parse(String s) {
            String t = s.trim();
            int slash = t.indexOf('/');
            String host = slash < 0 ? t : t.substring(0, slash);
            if (!host.matches("[0-9A-Fa-f:.]+")) {
                throw new IllegalArgumentException("not an IP address or network: '" + s + "' (no host names)");
            }
            byte[] addr;
            try {
                addr = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address or network: '" + s + "'");
            }
            int bits = addr.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(t.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("bad prefix length in '" + s + "'");
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("prefix length of '" + s + "' must be 0.." + bits);
                }
            }
            return new Cidr(mask(addr, prefix), prefix);
        }

        public boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length == 16 && network.length == 4 && isV4Mapped(b)) {
                b = Arrays.copyOfRange(b, 12, 16);
            }
            return b.length == network.length && Arrays.equals(mask(b, prefixLength), network);
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixLength;
            } catch (UnknownHostException e) {
                return "?";
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefixLength == prefixLength && Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(network) * 31 + prefixLength;
        }
    }

    private final Limits limits;
    private final InstantSource clock;
    private final Events events;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perIp = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, Long> bannedUntilMs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, long[]> violations = new ConcurrentHashMap<>();
    private volatile long lastPurgeMs = Long.MIN_VALUE / 2;

    public ConnectionGuard(Limits limits, InstantSource clock, Events events) {
        this.limits = limits;
        this.clock = clock;
        this.events = events;
    }

    public Limits limits() {
        return limits;
    }

    /** Tries to admit a connection; on OK the caller must call {@link #release} when it closes. */
    public Admission admit(InetAddress addr) {
        if (!allowed(addr)) {
            return Admission.NOT_ALLOWED;
        }
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

    /** True when the allowlist is empty or one of its networks contains {@code addr}. */
    public boolean allowed(InetAddress addr) {
        if (limits.allow().isEmpty()) {
            return true;
        }
        for (Cidr c : limits.allow()) {
            if (c.contains(addr)) {
                return true;
            }
        }
        return false;
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
                events.bannedChanged(-1);
            }
            return false;
        }
        return true;
    }

    /**
     * Bans {@code addr} for the configured duration (no-op when the duration is zero). The table holds at most
     * {@link #MAX_BANNED} IPs: when full, expired entries are purged (at most once a second) and a new IP that
     * still does not fit is not banned (its connection is closed all the same).
     */
    public void ban(InetAddress addr) {
        banKey(sourceKey(addr), "invalid shares");
    }

    /** Ban log lines per minute; beyond that one line per minute says how many were not logged. */
    public static final int BAN_LOG_LINES_PER_MINUTE = 20;
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
            BAN_LOG.info("{} more bans in the previous minute were not logged (every ban is counted in the bans metric)",
                    suppressedBefore);
        }
        if (log) {
            BAN_LOG.info("banned {} for {} ({})", ip.getHostAddress(), d, reason);
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
                events.banRefused();
                return;
            }
        }
        if (bannedUntilMs.put(ip, now + d.toMillis()) == null) {
            events.bannedChanged(1);
        }
        events.banned();
        logBan(ip, reason, d, now);
    }

    /**
     * Records a protocol violation by {@code addr}; bans it (and returns true) when it reaches the configured count
     * within the window.
     */
    public boolean violation(InetAddress addr) {
        InetAddress ip = sourceKey(addr);
        long now = clock.millis();
        if (violations.size() > MAX_VIOLATION_ENTRIES) {
            violations.clear(); // bounded: under a flood of distinct IPs we forget old counts
        }
        long[] c = violations.compute(ip, (k, v) -> {
            if (v == null || now - v[0] > limits.banWindow().toMillis()) {
                return new long[] {now, 1};
            }
            v[1]++;
            return v;
        });
        if (c[1] >= limits.banViolations()) {
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
                return InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16));
            }
            return InetAddress.getByAddress(mask(b, limits.ipv6PrefixLength()));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // 4 and 16 bytes are always valid lengths
        }
    }

    private static byte[] mask(byte[] addr, int bits) {
        byte[] b = addr.clone();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - 8 * i));
            b[i] &= (byte) (0xff00 >>> keep);
        }
        return b;
    }

    private static boolean isV4Mapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
