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
            off.b.onMinerRequest(off.miners.get(miner), r, judged);
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
            // shares that meet the miner's target: credited (and duplicates) on the bridge
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
        assertTrue(offBridgeAnswers > 1000, "most shares answered off the bridge: " + offBridgeAnswers);
        assertTrue(handedOver >= 24, "shares meeting the target go to the bridge: " + handedOver);
        assertTrue(off.b.judgementsReused >= 24, "the bridge reused the loop's hash of a credited share: " + off.b.judgementsReused);
        assertEquals(0, off.b.judgementsStale, "nothing changed between the loop's judgement and the bridge's handling");
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

    // ------------------------------------------------------------------ a change between the loop's judgement and the bridge

    /**
     * Two bridges, one working miner each (same index, no version rolling) on a channel at {@code upstreamDiff}, and a
     * share of that miner meeting {@code shareDiff}, judged on the miner's loop of {@code off} (handed over with its
     * hash). {@link #handleAfter} then lets a change reach both bridges before the share does, as when the bridge
     * thread runs an upstream message or another request between the loop's judgement and the share's task.
     */
    final class Race {
        final Side off = new Side();
        final Side on = new Side();
        final Sv1Message.Request share;
        final Bridge.Judgement judged;

        Race(double upstreamDiff, double shareDiff) throws Exception {
            both(off, on, s -> open(s, upstreamDiff));
            both(off, on, s -> block(s, 1, PREV, true));
            both(off, on, s -> {
                BridgeTest.FakeMiner l = new BridgeTest.FakeMiner();
                Bridge.Miner m = s.b.onMinerConnected(l);
                s.links.add(l);
                s.miners.add(m);
                s.b.onMinerRequest(m, req(1, "mining.subscribe", "cgminer/4.12.0"));
                s.b.onMinerRequest(m, req(2, "mining.authorize", "bc1qaddress.w", "x"));
            });
            MiningNotify j = on.links.get(0).lastJob();
            Sv1CpuMiner.Found f = t.mine(on.links.get(0), j, Bytes.fromHex("0000002a"), Targets.fromDifficulty(shareDiff), 0, 0);
            share = new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(9), "mining.submit",
                    new MiningSubmit("w", j.jobId(), f.extranonce2(), f.ntime(), f.nonce(), OptionalInt.empty()).toParams());
            judged = off.b.submitOffBridge(off.miners.get(0), share);
            assertFalse(judged.answered(), "a share meeting the miner's target goes to the bridge");
            assertNotSame(Bridge.Judgement.TO_BRIDGE, judged, "with the loop's hash");
        }

        /** {@code change} reaches both bridges, then the share: the same lines, counters and upstream messages. */
        void handleAfter(java.util.function.Consumer<Side> change) {
            both(off, on, change);
            off.b.onMinerRequest(off.miners.get(0), share, judged);
            on.b.onMinerRequest(on.miners.get(0), share);
            assertEquals(comparable(on.links.get(0).sent), comparable(off.links.get(0).sent));
            for (ShareReject reason : ShareReject.values()) {
                assertEquals(on.met.rejectedCount(reason), off.met.rejectedCount(reason), reason.name());
            }
            assertEquals(on.met.acceptedCount(), off.met.acceptedCount());
            assertEquals(on.met.forwardedCount(), off.met.forwardedCount());
            assertEquals(on.up.of(SubmitSharesExtended.class), off.up.of(SubmitSharesExtended.class));
            assertEquals(strip(on.b.miners()), strip(off.b.miners()));
        }

        Sv1Message.Response reply() {
            return off.links.get(0).lastResponse();
        }
    }

    @Test
    void nothingChangedTheLoopsHashIsUsed() throws Exception {
        Race r = new Race(1e-5, 1e-5);
        r.handleAfter(s -> {
        });
        assertEquals(1, r.off.b.judgementsReused);
        assertEquals(0, r.off.b.judgementsStale);
        assertTrue(r.reply().result().asBoolean(), "credited");
        assertEquals(1, r.off.up.of(SubmitSharesExtended.class).size(), "and forwarded (meets the upstream target)");
    }

    @Test
    void aNewJobOnTheSameTipKeepsTheLoopsHashValid() throws Exception {
        Race r = new Race(1e-5, 1e-5);
        r.handleAfter(s -> s.b.onUpstreamMessage(s.up, new NewExtendedMiningJob(7, 2, OptionalInt.of(ntime), 0x20000000,
                true, List.of(Hash256.fromWireHex("22".repeat(32))), CB_PREFIX, CB_SUFFIX)));
        assertEquals(1, r.off.b.judgementsReused, "the share's job and tip are still the bridge's objects");
        assertTrue(r.reply().result().asBoolean());
        assertEquals(1, r.off.up.of(SubmitSharesExtended.class).size());
    }

    @Test
    void aHarderUpstreamTargetMakesTheBridgeHashAgain() throws Exception {
        // judged on the loop as meeting the channel's target (to be forwarded); the pool raises it before the bridge
        // handles the share: the channel's job is a new object, the loop's verdict is not used, the share is credited
        // to the miner but no longer forwarded. Reusing the stale verdict would forward it (the lists below differ).
        Race r = new Race(1e-5, 1e-5);
        r.handleAfter(s -> s.b.onUpstreamMessage(s.up, new SetTarget(7, Targets.fromDifficulty(1e3))));
        assertEquals(0, r.off.b.judgementsReused);
        assertEquals(1, r.off.b.judgementsStale);
        assertTrue(r.reply().result().asBoolean(), "still meets the miner's target");
        assertTrue(r.off.up.of(SubmitSharesExtended.class).isEmpty(), "not the pool's any more");
        assertEquals(0.0, r.off.met.forwardedCount());
    }

    @Test
    void aNewBlockMakesTheHandedOverShareStale() throws Exception {
        Race r = new Race(1e-5, 1e-5);
        r.handleAfter(s -> block(s, 2, Hash256.fromWireHex("cd".repeat(32)), true));
        assertEquals(1.0, r.off.met.rejectedCount(ShareReject.STALE));
        assertEquals(0, r.off.b.judgementsReused);
        assertTrue(r.off.up.of(SubmitSharesExtended.class).isEmpty());
    }

    @Test
    void aNewTipForAJobNeverAnnouncedMakesTheHandedOverShareStale() throws Exception {
        Race r = new Race(1e-5, 1e-5);
        r.handleAfter(s -> s.b.onUpstreamMessage(s.up, new SetNewPrevHash(7, 99, Hash256.fromWireHex("cd".repeat(32)),
                ntime, 0x1d00ffff)));
        assertEquals(1.0, r.off.met.rejectedCount(ShareReject.STALE));
        assertEquals(0, r.off.b.judgementsReused);
    }

    @Test
    void aNewExtranoncePrefixMakesTheBridgeHashAgain() throws Exception {
        Race r = new Race(1e-5, 1e-5);
        r.handleAfter(s -> s.b.onUpstreamMessage(s.up,
                new org.hyperhash.sv2.message.mining.SetExtranoncePrefix(7, Bytes.fromHex("01000003"))));
        assertEquals(1, r.off.b.judgementsStale, "the layout is a new object");
        assertTrue(r.reply().result().asBoolean());
    }

    @Test
    void difficultyRisesBeforeTheBridgeAreJudgedAgainstTheBridgesTarget() throws Exception {
        // upstream far above the miner (no cap, no forwarding); the miner's target rises twice (no share credited yet,
        // so suggest_difficulty applies) before the bridge handles a share judged on the loop against the first target:
        // the hash is reused, the target is the bridge's (the previous one for a job sent before the change: 1e-1)
        Race r = new Race(1e3, MINER_DIFF);
        assertFalse(Targets.fromDifficulty(1e-1).isMetBy(r.judged.hash.unsafeWireBytes()), "a share below the new targets");
        r.handleAfter(s -> {
            s.b.onMinerRequest(s.miners.get(0), req(3, "mining.suggest_difficulty", 1e-1));
            s.b.onMinerRequest(s.miners.get(0), req(4, "mining.suggest_difficulty", 10.0));
        });
        assertEquals(1, r.off.b.judgementsReused);
        assertEquals(1.0, r.off.met.rejectedCount(ShareReject.LOW_DIFFICULTY), "the loop's target is not the bridge's");
        assertEquals(0.0, r.off.met.acceptedCount());
    }

    @Test
    void aJudgementIsUsedOnlyForItsOwnRequest() throws Exception {
        Race r = new Race(1e-5, 1e-5);
        MiningNotify j = r.on.links.get(0).lastJob();
        Sv1CpuMiner.Found f = t.mine(r.on.links.get(0), j, Bytes.fromHex("0000002b"), Targets.fromDifficulty(1e-5), 0, 0);
        Sv1Message.Request other = new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(10), "mining.submit",
                new MiningSubmit("w", j.jobId(), f.extranonce2(), f.ntime(), f.nonce(), OptionalInt.empty()).toParams());
        r.off.b.onMinerRequest(r.off.miners.get(0), other, r.judged);
        r.on.b.onMinerRequest(r.on.miners.get(0), other);
        assertEquals(0, r.off.b.judgementsReused);
        assertEquals(r.on.up.of(SubmitSharesExtended.class), r.off.up.of(SubmitSharesExtended.class));
    }
}
