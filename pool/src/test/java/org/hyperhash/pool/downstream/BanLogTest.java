package org.hyperhash.pool.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Bans are logged at INFO (they were DEBUG only), rate-limited so a flood of addresses cannot flood the log. */
class BanLogTest {
    @Test
    void bansLoggedAtInfoRateLimitedWithASummary() throws Exception {
        ManualClock clock = ManualClock.ofEpochSecond(1_700_000_000L);
        PoolMetrics metrics = new PoolMetrics(new SimpleMeterRegistry());
        AbuseGuard g = new AbuseGuard(new PoolConfig.Limits(100, 10, 10, 5, 3, Duration.ofSeconds(60),
                Duration.ofMinutes(10), 64), clock, metrics);
        Logger log = (Logger) LoggerFactory.getLogger(org.hyperhash.daemon.ConnectionGuard.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        log.addAppender(logs);
        try {
            for (int i = 0; i < 3; i++) {
                g.violation(InetAddress.getByName("10.9.0.1"));
            }
            assertEquals(1, logs.list.size());
            ILoggingEvent e = logs.list.getFirst();
            assertEquals(Level.INFO, e.getLevel());
            assertTrue(e.getFormattedMessage().startsWith("banned 10.9.0.1 for PT10M (3 protocol violations)"),
                    e.getFormattedMessage());
            for (int i = 0; i < 100; i++) {
                g.ban(InetAddress.getByName("10.8.0." + i));
            }
            assertEquals(org.hyperhash.daemon.ConnectionGuard.BAN_LOG_LINES_PER_MINUTE, logs.list.size(), "at most 20 lines a minute");
            assertEquals(101.0, metrics.bans.count(), "every ban is counted");
            clock.advance(Duration.ofMinutes(1));
            g.ban(InetAddress.getByName("10.7.0.1"));
            assertTrue(logs.list.stream().anyMatch(x -> x.getFormattedMessage()
                    .equals("81 more bans in the previous minute were not logged (every ban is counted in the bans metric)")));
        } finally {
            log.detachAppender(logs);
        }
    }
}
