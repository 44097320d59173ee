package org.hyperhash.pool.upstream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UpstreamHealthTest {
    private final ManualClock clock = ManualClock.ofEpochSecond(1_800_000_000L);
    private final UpstreamHealth health = new UpstreamHealth(clock, Duration.ofSeconds(30), Duration.ofMinutes(60),
            new SimpleMeterRegistry());

    /** A source that records what the pool sends and lets the test play the TP. */
    private static final class FakeSource implements TemplateSource {
        TdpListener listener;
        final List<SubmitSolution> solutions = new ArrayList<>();

        @Override
        public void start(TdpListener l, CoinbaseOutputConstraints c) {
            listener = l;
        }

        @Override
        public boolean connected() {
            return true;
        }

        @Override
        public boolean submitSolution(SubmitSolution s) {
            solutions.add(s);
            return true;
        }

        @Override
        public CompletableFuture<org.hyperhash.sv2.tdp.TransactionDataResult> requestTransactionData(long id) {
            return TemplateSource.super.requestTransactionData(id);
        }

        @Override
        public String describe() {
            return "fake";
        }

        @Override
        public void close() {
        }
    }

    private static final SubmitSolution SOLUTION = new SubmitSolution(7, 0x20000000, 1, 2, Bytes.fromHex("00"));
    private static final SetNewPrevHash TIP = new SetNewPrevHash(8, Hash256.ZERO, 1, 0x207fffff, org.hyperhash.base.Target.MAX);

    @Test
    void aSolutionTheTpDoesNotFollowWithANewTipTurnsReadinessRedUntilOneIsFollowed() {
        FakeSource tp = new FakeSource();
        TemplateSource s = health.wrap(tp);
        List<Object> seen = new ArrayList<>();
        s.start(new TdpListener() {
            @Override
            public void onNewTemplate(NewTemplate t) {
                seen.add(t);
            }

            @Override
            public void onSetNewPrevHash(SetNewPrevHash p) {
                seen.add(p);
            }
        }, new CoinbaseOutputConstraints(0, java.util.OptionalInt.of(0)));

        assertTrue(s.submitSolution(SOLUTION));
        assertEquals(List.of(SOLUTION), tp.solutions);
        clock.advance(Duration.ofSeconds(29));
        assertTrue(health.solutionsAccepted(), "still within the timeout");
        clock.advance(Duration.ofSeconds(2));
        assertFalse(health.solutionsAccepted(), "refused: no new tip after the SubmitSolution");
        assertEquals(1.0, health.unconfirmedCount());
        tp.listener.onSetNewPrevHash(TIP); // another miner's block: not ours, stays red
        assertFalse(health.solutionsAccepted());
        assertEquals(List.of(TIP), seen, "events still reach the pool");

        s.submitSolution(SOLUTION);
        clock.advance(Duration.ofSeconds(1));
        tp.listener.onSetNewPrevHash(TIP); // the TP acted on it
        assertTrue(health.solutionsAccepted());
        assertEquals(1.0, health.unconfirmedCount());
    }

    @Test
    void aNewSessionClearsTheRefusal() {
        FakeSource tp = new FakeSource();
        TemplateSource s = health.wrap(tp);
        s.start(new TdpListener() {
            @Override
            public void onNewTemplate(NewTemplate t) {
            }

            @Override
            public void onSetNewPrevHash(SetNewPrevHash p) {
            }
        }, new CoinbaseOutputConstraints(0, java.util.OptionalInt.of(0)));
        s.submitSolution(SOLUTION);
        clock.advance(Duration.ofMinutes(1));
        assertFalse(health.solutionsAccepted());
        tp.listener.onConnected(new TdpEndpoint("127.0.0.1", 1, null));
        assertTrue(health.solutionsAccepted());
    }

    @Test
    void templateSilenceTurnsReadinessRedAndZeroTurnsTheCheckOff() {
        assertTrue(health.templatesFresh());
        clock.advance(Duration.ofMinutes(61));
        assertFalse(health.templatesFresh());
        health.templateReceived();
        assertTrue(health.templatesFresh());

        UpstreamHealth off = new UpstreamHealth(clock, Duration.ofSeconds(30), Duration.ZERO, new SimpleMeterRegistry());
        clock.advance(Duration.ofDays(2));
        assertTrue(off.templatesFresh());
    }
}
