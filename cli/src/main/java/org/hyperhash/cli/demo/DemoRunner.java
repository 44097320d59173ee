package org.hyperhash.cli.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;

/**
 * {@code hh demo}: the whole stack ({@link DemoStack}: TP on the devnet chain, pool, translator,
 * treasury) plus built-in CPU miners that are real clients: SV2 miners over Noise straight to the pool
 * and SV1 miners through the translator. Prints a live status line until Ctrl-C or the duration.
 */
public final class DemoRunner {
    private DemoRunner() {
    }

    /** Runs the demo; returns the exit code (0 = stopped cleanly). */
    public static int run(DemoOptions o, PrintStream out) {
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
        try {
            stack = DemoStack.start(o.dataDir(), new DemoStack.Ports(0, o.sv2Port(), o.sv1Port(), o.adminPort(),
                            o.adminPort() == 0 ? 0 : DemoStack.DEMO_WEB_PORT),
                    o.devnetBits());
            PoolDaemon pool = stack.pool();
            out.printf("hh demo: devnet TP %s -> pool %s (admin http://%s) -> translator sv1 %s; treasury dry-run%n",
                    DemoStack.hostPort(stack.tp().tdpAddresses().get(0)), DemoStack.hostPort(pool.sv2Addresses().get(0)),
                    DemoStack.hostPort(pool.adminAddress()), DemoStack.hostPort(stack.translator().sv1Address()));
            out.printf("hh demo: miner web page %s%n", stack.webUrl());
            out.printf("hh demo: %d SV2 CPU miner(s) over Noise, %d SV1 CPU miner(s) via the translator, %.0f H/s each; "
                    + "Ctrl-C to stop%n", o.miners(), o.sv1Miners(), o.hashrateHps());
            if (!FakeSv2Miner.waitFor(pool::ready, Duration.ofSeconds(20))) {
                out.println("hh demo: the pool did not become ready: " + pool.status().get("last_error"));
                return 1;
            }
            for (int i = 0; i < o.miners(); i++) {
                FakeSv2Miner.Kind kind = i % 2 == 0 ? FakeSv2Miner.Kind.STANDARD : FakeSv2Miner.Kind.EXTENDED;
                String user = (i == 2 ? "solo:" : "") + DemoStack.address(i + 1) + ".cpu" + i;
                miners.add(FakeSv2Miner.connect(FakeSv2Miner.Options.of(pool.sv2Addresses().get(0), kind, user)
                        .withNoise(pool.security().authorityPublicKey()).mining(o.hashrateHps())).startMining());
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
                long waitMs = Math.min(o.statusInterval().toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (stop.await(waitMs, TimeUnit.MILLISECONDS)) {
                    break;
                }
                out.print("\r" + statusLine(stack, startHeight));
                out.flush();
            }
            out.println();
            out.println(statusLine(stack, startHeight));
            return 0;
        } catch (Exception e) {
            out.println("hh demo failed: " + e);
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

    static String statusLine(DemoStack s, long startHeight) {
        PoolDaemon pool = s.pool();
        double rejected = 0;
        for (RejectReason r : RejectReason.values()) {
            rejected += pool.metrics().rejectedCount(r);
        }
        long height = s.tp().devnetChain().height();
        return String.format("height %d | connections %d | hashrate %.1f kH/s | shares accepted %d rejected %d | "
                + "blocks found %d (chain accepted %d) | credited %d | owed %d sats (dry-run)", height,
                pool.metrics().connections.get(), pool.stats().poolHashrateHps() / 1000,
                (long) pool.metrics().sharesAccepted.count(), (long) rejected, (long) pool.metrics().blocksFound.count(),
                height - startHeight, pool.stats().creditedAddresses().size(), s.treasury().accounts().owedMsat() / 1000);
    }
}
