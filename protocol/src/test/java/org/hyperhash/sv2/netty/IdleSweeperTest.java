package org.hyperhash.sv2.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class IdleSweeperTest {
    /** A member that records its timeout and, like the pool's DownstreamHandler, is removed again by its close. */
    static final class FakeMember implements IdleSweeper.Member {
        final String name;
        volatile long lastRead;
        int slot = -1;
        volatile int timeouts;
        final CountDownLatch closed = new CountDownLatch(1);
        Runnable onTimeout = () -> { };

        FakeMember(String name, long lastRead) {
            this.name = name;
            this.lastRead = lastRead;
        }

        @Override
        public long lastReadNanos() {
            return lastRead;
        }

        @Override
        public int idleSlot() {
            return slot;
        }

        @Override
        public void idleSlot(int s) {
            slot = s;
        }

        @Override
        public void idleTimeout() {
            timeouts++;
            onTimeout.run();
            closed.countDown();
        }
    }

    private static final long SEC = 1_000_000_000L;

    @Test
    void idleMemberIsTimedOutBusyOneIsNot() {
        IdleSweeper.Loop loop = new IdleSweeper.Loop();
        FakeMember idle = new FakeMember("idle", 0);
        FakeMember busy = new FakeMember("busy", 0);
        loop.add(idle);
        loop.add(busy);
        long timeout = 10 * SEC;
        for (long now = SEC; now <= 30 * SEC; now += SEC) {
            busy.lastRead = now - SEC / 2; // reads every second
            loop.sweep(now, timeout);
        }
        assertEquals(1, idle.timeouts, "timed out exactly once");
        assertEquals(0, busy.timeouts);
        assertEquals(1, loop.size());
        assertEquals(-1, idle.slot);
        assertEquals(0, busy.slot);
    }

    @Test
    void notBeforeTheTimeout() {
        IdleSweeper.Loop loop = new IdleSweeper.Loop();
        FakeMember m = new FakeMember("m", 5 * SEC);
        loop.add(m);
        assertEquals(0, loop.sweep(15 * SEC - 1, 10 * SEC));
        assertEquals(0, m.timeouts);
        assertEquals(1, loop.sweep(15 * SEC, 10 * SEC));
        assertEquals(1, m.timeouts);
    }

    @Test
    void aReadResetsTheTimer() {
        IdleSweeper.Loop loop = new IdleSweeper.Loop();
        FakeMember m = new FakeMember("m", 0);
        loop.add(m);
        loop.sweep(9 * SEC, 10 * SEC);
        m.lastRead = 9 * SEC;
        assertEquals(0, loop.sweep(18 * SEC, 10 * SEC));
        assertEquals(1, loop.sweep(19 * SEC, 10 * SEC));
    }

    @Test
    void sweepSurvivesMembersRemovingThemselvesAndOthers() {
        IdleSweeper.Loop loop = new IdleSweeper.Loop();
        List<FakeMember> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            FakeMember m = new FakeMember("m" + i, i % 3 == 0 ? 0 : 100 * SEC); // every third one idle
            all.add(m);
            loop.add(m);
        }
        // a closing member removes itself again (as DownstreamHandler.channelInactive does), and one also closes
        // a busy neighbour (a second removal during the same sweep)
        for (FakeMember m : all) {
            m.onTimeout = () -> loop.remove(m);
        }
        FakeMember victim = all.get(1);
        all.get(0).onTimeout = () -> {
            loop.remove(all.get(0));
            loop.remove(victim);
        };
        int closed = loop.sweep(50 * SEC, 10 * SEC);
        assertEquals(67, closed);
        for (FakeMember m : all) {
            boolean shouldTimeOut = all.indexOf(m) % 3 == 0;
            assertEquals(shouldTimeOut ? 1 : 0, m.timeouts, m.name);
        }
        assertEquals(200 - 67 - 1, loop.size());
        assertEquals(-1, victim.slot);
        // every remaining member is in the slot it believes it is in
        int inSlots = 0;
        for (FakeMember m : all) {
            if (m.slot >= 0) {
                inSlots++;
                loop.remove(m);
                assertEquals(-1, m.slot);
            }
        }
        assertEquals(132, inSlots);
        assertEquals(0, loop.size());
    }

    @Test
    void removeOfAnUnknownMemberIsHarmless() {
        IdleSweeper.Loop loop = new IdleSweeper.Loop();
        FakeMember a = new FakeMember("a", 0);
        FakeMember b = new FakeMember("b", 0);
        loop.add(a);
        loop.remove(b);
        loop.remove(a);
        loop.remove(a);
        assertEquals(0, loop.size());
    }

    @Test
    void periodIsAFractionOfTheTimeoutBetween1msAnd1s() {
        assertEquals(Duration.ofSeconds(1), IdleSweeper.periodFor(Duration.ofMinutes(10)));
        assertEquals(Duration.ofMillis(125), IdleSweeper.periodFor(Duration.ofSeconds(1)));
        assertEquals(Duration.ofMillis(1), IdleSweeper.periodFor(Duration.ofMillis(2)));
    }

    /** On a real event loop with a fake clock: the loop's periodic sweep closes the idle member only. */
    @Test
    void scheduledSweepOnAnEventLoop() throws Exception {
        AtomicLong clock = new AtomicLong();
        IdleSweeper sweeper = new IdleSweeper(Duration.ofSeconds(10), Duration.ofMillis(5), clock::get);
        EventLoop loop = new DefaultEventLoop();
        try {
            FakeMember idle = new FakeMember("idle", 0);
            FakeMember busy = new FakeMember("busy", 0);
            idle.onTimeout = () -> sweeper.remove(loop, idle);
            loop.submit(() -> {
                sweeper.add(loop, idle);
                sweeper.add(loop, busy);
            }).sync();
            assertEquals(2, loop.submit(() -> sweeper.watched(loop)).get());
            // the fake clock moves 1 s per step; the busy member reads on every step, the idle one never
            for (int s = 1; s <= 12; s++) {
                long now = s * SEC;
                loop.submit(() -> busy.lastRead = now).sync();
                clock.set(now);
                Thread.sleep(10); // let a few sweeps run at this clock (no assertion on when)
            }
            assertTrue(idle.closed.await(30, TimeUnit.SECONDS), "idle member closed");
            assertEquals(0, busy.timeouts, "busy member kept");
            assertFalse(busy.closed.await(0, TimeUnit.MILLISECONDS));
            assertEquals(1, loop.submit(() -> sweeper.watched(loop)).get());
            assertEquals(1, idle.timeouts);
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
