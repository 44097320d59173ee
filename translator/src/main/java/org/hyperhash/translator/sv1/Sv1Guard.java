package org.hyperhash.translator.sv1;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admission on the SV1 port, as the pool's AbuseGuard does it on SV2: at most {@code maxPerIp} connections per
 * source (IPv4 address, or IPv6 /64), and a ban of {@code banDuration} for a source that causes
 * {@code banProblems} connection-level problems (malformed or over-long lines, request floods) within
 * {@code banWindow}. Tables are bounded (100k sources); thread-safe (cold path: once per connection, per problem).
 */
public final class Sv1Guard {
    private static final Logger LOG = LoggerFactory.getLogger(Sv1Guard.class);
    static final int MAX_TRACKED = 100_000;

    /**
     * @param maxPerIp open SV1 connections per source
     * @param banProblems problems within {@code banWindow} that ban the source (0 = never ban)
     * @param banWindow window for counting problems
     * @param banDuration how long a ban lasts
     */
    public record Limits(int maxPerIp, int banProblems, Duration banWindow, Duration banDuration, Duration setupTimeout) {
        /** reference.conf's {@code sv1.setup-timeout}. */
        public static final Duration DEFAULT_SETUP_TIMEOUT = Duration.ofSeconds(60);

        public Limits {
            if (setupTimeout == null || setupTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("sv1.setup-timeout must be at least 1s, got " + setupTimeout);
            }
            if (maxPerIp < 1) {
                throw new IllegalArgumentException("sv1.max-connections-per-ip must be >= 1, got " + maxPerIp);
            }
            if (banProblems < 0) {
                throw new IllegalArgumentException("sv1.ban.problems must be >= 0, got " + banProblems);
            }
        }

        /** With the default setup timeout. */
        public Limits(int maxPerIp, int banProblems, Duration banWindow, Duration banDuration) {
            this(maxPerIp, banProblems, banWindow, banDuration, DEFAULT_SETUP_TIMEOUT);
        }

        /**
         * 1,000 per source (a farm behind one NAT), ban after 20 problems in a minute for 10 minutes, subscribe and
         * authorize within a minute of connecting.
         */
        public static Limits defaults() {
            return new Limits(1000, 20, Duration.ofMinutes(1), Duration.ofMinutes(10));
        }
    }

    /** Why a connection was refused. */
    public enum Admission { OK, BANNED, PER_IP_LIMIT }

    private final Limits limits;
    private final InstantSource clock;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, long[]> problems = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, Long> bannedUntil = new ConcurrentHashMap<>();

    public Sv1Guard(Limits limits, InstantSource clock) {
        this.limits = limits;
        this.clock = clock;
    }

    public Limits limits() {
        return limits;
    }

    /** Admits a new connection from {@code addr} (call {@link #release} when it closes, only if OK). */
    public Admission admit(InetAddress addr) {
        InetAddress k = key(addr);
        Long until = bannedUntil.get(k);
        if (until != null) {
            if (clock.millis() < until) {
                return Admission.BANNED;
            }
            bannedUntil.remove(k, until);
        }
        AtomicInteger n = open.computeIfAbsent(k, x -> new AtomicInteger());
        if (n.incrementAndGet() > limits.maxPerIp()) {
            n.decrementAndGet();
            return Admission.PER_IP_LIMIT;
        }
        return Admission.OK;
    }

    public void release(InetAddress addr) {
        InetAddress k = key(addr);
        AtomicInteger n = open.get(k);
        if (n != null && n.decrementAndGet() <= 0) {
            open.remove(k, n);
        }
    }

    /** A connection-level problem from {@code addr}; returns true when it banned the source. */
    public boolean problem(InetAddress addr) {
        if (limits.banProblems() == 0) {
            return false;
        }
        InetAddress k = key(addr);
        long now = clock.millis();
        if (problems.size() > MAX_TRACKED) {
            problems.clear();
        }
        long[] c = problems.compute(k, (x, v) -> {
            if (v == null || now - v[0] > limits.banWindow().toMillis()) {
                return new long[] {now, 1};
            }
            v[1]++;
            return v;
        });
        if (c[1] < limits.banProblems()) {
            return false;
        }
        problems.remove(k);
        if (bannedUntil.size() >= MAX_TRACKED) {
            bannedUntil.entrySet().removeIf(e -> e.getValue() <= now);
            if (bannedUntil.size() >= MAX_TRACKED) {
                return false;
            }
        }
        bannedUntil.put(k, now + limits.banDuration().toMillis());
        LOG.info("SV1: banned {} for {} after {} problems", k.getHostAddress(), limits.banDuration(), c[1]);
        return true;
    }

    public int openConnections(InetAddress addr) {
        AtomicInteger n = open.get(key(addr));
        return n == null ? 0 : n.get();
    }

    /** IPv4 as is; IPv6 by its /64. */
    static InetAddress key(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a;
        }
        byte[] b = a.getAddress();
        for (int i = 8; i < 16; i++) {
            b[i] = 0;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
