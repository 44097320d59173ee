package org.hyperhash.sv2.tdp;

import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class EndpointSelectorTest {
    private final ManualClock clock = ManualClock.ofEpochSecond(1_000);
    private final TdpEndpoint a = new TdpEndpoint("10.0.0.1", 8442, null);
    private final TdpEndpoint b = new TdpEndpoint("10.0.0.2", 8442, null);
    private final EndpointSelector s = new EndpointSelector(List.of(a, b), clock, Duration.ofSeconds(1), Duration.ofSeconds(8),
            Duration.ofSeconds(60));

    @Test
    void failsOverThenBacksOffExponentiallyAndNeverBans() {
        assertEquals(a, s.next());
        s.failed(a);
        assertEquals(Duration.ZERO, s.delayBeforeNextAttempt()); // straight to the second TP
        assertEquals(b, s.next());
        s.failed(b);
        assertEquals(Duration.ofSeconds(1), s.delayBeforeNextAttempt());
        // both cooling down: the one whose cooldown ends first (a) is still tried, not banned
        assertEquals(a, s.next());
        clock.advance(Duration.ofSeconds(1));
        s.failed(a);
        assertEquals(Duration.ofSeconds(2), s.delayBeforeNextAttempt());
        assertEquals(b, s.next());
        s.failed(b);
        s.failed(a);
        s.failed(b);
        assertEquals(Duration.ofSeconds(8), s.delayBeforeNextAttempt()); // capped
        clock.advance(Duration.ofSeconds(62));
        assertEquals(a, s.next()); // cooldown over: back to the preferred order
    }

    @Test
    void successResetsBackoffAndCooldown() {
        s.failed(a);
        s.failed(b);
        s.succeeded(b);
        assertEquals(Duration.ZERO, s.delayBeforeNextAttempt());
        assertEquals(b, s.next()); // a still cooling down
        clock.advance(Duration.ofSeconds(60));
        assertEquals(a, s.next());
    }

    @Test
    void endpointValidation() {
        assertThrows(IllegalArgumentException.class, () -> new TdpEndpoint("", 1, null));
        assertThrows(IllegalArgumentException.class, () -> new TdpEndpoint("h", 70000, null));
        assertEquals("[::1]:8442", new TdpEndpoint("::1", 8442, " ").address());
        assertThrows(IllegalArgumentException.class, () -> new EndpointSelector(List.of(), clock, Duration.ZERO, Duration.ZERO, Duration.ZERO));
    }

    @Test
    void probesPreferredEndpointsOnlyAfterTheirCooldown() {
        TdpEndpoint c = new TdpEndpoint("10.0.0.3", 8442, null);
        EndpointSelector sel = new EndpointSelector(List.of(a, b, c), clock, Duration.ofSeconds(1), Duration.ofSeconds(8),
                Duration.ofSeconds(60));
        assertEquals(null, sel.untilPreferredAvailable(a)); // nothing is preferred over the first
        assertEquals(Duration.ZERO, sel.untilPreferredAvailable(c));
        sel.failed(a);
        sel.failed(b);
        sel.succeeded(c);
        assertEquals(null, sel.preferredOver(c));
        assertEquals(Duration.ofSeconds(60), sel.untilPreferredAvailable(c));
        clock.advance(Duration.ofSeconds(10));
        sel.failed(b); // b's cooldown restarts
        assertEquals(Duration.ofSeconds(50), sel.untilPreferredAvailable(c));
        clock.advance(Duration.ofSeconds(50));
        assertEquals(a, sel.preferredOver(c));
        assertEquals(null, sel.preferredOver(a));
        // a failed probe cools the endpoint down again without growing the backoff of the active session
        sel.succeeded(c);
        sel.probeFailed(a);
        assertEquals(0, sel.consecutiveFailures());
        assertEquals(Duration.ZERO, sel.delayBeforeNextAttempt());
        assertEquals(null, sel.preferredOver(c));
        assertEquals(Duration.ofSeconds(10), sel.untilPreferredAvailable(c)); // b's cooldown ends first
    }
}
