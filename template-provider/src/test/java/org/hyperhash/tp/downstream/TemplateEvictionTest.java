package org.hyperhash.tp.downstream;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.RequestTransactionData;
import org.hyperhash.sv2.message.template.RequestTransactionDataError;
import org.hyperhash.sv2.message.template.RequestTransactionDataSuccess;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetMiner;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 20 part 2: no TDP client can make the pool's templates disappear; the grace after a new tip. */
class TemplateEvictionTest {
    /** Builds and subscriptions on the caller's thread: these tests check sequences, not threads. */
    static final TemplateHub.Options DIRECT = new TemplateHub.Options(false, Runnable::run);
    private final ManualClock clock = ManualClock.ofEpochSecond(1_800_000_000L);
    private final DevnetChain chain = new DevnetChain(DevnetParams.defaults(), clock);
    private final TpMetrics metrics = TpMetrics.noop();
    private final TemplateFactory factory = new TemplateFactory(CoinbaseStyle.CORE);

    private static SetupConnection setup() {
        return new SetupConnection(2, 2, 2, 0, "127.0.0.1", 8442, "hyperhash-test", "", "", "");
    }

    private static TdpSession active(TemplateHub hub, TdpSessionTest.Recorder r, String peer, int size) {
        TdpSession s = new TdpSession(hub, r, peer);
        s.onMessage(setup());
        s.onMessage(new CoinbaseOutputConstraints(size, OptionalInt.of(5)));
        return s;
    }

    private SubmitSolution solve(NewTemplate nt, SetNewPrevHash p, int size) {
        BuiltTemplate rebuilt = factory.build(chain.getBlockTemplate(), nt.templateId(), nt.futureTemplate(),
                new OutputReservation(size, 5));
        assertEquals(nt, rebuilt.message());
        var cb = DevnetMiner.coinbaseFor(nt, Bytes.fromHex("0014" + "cd".repeat(20)), 1);
        return DevnetMiner.grind(rebuilt, cb, p.headerTimestamp(), p.target());
    }

    /**
     * The repro of the issue: a second client sends 300 CoinbaseOutputConstraints of different sizes; the pool's
     * block on its live template must still be submitted. (Before per-session stores the hub kept the last 256
     * template ids of all sessions together and this block was refused as unknown-template-id.)
     */
    @Test
    void threeHundredConstraintChangesFromAnotherClientDoNotLoseThePoolsBlock() {
        TemplateHub hub = new TemplateHub(factory, chain, metrics, 1000, null,
                TemplateHub.Limits.DEFAULT, java.time.InstantSource.system(), DIRECT);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder pool = new TdpSessionTest.Recorder();
        TdpSession poolSession = active(hub, pool, "pool", 74);
        NewTemplate nt = (NewTemplate) pool.sent.get(1);
        SetNewPrevHash p = (SetNewPrevHash) pool.sent.get(2);

        TdpSessionTest.Recorder attacker = new TdpSessionTest.Recorder();
        TdpSession evil = new TdpSession(hub, attacker, "attacker");
        evil.onMessage(setup());
        for (int i = 0; i < 300; i++) {
            evil.onMessage(new CoinbaseOutputConstraints(100 + i, OptionalInt.of(5)));
        }

        poolSession.onMessage(solve(nt, p, 74));
        hub.close(); // waits for the submission
        assertEquals(1.0, metrics.blocksSubmitted("accepted"));
        assertEquals(0.0, metrics.blocksSubmitted("unknown-template-id"));
        assertEquals(1, chain.height());
    }

    /** Even a client allowed unlimited constraint changes only ever fills (and evicts from) its own store. */
    @Test
    void aSessionOnlyEvictsItsOwnTemplates() {
        TemplateHub hub = new TemplateHub(factory, chain, metrics, 1000, null,
                new TemplateHub.Limits(8, Duration.ofSeconds(10), 4), clock, DIRECT);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder pool = new TdpSessionTest.Recorder();
        TdpSession poolSession = active(hub, pool, "pool", 74);
        NewTemplate nt = (NewTemplate) pool.sent.get(1);

        TdpSessionTest.Recorder attacker = new TdpSessionTest.Recorder();
        TdpSession evil = new TdpSession(hub, attacker, "attacker",
                new TdpSession.Limits(10_000, 10_000, 10_000, Duration.ofMinutes(1)), clock, metrics);
        evil.onMessage(setup());
        for (int i = 0; i < 300; i++) {
            evil.onMessage(new CoinbaseOutputConstraints(100 + i, OptionalInt.of(5)));
        }
        assertEquals(TdpSession.State.ACTIVE, evil.state());
        assertEquals(8, hub.keptFor(evil));
        assertEquals(292.0, metrics.templatesEvictedCount("session-limit"));
        assertEquals(1, hub.keptFor(poolSession));

        pool.sent.clear();
        poolSession.onMessage(new RequestTransactionData(nt.templateId()));
        assertInstanceOf(RequestTransactionDataSuccess.class, pool.sent.getFirst());
    }

