package org.hyperhash.translator;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Sv1WarmupJsonTest {

    @Test
    void runsTheRoundsAndItsLinesParse() {
        // a warm-up line that stopped parsing would throw (IllegalStateException) instead of returning
        assertEquals(300, Sv1Warmup.warmJson(300, () -> false, () -> false));
    }

    @Test
    void endsWhenMinersArriveOrTheDaemonCloses() {
        assertEquals(0, Sv1Warmup.warmJson(1_000, () -> false, () -> true));
        assertEquals(0, Sv1Warmup.warmJson(1_000, () -> true, () -> false));
        AtomicInteger checks = new AtomicInteger();
        // checked every 256 rounds: miners arriving at the third check end it after 512 rounds
        assertEquals(512, Sv1Warmup.warmJson(10_000, () -> false, () -> checks.incrementAndGet() >= 3));
    }
}
