package org.hyperhash.pool.bench;

import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.testkit.TestDatabase;

/**
 * Load probe (a {@code main}, not a test; issue 17): two pool instances (instance-id 1 and 2) in this JVM, both
 * flushing their share logs into ONE PostgreSQL ledger (a fresh schema of {@code HH_PG_URL}), each fed by its own
 * {@link MinerFleet} child JVM of {@code -Dminers} connections (default 5000) that keep shares in flight for
 * {@code -DshareSeconds}. Prints per instance: accepted shares/s, share-log flushes and their latency (p50/p99
 * from the {@code hh_pool_sharelog_flush_seconds} histogram, bucket upper bounds) and the rows per flush.
 * Command lines: bench/README.md, "Two pools, one PostgreSQL share log".
 */
public final class MultiPoolLedgerProbe {
    private MultiPoolLedgerProbe() {
    }

    private static int intProp(String k, int d) {
        return Integer.parseInt(System.getProperty(k, Integer.toString(d)));
    }

    private static String expect(BufferedReader in, String prefix, String who) throws java.io.IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix + " ") || line.equals(prefix)) {
                return line;
            }
            System.err.println("[" + who + "] " + line);
        }
        throw new java.io.EOFException(who + " exited while waiting for " + prefix);
    }

    /** Upper bound (ms) of the histogram bucket holding quantile q of the flushes between {@code before} and {@code s}. */
    private static double quantileMs(HistogramSnapshot s, HistogramSnapshot before, double q) {
        long total = s.count() - before.count();
        if (total == 0) {
            return 0;
        }
        CountAtBucket[] now = s.histogramCounts();
        CountAtBucket[] was = before.histogramCounts();
        for (int i = 0; i < now.length; i++) {
            if (now[i].count() - (i < was.length ? was[i].count() : 0) >= q * total) {
                return now[i].bucket(TimeUnit.MILLISECONDS);
            }
        }
        return s.max(TimeUnit.MILLISECONDS);
    }

    /** Runs SHARES on the fleets {@code active} at once and prints per-pool rates and flush latencies of this phase only. */
    private static void phase(String name, List<PoolHarness> pools, List<PrintWriter> outs, List<BufferedReader> ins, List<Integer> active,
                              int seconds, int window) throws Exception {
        double[] acc0 = new double[2];
        double[] rows0 = new double[2];
        double[] rowsN0 = new double[2];
        HistogramSnapshot[] h0 = new HistogramSnapshot[2];
        for (int i = 0; i < 2; i++) {
            PoolMetrics m = pools.get(i).pool.metrics();
            acc0[i] = m.sharesAccepted.count();
            rows0[i] = m.shareLogBatchRows.totalAmount();
            rowsN0[i] = m.shareLogBatchRows.count();
            h0[i] = m.shareLogFlush.takeSnapshot();
        }
        long w0 = System.nanoTime();
        for (int i : active) {
            outs.get(i).println("SHARES " + seconds + " " + window);
        }
        String[] client = new String[2];
        for (int i : active) {
            client[i] = expect(ins.get(i), "SHARES", "fleet-" + (i + 1));
        }
        double wall = (System.nanoTime() - w0) / 1e9;
        Thread.sleep(2500); // the last flush
        for (int i : active) {
            PoolMetrics m = pools.get(i).pool.metrics();
            HistogramSnapshot s = m.shareLogFlush.takeSnapshot();
            double acc = m.sharesAccepted.count() - acc0[i];
            double rows = m.shareLogBatchRows.totalAmount() - rows0[i];
            double rowsN = m.shareLogBatchRows.count() - rowsN0[i];
            System.out.printf(Locale.ROOT, "%s pool-%d: %s (sent acked errors, client); accepted %.0f in %.1f s = %.0f shares/s; "
                            + "flushes %d, rows/flush %.0f, flush latency p50 <= %.0f ms, p99 <= %.0f ms; "
                            + "flush failures %.0f; backpressure %.0f; load %s%n", name, i + 1, client[i], acc, wall, acc / wall,
                    s.count() - h0[i].count(), rowsN == 0 ? 0 : rows / rowsN, quantileMs(s, h0[i], 0.5), quantileMs(s, h0[i], 0.99),
                    m.shareLogFlushFailures.count(), m.shareLogBackpressure.count(), Files.readString(Path.of("/proc/loadavg")).trim());
        }
    }

    public static void main(String[] args) throws Exception {
        int miners = intProp("miners", 5000);
        int seconds = intProp("shareSeconds", 30);
        int window = intProp("shareWindow", 4);
        String security = System.getProperty("security", "noise");
        Path dir = Files.createTempDirectory("hh-multipool");
        try (TestDatabase ledger = TestDatabase.create("postgresql", dir, "hh_bench_multipool_")) {
            List<PoolHarness> pools = new ArrayList<>();
            List<Process> fleets = new ArrayList<>();
            try {
                for (int id = 1; id <= 2; id++) {
                    pools.add(new PoolHarness(ledger.url, new BenchTemplateSource(), "instance-id=" + id, "sv2.security=" + security,
                            "limits.ban.invalid-shares=100000000", "vardiff.enabled=false", "channel.ack-interval=1s",
                            "channel.share-batch-size=10", "ledger.flush-interval=1s"));
                }
                for (PoolHarness h : pools) {
                    while (!h.pool.ready()) {
                        Thread.sleep(10);
                    }
                }
                List<PrintWriter> outs = new ArrayList<>();
                List<BufferedReader> ins = new ArrayList<>();
                for (PoolHarness h : pools) {
                    String key = h.authorityKey() == null ? "plain" : h.authorityKey().toBase58();
                    Process fleet = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "--add-modules=jdk.incubator.vector", "-Xmx" + System.getProperty("fleetHeap", "1500m"), "-XX:+UseParallelGC", "-Dio.netty.leakDetection.level=disabled",
                            "-Dfleet.concurrentConnects=" + intProp("concurrentConnects", 100), "-cp", System.getProperty("java.class.path"),
                            MinerFleet.class.getName(), h.sv2().getHostString(), Integer.toString(h.sv2().getPort()), key,
                            Integer.toString(miners), "standard", Integer.toString(intProp("perIp", 1000)), "1"))
                            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    fleets.add(fleet);
                    outs.add(new PrintWriter(fleet.getOutputStream(), true));
                    ins.add(new BufferedReader(new InputStreamReader(fleet.getInputStream())));
                }
                System.out.printf(Locale.ROOT, "multipool probe: 2 pools x %d %s connections, one PostgreSQL ledger, cpus=%d, load %s%n",
                        miners, security, Runtime.getRuntime().availableProcessors(), Files.readString(Path.of("/proc/loadavg")).trim());
                for (int i = 0; i < 2; i++) {
                    outs.get(i).println("CONNECT");
                }
                for (int i = 0; i < 2; i++) {
                    System.out.println("pool-" + (i + 1) + " connect " + expect(ins.get(i), "READY", "fleet-" + (i + 1))
                            + " (ms retries readyMiners) connections=" + pools.get(i).pool.metrics().connections.get());
                }
                Thread.sleep(3000);
                // baseline: pool-1's fleet alone (pool-2 connected, idle), then both fleets at once, same command
                phase("alone (baseline)", pools, outs, ins, List.of(0), seconds, window);
                phase("both", pools, outs, ins, List.of(0, 1), seconds, window);
                System.out.println("load " + Files.readString(Path.of("/proc/loadavg")).trim());
                for (int i = 0; i < 2; i++) {
                    outs.get(i).println("QUIT");
                    expect(ins.get(i), "BYE", "fleet-" + (i + 1));
                }
            } finally {
                for (Process p : fleets) {
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                }
                for (PoolHarness h : pools) {
                    h.close();
                }
            }
        }
    }
}
