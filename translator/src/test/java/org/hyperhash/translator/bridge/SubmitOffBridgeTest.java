package org.hyperhash.translator.bridge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Targets;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv1.MiningSubmit;
import org.hyperhash.sv1.Sv1Hex;
import org.hyperhash.sv1.Sv1Json;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.testkit.sv1.Sv1CpuMiner;
import org.hyperhash.translator.TranslatorMetrics;
import org.hyperhash.translator.TranslatorMetrics.ShareReject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Bridge#submitOffBridge} (a share judged on the miner's own SV1 loop) against {@link Bridge#onMinerRequest} (the
 * bridge thread): two bridges fed the same upstream messages, miners and submits; one answers each submit the way the
 * SV1 server does (off the bridge first, the bridge when that declines), the other always on the bridge. Every reply,
 * counter, metric and upstream message must be the same.
 */
class SubmitOffBridgeTest {
    final BridgeTest t = new BridgeTest();
    final org.hyperhash.testkit.ManualClock clock = t.clock;
    final int ntime = t.ntime;
    static final Bytes PREFIX = BridgeTest.PREFIX;
    static final Bytes CB_PREFIX = BridgeTest.CB_PREFIX;
    static final Bytes CB_SUFFIX = BridgeTest.CB_SUFFIX;
    static final Hash256 PREV = BridgeTest.PREV;
    static final double MINER_DIFF = BridgeTest.MINER_DIFF;


    /** One bridge and what it sent. */
    final class Side {
        final SimpleMeterRegistry reg = new SimpleMeterRegistry();
        final TranslatorMetrics met = new TranslatorMetrics(reg);
        final Bridge b = new Bridge(t.config(true, false), clock, met, OpenRetry.defaults());
        final BridgeTest.Up up = new BridgeTest.Up();
        final List<BridgeTest.FakeMiner> links = new ArrayList<>();
        final List<Bridge.Miner> miners = new ArrayList<>();
    }

    int offBridgeAnswers;
    int handedOver;

    void both(Side a, Side b, java.util.function.Consumer<Side> f) {
        f.accept(a);
        f.accept(b);
    }

    void open(Side s, double upstreamDiff) {
        s.b.onUpstreamUp(s.up);
        OpenExtendedMiningChannel o = s.up.of(OpenExtendedMiningChannel.class).getFirst();
        s.b.onUpstreamMessage(s.up, new OpenExtendedMiningChannelSuccess(o.requestId(), 7, Targets.fromDifficulty(upstreamDiff),
                16, PREFIX, 0));
    }

    void block(Side s, int jobId, Hash256 prev, boolean rolling) {
        s.b.onUpstreamMessage(s.up, new NewExtendedMiningJob(7, jobId, OptionalInt.empty(), 0x20000000, rolling,
                List.of(Hash256.fromWireHex("11".repeat(32))), CB_PREFIX, CB_SUFFIX));
        s.b.onUpstreamMessage(s.up, new SetNewPrevHash(7, jobId, prev, ntime, 0x1d00ffff));
    }

