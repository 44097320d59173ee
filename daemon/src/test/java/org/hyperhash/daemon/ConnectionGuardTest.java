package org.hyperhash.daemon;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConnectionGuardTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void allowlistCapsViolationsAndBansWithExpiry() throws Exception {
        ConnectionGuard g = new ConnectionGuard(new ConnectionGuard.Limits(3, 2, 2, Duration.ofMinutes(1),
                Duration.ofMinutes(5), 64, List.of(ConnectionGuard.Cidr.parse("10.0.0.0/8"),
                        ConnectionGuard.Cidr.parse("2001:db8::/32"))), clock, ConnectionGuard.Events.NONE);
        assertEquals(ConnectionGuard.Admission.NOT_ALLOWED, g.admit(ip("192.0.2.1")));
        assertEquals(ConnectionGuard.Admission.OK, g.admit(ip("::ffff:10.1.2.3"))); // v4-mapped counts as v4
        assertEquals(ConnectionGuard.Admission.OK, g.admit(ip("10.1.2.3")));
        assertEquals(ConnectionGuard.Admission.MAX_CONNECTIONS_PER_IP, g.admit(ip("10.1.2.3")));
        assertEquals(ConnectionGuard.Admission.OK, g.admit(ip("2001:db8::1")));
        assertEquals(ConnectionGuard.Admission.MAX_CONNECTIONS, g.admit(ip("10.9.9.9")));
        g.release(ip("2001:db8::1"));

        assertFalse(g.violation(ip("10.9.9.9")));
        assertTrue(g.violation(ip("10.9.9.9")), "the second violation in the window bans");
        assertEquals(ConnectionGuard.Admission.BANNED, g.admit(ip("10.9.9.9")));
        assertEquals(1, g.activeBans());
        now.addAndGet(Duration.ofMinutes(5).toMillis());
        assertEquals(ConnectionGuard.Admission.OK, g.admit(ip("10.9.9.9")), "the ban expired");
        assertEquals(0, g.activeBans());
    }

    @Test
    void ipv6CountsPerPrefix() throws Exception {
        ConnectionGuard g = new ConnectionGuard(new ConnectionGuard.Limits(10, 1, 1, Duration.ofMinutes(1),
                Duration.ofMinutes(5), 64, List.of()), clock, ConnectionGuard.Events.NONE);
        assertEquals(ConnectionGuard.Admission.OK, g.admit(ip("2001:db8:1:2::1")));
        assertEquals(ConnectionGuard.Admission.MAX_CONNECTIONS_PER_IP, g.admit(ip("2001:db8:1:2::ffff")));
        assertEquals(ConnectionGuard.Admission.OK, g.admit(ip("2001:db8:1:3::1")));
    }

    @Test
    void cidrParsingRefusesHostNamesAndBadPrefixes() {
        assertThrows(IllegalArgumentException.class, () -> ConnectionGuard.Cidr.parse("example.com"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionGuard.Cidr.parse("10.0.0.0/33"));
        assertEquals("10.0.0.0/8", ConnectionGuard.Cidr.parse("10.20.30.40/8").toString());
    }
}