    @Test
    void constraintChangesArePerSessionLimitedAndCounted() {
        TemplateHub hub = new TemplateHub(factory, chain, metrics, 1000, null,
                TemplateHub.Limits.DEFAULT, java.time.InstantSource.system(), DIRECT);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder attacker = new TdpSessionTest.Recorder();
        TdpSession evil = new TdpSession(hub, attacker, "attacker",
                new TdpSession.Limits(3, 10, 10, Duration.ofMinutes(1)), clock, metrics);
        evil.onMessage(setup());
        for (int i = 0; i < 10; i++) {
            evil.onMessage(new CoinbaseOutputConstraints(100 + i, OptionalInt.of(5)));
        }
        assertEquals("limit-exceeded", attacker.closedReason);
        assertEquals(TdpSession.State.CLOSED, evil.state());
        assertEquals(1.0, metrics.sessionLimitCount("constraint-changes"));
    }

    @Test
    void refusedSolutionsAreCountedAndAFloodClosesTheSession() {
        TemplateHub hub = new TemplateHub(factory, chain, metrics, 1000, null,
                TemplateHub.Limits.DEFAULT, java.time.InstantSource.system(), DIRECT);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder r = new TdpSessionTest.Recorder();
        TdpSession s = new TdpSession(hub, r, "bogus", new TdpSession.Limits(6, 10, 16, Duration.ofMinutes(1)), clock,
                metrics);
        s.onMessage(setup());
        s.onMessage(new CoinbaseOutputConstraints(74, OptionalInt.of(5)));
        for (int i = 0; i < 20_000; i++) {
            s.onMessage(new SubmitSolution(42 + i, 0x20000000, 1_800_000_000, 7, Bytes.fromHex("00")));
        }
        assertEquals(17.0, metrics.solutionsRefusedCount("unknown-template-id"));
        assertEquals("limit-exceeded", r.closedReason);
        assertEquals(1.0, metrics.sessionLimitCount("solutions"));
    }

    /**
     * After a new tip the previous tip's templates answer RequestTransactionData (with the witness reserved value as
     * excess_data) and take solutions for 10 s, then they are stale.
     */
    @Test
    void previousTipTemplatesStayUsableForTheGraceThenExpire() {
        TemplateHub hub = new TemplateHub(factory, chain, metrics, 1000, null, TemplateHub.Limits.DEFAULT, clock, DIRECT);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder pool = new TdpSessionTest.Recorder();
        TdpSession s = active(hub, pool, "pool", 74);
        NewTemplate old = (NewTemplate) pool.sent.get(1);
        boolean segwit = old.coinbaseTxOutputsCount() > 0;

        DevnetMiner.generateUnchecked(chain);
        hub.onNewTip(chain.getBlockTemplate(), System.nanoTime());
        clock.advance(Duration.ofSeconds(9));
        pool.sent.clear();
        s.onMessage(new RequestTransactionData(old.templateId()));
        RequestTransactionDataSuccess ok = assertInstanceOf(RequestTransactionDataSuccess.class, pool.sent.getFirst());
        assertEquals(segwit ? TemplateHub.WITNESS_RESERVED_VALUE : Bytes.EMPTY, ok.excessData());
        assertTrue(hub.keptFor(s) >= 2);

        clock.advance(Duration.ofSeconds(1));
        pool.sent.clear();
        s.onMessage(new RequestTransactionData(old.templateId()));
        assertEquals(new RequestTransactionDataError(old.templateId(), "template-id-not-found"), pool.sent.getFirst());
        assertEquals(1, hub.keptFor(s));
    }

    @Test
    void aClosedSessionsTemplatesServeItsReconnectionUntilTheGraceAfterTheNextTip() {
        TemplateHub hub = new TemplateHub(factory, chain, metrics, 1000, null, TemplateHub.Limits.DEFAULT, clock, DIRECT);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder first = new TdpSessionTest.Recorder();
        TdpSession s1 = active(hub, first, "pool", 74);
        NewTemplate nt = (NewTemplate) first.sent.get(1);
        SetNewPrevHash p = (SetNewPrevHash) first.sent.get(2);
        s1.closed();

        TdpSessionTest.Recorder second = new TdpSessionTest.Recorder();
        TdpSession s2 = active(hub, second, "pool", 80); // other constraints: a different template
        second.sent.clear();
        s2.onMessage(solve(nt, p, 74));
        hub.close();
        assertEquals(1.0, metrics.blocksSubmitted("accepted"));
    }

    @Test
    void submitOutcomesDistinguishAcceptedDuplicateOrphanedRejected() {
        assertEquals(TemplateHub.Outcome.ACCEPTED, TemplateHub.outcome(org.hyperhash.tp.node.SubmitResult.accepted()));
        assertEquals(TemplateHub.Outcome.DUPLICATE, TemplateHub.outcome(org.hyperhash.tp.node.SubmitResult.rejected("duplicate")));
        assertEquals(TemplateHub.Outcome.ORPHANED, TemplateHub.outcome(org.hyperhash.tp.node.SubmitResult.rejected("inconclusive")));
        assertEquals(TemplateHub.Outcome.ORPHANED,
                TemplateHub.outcome(org.hyperhash.tp.node.SubmitResult.rejected("duplicate-inconclusive")));
        assertEquals(TemplateHub.Outcome.REJECTED,
                TemplateHub.outcome(org.hyperhash.tp.node.SubmitResult.rejected("duplicate-invalid")));
        assertEquals(TemplateHub.Outcome.REJECTED, TemplateHub.outcome(org.hyperhash.tp.node.SubmitResult.rejected("high-hash")));
    }
}
