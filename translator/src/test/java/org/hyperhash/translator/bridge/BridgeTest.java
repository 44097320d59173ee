package org.hyperhash.translator.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv1.MiningSubmit;
import org.hyperhash.sv1.Sv1Error;
import org.hyperhash.sv1.Sv1Json;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.sv1.Sv1ParseException;
import org.hyperhash.sv2.channel.VardiffConfig;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.testkit.sv1.Sv1CpuMiner;
import org.hyperhash.translator.TranslatorMetrics;
import org.hyperhash.translator.TranslatorMetrics.ShareReject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BridgeTest {
    static final Bytes PREFIX = Bytes.fromHex("01000002");
    static final Bytes CB_PREFIX = Bytes.fromHex("02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff1e5200065376322f2f2f14");
    static final Bytes CB_SUFFIX = Bytes.fromHex("ffffffff0100f2052a01000000160014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc00000000");
    static final Hash256 PREV = Hash256.fromWireHex("ab".repeat(32));
    static final double MINER_DIFF = 1e-5;

    final ManualClock clock = new ManualClock(Instant.parse("2026-05-01T00:00:00Z"));
    final int ntime = (int) clock.instant().getEpochSecond();
    SimpleMeterRegistry registry;
    TranslatorMetrics metrics;
    Bridge bridge;
    Up up;

    static class FakeMiner implements MinerLink {
        final List<Sv1Message> sent = new ArrayList<>();
        boolean closed;

        @Override
        public void send(Object message) {
            try {
                sent.add(message instanceof String s ? Sv1Json.parse(s) : (Sv1Message) message);
            } catch (Sv1ParseException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void sendAndClose(Object message) {
            send(message);
            closed = true;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }

        Sv1Message.Response lastResponse() {
            for (int i = sent.size() - 1; i >= 0; i--) {
                if (sent.get(i) instanceof Sv1Message.Response r) {
                    return r;
                }
            }
            throw new AssertionError("no response");
        }

        List<Sv1Message.Request> notifications(String method) {
            return sent.stream().filter(m -> m instanceof Sv1Message.Request r && r.method().equals(method))
                    .map(m -> (Sv1Message.Request) m).toList();
        }

        MiningNotify lastJob() throws Sv1ParseException {
            List<Sv1Message.Request> n = notifications("mining.notify");
            return MiningNotify.fromParams(n.getLast().params());
        }
    }

    static class Up implements UpstreamLink {
        final List<Sv2Message> sent = new ArrayList<>();
        boolean closed;

        @Override
        public void send(Sv2Message message) {
            sent.add(message);
        }

        @Override
        public void close(String reason) {
            closed = true;
        }

        @Override
        public String poolName() {
            return "fake";
        }

        <T> List<T> of(Class<T> c) {
            return sent.stream().filter(c::isInstance).map(c::cast).toList();
        }
    }

    BridgeConfig config(boolean stable, boolean perMiner) {
        return new BridgeConfig(4, 2, 16, stable, "addr.translator", 1e9,
                VardiffConfig.defaults().withDifficultyRange(1e-6, 1e7), MINER_DIFF, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofMinutes(5), 1000, 16, "", 0, perMiner);
    }

    @BeforeEach
    void setUp() {
        newBridge(true, false);
    }

    void newBridge(boolean stable, boolean perMiner) {
        newBridge(stable, perMiner, OpenRetry.defaults());
    }

    void newBridge(boolean stable, boolean perMiner, OpenRetry retry) {
        registry = new SimpleMeterRegistry();
        metrics = new TranslatorMetrics(registry);
        bridge = new Bridge(config(stable, perMiner), clock, metrics, retry);
    }

    /** No jitter, so the schedule is exact: 1, 2, 4, 4, ... s; give up after 40 s (grace is 30 s). */
    static final OpenRetry EXACT = new OpenRetry(Duration.ofSeconds(1), Duration.ofSeconds(4), 0, Duration.ofSeconds(40));

    /** Advances the clock by {@code ms} in 100 ms ticks. */
    void tick(long ms) {
        for (long t = 0; t < ms; t += 100) {
            clock.advance(Duration.ofMillis(100));
            bridge.onTick();
        }
    }

    static org.hyperhash.sv2.message.mining.OpenMiningChannelError refuse(OpenExtendedMiningChannel o, String code) {
        return new org.hyperhash.sv2.message.mining.OpenMiningChannelError(o.requestId(), code);
    }

    /** Upstream up, channel open (channel target at upstreamDiff), first job on the tip. */
    Up connectUpstream(double upstreamDiff, Bytes prefix) {
        Up u = new Up();
        bridge.onUpstreamUp(u);
        OpenExtendedMiningChannel open = u.of(OpenExtendedMiningChannel.class).getFirst();
        assertEquals(6, open.minExtranonceSize());
        assertEquals("addr.translator", open.userIdentity());
        bridge.onUpstreamMessage(u, new OpenExtendedMiningChannelSuccess(open.requestId(), 7,
                Targets.fromDifficulty(upstreamDiff), 16, prefix, 0));
        sendBlock(u, 1, PREV);
        return u;
    }

    void sendBlock(Up u, int jobId, Hash256 prev) {
        bridge.onUpstreamMessage(u, new NewExtendedMiningJob(7, jobId, OptionalInt.empty(), 0x20000000, true,
                List.of(Hash256.fromWireHex("11".repeat(32))), CB_PREFIX, CB_SUFFIX));
        bridge.onUpstreamMessage(u, new SetNewPrevHash(7, jobId, prev, ntime, 0x1d00ffff));
    }

    Bridge.Miner miner(FakeMiner link, String ua, String... extra) {
        Bridge.Miner m = bridge.onMinerConnected(link);
        request(m, 1, "mining.subscribe", ua);
        request(m, 2, "mining.authorize", "bc1qaddress.worker1", "x");
        return m;
    }

    void request(Bridge.Miner m, Object id, String method, Object... params) {
        ArrayNode p = Sv1Json.MAPPER.createArrayNode();
        for (Object o : params) {
            p.addPOJO(o);
        }
        bridge.onMinerRequest(m, new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(id), method,
                (ArrayNode) Sv1Json.MAPPER.valueToTree(p)));
    }

    Sv1CpuMiner.Found mine(FakeMiner link, MiningNotify job, Bytes en2, Target target, int bits, int mask) {
        Bytes en1 = Bytes.fromHex(link.sent.stream().filter(s -> s instanceof Sv1Message.Response r
                && r.result().isArray() && r.result().size() == 3).map(s -> ((Sv1Message.Response) s).result().get(1).asText())
                .findFirst().orElseThrow());
        Optional<Sv1CpuMiner.Found> f = Sv1CpuMiner.search(job, en1, en2, target, bits, mask, 0, 50_000_000L);
        return f.orElseThrow();
    }

    void submit(Bridge.Miner m, Object id, String jobId, Sv1CpuMiner.Found f, OptionalInt bits) {
        ArrayNode p = new MiningSubmit("bc1qaddress.worker1", jobId, f.extranonce2(), f.ntime(), f.nonce(), bits).toParams();
        bridge.onMinerRequest(m, new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(id), "mining.submit", p));
    }

    @Test
    void shareFlowsUpstreamWithTheMinersBytes() throws Exception {
        Up u = connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "bmminer/2.0.0");
        Sv1Message.Response sub = (Sv1Message.Response) link.sent.getFirst();
        assertEquals("0000", sub.result().get(1).asText(), "stable extranonce1 = 2-byte miner index");
        assertEquals(4, sub.result().get(2).asInt());
        assertEquals(1e-6, link.notifications("mining.set_difficulty").getFirst().params().get(0).asDouble(), 1e-18,
                "a miner's difficulty never exceeds the upstream channel's");
        MiningNotify job = link.lastJob();
        assertTrue(job.cleanJobs());
        assertEquals(CB_PREFIX.concat(PREFIX).concat(Bytes.wrap(new byte[10])), job.coinb1(), "fixed bytes moved to coinb1");

        Sv1CpuMiner.Found f = mine(link, job, Bytes.fromHex("01020304"), Targets.fromDifficulty(MINER_DIFF), 0, 0);
        submit(m, 10, job.jobId(), f, OptionalInt.empty());
        assertTrue(link.lastResponse().result().asBoolean(), () -> String.valueOf(link.lastResponse()));
        SubmitSharesExtended s = u.of(SubmitSharesExtended.class).getFirst();
        assertEquals(7, s.channelId());
        assertEquals(1, s.jobId());
        assertEquals(f.nonce(), s.nonce());
        assertEquals(f.ntime(), s.ntime());
        assertEquals(0x20000000, s.version());
        assertEquals("00".repeat(10) + "0000" + "01020304", s.extranonce().toHex());
        assertEquals(1.0, metrics.acceptedCount());
        assertEquals(1.0, metrics.forwardedCount());

        // the same share again is a duplicate
        submit(m, 11, job.jobId(), f, OptionalInt.empty());
        assertEquals(Sv1Error.DUPLICATE_SHARE, link.lastResponse().error().code());
        assertEquals(1, u.of(SubmitSharesExtended.class).size());
    }

    @Test
    void aNewBlockGoesThroughTheFanOutOnceToEveryWorkingMinerAndNoOneElse() throws Exception {
        List<List<MinerLink>> calls = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        bridge.fanOut((links, line) -> {
            calls.add(List.copyOf(links));
            lines.add(line);
            LineFanOut.EACH.send(links, line);
        });
        Up u = connectUpstream(1e-6, PREFIX);
        FakeMiner a = new FakeMiner();
        FakeMiner b = new FakeMiner();
        FakeMiner idle = new FakeMiner();
        miner(a, "bmminer/2.0.0");
        miner(b, "cgminer/4.12.0");
        Bridge.Miner notAuthorized = bridge.onMinerConnected(idle);
        request(notAuthorized, 1, "mining.subscribe", "cgminer/4.12.0");
        calls.clear();
        lines.clear();
        int jobsBefore = a.notifications("mining.notify").size();

        sendBlock(u, 2, Hash256.fromWireHex("cd".repeat(32)));

        assertEquals(1, calls.size(), "one fan-out per job");
        assertEquals(java.util.Set.of(a, b), new java.util.HashSet<>(calls.getFirst()), "working miners only");
        MiningNotify viaFanOut = MiningNotify.fromParams(((Sv1Message.Request) Sv1Json.parse(lines.getFirst())).params());
        assertTrue(viaFanOut.cleanJobs());
        assertEquals(viaFanOut, a.lastJob());
        assertEquals(viaFanOut, b.lastJob());
        assertEquals(jobsBefore + 1, a.notifications("mining.notify").size());
        assertTrue(idle.notifications("mining.notify").isEmpty());
    }

    @Test
    void jobsAddressedToAGroupFromSetGroupChannelReachTheMiners() throws Exception {
        Up u = connectUpstream(1e-6, PREFIX); // channel 7, not in a group at open
        FakeMiner link = new FakeMiner();
        miner(link, "bmminer/2.0.0");
        String before = link.lastJob().jobId();
        bridge.onUpstreamMessage(u, new org.hyperhash.sv2.message.mining.SetGroupChannel(50, List.of(7)));
        bridge.onUpstreamMessage(u, new NewExtendedMiningJob(50, 2, OptionalInt.empty(), 0x20000000, true,
                List.of(Hash256.fromWireHex("22".repeat(32))), CB_PREFIX, CB_SUFFIX));
        bridge.onUpstreamMessage(u, new SetNewPrevHash(50, 2, Hash256.fromWireHex("33".repeat(32)), ntime, 0x1d00ffff));
        assertTrue(!link.lastJob().jobId().equals(before), "the group's job was published to the miner");
        assertTrue(link.lastJob().cleanJobs());
    }

    @Test
    void aggregatedModeTagsEachMinersSharesWithItsWorkerOnceThePoolAcceptsExtension0002() throws Exception {
        Up u = connectUpstream(1e-6, PREFIX);
        var req = u.of(org.hyperhash.sv2.message.extensions.RequestExtensions.class).getFirst();
        assertEquals(List.of(0x0002), req.requestedExtensions());
        bridge.onUpstreamMessage(u, new org.hyperhash.sv2.message.extensions.RequestExtensionsSuccess(req.requestId(),
                List.of(0x0002)));
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "bmminer/2.0.0"); // authorized as bc1qaddress.worker1
        MiningNotify job = link.lastJob();
        Sv1CpuMiner.Found f = mine(link, job, Bytes.fromHex("01020304"), Targets.fromDifficulty(MINER_DIFF), 0, 0);
        submit(m, 10, job.jobId(), f, OptionalInt.empty());
        SubmitSharesExtended s = u.of(SubmitSharesExtended.class).getFirst();
        assertEquals(List.of(new org.hyperhash.sv2.message.Tlv(0x0002, 0x01,
                Bytes.wrap("worker1".getBytes(java.nio.charset.StandardCharsets.US_ASCII)))), s.tlvs());
    }

    @Test
    void withoutTheExtensionSharesCarryNoTlv() throws Exception {
        Up u = connectUpstream(1e-6, PREFIX);
        var req = u.of(org.hyperhash.sv2.message.extensions.RequestExtensions.class).getFirst();
        bridge.onUpstreamMessage(u, new org.hyperhash.sv2.message.extensions.RequestExtensionsError(req.requestId(),
                List.of(0x0002), List.of()));
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "bmminer/2.0.0");
        MiningNotify job = link.lastJob();
        Sv1CpuMiner.Found f = mine(link, job, Bytes.fromHex("01020304"), Targets.fromDifficulty(MINER_DIFF), 0, 0);
        submit(m, 10, job.jobId(), f, OptionalInt.empty());
        assertTrue(u.of(SubmitSharesExtended.class).getFirst().tlvs().isEmpty());
    }

    @Test
    void aggregatedModeSendsUpdateChannelWhenAMinerCloses() throws Exception {
        Up u = connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "bmminer/2.0.0");
        FakeMiner other = new FakeMiner();
        miner(other, "bmminer/2.0.0");
        MiningNotify job = link.lastJob();
        Sv1CpuMiner.Found f = mine(link, job, Bytes.fromHex("01020304"), Targets.fromDifficulty(MINER_DIFF), 0, 0);
        submit(m, 10, job.jobId(), f, OptionalInt.empty());
        assertTrue(link.lastResponse().result().asBoolean());
        int before = u.of(UpdateChannel.class).size();
        bridge.onMinerDisconnected(m);
        List<UpdateChannel> updates = u.of(UpdateChannel.class);
        assertEquals(before + 1, updates.size(), "UpdateChannel at once, not on the 30 s timer");
        assertEquals(7, updates.getLast().channelId());
        assertEquals(0f, updates.getLast().nominalHashRate(), "the remaining miner has no shares yet");
    }

    @Test
    void sharesBelowTheUpstreamTargetAreAcceptedButNotForwarded() throws Exception {
        Up u = connectUpstream(1e3, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "cgminer/4.11.1");
        MiningNotify job = link.lastJob();
        Sv1CpuMiner.Found f = mine(link, job, Bytes.fromHex("00000001"), Targets.fromDifficulty(MINER_DIFF), 0, 0);
        submit(m, 3, job.jobId(), f, OptionalInt.empty());
        assertTrue(link.lastResponse().result().asBoolean());
        assertTrue(u.of(SubmitSharesExtended.class).isEmpty());
    }

    @Test
    void versionRollingWithinTheNegotiatedMaskAndOutOfMaskRejected() throws Exception {
        Up u = connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = bridge.onMinerConnected(link);
        JsonNode cfg = Sv1Json.MAPPER.readTree("{\"version-rolling.mask\":\"ffffffff\",\"version-rolling.min-bit-count\":2}");
        request(m, 0, "mining.configure", List.of("version-rolling"), cfg);
        assertEquals("1fffffe0", link.lastResponse().result().get("version-rolling.mask").asText());
        request(m, 1, "mining.subscribe", "bitaxe/BM1370/v2.4.0");
        request(m, 2, "mining.authorize", "bc1qaddress.bitaxe", "x");
        assertEquals("1fffffe0", link.notifications("mining.set_version_mask").getFirst().params().get(0).asText());
        MiningNotify job = link.lastJob();
        Sv1CpuMiner.Found f = mine(link, job, Bytes.fromHex("00000009"), Targets.fromDifficulty(MINER_DIFF), 0x00ffe000,
                0x1fffffe0);
        submit(m, 3, job.jobId(), f, OptionalInt.of(0x00ffe000));
        assertTrue(link.lastResponse().result().asBoolean(), () -> String.valueOf(link.lastResponse()));
        assertEquals(0x20ffe000, u.of(SubmitSharesExtended.class).getFirst().version());

        submit(m, 4, job.jobId(), f, OptionalInt.of(0xe0000000));
        Sv1Error e = link.lastResponse().error();
        assertEquals(Sv1Error.OTHER, e.code());
        assertTrue(e.message().contains("outside the negotiated mask 1fffffe0"), e.message());
        assertEquals(1.0, metrics.rejectedCount(ShareReject.VERSION_BITS));
    }

    @Test
    void bip310MinimumDifficultyIsAnsweredFalseAndNotUsed() throws Exception {
        connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = bridge.onMinerConnected(link);
        JsonNode cfg = Sv1Json.MAPPER.readTree("{\"minimum-difficulty.value\":1.0}");
        request(m, 0, "mining.configure", List.of("minimum-difficulty"), cfg);
        // the translator cannot promise a floor the upstream target may undercut: no, as SRI answers
        assertEquals(false, link.lastResponse().result().get("minimum-difficulty").asBoolean());
        request(m, 1, "mining.subscribe", "bitaxe/BM1370/v2.4.0");
        request(m, 2, "mining.authorize", "bc1qaddress.bitaxe", "x");
        FakeMiner plain = new FakeMiner();
        miner(plain, "bitaxe/BM1370/v2.4.0");
        assertEquals(plain.notifications("mining.set_difficulty").getFirst().params().get(0).asDouble(),
                link.notifications("mining.set_difficulty").getFirst().params().get(0).asDouble(),
                "the requested minimum is not used either");
    }

    @Test
    void protocolErrorsAreClearAndTyped() throws Exception {
        connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = bridge.onMinerConnected(link);
        request(m, "a", "mining.submit", "w", "1", "00000000", "00000000", "00000000");
        assertEquals(Sv1Error.NOT_SUBSCRIBED, link.lastResponse().error().code());
        assertEquals("a", link.lastResponse().id().asText());
        request(m, 1, "mining.subscribe", "NerdMinerV2");
        request(m, 2, "mining.submit", "w", "1", "00000000", "00000000", "00000000");
        assertEquals(Sv1Error.UNAUTHORIZED, link.lastResponse().error().code());
        request(m, 3, "mining.authorize", "bc1q.nerd", "x");
        request(m, 4, "mining.submit", "w", link.lastJob().jobId(), "0000", "00000000", "00000000");
        assertTrue(link.lastResponse().error().message().contains("params[2] extranonce2: expected 4 bytes"));
        request(m, 5, "mining.submit", "w", "ffff", "00000000", "00000000", "00000000");
        assertEquals(Sv1Error.JOB_NOT_FOUND, link.lastResponse().error().code());
        request(m, 6, "mining.frobnicate");
        assertEquals("Unknown method 'mining.frobnicate'", link.lastResponse().error().message());
        request(m, 7, "mining.submit", "w", link.lastJob().jobId(), "00000000", "00000000", "00000000", "00002000");
        assertTrue(link.lastResponse().error().message().contains("version rolling was not negotiated"));
        request(m, 8, "mining.suggest_difficulty", "abc");
        assertTrue(link.lastResponse().error().message().contains("suggest_difficulty"));
        for (int i = 0; i < Bridge.MAX_MALFORMED; i++) {
            assertFalse(link.closed);
            bridge.onMinerMalformed(m, "invalid JSON: x");
        }
        assertTrue(link.closed, "repeated garbage closes the connection");
        bridge.onMinerDisconnected(m);
        assertEquals(0, bridge.minerCount());
    }

    @Test
    void lowDifficultyShareRejectedWith23() throws Exception {
        connectUpstream(MINER_DIFF, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "btminer/3.1.0");
        MiningNotify job = link.lastJob();
        // a hash meeting 1e-6 but not the miner's 1e-5 target
        Target easy = Targets.fromDifficulty(1e-6);
        Target minerTarget = Targets.fromDifficulty(MINER_DIFF);
        Sv1CpuMiner.Found f = null;
        for (int i = 0; f == null; i++) {
            Sv1CpuMiner.Found c = mine(link, job, Bytes.fromHex(String.format("%08x", i)), easy, 0, 0);
            if (!minerTarget.isMetBy(c.hashWire())) {
                f = c;
            }
        }
        submit(m, 9, job.jobId(), f, OptionalInt.empty());
        assertEquals(Sv1Error.LOW_DIFFICULTY, link.lastResponse().error().code());
    }

    @Test
    void replacedSessionsLateTeardownAndMessagesDoNotTouchTheNewOne() throws Exception {
        Up old = connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        miner(link, "bmminer/2.0.0");
        bridge.onUpstreamDown(old); // a followed Reconnect: the old session is let go first
        assertFalse(bridge.upstreamReady());
        assertEquals(0, metrics.upstreamConnectedValue());
        Up fresh = connectUpstream(1e-6, Bytes.fromHex("09090909"));
        MiningNotify job = link.lastJob();
        assertTrue(bridge.upstreamReady());
        // the old channel's close and stray frames arrive after the new session took over
        sendBlock(old, 9, Hash256.fromWireHex("cd".repeat(32)));
        bridge.onUpstreamDown(old);
        assertTrue(bridge.upstreamReady(), "a replaced session's teardown is ignored");
        assertEquals(1, metrics.upstreamConnectedValue());
        assertEquals("ready", bridge.status().get("upstream_state"));
        assertEquals(job, link.lastJob(), "no job from the replaced session");
        assertFalse(fresh.closed);
    }

    @Test
    void noStaleWorkAfterUpstreamReconnectAndGraceThenReconnect() throws Exception {
        Up u = connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "bmminer/2.0.0");
        MiningNotify old = link.lastJob();
        Sv1CpuMiner.Found f = mine(link, old, Bytes.fromHex("0000000a"), Targets.fromDifficulty(MINER_DIFF), 0, 0);

        bridge.onUpstreamDown(u);
        assertFalse(bridge.upstreamReady());
        submit(m, 20, old.jobId(), f, OptionalInt.empty());
        assertEquals(Sv1Error.JOB_NOT_FOUND, link.lastResponse().error().code(), "old work is stale once upstream is lost");

        Up u2 = connectUpstream(1e-6, Bytes.fromHex("09090909"));
        MiningNotify fresh = link.lastJob();
        assertTrue(fresh.cleanJobs());
        assertNotEquals(old.jobId(), fresh.jobId());
        assertTrue(link.notifications("mining.set_extranonce").isEmpty(), "stable extranonce1 survives the failover");
        submit(m, 21, old.jobId(), f, OptionalInt.empty());
        assertEquals(Sv1Error.JOB_NOT_FOUND, link.lastResponse().error().code());
        assertTrue(u2.of(SubmitSharesExtended.class).isEmpty());

        // upstream lost for longer than the grace period: client.reconnect
        bridge.onUpstreamDown(u2);
        clock.advance(Duration.ofSeconds(29));
        bridge.onTick();
        assertFalse(link.closed);
        clock.advance(Duration.ofSeconds(2));
        bridge.onTick();
        assertTrue(link.closed);
        assertEquals(1, link.notifications("client.reconnect").size());
    }

    @Test
    void sriLayoutSendsSetExtranonceOrReconnectWhenThePrefixChanges() throws Exception {
        newBridge(false, false);
        FakeMiner early = new FakeMiner();
        Bridge.Miner e = bridge.onMinerConnected(early);
        request(e, 1, "mining.subscribe", "cgminer/4.11.1");
        assertEquals(Sv1Error.OTHER, early.lastResponse().error().code(), "SRI layout needs the upstream first");

        Up u = connectUpstream(1e-6, PREFIX);
        FakeMiner subscribed = new FakeMiner();
        Bridge.Miner a = bridge.onMinerConnected(subscribed);
        request(a, 1, "mining.subscribe", "cgminer/4.11.1");
        request(a, 2, "mining.extranonce.subscribe");
        request(a, 3, "mining.authorize", "x.y", "p");
        assertEquals("01000002" + "00".repeat(10) + "0000",
                ((Sv1Message.Response) subscribed.sent.getFirst()).result().get(1).asText());
        FakeMiner plain = new FakeMiner();
        miner(plain, "bmminer/2.0.0");

        bridge.onUpstreamMessage(u, new SetExtranoncePrefix(7, Bytes.fromHex("05050505")));
        ArrayNode p = subscribed.notifications("mining.set_extranonce").getFirst().params();
        assertEquals("05050505" + "00".repeat(10) + "0000", p.get(0).asText());
        assertEquals(4, p.get(1).asInt());
        assertTrue(plain.closed);
        assertEquals(1, plain.notifications("client.reconnect").size());
    }

    @Test
    void sessionResumeGivesBackTheSameExtranonce1() throws Exception {
        connectUpstream(1e-6, PREFIX);
        FakeMiner first = new FakeMiner();
        Bridge.Miner a = miner(first, "bmminer/2.0.0");
        FakeMiner second = new FakeMiner();
        miner(second, "bmminer/2.0.0");
        Sv1Message.Response sub = (Sv1Message.Response) first.sent.getFirst();
        String subId = sub.result().get(0).get(1).get(1).asText();
        String en1 = sub.result().get(1).asText();
        bridge.onMinerDisconnected(a);
        FakeMiner third = new FakeMiner();
        Bridge.Miner c = bridge.onMinerConnected(third);
        request(c, 1, "mining.subscribe", "bmminer/2.0.0", subId);
        assertEquals(en1, third.lastResponse().result().get(1).asText());
        // an unknown resume id gets a fresh extranonce1
        FakeMiner fourth = new FakeMiner();
        Bridge.Miner d = bridge.onMinerConnected(fourth);
        request(d, 1, "mining.subscribe", "bmminer/2.0.0", "deadbeef");
        assertNotEquals(en1, fourth.lastResponse().result().get(1).asText());
    }

    @Test
    void subscriptionIdsAreDistinctRandomHexAcrossBatchRefills() throws Exception {
        connectUpstream(1e-6, PREFIX);
        java.util.Set<String> ids = new java.util.HashSet<>();
        int n = Bridge.ID_BATCH_IDS * 3 + 5; // past two refills of the random batch
        for (int i = 0; i < n; i++) {
            FakeMiner link = new FakeMiner();
            miner(link, "bmminer/2.0.0");
            Sv1Message.Response sub = (Sv1Message.Response) link.sent.getFirst();
            String id = sub.result().get(0).get(1).get(1).asText();
            assertEquals(id, sub.result().get(0).get(0).get(1).asText());
            assertTrue(id.matches("[0-9a-f]{16}"), id);
            assertNotEquals("0".repeat(16), id); // a wiped slice handed out again would read as zeros
            assertTrue(ids.add(id), "subscription id handed out twice: " + id);
        }
    }

    @Test
    void excerptCutsTo64CharsAndReplacesControlCharacters() {
        assertEquals("", Bridge.excerpt(null));
        assertEquals("bmminer/2.0.0", Bridge.excerpt("bmminer/2.0.0"));
        assertEquals("a?b?c?d\u0080\u00e9", Bridge.excerpt("a\nb\u0000c\u007fd\u0080\u00e9"));
        assertEquals("?".repeat(31) + "x".repeat(33), Bridge.excerpt("\u001f".repeat(31) + "x".repeat(40)));
        String plain = "cgminer/4.12.0";
        assertSame(plain, Bridge.excerpt(plain));
    }

    @Test
    void setTargetCapsMinerDifficultyAndUpdateChannelCarriesTheHashrate() throws Exception {
        Up u = connectUpstream(1e-3, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "bmminer/2.0.0");
        request(m, 5, "mining.suggest_difficulty", 1e-4);
        assertEquals(1e-4, link.notifications("mining.set_difficulty").getLast().params().get(0).asDouble(), 1e-12);
        bridge.onUpstreamMessage(u, new SetTarget(7, Targets.fromDifficulty(5e-5)));
        assertEquals(5e-5, link.notifications("mining.set_difficulty").getLast().params().get(0).asDouble(), 1e-9);

        MiningNotify job = link.lastJob();
        for (int i = 0; i < 3; i++) {
            Sv1CpuMiner.Found f = mine(link, job, Bytes.fromHex(String.format("%08x", 100 + i)), Targets.fromDifficulty(5e-5), 0, 0);
            clock.advance(Duration.ofSeconds(2));
            submit(m, 30 + i, job.jobId(), f, OptionalInt.empty());
            assertTrue(link.lastResponse().result().asBoolean());
        }
        clock.advance(Duration.ofSeconds(30));
        bridge.onTick();
        List<UpdateChannel> updates = u.of(UpdateChannel.class);
        assertEquals(1, updates.size());
        assertEquals(7, updates.getFirst().channelId());
        assertTrue(updates.getFirst().nominalHashRate() > 0);
        assertNotNull(bridge.miners().getFirst().get("hashrate_hps"));
        assertEquals("bc1qaddress.worker1", bridge.miners().getFirst().get("worker"));
    }

    @Test
    void failoverToAPoolWithAnEasierChannelLowersTheMinersDifficultyBeforeItsFirstJob() throws Exception {
        Up u = connectUpstream(1e-3, PREFIX);
        FakeMiner link = new FakeMiner();
        Bridge.Miner m = miner(link, "bmminer/2.0.0");
        request(m, 5, "mining.suggest_difficulty", 1e-4);
        assertEquals(1e-4, link.notifications("mining.set_difficulty").getLast().params().get(0).asDouble(), 1e-12);
        bridge.onUpstreamDown(u);

        int before = link.sent.size();
        connectUpstream(2e-5, Bytes.fromHex("09090909"));
        List<Sv1Message> after = link.sent.subList(before, link.sent.size());
        int diffAt = -1;
        int notifyAt = -1;
        for (int i = 0; i < after.size(); i++) {
            if (after.get(i) instanceof Sv1Message.Request r) {
                if (r.method().equals("mining.set_difficulty") && diffAt < 0) {
                    diffAt = i;
                    assertEquals(2e-5, r.params().get(0).asDouble(), 1e-12);
                } else if (r.method().equals("mining.notify") && notifyAt < 0) {
                    notifyAt = i;
                }
            }
        }
        assertTrue(diffAt >= 0, "set_difficulty down to the new channel's difficulty");
        assertTrue(notifyAt > diffAt, "before the first job from the new pool");
    }

    @Test
    void notifyIsFannedOutToWorkingMinersOnANewBlock() throws Exception {
        Up u = connectUpstream(1e-6, PREFIX);
        FakeMiner a = new FakeMiner();
        FakeMiner b = new FakeMiner();
        miner(a, "bmminer/2.0.0");
        miner(b, "btminer/3.1.0");
        FakeMiner idle = new FakeMiner();
        Bridge.Miner i = bridge.onMinerConnected(idle);
        request(i, 1, "mining.subscribe", "x");
        sendBlock(u, 2, Hash256.fromWireHex("cd".repeat(32)));
        assertEquals(a.lastJob(), b.lastJob());
        assertTrue(a.lastJob().cleanJobs());
        assertEquals(Hash256.fromWireHex("cd".repeat(32)), a.lastJob().prevHash());
        assertTrue(idle.notifications("mining.notify").isEmpty(), "no work before authorize");
    }

    @Test
    void perMinerModeOpensOneChannelPerMinerUnderItsOwnIdentity() throws Exception {
        newBridge(true, true);
        Up u = new Up();
        bridge.onUpstreamUp(u);
        assertTrue(u.of(OpenExtendedMiningChannel.class).isEmpty(), "nothing opened before a miner authorizes");
        FakeMiner a = new FakeMiner();
        Bridge.Miner ma = miner(a, "bmminer/2.0.0");
        OpenExtendedMiningChannel open = u.of(OpenExtendedMiningChannel.class).getFirst();
        assertEquals("bc1qaddress.worker1", open.userIdentity());
        assertEquals(6, open.minExtranonceSize());
        assertEquals(1, a.sent.size(), "authorize waits for the pool's answer");
        bridge.onUpstreamMessage(u, new OpenExtendedMiningChannelSuccess(open.requestId(), 7, Targets.fromDifficulty(1e-6),
                16, PREFIX, 0));
        assertTrue(a.lastResponse().result().asBoolean());
        sendBlock(u, 1, PREV);
        MiningNotify job = a.lastJob();
        Sv1CpuMiner.Found f = mine(a, job, Bytes.fromHex("01020304"), Targets.fromDifficulty(1e-6), 0, 0);
        submit(ma, 10, job.jobId(), f, OptionalInt.empty());
        assertTrue(a.lastResponse().result().asBoolean(), () -> String.valueOf(a.lastResponse()));
        assertEquals(7, u.of(SubmitSharesExtended.class).getFirst().channelId());

        // a second miner with a bad identity is refused by the pool: authorize error 24
        FakeMiner b = new FakeMiner();
        Bridge.Miner mb = bridge.onMinerConnected(b);
        request(mb, 1, "mining.subscribe", "cgminer/4.11.1");
        request(mb, 2, "mining.authorize", "not-an-address", "x");
        OpenExtendedMiningChannel second = u.of(OpenExtendedMiningChannel.class).getLast();
        assertEquals("not-an-address", second.userIdentity());
        bridge.onUpstreamMessage(u, new org.hyperhash.sv2.message.mining.OpenMiningChannelError(second.requestId(),
                "invalid-user-identity"));
        assertEquals(Sv1Error.UNAUTHORIZED, b.lastResponse().error().code());
        assertTrue(b.lastResponse().error().message().contains("invalid-user-identity"));
        assertFalse(u.closed, "one refused worker does not drop the upstream");

        // a pool that never answers: authorize fails after the timeout instead of hanging
        FakeMiner c = new FakeMiner();
        Bridge.Miner mc = bridge.onMinerConnected(c);
        request(mc, 1, "mining.subscribe", "cgminer/4.11.1");
        request(mc, 2, "mining.authorize", "bc1qcarol.x", "x");
        clock.advance(Duration.ofMillis(Bridge.PENDING_AUTHORIZE_MILLIS));
        bridge.onTick();
        assertTrue(c.lastResponse().error().message().contains("did not answer"));

        // disconnect closes the miner's channel upstream
        bridge.onMinerDisconnected(ma);
        assertEquals(7, u.of(org.hyperhash.sv2.message.mining.CloseChannel.class).getFirst().channelId());
    }

    @Test
    void reconnectThenNoWorkAvailableIsRetriedWithBackoffMinersStayAndGetCleanWork() throws Exception {
        newBridge(true, false, EXACT);
        Up u = connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        miner(link, "bmminer/2.0.0");
        MiningNotify old = link.lastJob();
        // the pool sends Reconnect: the connector lets the session go and opens one to the (restarted) pool
        bridge.onUpstreamDown(u);
        Up fresh = new Up();
        bridge.onUpstreamUp(fresh);
        bridge.onUpstreamMessage(fresh, refuse(fresh.of(OpenExtendedMiningChannel.class).getLast(), "no-work-available"));
        assertFalse(fresh.closed, "a transient refusal keeps the connection");
        assertEquals("waiting_for_work", bridge.channelState());
        assertEquals("waiting_for_work", bridge.status().get("channel_state"));
        assertNotNull(bridge.status().get("waiting_for_work_since"));
        assertFalse(bridge.upstreamReady());
        // schedule: retry 1 after 1 s, retry 2 after 2 s more, then 4 s (the cap) each; answered no-work-available each time
        long[] expected = {1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000};
        for (long delay : expected) {
            int before = fresh.of(OpenExtendedMiningChannel.class).size();
            tick(delay - 100);
            assertEquals(before, fresh.of(OpenExtendedMiningChannel.class).size(), "not before " + delay + " ms");
            tick(100);
            assertEquals(before + 1, fresh.of(OpenExtendedMiningChannel.class).size(), "asked again after " + delay + " ms");
            bridge.onUpstreamMessage(fresh, refuse(fresh.of(OpenExtendedMiningChannel.class).getLast(), "no-work-available"));
        }
        // 27 s of waiting, then 4 more: past the 30 s grace, yet the miner stays (the pool is there, it has no work yet)
        tick(4000);
        assertFalse(link.closed, "no client.reconnect while waiting for work");
        assertTrue(link.notifications("client.reconnect").isEmpty());
        assertEquals(9.0, metrics.channelOpenRetryCount(OpenRetry.Reason.NO_WORK_AVAILABLE));
        assertEquals(0.0, metrics.channelOpenGiveUpCount(OpenRetry.GiveUp.WAIT_EXCEEDED));
        // the TP is up: the channel opens and the miner gets a clean job from the new channel
        OpenExtendedMiningChannel last = fresh.of(OpenExtendedMiningChannel.class).getLast();
        bridge.onUpstreamMessage(fresh, new OpenExtendedMiningChannelSuccess(last.requestId(), 7, Targets.fromDifficulty(1e-6),
                16, PREFIX, 0));
        assertEquals("open", bridge.channelState());
        assertTrue(bridge.upstreamReady());
        sendBlock(fresh, 3, Hash256.fromWireHex("cd".repeat(32)));
        MiningNotify job = link.lastJob();
        assertNotEquals(old.jobId(), job.jobId());
        assertTrue(job.cleanJobs(), "the first job after the channel is back is clean_jobs");
        assertFalse(link.closed);
        assertEquals(null, bridge.status().get("waiting_for_work_since"));
    }

    @Test
    void aJobBeforeThePrevHashOnAReopenedChannelIsStillClean() throws Exception {
        Up u = new Up();
        bridge.onUpstreamUp(u);
        FakeMiner link = new FakeMiner();
        miner(link, "bmminer/2.0.0");
        OpenExtendedMiningChannel open = u.of(OpenExtendedMiningChannel.class).getFirst();
        bridge.onUpstreamMessage(u, new OpenExtendedMiningChannelSuccess(open.requestId(), 7, Targets.fromDifficulty(1e-6), 16,
                PREFIX, 0));
        // SetNewPrevHash first, then a job with min_ntime (not a future job): published as is, but clean as the first
        bridge.onUpstreamMessage(u, new NewExtendedMiningJob(7, 1, OptionalInt.empty(), 0x20000000, true,
                List.of(Hash256.fromWireHex("11".repeat(32))), CB_PREFIX, CB_SUFFIX));
        bridge.onUpstreamMessage(u, new SetNewPrevHash(7, 1, PREV, ntime, 0x1d00ffff));
        bridge.onUpstreamMessage(u, new NewExtendedMiningJob(7, 2, OptionalInt.of(ntime), 0x20000000, true,
                List.of(Hash256.fromWireHex("11".repeat(32))), CB_PREFIX, CB_SUFFIX));
        List<Sv1Message.Request> n = link.notifications("mining.notify");
        assertTrue(MiningNotify.fromParams(n.getFirst().params()).cleanJobs());
        assertFalse(MiningNotify.fromParams(n.getLast().params()).cleanJobs(), "later jobs on the tip are not clean");
    }

    @Test
    void noWorkLongerThanMaxWaitFailsOverThenGraceApplies() throws Exception {
        newBridge(true, false, EXACT);
        Up u = new Up();
        bridge.onUpstreamUp(u);
        FakeMiner link = new FakeMiner();
        miner(link, "bmminer/2.0.0");
        bridge.onUpstreamMessage(u, refuse(u.of(OpenExtendedMiningChannel.class).getLast(), "no-work-available"));
        int answered = 1;
        for (int i = 0; i < 500 && !u.closed; i++) {
            tick(100);
            List<OpenExtendedMiningChannel> sent = u.of(OpenExtendedMiningChannel.class);
            if (sent.size() > answered) {
                answered = sent.size();
                bridge.onUpstreamMessage(u, refuse(sent.getLast(), "no-work-available"));
            }
        }
        // 1+2+4*n s up to 40 s: the last retry is held to the 40 s mark, its refusal gives up
        assertEquals(40_000, clock.millis() - Instant.parse("2026-05-01T00:00:00Z").toEpochMilli());
        assertTrue(u.closed, "given up after max-wait: the connector fails over");
        assertEquals(1.0, metrics.channelOpenGiveUpCount(OpenRetry.GiveUp.WAIT_EXCEEDED));
        assertFalse(link.closed, "the miner is still connected at the failover");
        bridge.onUpstreamDown(u);
        assertEquals("failed_over", bridge.channelState());
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> f = (java.util.Map<String, Object>) bridge.status().get("failed_over");
        assertEquals("wait_exceeded", f.get("reason"));
        assertEquals("no-work-available", f.get("code"));
        assertEquals("fake", f.get("pool"));
        // no pool takes the miners for the grace period: client.reconnect, as before
        tick(31_000);
        assertTrue(link.closed);
        assertEquals(1, link.notifications("client.reconnect").size());
    }

    @Test
    void permanentRefusalFailsOverAtOnceAndUnknownCodesAreRetried() throws Exception {
        newBridge(true, false, EXACT);
        Up u = new Up();
        bridge.onUpstreamUp(u);
        bridge.onUpstreamMessage(u, refuse(u.of(OpenExtendedMiningChannel.class).getLast(), "unknown-user"));
        assertTrue(u.closed, "a permanent code is not retried");
        assertEquals(1.0, metrics.channelOpenGiveUpCount(OpenRetry.GiveUp.PERMANENT_ERROR));
        assertEquals(0.0, metrics.channelOpenRetryCount(OpenRetry.Reason.NO_WORK_AVAILABLE));
        bridge.onUpstreamDown(u);
        assertEquals("failed_over", bridge.channelState());

        Up next = new Up();
        bridge.onUpstreamUp(next);
        bridge.onUpstreamMessage(next, refuse(next.of(OpenExtendedMiningChannel.class).getLast(), "pool-is-busy"));
        assertFalse(next.closed, "an unknown code is retried (bounded by max-wait)");
        assertEquals(1.0, metrics.channelOpenRetryCount(OpenRetry.Reason.UNKNOWN_CODE));
        tick(1000);
        assertEquals(2, next.of(OpenExtendedMiningChannel.class).size());
    }

    @Test
    void perMinerTransientRefusalAnswersAuthorizeAndRetriesTheMinersChannel() throws Exception {
        newBridge(true, true, EXACT);
        Up u = new Up();
        bridge.onUpstreamUp(u);
        FakeMiner a = new FakeMiner();
        miner(a, "bmminer/2.0.0");
        bridge.onUpstreamMessage(u, refuse(u.of(OpenExtendedMiningChannel.class).getLast(), "no-work-available"));
        assertTrue(a.lastResponse().result().asBoolean(), "authorize is accepted locally while the pool has no work");
        assertFalse(a.closed);
        assertEquals(1L, bridge.status().get("channels_waiting_for_work"));
        tick(900);
        assertEquals(1, u.of(OpenExtendedMiningChannel.class).size());
        tick(100);
        assertEquals(2, u.of(OpenExtendedMiningChannel.class).size(), "the miner's channel is asked for again");
        OpenExtendedMiningChannel o = u.of(OpenExtendedMiningChannel.class).getLast();
        assertEquals("bc1qaddress.worker1", o.userIdentity());
        bridge.onUpstreamMessage(u, new OpenExtendedMiningChannelSuccess(o.requestId(), 7, Targets.fromDifficulty(1e-6), 16,
                PREFIX, 0));
        sendBlock(u, 1, PREV);
        assertTrue(a.lastJob().cleanJobs());
        assertEquals(0L, bridge.status().get("channels_waiting_for_work"));
        assertFalse(u.closed);
    }

    @Test
    void aTransientRefusalAfterFailbackGoesBackToThePoolWithWork() throws Exception {
        newBridge(true, false, EXACT);
        Up backup = connectUpstream(1e-6, PREFIX);
        FakeMiner link = new FakeMiner();
        miner(link, "bmminer/2.0.0");
        Up primary = new Up() {
            @Override
            public boolean failback() {
                return true;
            }
        };
        bridge.onUpstreamUp(primary); // the connector's probe of the primary succeeded and replaced the backup
        bridge.onUpstreamMessage(primary, refuse(primary.of(OpenExtendedMiningChannel.class).getLast(), "no-work-available"));
        assertTrue(primary.closed, "no waiting on a primary without work while the backup had some");
        assertEquals(1.0, metrics.channelOpenGiveUpCount(OpenRetry.GiveUp.FAILBACK_REFUSED));
        assertEquals(0.0, metrics.channelOpenRetryCount(OpenRetry.Reason.NO_WORK_AVAILABLE));
        assertFalse(link.closed);
        assertFalse(backup.closed, "the bridge leaves connections to the connector");
    }

    @Test
    void aRetryThePoolNeverAnswersEndsTheWait() throws Exception {
        newBridge(true, false, EXACT);
        Up u = new Up();
        bridge.onUpstreamUp(u);
        bridge.onUpstreamMessage(u, refuse(u.of(OpenExtendedMiningChannel.class).getLast(), "no-work-available"));
        tick(1000);
        assertEquals(2, u.of(OpenExtendedMiningChannel.class).size());
        tick(Bridge.PENDING_AUTHORIZE_MILLIS - 100);
        assertFalse(u.closed);
        tick(100);
        assertTrue(u.closed, "no answer to the retry: given up like a wait that ran out");
        assertEquals(1.0, metrics.channelOpenGiveUpCount(OpenRetry.GiveUp.WAIT_EXCEEDED));
    }
}
