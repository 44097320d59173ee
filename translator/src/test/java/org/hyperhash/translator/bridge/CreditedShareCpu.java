package org.hyperhash.translator.bridge;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Targets;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv1.Sv1Hex;
import org.hyperhash.sv1.Sv1Json;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.sv2.channel.VardiffConfig;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.translator.TranslatorMetrics;

/**
 * CPU per credited share of the translator's share path without the network (manual {@code main}, not a test): one
 * bridge, one miner at a difficulty every hash meets, distinct shares; thread CPU time per share, the modes alternating
 * per round on one thread:
 * <ul>
 * <li>{@code loop}: {@link Bridge#submitOffBridge} (the miner's loop judges, deduplicates, counts and answers the share;
 * the link runs its upstream submission inline, as on the bridge's loop);
 * <li>{@code bridge}: {@link Bridge#onMinerRequest} only (a miner on the bridge's own loop).
 * </ul>
 * The cross-loop hops the loop mode saves are not in this figure (one thread): Sv1Storm measures them.
 * Args: [shares per round, default 50000] [rounds, default 10] [upstream difficulty, default 1e-12: every share is
 * also forwarded; e.g. 1e9: none is] [modes, default loop,bridge].
 */
public final class CreditedShareCpu {
    private CreditedShareCpu() {
    }

    static final class NullMiner implements MinerLink {
        String lastNotify;

        @Override
        public void send(Object message) {
            if (message instanceof String s && s.contains("mining.notify")) {
                lastNotify = s;
            }
        }

        @Override
        public void sendAndClose(Object message) {
            send(message);
        }

        @Override
        public void close() {
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress("127.0.0.1", 1);
        }
    }

    static final class NullUp implements UpstreamLink {
        OpenExtendedMiningChannel open;
        long submits;

        @Override
        public void send(Sv2Message message) {
            if (message instanceof OpenExtendedMiningChannel o) {
                open = o;
            } else {
                submits++;
            }
        }

        @Override
        public void close(String reason) {
        }

        @Override
        public String poolName() {
            return "null";
        }
    }

    public static void main(String[] args) throws Exception {
        int shares = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        double upstreamDiff = args.length > 2 ? Double.parseDouble(args[2]) : 1e-12;
        ManualClock clock = new ManualClock(Instant.parse("2026-05-01T00:00:00Z"));
        int ntime = (int) clock.instant().getEpochSecond();
        BridgeConfig cfg = new BridgeConfig(4, 2, 16, true, "addr.translator", 1e9,
                VardiffConfig.defaults().withDifficultyRange(1e-12, 1e-12), 1e-12, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofMinutes(5), 1000, 16, "", 0, false);
        Bridge b = new Bridge(cfg, clock, new TranslatorMetrics(new SimpleMeterRegistry()), OpenRetry.defaults());
        NullUp up = new NullUp();
        b.onUpstreamUp(up);
        b.onUpstreamMessage(up, new OpenExtendedMiningChannelSuccess(up.open.requestId(), 7,
                Targets.fromDifficulty(upstreamDiff), 16, BridgeTest.PREFIX, 0));
        NullMiner link = new NullMiner();
        Bridge.Miner m = b.onMinerConnected(link);
        b.onMinerRequest(m, request(1, "mining.subscribe", "cgminer/4.12.0"));
        b.onMinerRequest(m, request(2, "mining.authorize", "bc1qaddress.w1", "x"));
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        String[] modes = (args.length > 3 ? args[3] : "loop,bridge").split(",");
        int block = 0;
        System.out.printf(Locale.ROOT, "%d credited shares per mode and round, upstream difficulty %g (%s)%n", shares,
                upstreamDiff, upstreamDiff <= 1e-12 ? "every share forwarded" : "none forwarded");
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder(round < 2 ? "warm-up" : "round " + (round - 1));
            for (int k = 0; k < modes.length; k++) {
                String mode = modes[(k + round) % modes.length];
                block++; // a new tip per mode and round: `seen` starts empty, every share is credited
                b.onUpstreamMessage(up, new NewExtendedMiningJob(7, block, OptionalInt.empty(), 0x20000000, true,
                        List.of(Hash256.fromWireHex("11".repeat(32))), BridgeTest.CB_PREFIX, BridgeTest.CB_SUFFIX));
                b.onUpstreamMessage(up, new SetNewPrevHash(7, block, Hash256.fromWireHex(String.format("%064x", block)),
                        ntime, 0x1d00ffff));
                String jobId = MiningNotify.fromParams(Sv1Json.parse(link.lastNotify) instanceof Sv1Message.Request r
                        ? r.params() : null).jobId();
                Sv1Message.Request[] reqs = new Sv1Message.Request[shares];
                for (int i = 0; i < shares; i++) {
                    reqs[i] = request(i, "mining.submit", "bc1qaddress.w1", jobId, "00000000", Sv1Hex.u32(ntime),
                            Sv1Hex.u32(i));
                }
                long accepted0 = m.accepted;
                long t0 = tmx.getCurrentThreadCpuTime();
                for (Sv1Message.Request r : reqs) {
                    switch (mode) {
                        case "loop" -> {
                            if (!b.submitOffBridge(m, r).answered()) {
                                b.onMinerRequest(m, r);
                            }
                        }
                        default -> b.onMinerRequest(m, r);
                    }
                }
                long ns = tmx.getCurrentThreadCpuTime() - t0;
                if (m.accepted - accepted0 != shares) {
                    throw new AssertionError(mode + ": " + (m.accepted - accepted0) + " of " + shares + " credited");
                }
                line.append(String.format(Locale.ROOT, " | %s %.0f ns", mode, (double) ns / shares));
            }
            System.out.println(line + " | upstream submits " + up.submits);
        }
    }

    static Sv1Message.Request request(Object id, String method, Object... params) {
        ArrayNode p = Sv1Json.MAPPER.createArrayNode();
        for (Object o : params) {
            p.addPOJO(o);
        }
        return new Sv1Message.Request(Sv1Json.MAPPER.valueToTree(id), method, (ArrayNode) Sv1Json.MAPPER.valueToTree(p));
    }
}
