package org.hyperhash.translator.sv1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

/** Per-source caps and bans on the SV1 port (one source used to take all 10,000 slots). */
class Sv1GuardTest {
    @Test
    void oneSourceCannotTakeEverySlot() throws Exception {
        Sv1Guard g = new Sv1Guard(new Sv1Guard.Limits(3, 0, Duration.ofMinutes(1), Duration.ofMinutes(10)),
                ManualClock.ofEpochSecond(0));
        InetAddress a = InetAddress.getByName("10.0.0.1");
        InetAddress b = InetAddress.getByName("10.0.0.2");
        for (int i = 0; i < 3; i++) {
            assertEquals(Sv1Guard.Admission.OK, g.admit(a));
        }
        assertEquals(Sv1Guard.Admission.PER_IP_LIMIT, g.admit(a));
        assertEquals(Sv1Guard.Admission.OK, g.admit(b), "another miner still gets in");
        g.release(a);
        assertEquals(Sv1Guard.Admission.OK, g.admit(a));
        assertEquals(3, g.openConnections(a));
        // an IPv6 /64 is one source
        assertEquals(Sv1Guard.Admission.OK, g.admit(InetAddress.getByName("2001:db8::1")));
        assertEquals(1, g.openConnections(InetAddress.getByName("2001:db8::ffff")));
    }

    @Test
    void problemsBanTheSourceForTheDuration() throws Exception {
        ManualClock clock = ManualClock.ofEpochSecond(0);
        Sv1Guard g = new Sv1Guard(new Sv1Guard.Limits(10, 3, Duration.ofMinutes(1), Duration.ofMinutes(10)), clock);
        InetAddress a = InetAddress.getByName("10.0.0.1");
        assertFalse(g.problem(a));
        assertFalse(g.problem(a));
        assertTrue(g.problem(a));
        assertEquals(Sv1Guard.Admission.BANNED, g.admit(a));
        clock.advance(Duration.ofMinutes(11));
        assertEquals(Sv1Guard.Admission.OK, g.admit(a));
    }
}
