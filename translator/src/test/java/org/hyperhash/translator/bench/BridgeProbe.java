package org.hyperhash.translator.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Targets;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv1.MiningSubmit;
import org.hyperhash.sv1.Sv1Json;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.sv2.channel.VardiffConfig;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.testkit.sv1.Sv1CpuMiner;
import org.hyperhash.translator.TranslatorMetrics;
import org.hyperhash.translator.bridge.Bridge;
import org.hyperhash.translator.bridge.BridgeConfig;
import org.hyperhash.translator.bridge.MinerLink;
import org.hyperhash.translator.bridge.UpstreamLink;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Manual probe of the bridge thread's costs (not a test; run with {@code java -cp <test classpath>
 * org.hyperhash.translator.bench.BridgeProbe}). Results go to translator/BENCH.md.
 */
public final class BridgeProbe {
    static volatile Object sink;

    public static void main(String[] args) {
        for (int n : new int[] {1_000, 10_000}) {
            run(n);
        }
    }

    static void run(int n) {
        BridgeConfig cfg = new BridgeConfig(4, 2, 16, true, "bcrt1qbench.translator", 1e9,
                VardiffConfig.defaults().withDifficultyRange(1e-12, 1e7), 1e-9, Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofMinutes(5), 60_000, 16, "", 0, false);
        Bridge bridge = new Bridge(cfg, InstantSource.system(), new TranslatorMetrics(new SimpleMeterRegistry()));
        UpstreamLink up = new UpstreamLink() {
            @Override
            public void send(Sv2Message message) {
                sink = message;
            }

            @Override
            public void close(String reason) {
            }

            @Override
            public String poolName() {
                return "bench";
            }
        };
        System.gc();
        long heap0 = used();
        List<Bridge.Miner> ms = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Bridge.Miner m = bridge.onMinerConnected(NOOP);
            req(bridge, m, "mining.subscribe", "bmminer/2.0.0");
            req(bridge, m, "mining.authorize", "bcrt1qbench.w" + i, "x");
            ms.add(m);
        }
        System.gc();
        long heap1 = used();
        bridge.onUpstreamUp(up);
        int reqId = ((OpenExtendedMiningChannel) sink).requestId();
        bridge.onUpstreamMessage(up, new OpenExtendedMiningChannelSuccess(reqId, 1, Targets.fromDifficulty(1e-12), 16,
                Bytes.fromHex("01000002"), 0));
        Bytes prefix = Bytes.fromHex("02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff1e5200065376322f2f2f14");
        Bytes suffix = Bytes.fromHex("ffffffff0100f2052a01000000160014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc00000000");
        List<Hash256> path = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            path.add(Hash256.fromWireHex(String.format("%064x", i + 1)));
        }
        int ntime = (int) (System.currentTimeMillis() / 1000);
        // notify fan-out after a new block (bridge thread only: serialize once, hand the line to n links)
        long[] fanout = new long[50];
        for (int b = 0; b < fanout.length; b++) {
            long t0 = System.nanoTime();
            bridge.onUpstreamMessage(up, new NewExtendedMiningJob(1, b + 1, OptionalInt.empty(), 0x20000000, true, path, prefix, suffix));
            bridge.onUpstreamMessage(up, new SetNewPrevHash(1, b + 1, Hash256.fromWireHex(String.format("%064x", b + 100)), ntime,
                    0x1d00ffff));
            fanout[b] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(fanout);
        // share path: pre-mined shares (target ~ half of all hashes) submitted through the bridge
        MiningNotify job;
        try {
            job = MiningNotify.fromParams(((Sv1Message.Request) Sv1Json.parse(LAST_LINE)).params());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        int shares = 20_000;
        List<ArrayNode> submits = new ArrayList<>();
        for (int i = 0; i < shares; i++) {
            Bytes en1 = Bytes.fromHex(String.format("%04x", i % n));
            Bytes en2 = Bytes.fromHex(String.format("%08x", i));
            Sv1CpuMiner.Found f = Sv1CpuMiner.search(job, en1, en2, Targets.fromDifficulty(1e-12), 0, 0, 0, 1000).orElseThrow();
            submits.add(new MiningSubmit("w", job.jobId(), en2, f.ntime(), f.nonce(), OptionalInt.empty()).toParams());
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < shares; i++) {
            bridge.onMinerRequest(ms.get(i % n), new Sv1Message.Request(Sv1Json.MAPPER.getNodeFactory().numberNode(i),
                    "mining.submit", submits.get(i)));
        }
        long dt = System.nanoTime() - t0;
        System.out.printf("miners=%d heapPerMiner=%d B fanout p50=%.2f ms p99=%.2f ms shares/s=%.0f (%.1f us/share)%n", n,
                (heap1 - heap0) / n, fanout[fanout.length / 2] / 1e6, fanout[fanout.length * 99 / 100] / 1e6,
                shares / (dt / 1e9), dt / 1e3 / shares);
    }

    static volatile String LAST_LINE;

    static final MinerLink NOOP = new MinerLink() {
        @Override
        public void send(Object message) {
            if (message instanceof String s) {
                LAST_LINE = s;
            }
        }

        @Override
        public void sendAndClose(Object message) {
        }

        @Override
        public void close() {
        }

        @Override
        public SocketAddress remoteAddress() {
            return new InetSocketAddress(0);
        }
    };

    static void req(Bridge b, Bridge.Miner m, String method, String... params) {
        ArrayNode p = Sv1Json.MAPPER.createArrayNode();
        for (String s : params) {
            p.add(s);
        }
        b.onMinerRequest(m, new Sv1Message.Request(Sv1Json.MAPPER.getNodeFactory().numberNode(1), method, p));
    }

    static long used() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
