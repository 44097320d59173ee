package org.hyperhash.cli.demo;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hyperhash.base.Hash256;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code hh demo}: the whole stack ({@link DemoStack}: TP on the devnet chain, pool, translator,
 * treasury) plus built-in CPU miners that are real clients: SV2 miners over Noise straight to the pool
 * and SV1 miners through the translator. Shows a dashboard ({@link DemoScreen}) until Ctrl-C or the duration.
 */
public final class DemoRunner {
    private static final Logger LOG = LoggerFactory.getLogger(DemoRunner.class);

    private DemoRunner() {
    }

    /** Runs the demo with plain status lines and logs wherever logging points; returns the exit code. */
    public static int run(DemoOptions o, PrintStream out) {
        return run(o, out, false, null);
    }

    /**
     * Runs the demo; returns the exit code (0 = stopped cleanly).
     *
     * @param live redraw a dashboard in place (stdout is a terminal); false = one plain line per interval
     * @param logFile where the logs go (shown on screen), or null when they stay on the terminal
     */
    public static int run(DemoOptions o, PrintStream out, boolean live, Path logFile) {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        // Ctrl-C: let the main thread close everything (flushing the share log) before the JVM exits
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "hh-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        List<AutoCloseable> miners = new ArrayList<>();
        DemoStack stack = null;
        String logNote = logFile == null ? "Logs: on this terminal (--verbose)"
                : "Logs: " + logFile.toAbsolutePath() + "   (--verbose keeps them on the terminal)";
        long startNanos = System.nanoTime();
        try {
            if (live) {
                out.print(DemoScreen.CLEAR + DemoScreen.frame(List.of("Hyperhash demo: starting the template provider, "
                        + "pool, translator, treasury and web page...", "", "  " + logNote)));
            } else {
                out.println("hh demo: starting; " + logNote);
            }
            out.flush();
            stack = DemoStack.start(o.dataDir(), o.ports(), o.devnetBits(), o.hyperNode());
            org.hyperhash.pool.hypernode.HyperNodeDaemon hyperNode = stack.hyperNode();
            PoolDaemon pool = stack.pool();
            List<DemoScreen.Endpoint> endpoints = endpoints(stack);
            if (!live) {
                for (DemoScreen.Endpoint e : endpoints) {
                    out.println("hh demo: " + e.label() + ": " + e.value());
                }
                out.printf("hh demo: %d SV2 CPU miner(s) over Noise, %d SV1 CPU miner(s) via the translator, %.0f H/s each; "
                        + "Ctrl-C to stop%n", o.miners(), o.sv1Miners(), o.hashrateHps());
            }
            if (!FakeSv2Miner.waitFor(pool::ready, Duration.ofSeconds(20))) {
                out.println("hh demo: the pool did not become ready: " + pool.status().get("last_error"));
                return 1;
            }
            if (hyperNode != null && !FakeSv2Miner.waitFor(hyperNode::ready, Duration.ofSeconds(20))) {
                out.println("hh demo: the Hyper Node did not become ready: " + hyperNode.status().get("last_error"));
                return 1;
            }
            for (int i = 0; i < o.miners(); i++) {
                FakeSv2Miner.Kind kind = i % 2 == 0 ? FakeSv2Miner.Kind.STANDARD : FakeSv2Miner.Kind.EXTENDED;
                String user = (i == 2 ? "solo:" : "") + DemoStack.address(i + 1) + ".cpu" + i;
                // --hyper-node: every other SV2 miner mines on the Hyper Node's own templates
                boolean viaHyperNode = hyperNode != null && i % 2 == 1;
                PoolDaemon target = viaHyperNode ? hyperNode.engine() : pool;
                miners.add(FakeSv2Miner.connect(FakeSv2Miner.Options.of(target.sv2Addresses().get(0), kind, user)
                        .withNoise(target.security().authorityPublicKey()).mining(o.hashrateHps())).startMining());
            }
            if (o.sv1Miners() > 0 && !FakeSv2Miner.waitFor(stack.translator()::ready, Duration.ofSeconds(20))) {
                out.println("hh demo: the translator did not connect to the pool");
                return 1;
            }
            for (int i = 0; i < o.sv1Miners(); i++) {
                FakeSv1Miner m = FakeSv1Miner.connect(stack.translator().sv1Address(), FirmwareProfile.BITAXE);
                miners.add(m);
                m.handshake(DemoStack.address(20 + i) + ".sv1-" + i);
                m.startMining(Math.max(1, (long) (o.hashrateHps() / 10)), o.hashrateHps());
            }
            long startHeight = stack.tp().devnetChain().height();
            long deadline = o.duration().isZero() ? Long.MAX_VALUE : System.nanoTime() + o.duration().toNanos();
            while (System.nanoTime() < deadline) {
                if (live) {
                    out.print(DemoScreen.frame(DemoScreen.dashboard(snapshot(stack, startHeight, startNanos), endpoints,
                            hyperNodeLine(stack) + logNote)));
                    out.flush();
                }
                long waitMs = Math.min(o.statusInterval().toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (stop.await(waitMs, TimeUnit.MILLISECONDS)) {
                    break;
                }
                if (!live) {
                    out.println(DemoScreen.plainLine(snapshot(stack, startHeight, startNanos))
                            + hyperNodeLine(stack).replace("\n  ", "").replaceFirst("^Hyper Node", " | hyper node").strip());
                    out.flush();
                }
            }
            DemoScreen.Snapshot last = snapshot(stack, startHeight, startNanos);
            if (live) {
                out.print(DemoScreen.frame(DemoScreen.dashboard(last, endpoints, logNote)));
            }
            out.println(DemoScreen.plainLine(last));
            out.flush();
            return 0;
        } catch (Exception e) {
            out.println("hh demo failed: " + e + (logFile == null ? "" : " (details in " + logFile.toAbsolutePath() + ")"));
            LOG.error("hh demo failed", e);
            return 1;
        } finally {
            for (AutoCloseable m : miners) {
                try {
                    m.close();
                } catch (Exception e) {
                    // a miner that cannot close cleanly is of no consequence at shutdown
                }
            }
            if (stack != null) {
                stack.close();
            }
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    /** What a newcomer can open or connect to, with the ports actually bound. */
    /** "Hyper Node: ..." and a line break (for the dashboard's footer), or "" without a Hyper Node. */
    static String hyperNodeLine(DemoStack s) {
        org.hyperhash.pool.hypernode.HyperNodeDaemon d = s.hyperNode();
        if (d == null || d.hyperNode() == null) {
            return "";
        }
        org.hyperhash.pool.hypernode.HyperNode n = d.hyperNode();
        org.hyperhash.pool.hypernode.HyperNodeMetrics m = n.metrics();
        return String.format(java.util.Locale.ROOT, "Hyper Node %s, %d jobs declared, %d shares forwarded (%d acknowledged),"
                + " %d switches%n  ", n.currentPool() == null ? "solo" : "on " + n.currentPool().name(),
                (long) m.declarations(org.hyperhash.pool.hypernode.HyperNodeMetrics.Declaration.ACCEPTED),
                (long) m.sharesForwarded.count(), (long) m.sharesAcknowledged.count(),
                ((Number) n.status().get("switches")).longValue());
    }

    static List<DemoScreen.Endpoint> endpoints(DemoStack s) {
        PoolDaemon pool = s.pool();
        List<DemoScreen.Endpoint> e = new ArrayList<>();
        if (s.hyperNode() != null) {
            PoolDaemon hn = s.hyperNode().engine();
            e.add(new DemoScreen.Endpoint("SV2 Hyper Node", "stratum2+tcp://" + DemoStack.hostPort(hn.sv2Addresses().get(0))
                    + "/" + hn.security().authorityPublicKey().toBase58() + "   (own templates, declared to the pool)"));
            e.add(new DemoScreen.Endpoint("Hyper Node admin", admin(hn.adminAddress())));
        }
        e.add(new DemoScreen.Endpoint("SV2 pool (Noise)", "stratum2+tcp://" + DemoStack.hostPort(pool.sv2Addresses().get(0))
                + "/" + pool.security().authorityPublicKey().toBase58()));
        e.add(new DemoScreen.Endpoint("SV1 (translator)", "stratum+tcp://" + DemoStack.hostPort(s.translator().sv1Address())
                + "   user: <bcrt1 address>.<worker>"));
        e.add(new DemoScreen.Endpoint("TP (TDP, Noise)", DemoStack.hostPort(s.tp().tdpAddresses().get(0))
                + "   authority key " + s.tp().authorityPublicKeyBase58()));
        e.add(new DemoScreen.Endpoint("Miner web page", s.webUrl() + "   (pool, blocks, each miner's page; API /api/v1)"));
        e.add(new DemoScreen.Endpoint("Pool admin", admin(pool.adminAddress())));
        e.add(new DemoScreen.Endpoint("TP admin", admin(s.tp().adminAddress())));
        e.add(new DemoScreen.Endpoint("Translator admin", admin(s.translator().adminAddress())));
        e.add(new DemoScreen.Endpoint("Treasury admin", admin(s.treasury().adminAddress())));
        return e;
    }

    private static String admin(InetSocketAddress a) {
        return "http://" + DemoStack.hostPort(a) + "/v1/status   (/v1/ready, /metrics)";
    }

    static DemoScreen.Snapshot snapshot(DemoStack s, long startHeight, long startNanos) {
        PoolDaemon pool = s.pool();
        long rejected = 0;
        RejectReason top = null;
        long topCount = 0;
        for (RejectReason r : RejectReason.values()) {
            long n = (long) pool.metrics().rejectedCount(r);
            rejected += n;
            if (n > topCount) {
                top = r;
                topCount = n;
            }
        }
        DevnetChain chain = s.tp().devnetChain();
        Hash256 tip = chain.tipHash();
        long height = chain.height();
        Duration age = null;
        try {
            age = Duration.ofSeconds(Math.max(0, System.currentTimeMillis() / 1000 - chain.getBlock(tip).time()));
        } catch (RpcException e) {
            // the tip moved on between the two reads: show no age this round
        }
        int channels = 0;
        // a group channel only bundles standard channels: workers are the standard and extended ones
        channels += pool.metrics().channels(PoolMetrics.ChannelKind.STANDARD).get();
        channels += pool.metrics().channels(PoolMetrics.ChannelKind.EXTENDED).get();
        return new DemoScreen.Snapshot(Duration.ofNanos(System.nanoTime() - startNanos), height, startHeight,
                tip.toDisplayHex(), age, pool.stats().poolHashrateHps(), pool.metrics().connections.get(), channels,
                pool.stats().creditedAddresses().size(), (long) pool.metrics().sharesAccepted.count(), rejected,
                top == null ? null : top.name().toLowerCase(Locale.ROOT).replace('_', '-'), topCount,
                (long) pool.metrics().blocksFound.count(), s.treasury().accounts().owedMsat() / 1000);
    }
}
