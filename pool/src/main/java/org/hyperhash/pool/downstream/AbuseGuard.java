package org.hyperhash.pool.downstream;

import java.net.InetAddress;
import java.time.InstantSource;
import java.util.List;
import org.hyperhash.daemon.ConnectionGuard;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;

/**
 * The mining port's connection admission (global and per-IP limits) and IP bans with expiry: the shared
 * {@link ConnectionGuard} (the template provider's TDP port uses the same one) configured from the pool's
 * {@code limits.*} and reporting to {@link PoolMetrics}. Thread-safe; cold path.
 */
public final class AbuseGuard {
    /** Most IPs banned at once (bounds memory under a flood of distinct addresses). */
    public static final int MAX_BANNED = ConnectionGuard.MAX_BANNED;

    private final ConnectionGuard guard;

    public AbuseGuard(PoolConfig.Limits limits, InstantSource clock, PoolMetrics metrics) {
        this.guard = new ConnectionGuard(new ConnectionGuard.Limits(limits.maxConnections(), limits.maxConnectionsPerIp(),
                limits.banProtocolViolations(), limits.banWindow(), limits.banDuration(), limits.ipv6PrefixLength(),
                List.of()), clock, new ConnectionGuard.Events() {
                    @Override
                    public void banned() {
                        metrics.bans.increment();
                    }

                    @Override
                    public void banRefused() {
                        metrics.bansRefused.increment();
                    }

                    @Override
                    public void bannedChanged(int delta) {
                        metrics.bannedIps.addAndGet(delta);
                    }
                });
    }

    /** Admission verdict. */
    public enum Admission { OK, BANNED, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_IP }

    /** Tries to admit a connection; on OK the caller must call {@link #release} when it closes. */
    public Admission admit(InetAddress addr) {
        return switch (guard.admit(addr)) {
            case OK -> Admission.OK;
            case BANNED, NOT_ALLOWED -> Admission.BANNED; // the pool has no allowlist
            case MAX_CONNECTIONS -> Admission.MAX_CONNECTIONS;
            case MAX_CONNECTIONS_PER_IP -> Admission.MAX_CONNECTIONS_PER_IP;
        };
    }

    public void release(InetAddress addr) {
        guard.release(addr);
    }

    public boolean isBanned(InetAddress addr) {
        return guard.isBanned(addr);
    }

    /** Bans {@code addr} for {@code limits.ban.duration} (see {@link ConnectionGuard#ban}). */
    public void ban(InetAddress addr) {
        guard.ban(addr);
    }

    /** Records a protocol violation; bans (and returns true) at {@code limits.ban.protocol-violations} in the window. */
    public boolean violation(InetAddress addr) {
        return guard.violation(addr);
    }

    public int connections() {
        return guard.connections();
    }

    public int activeBans() {
        return guard.activeBans();
    }

    /** See {@link ConnectionGuard#sourceKey}. */
    public InetAddress sourceKey(InetAddress addr) {
        return guard.sourceKey(addr);
    }
}
