package org.hyperhash.tp.downstream;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
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

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TdpSessionTest {
    /** Builds and subscriptions on the caller's thread: these tests check sequences, not threads. */
    static final TemplateHub.Options DIRECT = new TemplateHub.Options(false, Runnable::run);
    private final ManualClock clock = ManualClock.ofEpochSecond(1_800_000_000L);
    private final DevnetChain chain = new DevnetChain(DevnetParams.defaults(), clock);
    private final TpMetrics metrics = TpMetrics.noop();
    private final TemplateFactory factory = new TemplateFactory(CoinbaseStyle.CORE);
    private final TemplateHub hub = new TemplateHub(factory, chain, metrics, 1000, null,
                TemplateHub.Limits.DEFAULT, java.time.InstantSource.system(), DIRECT);

    static final class Recorder implements TdpSession.Outbound {
        final List<Sv2Message> sent = new ArrayList<>();
        String closedReason;
        boolean writable = true;

        @Override
        public synchronized boolean sendAll(List<Sv2Message> messages, long notifiedNanos) {
            if (!writable) {
                return false;
            }
            sent.addAll(messages);
            return true;
        }

        @Override
        public void close(String reason) {
            closedReason = reason;
        }
    }

    static SetupConnection setup(int protocol, int min, int max) {
        return new SetupConnection(protocol, min, max, 0, "127.0.0.1", 8442, "hyperhash-test", "", "", "");
    }

    static CoinbaseOutputConstraints constraints(int size, int sigops) {
        return new CoinbaseOutputConstraints(size, OptionalInt.of(sigops));
    }

    @Test
    void setupRejectsOtherProtocolsAndVersions() {
        Recorder r = new Recorder();
        TdpSession s = new TdpSession(hub, r, "p1");
        s.onMessage(setup(0, 2, 2));
        assertEquals(List.of(new SetupConnectionError(0, "unsupported-protocol")), r.sent);
        assertEquals("setup-error", r.closedReason);

        Recorder r2 = new Recorder();
        new TdpSession(hub, r2, "p2").onMessage(setup(2, 3, 4));
        assertEquals(List.of(new SetupConnectionError(0, "protocol-version-mismatch")), r2.sent);

        Recorder r3 = new Recorder();
        new TdpSession(hub, r3, "p3").onMessage(constraints(10, 1));
        assertTrue(r3.sent.isEmpty());
        assertEquals("protocol-error", r3.closedReason);
    }

    @Test
    void fullFlowTemplatesTransactionDataAndSolution() throws Exception {
        hub.onNewTip(chain.getBlockTemplate(), 0);
        Recorder r = new Recorder();
        TdpSession s = new TdpSession(hub, r, "pool");
        s.onMessage(setup(2, 2, 2));
        assertEquals(List.of(new SetupConnectionSuccess(2, 0)), r.sent);
        r.sent.clear();
        s.onMessage(constraints(74, 5));
        assertEquals(2, r.sent.size());
        NewTemplate nt = assertInstanceOf(NewTemplate.class, r.sent.get(0));
        SetNewPrevHash p = assertInstanceOf(SetNewPrevHash.class, r.sent.get(1));
        assertTrue(nt.futureTemplate());
        assertEquals(nt.templateId(), p.templateId());
        assertEquals(chain.tipHash(), p.prevHash());
        assertEquals(0x207fffff, p.nBits());
        assertEquals(3, nt.merklePath().size());

        // transaction data
        r.sent.clear();
        s.onMessage(new RequestTransactionData(nt.templateId()));
        RequestTransactionDataSuccess txs = assertInstanceOf(RequestTransactionDataSuccess.class, r.sent.getFirst());
        assertEquals(5, txs.transactionList().size());
        assertEquals(chain.getBlockTemplate().transactions().getFirst().data(), txs.transactionList().getFirst());
        r.sent.clear();
        s.onMessage(new RequestTransactionData(1));
        assertEquals(new RequestTransactionDataError(1, "template-id-not-found"), r.sent.getFirst());

        // fee rise: a non-future template with a higher id
        chain.addSyntheticTransaction(50_000);
        r.sent.clear();
        hub.onFeeRise(chain.getBlockTemplate());
        NewTemplate active = assertInstanceOf(NewTemplate.class, r.sent.getFirst());
        assertFalse(active.futureTemplate());
        assertTrue(active.templateId() > nt.templateId());
        assertEquals(nt.coinbaseTxValueRemaining() + 50_000, active.coinbaseTxValueRemaining());

        // solve the active template as a pool would and submit it
        BuiltTemplate rebuilt = factory.build(chain.getBlockTemplate(), active.templateId(), false, new OutputReservation(74, 5));
        assertEquals(active, rebuilt.message());
        var cb = DevnetMiner.coinbaseFor(active, Bytes.fromHex("0014" + "cd".repeat(20)), 1);
        SubmitSolution sol = DevnetMiner.grind(rebuilt, cb, p.headerTimestamp(), p.target());
        s.onMessage(sol);
        hub.close(); // waits for the submission
        assertEquals(1.0, metrics.blocksSubmitted("accepted"));
        assertEquals(1, chain.height());

        // the old template is of the previous tip now: still answered during the grace (TemplateEvictionTest)
        hub.onNewTip(chain.getBlockTemplate(), System.nanoTime());
        r.sent.clear();
        s.onMessage(new RequestTransactionData(nt.templateId()));
        assertInstanceOf(RequestTransactionDataSuccess.class, r.sent.getFirst());
    }

    @Test
    void newTipSendsFutureTemplateThenPrevHashAndSharesBuildsPerReservation() {
        hub.onNewTip(chain.getBlockTemplate(), 0);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Recorder c = new Recorder();
        TdpSession sa = active(a, 74, 5);
        TdpSession sb = active(b, 74, 5);
        TdpSession sc = active(c, 500, 20);
        for (Recorder x : List.of(a, b, c)) {
            x.sent.clear();
        }
        DevnetMiner.generateUnchecked(chain);
        hub.onNewTip(chain.getBlockTemplate(), System.nanoTime());
        NewTemplate ta = (NewTemplate) a.sent.get(0);
        NewTemplate tb = (NewTemplate) b.sent.get(0);
        NewTemplate tc = (NewTemplate) c.sent.get(0);
        assertEquals(ta, tb); // one build for the same reservation
        assertTrue(tc.templateId() != ta.templateId());
        assertInstanceOf(SetNewPrevHash.class, a.sent.get(1));
        assertEquals(ta.templateId(), ((SetNewPrevHash) a.sent.get(1)).templateId());
        assertEquals(tc.templateId(), ((SetNewPrevHash) c.sent.get(1)).templateId());
        assertEquals(3, hub.subscriberCount());
        sa.closed();
        sb.closed();
        sc.closed();
        assertEquals(0, hub.subscriberCount());
    }

    @Test
    void slowConsumerIsClosedAndOthersStillServed() {
        hub.onNewTip(chain.getBlockTemplate(), 0);
        Recorder slow = new Recorder();
        Recorder fast = new Recorder();
        TdpSession s1 = active(slow, 74, 5);
        active(fast, 74, 5);
        slow.writable = false;
        fast.sent.clear();
        DevnetMiner.generateUnchecked(chain);
        hub.onNewTip(chain.getBlockTemplate(), System.nanoTime());
        assertEquals("slow-consumer", slow.closedReason);
        assertEquals(TdpSession.State.CLOSED, s1.state());
        assertEquals(2, fast.sent.size());
        assertEquals(1, hub.subscriberCount());
    }

    @Test
    void requestExtensionsIsAnsweredNotAViolation() {
        Recorder r = new Recorder();
        TdpSession s = new TdpSession(hub, r, "sri-pool");
        s.onMessage(setup(2, 2, 2));
        r.sent.clear();
        s.onMessage(new org.hyperhash.sv2.message.extensions.RequestExtensions(3, List.of(0x0002)));
        assertEquals(List.of(new org.hyperhash.sv2.message.extensions.RequestExtensionsError(3, List.of(0x0002),
                List.of())), r.sent);
        assertEquals(null, r.closedReason, "the connection stays open");
    }

    @Test
    void legacyFourByteConstraintsAccepted() {
        hub.onNewTip(chain.getBlockTemplate(), 0);
        Recorder r = new Recorder();
        TdpSession s = new TdpSession(hub, r, "old");
        s.onMessage(setup(2, 2, 2));
        s.onMessage(new CoinbaseOutputConstraints(40, OptionalInt.empty()));
        assertEquals(new OutputReservation(40, 400), s.reservation());
        assertInstanceOf(NewTemplate.class, r.sent.get(1));
    }

    private TdpSession active(Recorder r, int size, int sigops) {
        TdpSession s = new TdpSession(hub, r, "pool");
        s.onMessage(setup(2, 2, 2));
        s.onMessage(constraints(size, sigops));
        return s;
    }
}
