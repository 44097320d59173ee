package org.hyperhash.cli.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.testkit.FakeSv2Miner;

/**
 * {@code hh demo}: the devnet chain and its template factory (in process), the pool (plaintext on
 * loopback) and built-in CPU miners (real SV2 clients), with a live status line until Ctrl-C.
 * Departure from the issue: the pool gets templates in process instead of over TDP/Noise until the
 * TDP client and the TP's TDP server are in the build (see pool/README.md).
 */
public final class DemoRunner {
    private DemoRunner() {
    }

    /** Demo payout address n (regtest/devnet P2WPKH from a fixed pattern). */
    static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) (0xd0 + n);
        h[19] = (byte) n;
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    /** Runs the demo; returns the exit code (0 = stopped cleanly). */
    public static int run(DemoOptions o, PrintStream out) {
        CountDownLatch stop = new CountDownLatch(1);
        Thread hook = new Thread(stop::countDown, "hh-demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        DevnetUpstream upstream = new DevnetUpstream();
        PoolDaemon pool = null;
        List<FakeSv2Miner> miners = new ArrayList<>();
        try {
            Files.createDirectories(o.dataDir());
            String jdbc = "jdbc:sqlite:" + o.dataDir().resolve("ledger.db").toAbsolutePath();
            PoolConfig cfg = PoolConfig.from(DaemonConfig.load(null, List.of(
                    "sv2.listen=[\"127.0.0.1:" + o.sv2Port() + "\"]", "sv2.security=plaintext",
                    "admin.listen=\"127.0.0.1:" + o.adminPort() + "\"", "payout.address=\"" + address(0) + "\"",
                    "ledger.jdbc-url=\"" + jdbc + "\"", "channel.shares-per-minute=60",
                    "vardiff.shares-per-minute=60"), null, PoolConfig.ROOT, Map.of()));
            pool = new PoolDaemon(cfg, InstantSource.system(), upstream, MiningServer.Security.PLAINTEXT,
                    "plaintext (demo, loopback)");
            pool.start();
            out.printf("hh demo: devnet chain + pool on %s (admin http://%s) + %d CPU miners; Ctrl-C to stop%n",
                    pool.sv2Addresses().get(0), pool.adminAddress(), o.miners());
            if (!FakeSv2Miner.waitFor(pool::ready, java.time.Duration.ofSeconds(20))) {
                out.println("hh demo: the pool did not become ready: " + pool.status().get("last_error"));
                return 1;
            }
            for (int i = 0; i < o.miners(); i++) {
                FakeSv2Miner.Kind kind = i % 2 == 0 ? FakeSv2Miner.Kind.STANDARD : FakeSv2Miner.Kind.EXTENDED;
                String user = (i == 2 ? "solo:" : "") + address(i + 1) + ".cpu" + i;
                miners.add(FakeSv2Miner.connect(FakeSv2Miner.Options.of(pool.sv2Addresses().get(0), kind, user)
                        .mining(o.hashrateHps())).startMining());
            }
            long deadline = o.duration().isZero() ? Long.MAX_VALUE : System.nanoTime() + o.duration().toNanos();
            while (System.nanoTime() < deadline) {
                if (stop.await(Math.min(o.statusInterval().toMillis(),
                        Math.max(1, (deadline - System.nanoTime()) / 1_000_000)), TimeUnit.MILLISECONDS)) {
                    break;
                }
                out.print("\r" + statusLine(pool, upstream));
                out.flush();
            }
            out.println();
            out.println(statusLine(pool, upstream));
            return 0;
        } catch (Exception e) {
            out.println("hh demo failed: " + e);
            return 1;
        } finally {
            for (FakeSv2Miner m : miners) {
                m.close();
            }
            if (pool != null) {
                pool.close();
            }
            upstream.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down
            }
        }
    }

    static String statusLine(PoolDaemon pool, DevnetUpstream upstream) {
        double rejected = 0;
        for (RejectReason r : RejectReason.values()) {
            rejected += pool.metrics().rejectedCount(r);
        }
        return String.format("height %d | connections %d | hashrate %.1f kH/s | shares accepted %d rejected %d | "
                + "blocks found %d (chain accepted %d) | credited %s", upstream.chain().height(),
                pool.metrics().connections.get(), pool.stats().poolHashrateHps() / 1000,
                (long) pool.metrics().sharesAccepted.count(), (long) rejected, (long) pool.metrics().blocksFound.count(),
                upstream.accepted.size(), pool.stats().creditedAddresses().size());
    }
}
