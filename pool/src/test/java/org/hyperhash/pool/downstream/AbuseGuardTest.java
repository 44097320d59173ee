package org.hyperhash.pool.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.downstream.AbuseGuard.Admission;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

class AbuseGuardTest {
    private final ManualClock clock = ManualClock.ofEpochSecond(1_700_000_000L);
    private final PoolMetrics metrics = new PoolMetrics(new SimpleMeterRegistry());

    private AbuseGuard guard(int max, int perIp, Duration banDuration) {
        return guard(max, perIp, banDuration, 64);
    }

    private AbuseGuard guard(int max, int perIp, Duration banDuration, int ipv6Prefix) {
        return new AbuseGuard(new PoolConfig.Limits(max, perIp, 10, 5, 3, Duration.ofSeconds(60), banDuration,
                ipv6Prefix), clock, metrics);
    }

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void globalAndPerIpLimitsAndRelease() throws Exception {
        AbuseGuard g = guard(3, 2, Duration.ofMinutes(10));
        InetAddress a = ip("10.0.0.1");
        InetAddress b = ip("10.0.0.2");
        assertEquals(Admission.OK, g.admit(a));
        assertEquals(Admission.OK, g.admit(a));
        assertEquals(Admission.MAX_CONNECTIONS_PER_IP, g.admit(a));
        assertEquals(Admission.OK, g.admit(b));
        assertEquals(Admission.MAX_CONNECTIONS, g.admit(b));
        assertEquals(3, g.connections(), "refused admissions hold no slot");
        g.release(a);
        assertEquals(Admission.OK, g.admit(a));
        g.release(a);
        g.release(a);
        g.release(b);
        assertEquals(0, g.connections());
        assertEquals(Admission.OK, g.admit(b));
        assertEquals(Admission.OK, g.admit(b));
    }

    @Test
    void bansExpire() throws Exception {
        AbuseGuard g = guard(100, 100, Duration.ofMinutes(10));
        InetAddress a = ip("10.0.0.3");
        g.ban(a);
        assertEquals(Admission.BANNED, g.admit(a));
        assertEquals(1, g.activeBans());
        assertEquals(1, metrics.bannedIps.get());
        assertEquals(Admission.OK, g.admit(ip("10.0.0.4")), "other IPs unaffected");
        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        assertTrue(g.isBanned(a));
        clock.advance(Duration.ofSeconds(1));
        assertFalse(g.isBanned(a), "expired");
        assertEquals(Admission.OK, g.admit(a));
        assertEquals(0, g.activeBans());
        assertEquals(0, metrics.bannedIps.get());
        assertEquals(1, metrics.bans.count());
    }

    @Test
    void violationsBanWithinTheWindowOnly() throws Exception {
        AbuseGuard g = guard(100, 100, Duration.ofMinutes(1));
        InetAddress a = ip("10.0.0.5");
        assertFalse(g.violation(a));
        assertFalse(g.violation(a));
        clock.advance(Duration.ofSeconds(61)); // window over: counting restarts
        assertFalse(g.violation(a));
        assertFalse(g.violation(a));
        assertFalse(g.isBanned(a));
        assertTrue(g.violation(a), "third within the window bans");
        assertTrue(g.isBanned(a));
        clock.advance(Duration.ofMinutes(1));
        assertFalse(g.isBanned(a));
        assertFalse(g.violation(a), "counting starts over after a ban");
    }

    @Test
    void zeroDurationNeverBans() throws Exception {
        AbuseGuard g = guard(100, 100, Duration.ZERO);
        InetAddress a = ip("10.0.0.6");
        g.ban(a);
        assertFalse(g.isBanned(a));
        assertEquals(0, metrics.bans.count());
    }

    @Test
    void banTableIsBounded() throws Exception {
        AbuseGuard g = guard(100, 100, Duration.ofMinutes(1));
        for (int i = 0; i < AbuseGuard.MAX_BANNED + 10; i++) {
            g.ban(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i}));
        }
        assertEquals(AbuseGuard.MAX_BANNED, g.activeBans());
        clock.advance(Duration.ofMinutes(2));
        g.ban(ip("10.200.0.1")); // a full table of expired bans is purged
        assertEquals(1, g.activeBans());
        assertEquals(1, metrics.bannedIps.get());
    }

    @Test
    void ipv6ClientsCountByTheirSlash64() throws Exception {
        AbuseGuard g = guard(100, 2, Duration.ofMinutes(10));
        assertEquals(Admission.OK, g.admit(ip("2001:db8:1:2::1")));
        assertEquals(Admission.OK, g.admit(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
        assertEquals(Admission.MAX_CONNECTIONS_PER_IP, g.admit(ip("2001:db8:1:2:ffff::9")),
                "a third address of the same /64 shares its limit");
        assertEquals(Admission.OK, g.admit(ip("2001:db8:1:3::1")), "the next /64 is another client");
        g.release(ip("2001:db8:1:2::77"));
        assertEquals(Admission.OK, g.admit(ip("2001:db8:1:2::78")), "release frees the prefix's slot");

        g.ban(ip("2001:db8:1:2::1"));
        assertTrue(g.isBanned(ip("2001:db8:1:2:dead:beef:0:1")), "rotating inside the /64 does not escape a ban");
        assertFalse(g.isBanned(ip("2001:db8:1:3::1")));
        assertEquals(1, g.activeBans());
    }

    @Test
    void sourceKeyMasksIpv6ToTheConfiguredPrefixAndKeepsIpv4() throws Exception {
        AbuseGuard g48 = guard(100, 2, Duration.ofMinutes(10), 48);
        assertEquals(ip("2001:db8:1::"), g48.sourceKey(ip("2001:db8:1:ffff:1:2:3:4")));
        AbuseGuard g56 = guard(100, 2, Duration.ofMinutes(10), 56);
        assertEquals(ip("2001:db8:1:2200::"), g56.sourceKey(ip("2001:db8:1:22ff:1:2:3:4")));
        AbuseGuard g60 = guard(100, 2, Duration.ofMinutes(10), 60);
        assertEquals(ip("2001:db8:1:2220::"), g60.sourceKey(ip("2001:db8:1:222f:1:2:3:4")), "a prefix inside a byte");
        AbuseGuard g128 = guard(100, 2, Duration.ofMinutes(10), 128);
        assertEquals(ip("2001:db8::1:2:3:4"), g128.sourceKey(ip("2001:db8::1:2:3:4")));
        AbuseGuard g = guard(100, 2, Duration.ofMinutes(10));
        assertEquals(ip("192.0.2.7"), g.sourceKey(ip("192.0.2.7")));
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[15] = 7;
        mapped[14] = 2;
        assertEquals(ip("192.0.2.7"), g.sourceKey(java.net.Inet6Address.getByAddress(null, mapped, -1)),
                "an IPv4-mapped address is its IPv4 client, not a /64 of ::ffff:0:0");
        g.ban(ip("192.0.2.7"));
        assertFalse(g.isBanned(ip("192.0.2.8")), "IPv4 bans stay per address");
    }
}
