package org.hyperhash.daemon;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogLimiterTest {
    @Test
    void onePerPatternPerIntervalWithTheCountOfWhatWasHeldBack() {
        Logger logger = (Logger) LoggerFactory.getLogger("LogLimiterTest." + System.nanoTime());
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        AtomicLong now = new AtomicLong(1_000);
        LogLimiter limiter = new LogLimiter(logger, Duration.ofSeconds(10), now::get);

        for (int i = 0; i < 20_000; i++) {
            limiter.warn("bogus", "bad solution {} from {}", i, "peer");
        }
        limiter.warn("other", "a different pattern {}", 1);
        assertEquals(2, lines.list.size(), "one line per pattern");
        assertEquals("bad solution 0 from peer", lines.list.get(0).getFormattedMessage());
        assertEquals(19_999, limiter.suppressed("bogus"));

        now.addAndGet(Duration.ofSeconds(10).toNanos());
        limiter.warn("bogus", "bad solution {} from {}", 20_000, "peer");
        assertEquals(3, lines.list.size());
        assertEquals("bad solution 20000 from peer [and 19999 more like this in the last 10 s]",
                lines.list.get(2).getFormattedMessage());
        assertEquals(0, limiter.suppressed("bogus"));
    }

    @Test
    void patternTableIsBounded() {
        Logger logger = (Logger) LoggerFactory.getLogger("LogLimiterTest.bounded." + System.nanoTime());
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        LogLimiter limiter = new LogLimiter(logger, Duration.ofSeconds(10), () -> 5);
        for (int i = 0; i < 10_000; i++) {
            limiter.error("p" + i, "line {}", i);
        }
        assertTrue(lines.list.size() <= LogLimiter.MAX_PATTERNS + 1, "at most one line per tracked pattern + overflow");
    }
}
