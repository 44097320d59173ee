package org.hyperhash.tp.downstream;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.RequestTransactionDataSuccess;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetMiner;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.TemplateFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 20 part 1: the coinbase-only template sent first on a new tip ({@code template.empty-template-first}), and the
 * builder that keeps full-template builds off the path of the next tip's SetNewPrevHash. Sequences, not timings.
 */
class EmptyTemplateFirstTest {
    private static final Bytes PAYOUT = Bytes.fromHex("0014" + "ab".repeat(20));
    private final ManualClock clock = ManualClock.ofEpochSecond(1_800_000_000L);
    private final TemplateFactory factory = new TemplateFactory(CoinbaseStyle.CORE);

    /** The builder as a queue the test drains when it chooses: "a build still running" is a task not yet run. */
    private static final class QueuedBuilder implements Executor {
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable r) {
            tasks.add(r);
        }

        void runAll() {
            Runnable r;
            while ((r = poll()) != null) {
                r.run();
            }
        }

        private synchronized Runnable poll() {
            return tasks.poll();
        }

        synchronized int pending() {
            return tasks.size();
        }
    }

    private TemplateHub hub(DevnetChain chain, boolean emptyFirst, Executor builder) {
        return new TemplateHub(factory, chain, TpMetrics.noop(), 1000, null, TemplateHub.Limits.DEFAULT, clock,
                new TemplateHub.Options(emptyFirst, builder));
    }

    private static TdpSession session(TemplateHub hub, TdpSessionTest.Recorder r) {
        TdpSession s = new TdpSession(hub, r, "pool");
        s.onMessage(TdpSessionTest.setup(2, 2, 2));
        s.onMessage(TdpSessionTest.constraints(74, 16));
        return s;
    }

    /** What the session was sent after the first {@code from} messages. */
    private static List<Sv2Message> sentFrom(TdpSessionTest.Recorder r, int from) {
        synchronized (r) {
            return List.copyOf(r.sent.subList(from, r.sent.size()));
        }
    }

    @Test
    void newTipSendsTheCoinbaseOnlyPairThenTheFullTemplateAndABlockOnTheEmptyOneIsAccepted() {
        DevnetChain chain = new DevnetChain(DevnetParams.defaults(), clock);
        TemplateHub hub = hub(chain, true, Runnable::run);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder r = new TdpSessionTest.Recorder();
        TdpSession s = session(hub, r);
        // a new subscriber gets the current full template (future) + SetNewPrevHash, as before
        assertInstanceOf(SetupConnectionSuccess.class, r.sent.get(0));
        assertTrue(((NewTemplate) r.sent.get(1)).futureTemplate());
        assertFalse(((NewTemplate) r.sent.get(1)).merklePath().isEmpty());
        assertInstanceOf(SetNewPrevHash.class, r.sent.get(2));

        DevnetMiner.generateUnchecked(chain); // a block from elsewhere: height 1, a fresh mempool of 5 transactions
        BlockTemplate next = chain.getBlockTemplate();
        assertEquals(5, next.transactions().size());
        hub.onNewTip(next, 1);

        List<Sv2Message> m = sentFrom(r, 3);
        assertEquals(3, m.size(), m.toString());
        NewTemplate empty = assertInstanceOf(NewTemplate.class, m.get(0));
        SetNewPrevHash p = assertInstanceOf(SetNewPrevHash.class, m.get(1));
        NewTemplate full = assertInstanceOf(NewTemplate.class, m.get(2));
        // the coinbase-only template: future, no transactions, the subsidy alone, the empty block's witness commitment
        assertTrue(empty.futureTemplate());
        assertTrue(empty.merklePath().isEmpty());
        assertEquals(chain.params().subsidySats(2), empty.coinbaseTxValueRemaining());
        assertEquals(1, empty.coinbaseTxOutputsCount());
        // SetNewPrevHash activates exactly that template, on the new tip
        assertEquals(empty.templateId(), p.templateId());
        assertEquals(chain.tipHash(), p.prevHash());
        // then the full template for the same tip: future=false (replaces the empty one), a later id, same height
        assertFalse(full.futureTemplate());
        assertTrue(full.templateId() > empty.templateId());
        assertEquals(empty.coinbasePrefix(), full.coinbasePrefix());
        assertEquals(next.coinbaseValueSats(), full.coinbaseTxValueRemaining());
        assertEquals(factory.build(next, full.templateId(), false, new org.hyperhash.tp.template.OutputReservation(74, 16))
                .message(), full);
        // both are kept for the session: the empty one has no transactions, the full one all five; each names the tip
        RequestTransactionDataSuccess none = assertInstanceOf(RequestTransactionDataSuccess.class,
                hub.transactionData(s, empty.templateId()));
        assertEquals(0, none.transactionList().size());
        assertEquals(TemplateHub.WITNESS_RESERVED_VALUE, none.excessData());
        assertEquals(5, assertInstanceOf(RequestTransactionDataSuccess.class,
                hub.transactionData(s, full.templateId())).transactionList().size());

        // a pool that found a block on the empty template (before the full one reached its miners): accepted
        s.onMessage(DevnetMiner.solve(empty, p, PAYOUT, 7, true));
        hub.close(); // waits for the submission
        assertEquals("accepted", hub.lastSubmitResult());
        assertEquals(2, chain.height());
        try {
            assertEquals(1, chain.getBlock(chain.tipHash()).txids().size(), "a coinbase-only block");
        } catch (org.hyperhash.bitcoind.rpc.RpcException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aBlockOnTheFullTemplateThatFollowsIsAccepted() throws Exception {
        DevnetChain chain = new DevnetChain(DevnetParams.defaults(), clock);
        TemplateHub hub = hub(chain, true, Runnable::run);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder r = new TdpSessionTest.Recorder();
        TdpSession s = session(hub, r);
        DevnetMiner.generateUnchecked(chain);
        hub.onNewTip(chain.getBlockTemplate(), 1);
        List<Sv2Message> m = sentFrom(r, 3);
        SetNewPrevHash p = (SetNewPrevHash) m.get(1);
        NewTemplate full = (NewTemplate) m.get(2);
        assertFalse(full.futureTemplate());
        // a pool mines the full template under the tip it already has (the SetNewPrevHash of the empty one)
        s.onMessage(DevnetMiner.solve(full, p, PAYOUT, 8, true));
        hub.close();
        assertEquals("accepted", hub.lastSubmitResult());
        assertEquals(6, chain.getBlock(chain.tipHash()).txids().size());
    }

    @Test
    void aTipWithNoTransactionsIsSentOnceAsTheUsualPair() {
        DevnetChain chain = new DevnetChain(new DevnetParams(0x207fffff, 50L * 100_000_000L, 150, 0, 1, 7200), clock);
        TemplateHub hub = hub(chain, true, Runnable::run);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder r = new TdpSessionTest.Recorder();
        session(hub, r);
        DevnetMiner.generateUnchecked(chain);
        hub.onNewTip(chain.getBlockTemplate(), 1);
        List<Sv2Message> m = sentFrom(r, 3);
        assertEquals(2, m.size(), "the full template is the empty one: no second NewTemplate " + m);
        assertTrue(((NewTemplate) m.get(0)).futureTemplate());
        assertEquals(((NewTemplate) m.get(0)).templateId(), ((SetNewPrevHash) m.get(1)).templateId());
    }

    /** A chain whose template after the next block holds {@code perBlock} transactions, plus {@code extra} now. */
    private DevnetChain bigChain(int perBlock, int extra) {
        DevnetParams d = DevnetParams.defaults();
        DevnetChain chain = new DevnetChain(new DevnetParams(d.bits(), d.initialSubsidySats(), 1_000_000, perBlock, d.seed(),
                d.maxFutureBlockTimeSeconds()), clock);
        for (int i = 0; i < extra; i++) {
            chain.addSyntheticTransaction(2_000 + i);
        }
        return chain;
    }

    /**
     * A ~4,000-transaction template (a fee update just before the block) is still being built when the next tip comes:
     * the tip's SetNewPrevHash goes out without waiting for it, and the stale build is never sent after it.
     */
    @Test
    void aFullBlockTemplateBeingBuiltNeverDelaysTheNextTipsPrevHash() {
        for (boolean emptyFirst : new boolean[] {true, false}) {
            DevnetChain chain = bigChain(1000, 0);
            QueuedBuilder builder = new QueuedBuilder();
            TemplateHub hub = hub(chain, emptyFirst, builder);
            hub.onNewTip(chain.getBlockTemplate(), 0);
            TdpSessionTest.Recorder r = new TdpSessionTest.Recorder();
            session(hub, r);
            builder.runAll(); // the subscription
            int before = r.sent.size();

            for (int i = 0; i < 3000; i++) {
                chain.addSyntheticTransaction(5_000 + i);
            }
            BlockTemplate big = chain.getBlockTemplate();
            assertEquals(4000, big.transactions().size());
            hub.onFeeRise(big); // returns at once: the build is the builder's
            assertEquals(1, builder.pending());
            assertEquals(before, r.sent.size(), "nothing sent before the build ran");

            DevnetMiner.generateUnchecked(chain); // the block (with all 4,000) arrives while that build is pending
            BlockTemplate tip = chain.getBlockTemplate();
            hub.onNewTip(tip, 1);
            List<Sv2Message> m = sentFrom(r, before);
            assertEquals(2, m.size(), emptyFirst + ": the new tip's pair is out before any pending build ran: " + m);
            SetNewPrevHash p = assertInstanceOf(SetNewPrevHash.class, m.get(1));
            assertEquals(chain.tipHash(), p.prevHash());
            assertEquals(((NewTemplate) m.get(0)).templateId(), p.templateId());

            builder.runAll(); // the 4,000-transaction build finds itself superseded and sends nothing
            m = sentFrom(r, before);
            if (emptyFirst) {
                assertEquals(3, m.size(), m.toString());
                NewTemplate full = assertInstanceOf(NewTemplate.class, m.get(2));
                assertFalse(full.futureTemplate());
                assertEquals(tip.coinbaseValueSats(), full.coinbaseTxValueRemaining(), "the new tip's template, not the old one");
            } else {
                assertEquals(2, m.size(), "the old tip's fee-rise template is never sent after the new tip: " + m);
            }
            for (Sv2Message x : m) {
                if (x instanceof NewTemplate nt) {
                    assertTrue(nt.templateId() < p.templateId() + 10);
                    assertTrue(nt.coinbaseTxValueRemaining() <= tip.coinbaseValueSats(),
                            "no template of the old tip's 4,000 transactions after its SetNewPrevHash");
                }
            }
            hub.close();
        }
    }

    /** Sessions that close before their queued subscription runs are not subscribed (no store leaks). */
    @Test
    void aSubscriptionQueuedBeforeTheSessionClosedIsDropped() {
        DevnetChain chain = new DevnetChain(DevnetParams.defaults(), clock);
        QueuedBuilder builder = new QueuedBuilder();
        TemplateHub hub = hub(chain, true, builder);
        hub.onNewTip(chain.getBlockTemplate(), 0);
        TdpSessionTest.Recorder r = new TdpSessionTest.Recorder();
        TdpSession s = session(hub, r);
        s.close("test");
        builder.runAll();
        assertEquals(0, hub.subscriberCount());
        assertEquals(0, hub.keptFor(s));
        hub.close();
    }
}