    static Sv1Message.Request req(Object id, String method, Object... params) {
        ArrayNode p = Sv1Json.MAPPER.createArrayNode();
        for (Object o : params) {
            p.addPOJO(o);
        }
        return new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(id), method, (ArrayNode) Sv1Json.MAPPER.valueToTree(p));
    }

    /** The SV1 server's order for a miner off the bridge's loop. */
    void submitBoth(Side off, Side on, int miner, Sv1Message.Request r) {
        Bridge.Judgement judged = off.b.submitOffBridge(off.miners.get(miner), r);
        if (judged.answered()) {
            offBridgeAnswers++;
        } else {
            handedOver++;
            off.b.onMinerRequest(off.miners.get(miner), r);
        }
        on.b.onMinerRequest(on.miners.get(miner), r);
        assertEquals(comparable(on.links.get(miner).sent), comparable(off.links.get(miner).sent), () -> "after " + r);
    }

    /** What a miner was sent, without the subscribe result (its subscription id is random per bridge). */
    static List<Sv1Message> comparable(List<Sv1Message> sent) {
        return sent.stream().filter(m -> !(m instanceof Sv1Message.Response r && r.result().isArray())).toList();
    }

    @Test
    void everyShareGetsTheBridgesAnswerCountersAndUpstreamMessages() throws Exception {
        Side off = new Side();
        Side on = new Side();
        both(off, on, s -> open(s, 1e3));
        both(off, on, s -> block(s, 1, PREV, true));
        // miners: 0 working with version rolling, 1 working without, 2 subscribed only, 3 connected only
        for (int i = 0; i < 4; i++) {
            int n = i;
            both(off, on, s -> {
                BridgeTest.FakeMiner l = new BridgeTest.FakeMiner();
                Bridge.Miner m = s.b.onMinerConnected(l);
                s.links.add(l);
                s.miners.add(m);
                if (n == 0) {
                    s.b.onMinerRequest(m, req(0, "mining.configure", List.of("version-rolling"),
                            java.util.Map.of("version-rolling.mask", "1fffe000", "version-rolling.min-bit-count", 2)));
                }
                if (n <= 2) {
                    s.b.onMinerRequest(m, req(1, "mining.subscribe", "cgminer/4.12.0"));
                }
                if (n <= 1) {
                    s.b.onMinerRequest(m, req(2, "mining.authorize", "bc1qaddress.w" + n, "x"));
                }
            });
        }
        SplittableRandom rnd = new SplittableRandom(19);
        int blocks = 1;
        List<String> oldJobs = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            MiningNotify job = on.links.get(0).lastJob();
            for (int i = 0; i < 250; i++) {
                int miner = rnd.nextInt(10) < 8 ? rnd.nextInt(2) : 2 + rnd.nextInt(2);
                Object id = switch (rnd.nextInt(4)) {
                    case 0 -> rnd.nextInt(1000);
                    case 1 -> "s" + rnd.nextInt(1000);
                    case 2 -> null;
                    default -> rnd.nextLong();
                };
                String jobId = switch (rnd.nextInt(12)) {
                    case 0 -> "zz";
                    case 1 -> oldJobs.isEmpty() ? job.jobId() : oldJobs.get(rnd.nextInt(oldJobs.size()));
                    default -> job.jobId();
                };
                String en2 = rnd.nextInt(30) == 0 ? "0102" : Sv1Hex.u32(rnd.nextInt());
                long ntimeV = switch (rnd.nextInt(30)) {
                    case 0 -> ntime + 10_000L;
                    case 1 -> ntime - 10_000L;
                    default -> ntime + rnd.nextInt(60);
                };
                String nt = Sv1Hex.u32((int) ntimeV);
                String nonce = rnd.nextInt(40) == 0 ? "xyz" : Sv1Hex.u32(rnd.nextInt());
                List<Object> p = new ArrayList<>(List.of("bc1qaddress.w", jobId, en2, nt, nonce));
                switch (rnd.nextInt(6)) {
                    case 0 -> p.add(Sv1Hex.u32(rnd.nextInt() & 0x1fffe000));
                    case 1 -> p.add(Sv1Hex.u32(rnd.nextInt()));
                    case 2 -> p.add("00000000");
                    default -> {
                    }
                }
                submitBoth(off, on, miner, req(id, "mining.submit", p.toArray()));
            }
            // shares that meet the miner's target: credited (and duplicates) on the miner's loop
            for (int miner = 0; miner < 2; miner++) {
                MiningNotify j = on.links.get(miner).lastJob();
                Sv1CpuMiner.Found f = t.mine(on.links.get(miner), j, Bytes.fromHex(Sv1Hex.u32(rnd.nextInt())),
                        Targets.fromDifficulty(MINER_DIFF), 0, 0);
                Sv1Message.Request share = new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(100 + miner), "mining.submit",
                        new MiningSubmit("w", j.jobId(), f.extranonce2(), f.ntime(), f.nonce(), OptionalInt.empty()).toParams());
                submitBoth(off, on, miner, share);
                submitBoth(off, on, miner, share); // duplicate
            }
            // state changes between rounds: a new tip, a non-clean job, a new upstream target, the vardiff tick
            oldJobs.add(job.jobId());
            int r = round;
            int nextJob = ++blocks;
            both(off, on, s -> {
                switch (r % 3) {
                    case 0 -> block(s, nextJob, Hash256.fromWireHex(String.format("%02x", nextJob).repeat(32)), true);
                    case 1 -> s.b.onUpstreamMessage(s.up, new NewExtendedMiningJob(7, nextJob, OptionalInt.of(ntime), 0x20000000,
                            true, List.of(Hash256.fromWireHex("11".repeat(32))), CB_PREFIX, CB_SUFFIX));
                    default -> s.b.onUpstreamMessage(s.up, new SetTarget(7, Targets.fromDifficulty(5e-6)));
                }
            });
            clock.advance(java.time.Duration.ofSeconds(20));
            both(off, on, s -> s.b.onTick());
        }
        assertEquals(1524, offBridgeAnswers, "every share answered on the loop, credited ones too (a quiet bridge)");
        assertEquals(0, handedOver);
        assertTrue(on.met.acceptedCount() >= 12, "credited: " + on.met.acceptedCount());
        for (ShareReject reason : ShareReject.values()) {
            assertEquals(on.met.rejectedCount(reason), off.met.rejectedCount(reason), reason.name());
        }
        assertTrue(on.met.rejectedCount(ShareReject.LOW_DIFFICULTY) > 500);
        assertTrue(on.met.rejectedCount(ShareReject.STALE) > 0);
        assertTrue(on.met.rejectedCount(ShareReject.BAD_PARAMS) > 0);
        assertTrue(on.met.rejectedCount(ShareReject.NTIME) > 0);
        assertTrue(on.met.rejectedCount(ShareReject.VERSION_BITS) > 0);
        assertTrue(on.met.rejectedCount(ShareReject.NOT_SUBSCRIBED) > 0);
        assertTrue(on.met.rejectedCount(ShareReject.UNAUTHORIZED) > 0);
        assertTrue(on.met.rejectedCount(ShareReject.DUPLICATE) > 0);
        assertEquals(on.met.acceptedCount(), off.met.acceptedCount());
        assertEquals(on.met.forwardedCount(), off.met.forwardedCount());
        assertEquals(on.up.of(SubmitSharesExtended.class), off.up.of(SubmitSharesExtended.class));
        assertEquals(strip(on.b.miners()), strip(off.b.miners()), "per-miner accepted/rejected counts");
    }

    /** miners() without the fields that differ between two bridges by construction (ids, times). */
    static List<Object> strip(List<java.util.Map<String, Object>> l) {
        List<Object> out = new ArrayList<>();
        for (var e : l) {
            out.add(List.of(e.get("accepted"), e.get("rejected"), e.get("difficulty"), String.valueOf(e.get("worker"))));
        }
        return out;
    }

    @Test
    void whileTheBridgeChangesStateASubmitIsNotJudgedOffIt() throws Exception {
        t.setUp();
        Bridge bridge = t.bridge;
        TranslatorMetrics metrics = t.metrics;
        BridgeTest.Up u = t.connectUpstream(1e3, PREFIX);
        BridgeTest.FakeMiner link = new BridgeTest.FakeMiner();
        Bridge.Miner m = t.miner(link, "bmminer/2.0.0");
        MiningNotify job = link.lastJob();
        Sv1Message.Request low = req(5, "mining.submit", "w", job.jobId(), "00000001", Sv1Hex.u32(ntime), "00000000");
        assertTrue(bridge.submitOffBridge(m, low).answered(), "quiet bridge: a low-difficulty share is answered off it");
        assertEquals(1.0, metrics.rejectedCount(ShareReject.LOW_DIFFICULTY));
        // a reader running while a bridge entry point is inside (here: called back from the bridge's own send)
        boolean[] during = new boolean[1];
        BridgeTest.FakeMiner probe = new BridgeTest.FakeMiner() {
            @Override
            public void send(Object message) {
                super.send(message);
                during[0] |= bridge.submitOffBridge(m, low) != Bridge.Judgement.TO_BRIDGE;
            }
        };
        bridge.onMinerConnected(probe);
        Bridge.Miner pm = bridge.onMinerConnected(probe);
        bridge.onMinerRequest(pm, req(1, "mining.subscribe", "x"));
        assertFalse(during[0], "a submit read while the bridge writes is handed to the bridge");
        assertEquals(1.0, metrics.rejectedCount(ShareReject.LOW_DIFFICULTY));
        assertTrue(bridge.submitOffBridge(m, low).answered(), "and judged off it again once the bridge is done");
        assertTrue(u.of(SubmitSharesExtended.class).isEmpty());
    }

    // ------------------------------------------------------------------ a change between the loop's credit and the forward

    /** A miner link whose {@link MinerLink#onBridge} tasks wait until the test runs them (the bridge's queue). */
    static final class Deferred extends BridgeTest.FakeMiner {
        final List<Runnable> toBridge = new ArrayList<>();
        boolean defer;

        @Override
        public void onBridge(Runnable task) {
            if (defer) {
                toBridge.add(task);
            } else {
                task.run();
            }
        }

        void runBridgeTasks() {
            List<Runnable> l = List.copyOf(toBridge);
            toBridge.clear();
            l.forEach(Runnable::run);
        }
    }

    /**
     * One working miner on a channel at {@code upstreamDiff}, and a share of it meeting the upstream target, credited on
     * its loop with the bridge's queue held: {@link #forwardAfter} lets a change reach the bridge before the forward does.
     */
    final class Race {
        final Side s = new Side();
        final Deferred link = new Deferred();
        final Bridge.Miner m;
        final Sv1Message.Request share;

        Race(double upstreamDiff) throws Exception {
            open(s, upstreamDiff);
            block(s, 1, PREV, true);
            m = s.b.onMinerConnected(link);
            s.b.onMinerRequest(m, req(1, "mining.subscribe", "cgminer/4.12.0"));
            s.b.onMinerRequest(m, req(2, "mining.authorize", "bc1qaddress.w", "x"));
            MiningNotify j = link.lastJob();
            Sv1CpuMiner.Found f = t.mine(link, j, Bytes.fromHex("0000002a"), Targets.fromDifficulty(upstreamDiff), 0, 0);
            share = new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(9), "mining.submit",
                    new MiningSubmit("w", j.jobId(), f.extranonce2(), f.ntime(), f.nonce(), OptionalInt.empty()).toParams());
            link.defer = true;
            assertTrue(s.b.submitOffBridge(m, share).answered(), "credited on the loop");
            assertTrue(link.lastResponse().result().asBoolean(), "answered true at once");
            assertEquals(1.0, s.met.acceptedCount());
            assertEquals(1, m.accepted);
            assertEquals(1, link.toBridge.size(), "only the submission goes to the bridge");
            assertTrue(s.up.of(SubmitSharesExtended.class).isEmpty(), "not sent yet");
        }

        void forwardAfter(java.util.function.Consumer<Side> change) {
            link.defer = false;
            change.accept(s);
            link.runBridgeTasks();
        }

        int sent() {
            return s.up.of(SubmitSharesExtended.class).size();
        }
    }

    @Test
    void nothingChangedTheShareIsForwarded() throws Exception {
        Race r = new Race(1e-5);
        r.forwardAfter(s -> {
        });
        assertEquals(1, r.sent());
        assertEquals(1.0, r.s.met.forwardedCount());
        assertEquals(0, r.s.b.creditedNotForwarded);
    }

    @Test
    void aNewJobOnTheSameTipKeepsTheShareForwardable() throws Exception {
        Race r = new Race(1e-5);
        r.forwardAfter(s -> s.b.onUpstreamMessage(s.up, new NewExtendedMiningJob(7, 2, OptionalInt.of(ntime), 0x20000000,
                true, List.of(Hash256.fromWireHex("22".repeat(32))), CB_PREFIX, CB_SUFFIX)));
        assertEquals(1, r.sent());
    }

    @Test
    void aHarderUpstreamTargetBeforeTheForwardKeepsItFromThePool() throws Exception {
        // credited to the miner (it met the targets when it arrived), but judged again on the bridge against the pool's
        // new target before it goes upstream: the pool gets what it got when the bridge judged every share
        Race r = new Race(1e-5);
        r.forwardAfter(s -> s.b.onUpstreamMessage(s.up, new SetTarget(7, Targets.fromDifficulty(1e3))));
        assertEquals(0, r.sent());
        assertEquals(0.0, r.s.met.forwardedCount());
        assertEquals(1, r.s.b.creditedNotForwarded);
        assertEquals(1.0, r.s.met.acceptedCount());
    }

    @Test
    void aNewBlockBeforeTheForwardKeepsTheStaleShareFromThePool() throws Exception {
        Race r = new Race(1e-5);
        r.forwardAfter(s -> block(s, 2, Hash256.fromWireHex("cd".repeat(32)), true));
        assertEquals(0, r.sent(), "stale upstream by now");
        assertEquals(1, r.s.b.creditedNotForwarded);
        // the same share again: its job is gone with the old tip
        r.s.b.submitOffBridge(r.m, r.share);
        assertEquals(1.0, r.s.met.rejectedCount(ShareReject.STALE));
    }

    @Test
    void theUpstreamGoneBeforeTheForwardDropsIt() throws Exception {
        Race r = new Race(1e-5);
        r.forwardAfter(s -> s.b.onUpstreamDown(s.up));
        assertEquals(0, r.sent());
        assertEquals(1, r.s.b.creditedNotForwarded);
    }

    @Test
    void aNewBlockEmptiesTheDuplicateSetOnTheMinersLoop() throws Exception {
        Race r = new Race(1e-5);
        r.forwardAfter(s -> {
        });
        Bridge.Home h = r.m.home;
        assertEquals(1, h.seen.size());
        r.s.b.submitOffBridge(r.m, r.share);
        assertEquals(1.0, r.s.met.rejectedCount(ShareReject.DUPLICATE), "the same share again on the same tip");
        long epoch = r.m.tipEpoch;
        block(r.s, 2, Hash256.fromWireHex("cd".repeat(32)), true);
        assertEquals(epoch + 1, r.m.tipEpoch, "the bridge moved the miner's tip generation");
        assertEquals(1, h.seen.size(), "the loop has not looked yet");
        MiningNotify j = r.link.lastJob();
        Sv1CpuMiner.Found f = t.mine(r.link, j, Bytes.fromHex("0000002b"), Targets.fromDifficulty(1e-5), 0, 0);
        Sv1Message.Request next = new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(10), "mining.submit",
                new MiningSubmit("w", j.jobId(), f.extranonce2(), f.ntime(), f.nonce(), OptionalInt.empty()).toParams());
        assertTrue(r.s.b.submitOffBridge(r.m, next).answered());
        assertTrue(r.link.lastResponse().result().asBoolean());
        assertEquals(1, h.seen.size(), "emptied, then the new tip's share");
        assertEquals(epoch + 1, h.seenEpoch);
        r.s.b.submitOffBridge(r.m, next);
        assertEquals(2.0, r.s.met.rejectedCount(ShareReject.DUPLICATE));
        // a block with no share after it: the tick empties the set (its memory is not held until the next share)
        block(r.s, 3, Hash256.fromWireHex("ce".repeat(32)), true);
        r.s.b.onTick();
        assertTrue(h.seen.isEmpty());
        assertEquals(epoch + 2, h.seenEpoch);
    }

    @Test
    void aRetargetFromAReplacedVardiffIsIgnored() throws Exception {
        // the loop's vardiff asks for a new difficulty; meanwhile the bridge gave the miner a new vardiff
        // (mining.suggest_difficulty before its first credited share): the old vardiff's request must not override it
        Side s = new Side();
        open(s, 1e3);
        block(s, 1, PREV, true);
        Deferred link = new Deferred();
        Bridge.Miner m = s.b.onMinerConnected(link);
        s.b.onMinerRequest(m, req(1, "mining.subscribe", "cgminer/4.12.0"));
        s.b.onMinerRequest(m, req(2, "mining.authorize", "bc1qaddress.w", "x"));
        long gen = m.home.vardiffGen;
        s.b.onMinerRequest(m, req(3, "mining.suggest_difficulty", 0.5));
        assertEquals(gen + 1, m.home.vardiffGen, "installed on the loop");
        link.defer = true;
        clock.advance(java.time.Duration.ofMinutes(10)); // silence: the tick lowers the difficulty
        s.b.onTick();
        assertEquals(1, link.toBridge.size(), "the retarget goes to the bridge");
        link.defer = false;
        s.b.onMinerRequest(m, req(4, "mining.suggest_difficulty", 2.0));
        int before = link.notifications("mining.set_difficulty").size();
        link.runBridgeTasks();
        assertEquals(before, link.notifications("mining.set_difficulty").size(), "stale retarget ignored");
        assertEquals(2.0, m.difficulty);
    }

    // ------------------------------------------------------------------ the miner's loop and the bridge on two threads

    /**
     * The SV1 server's ordering rules on two real threads: {@code loop} judges a share itself only with nothing of the
     * miner's owed by the bridge or queued to it ({@code owed}, {@code queued}), else hands it over; the bridge's lines
     * and {@link MinerLink#onLoop} tasks reach the loop in order.
     */
    static final class Threaded extends BridgeTest.FakeMiner {
        final java.util.concurrent.ExecutorService loop = java.util.concurrent.Executors.newSingleThreadExecutor();
        final java.util.concurrent.ExecutorService bridgeThread;
        final java.util.concurrent.atomic.AtomicInteger owed = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
        volatile Thread loopThread;

        Threaded(java.util.concurrent.ExecutorService bridgeThread) throws Exception {
            this.bridgeThread = bridgeThread;
            loop.submit(() -> loopThread = Thread.currentThread()).get();
        }

        @Override
        public void send(Object message) {
            if (Thread.currentThread() == loopThread) {
                super.send(message);
                return;
            }
            queued.incrementAndGet();
            loop.execute(() -> {
                queued.decrementAndGet();
                super.send(message);
            });
        }

        @Override
        public void onLoop(Runnable task) {
            if (Thread.currentThread() == loopThread) {
                task.run();
                return;
            }
            queued.incrementAndGet();
            loop.execute(() -> {
                queued.decrementAndGet();
                task.run();
            });
        }

        @Override
        public java.util.concurrent.Executor loop() {
            return loop;
        }

        @Override
        public void onBridge(Runnable task) {
            bridgeThread.execute(task);
        }

        /** A mining.submit read on the loop. */
        void read(Bridge b, Bridge.Miner m, Sv1Message.Request r) {
            loop.execute(() -> {
                if (owed.get() == 0 && queued.get() == 0 && b.submitOffBridge(m, r).answered()) {
                    return;
                }
                owed.incrementAndGet();
                bridgeThread.execute(() -> {
                    try {
                        b.onMinerRequest(m, r);
                    } finally {
                        owed.decrementAndGet();
                    }
                });
            });
        }

        /** Waits until neither thread has anything of this miner's left. */
        void quiesce() throws Exception {
            for (int i = 0; i < 100; i++) {
                bridgeThread.submit(() -> { }).get();
                loop.submit(() -> { }).get();
                if (owed.get() == 0 && queued.get() == 0) {
                    bridgeThread.submit(() -> { }).get();
                    loop.submit(() -> { }).get();
                    if (owed.get() == 0 && queued.get() == 0) {
                        return;
                    }
                }
            }
            throw new AssertionError("never quiet");
        }
    }

    @Test
    void newBlocksRacingCreditedSharesNeverCreditOneTwice() throws Exception {
        java.util.concurrent.ExecutorService bridgeThread = java.util.concurrent.Executors.newSingleThreadExecutor();
        Side s = new Side();
        Threaded link = new Threaded(bridgeThread);
        try {
            Bridge.Miner[] mh = new Bridge.Miner[1];
            bridgeThread.submit(() -> {
                open(s, 1e-5);
                block(s, 1, PREV, true);
                mh[0] = s.b.onMinerConnected(link);
                s.b.onMinerRequest(mh[0], req(1, "mining.subscribe", "cgminer/4.12.0"));
                s.b.onMinerRequest(mh[0], req(2, "mining.authorize", "bc1qaddress.w", "x"));
            }).get();
            Bridge.Miner m = mh[0];
            link.quiesce();
            int id = 1000;
            int credited = 0;
            int pairs = 0;
            int fresh = 0;
            for (int round = 0; round < 30; round++) {
                MiningNotify j = link.loop.submit(link::lastJob).get();
                List<Sv1Message.Request> shares = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    Sv1CpuMiner.Found f = link.loop.submit(() -> t.mine(link, j, Bytes.fromHex(Sv1Hex.u32(0x1000 + shares.size())),
                            Targets.fromDifficulty(MINER_DIFF), 0, 0)).get();
                    shares.add(new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(++id), "mining.submit",
                            new MiningSubmit("w", j.jobId(), f.extranonce2(), f.ntime(), f.nonce(), OptionalInt.empty()).toParams()));
                }
                int next = round + 2;
                // the block and the shares (each sent twice in a row) at the same time, from two threads
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                int spins = (round % 5) * 2_000;
                java.util.concurrent.Future<?> blk = bridgeThread.submit(() -> {
                    go.await();
                    for (int spin = 0; spin < spins; spin++) {
                        Thread.onSpinWait();
                    }
                    block(s, next, Hash256.fromWireHex(String.format("%02x", next).repeat(32)), true);
                    return null;
                });
                go.countDown();
                for (Sv1Message.Request r : shares) {
                    link.read(s.b, m, r);
                    link.read(s.b, m, new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(-r.id().asInt()), r.method(), r.params()));
                }
                blk.get();
                link.quiesce();
                List<Sv1Message> sent = link.loop.submit(() -> List.copyOf(link.sent)).get();
                for (Sv1Message.Request r : shares) {
                    Sv1Message.Response first = response(sent, r.id().asInt());
                    Sv1Message.Response again = response(sent, -r.id().asInt());
                    pairs++;
                    assertFalse(first.result() != null && first.result().asBoolean() && again.result() != null
                            && again.result().asBoolean(), "credited twice: " + r);
                    assertFalse(again.result() != null && again.result().asBoolean() && (first.result() == null
                            || !first.result().asBoolean()), "the repeat credited, the first not: " + r);
                    if (first.result() != null && first.result().asBoolean()) {
                        credited++;
                    }
                }
                // a share of the new tip: the loop's set then holds it alone, none of the old tip's
                MiningNotify nj = link.loop.submit(link::lastJob).get();
                Sv1CpuMiner.Found nf = link.loop.submit(() -> t.mine(link, nj, Bytes.fromHex("00000fff"),
                        Targets.fromDifficulty(MINER_DIFF), 0, 0)).get();
                int freshId = ++id;
                link.read(s.b, m, new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(freshId), "mining.submit",
                        new MiningSubmit("w", nj.jobId(), nf.extranonce2(), nf.ntime(), nf.nonce(), OptionalInt.empty()).toParams()));
                link.quiesce();
                assertTrue(response(link.loop.submit(() -> List.copyOf(link.sent)).get(), freshId).result().asBoolean());
                fresh++;
                Bridge.Home h = m.home;
                long tip = bridgeThread.submit(() -> m.tipEpoch).get();
                assertEquals(tip, (long) link.loop.submit(() -> h.seenEpoch).get());
                assertEquals(1, (int) link.loop.submit(() -> h.seen.size()).get(), "only the new tip's share");
            }
            assertEquals(credited + fresh, (long) s.met.acceptedCount(), "every credited share counted once");
            assertEquals(credited + fresh, m.accepted);
            assertTrue(credited > 0 && credited < pairs, "some credited before a block, some stale after: " + credited + "/" + pairs);
            long forwarded = (long) s.met.forwardedCount();
            long dropped = bridgeThread.submit(() -> s.b.creditedNotForwarded).get();
            assertEquals(credited + fresh, forwarded + dropped, "each credited share forwarded or dropped as stale, once");
            assertEquals(forwarded, s.up.of(SubmitSharesExtended.class).size());
        } finally {
            link.loop.shutdownNow();
            bridgeThread.shutdownNow();
        }
    }

    static Sv1Message.Response response(List<Sv1Message> sent, int id) {
        for (Sv1Message x : sent) {
            if (x instanceof Sv1Message.Response r && r.id() != null && r.id().isInt() && r.id().asInt() == id) {
                return r;
            }
        }
        throw new AssertionError("no reply to " + id);
    }
}
