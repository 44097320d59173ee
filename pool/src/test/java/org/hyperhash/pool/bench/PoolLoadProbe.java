package org.hyperhash.pool.bench;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.testkit.ProcStats;

/**
 * Pool load probe (a main, not a test): starts the pool in this JVM on a bench template source and
 * drives a {@link MinerFleet} in a child JVM (a separate process so each side stays under the fd limit).
 * Prints one result line per metric. See pool/BENCH.md for the command line.
 *
 * <p>Options (system properties): miners (1000), kind (standard|extended|mixed), security (noise|plaintext),
 * rounds (50; 0 skips the fan-out), warmup (5 uncounted fan-out rounds first), perIp (1000), fleetThreads (2), storm (true), storms (1), shareSeconds (10),
 * histogram (0: the top N classes of the per-connection heap growth, from two live-object histograms),
 * shareWindow (16), shareMiners (all), fleetHeap (2g), fleetPreTouch (true: the fleet JVM's heap is -Xms = fleetHeap with
 * -XX:+AlwaysPreTouch, so its page faults happen at its start, not in a storm), fleetBindNoPort (true: the miners'
 * sockets bind their source address with IP_BIND_ADDRESS_NO_PORT, see {@link MinerFleet}), net (loopback|veth: the fleet in its own network namespace behind a
 * veth pair, {@link VethPair}; falls back to loopback where namespaces cannot be made), prepare (false: see
 * {@link MinerFleet}'s fleet.prepare), fleetCp (the fleet JVM's class path, default this JVM's: lets an older
 * pool tree be driven by the same load generator), poolWarmup (sv2.warmup.sessions; default: reference.conf's, the
 * warm-up then runs before the fleet connects, as the daemon's does before miners come), poolWarmupMaxTime
 * (sv2.warmup.max-time, e.g. 10s), perRound (false: one attribution line per fan-out round, {@link RoundStats}),
 * fleetJvmArgs (extra JVM options for the fleet JVM, space-separated, e.g. {@code -XX:+DumpPerfMapAtExit} to profile it).
 */
public final class PoolLoadProbe {
    private PoolLoadProbe() {
    }

    private static int intProp(String k, int d) {
        return Integer.parseInt(System.getProperty(k, Integer.toString(d)));
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** Live-object class histogram (forces a full GC): class name -> {instances, bytes}. */
    private static java.util.Map<String, long[]> classHistogram() throws Exception {
        javax.management.ObjectName on = new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand");
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(on, "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        java.util.Map<String, long[]> m = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[0].endsWith(":")) {
                m.put(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return m;
    }

    /** Prints the classes whose live bytes grew most between two histograms, per connection. */
    private static void printHistogramDelta(java.util.Map<String, long[]> before, java.util.Map<String, long[]> after,
            int connections, int top) {
        record Row(String cls, long n, long bytes) { }
        List<Row> rows = new ArrayList<>();
        for (var e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            rows.add(new Row(e.getKey(), e.getValue()[0] - b[0], e.getValue()[1] - b[1]));
        }
        rows.sort((x, y) -> Long.compare(y.bytes, x.bytes));
        long total = rows.stream().mapToLong(Row::bytes).sum();
        System.out.printf(Locale.ROOT, "histogram delta: %.1f B per connection in total%n", total / (double) connections);
        for (Row r : rows.subList(0, Math.min(top, rows.size()))) {
            System.out.printf(Locale.ROOT, "  %8.1f B  %6.2f objs  %s%n", r.bytes / (double) connections,
                    r.n / (double) connections, r.cls);
        }
    }

    private static long directBytes() {
        long sum = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct")) {
                sum += b.getMemoryUsed();
            }
        }
        return sum + io.netty.util.internal.PlatformDependent.usedDirectMemory();
    }

    /** TcpExt counters from /proc/net/netstat (network-namespace wide, so other processes count too). */
    private static java.util.Map<String, Long> tcpExt() {
        java.util.Map<String, Long> m = new java.util.HashMap<>();
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                String[] k = lines.get(i).split(" ");
                String[] v = lines.get(i + 1).split(" ");
                if (k[0].equals("TcpExt:")) {
                    for (int j = 1; j < k.length && j < v.length; j++) {
                        m.put(k[j], Long.parseLong(v[j]));
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: no counters
        }
        return m;
    }

    private static String tcpDelta(java.util.Map<String, Long> a, java.util.Map<String, Long> b) {
        StringBuilder sb = new StringBuilder();
        for (String k : List.of("ListenOverflows", "ListenDrops", "TCPSynRetrans", "TCPReqQFullDoCookies",
                "TCPReqQFullDrop", "TCPTimeouts")) {
            sb.append(k).append('=').append(b.getOrDefault(k, 0L) - a.getOrDefault(k, 0L)).append(' ');
        }
        return sb.toString().trim();
    }

    private static String drops(PoolMetrics m, double[] before) {
        StringBuilder sb = new StringBuilder();
        for (PoolMetrics.Drop d : PoolMetrics.Drop.values()) {
            double v = m.droppedCount(d) - (before == null ? 0 : before[d.ordinal()]);
            if (v != 0) {
                sb.append(d.name().toLowerCase(Locale.ROOT)).append('=').append((long) v).append(' ');
            }
        }
        return sb.isEmpty() ? "none" : sb.toString().trim();
    }

    private static double[] dropCounts(PoolMetrics m) {
        double[] d = new double[PoolMetrics.Drop.values().length];
        for (PoolMetrics.Drop x : PoolMetrics.Drop.values()) {
            d[x.ordinal()] = m.droppedCount(x);
        }
        return d;
    }

    private static double rejected(PoolMetrics m) {
        double s = 0;
        for (RejectReason r : RejectReason.values()) {
            s += m.rejectedCount(r);
        }
        return s;
    }

    /** Next fleet reply starting with {@code prefix}; the fleet's log lines are passed to stderr. */
    private static String expect(BufferedReader in, String prefix) throws java.io.IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix + " ") || line.equals(prefix)) {
                return line;
            }
            System.err.println("[fleet] " + line);
        }
        throw new java.io.EOFException("fleet exited while waiting for " + prefix);
    }

    /**
     * The Noise key reserve's figures from the pool's meters (ready, hits, misses, made); zeros for a pool without a
     * reserve (0 or an older tree driven through {@code -DfleetCp}).
     */
    private static long[] reserve(io.micrometer.core.instrument.MeterRegistry r) {
        var ready = r.find("hh.pool.noise.key.reserve").gauge();
        var hit = r.find("hh.pool.noise.key.reserve.takes").tag("result", "hit").functionCounter();
        var miss = r.find("hh.pool.noise.key.reserve.takes").tag("result", "miss").functionCounter();
        var made = r.find("hh.pool.noise.key.reserve.made").functionCounter();
        return new long[] {ready == null ? 0 : (long) ready.value(), hit == null ? 0 : (long) hit.count(),
                miss == null ? 0 : (long) miss.count(), made == null ? 0 : (long) made.count()};
    }

    private static long pct(long[] a, double p) {
        return a[Math.max(0, Math.min(a.length - 1, (int) Math.ceil(p * a.length) - 1))];
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    public static void main(String[] args) throws Exception {
        int miners = intProp("miners", 1000);
        String kind = System.getProperty("kind", "standard");
        String security = System.getProperty("security", "noise");
        int rounds = intProp("rounds", 50);
        int perIp = intProp("perIp", 1000);
        // prepare: the fleet makes each miner's reply-independent handshake work before a storm (MinerFleet)
        boolean prepare = Boolean.getBoolean("prepare");
        Path dir = Files.createTempDirectory("hh-pool-load");
        BenchTemplateSource source = new BenchTemplateSource();
        VethPair veth = System.getProperty("net", "loopback").equals("veth")
                ? VethPair.create((miners + perIp - 1) / perIp) : null;
        String listen = "sv2.listen=[\"" + (veth == null ? "127.0.0.1" : veth.serverIp) + ":0\"]";
        List<String> sets = new ArrayList<>(List.of(listen, "sv2.security=" + security,
                "limits.ban.invalid-shares=100000000", "vardiff.enabled=false", "channel.ack-interval=1s",
                "channel.share-batch-size=10", "ledger.flush-interval=1s"));
        String keyReserve = System.getProperty("keyReserve"); // sv2.noise-key-reserve (unset: the tree's default)
        if (keyReserve != null) {
            sets.add("sv2.noise-key-reserve=" + Integer.parseInt(keyReserve));
        }
        String ioThreads = System.getProperty("ioThreads"); // sv2.io-threads (unset: the default, 2 x cores)
        if (ioThreads != null) {
            sets.add("sv2.io-threads=" + Integer.parseInt(ioThreads));
        }
        // sv2.warmup.sessions: the pool's start-up warm-up (unset: the tree's default, as the daemon runs it; the
        // harness itself turns it off for the tests)
        String poolWarmup = System.getProperty("poolWarmup");
        sets.add("sv2.warmup.sessions=" + (poolWarmup != null ? Integer.parseInt(poolWarmup)
                : com.typesafe.config.ConfigFactory.parseResources("reference.conf").getInt("hyperhash.pool.sv2.warmup.sessions")));
        String poolWarmupMaxTime = System.getProperty("poolWarmupMaxTime"); // sv2.warmup.max-time (unset: the default)
        if (poolWarmupMaxTime != null) {
            sets.add("sv2.warmup.max-time=" + poolWarmupMaxTime);
        }
        long startNanos = System.nanoTime();
        long startCpu = ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        try (veth; PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), source, sets.toArray(String[]::new))) {
            PoolMetrics metrics = h.pool.metrics();
            while (!h.pool.ready()) {
                Thread.sleep(10);
            }
            System.out.printf(Locale.ROOT, "pool start: ready after %d ms, process CPU %d ms (JIT threads %d ms); sv2 warm-up %s%n",
                    (System.nanoTime() - startNanos) / 1_000_000,
                    (((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - startCpu)
                            / 1_000_000, ThreadCpu.procNanos("C1 Compiler", "C2 Compiler") / 1_000_000,
                    h.pool.status().get("sv2_warmup"));
            long heap0 = usedHeapAfterGc();
            long direct0 = directBytes();
            int histoTop = intProp("histogram", 0); // > 0: print the top N classes of the idle heap growth
            var histo0 = histoTop > 0 ? classHistogram() : null;
            String key = h.authorityKey() == null ? "plain" : h.authorityKey().toBase58();
            String fleetHeap = System.getProperty("fleetHeap", "2g");
            boolean fleetPreTouch = Boolean.parseBoolean(System.getProperty("fleetPreTouch", "true"));
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules=jdk.incubator.vector", "-Xmx" + fleetHeap, "-XX:+UseParallelGC",
                    "-Dio.netty.leakDetection.level=disabled",
                    "-Dfleet.concurrentConnects=" + intProp("concurrentConnects", 200),
                    "-Dfleet.prepare=" + prepare,
                    "-Dfleet.bindNoPort=" + Boolean.parseBoolean(System.getProperty("fleetBindNoPort", "true")),
                    "-Dfleet.sourcePrefix=" + (veth == null ? "127.0.0." : VethPair.clientPrefix()),
                    "-cp", System.getProperty("fleetCp", System.getProperty("java.class.path")), MinerFleet.class.getName(),
                    h.sv2().getHostString(), Integer.toString(h.sv2().getPort()), key, Integer.toString(miners), kind,
                    Integer.toString(perIp), Integer.toString(intProp("fleetThreads", 2))));
            if (fleetPreTouch) {
                // the fleet's heap committed and touched at its start: otherwise its first use of each heap page is a
                // page fault inside the storm (~4-5% of the fleet's storm CPU on Zen 5), which a miner on its own
                // machine does not cost the pool's
                cmd.addAll(1, List.of("-Xms" + fleetHeap, "-XX:+AlwaysPreTouch"));
            }
            String fleetJvmArgs = System.getProperty("fleetJvmArgs", "").trim();
            if (!fleetJvmArgs.isEmpty()) {
                cmd.addAll(1, List.of(fleetJvmArgs.split("\\s+")));
            }
            Process fleet = new ProcessBuilder(veth == null ? cmd : veth.wrap(cmd)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (PrintWriter out = new PrintWriter(fleet.getOutputStream(), true);
                 BufferedReader in = new BufferedReader(new InputStreamReader(fleet.getInputStream()))) {
                System.out.printf(Locale.ROOT, "probe miners=%d kind=%s security=%s perIp=%d transport=%s cpus=%d net=%s "
                                + "fleetPreTouch=%s fleetBindNoPort=%s fleetPrepare=%s%n", miners, kind, security, perIp,
                        org.hyperhash.sv2.netty.Sv2Transport.name(), Runtime.getRuntime().availableProcessors(),
                        veth == null ? "loopback" : "veth " + veth.namespace, fleetPreTouch,
                        Boolean.parseBoolean(System.getProperty("fleetBindNoPort", "true")),
                        prepare ? "on (ephemeral key + es ECDH made before each storm, identical certificates verified once)"
                                : "off (all initiator crypto inside the storm)");
                var osc = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long connectCpu0 = osc.getProcessCpuTime();
                long connectJit0 = ThreadCpu.procNanos("C1 Compiler", "C2 Compiler");
                out.println("CONNECT");
                String ready = expect(in, "READY");
                System.out.println("connect " + ready + " (ms retries readyMiners) pool connections="
                        + metrics.connections.get() + " poolCpuMs=" + (osc.getProcessCpuTime() - connectCpu0) / 1_000_000
                        + " jitCpuMs=" + (ThreadCpu.procNanos("C1 Compiler", "C2 Compiler") - connectJit0) / 1_000_000);
                Thread.sleep(2000);
                long heap1 = usedHeapAfterGc();
                long direct1 = directBytes();
                System.out.printf(Locale.ROOT, "heap idle: before=%d after=%d perConnection=%d B; direct before=%d after=%d"
                        + " perConnection=%d B%n", heap0, heap1, (heap1 - heap0) / miners, direct0, direct1,
                        (direct1 - direct0) / miners);
                if (histo0 != null) {
                    printHistogramDelta(histo0, classHistogram(), miners, histoTop);
                }

                if (rounds > 0) {
                long[] last = new long[rounds];
                long[] p50 = new long[rounds];
                long[] p99 = new long[rounds];
                int complete = 0;
                int warmup = intProp("warmup", 5);
                double passes0 = 0;
                double fanCount0 = 0;
                double fanTotal0 = 0;
                var osr = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long roundCpu = 0;
                long ioCpu = 0;
                RoundStats stats = new RoundStats("pool-io-", fleet.pid(), rounds);
                for (int r = 1; r <= warmup + rounds; r++) {
                    int i = r - warmup - 1; // < 0: a warm-up round (JIT), not counted
                    if (i == 0) {
                        fanCount0 = metrics.fanOutLatency.count();
                        passes0 = metrics.fanOutPasses.count();
                        fanTotal0 = metrics.fanOutLatency.totalTime(TimeUnit.NANOSECONDS);
                    }
                    double dc0 = metrics.fanOutLatency.count();
                    double dt0 = metrics.fanOutLatency.totalTime(TimeUnit.NANOSECONDS);
                    stats.begin();
                    long c0 = osr.getProcessCpuTime();
                    long io0 = ThreadCpu.nanos("pool-io-");
                    long tip0 = System.nanoTime();
                    long t0 = source.newTip(r);
                    long tipNanos = System.nanoTime() - tip0;
                    out.println("WAIT " + r + " " + t0);
                    String[] f = expect(in, "ROUND").split(" ");
                    int got = Integer.parseInt(f[2]);
                    if (got != miners) {
                        System.out.println("round " + r + ": only " + got + " of " + miners + " miners got the tip");
                    }
                    if (i >= 0) {
                        complete += got == miners ? 1 : 0;
                        p50[i] = Long.parseLong(f[4]);
                        p99[i] = Long.parseLong(f[5]);
                        last[i] = Long.parseLong(f[6]);
                        roundCpu += osr.getProcessCpuTime() - c0;
                        ioCpu += ThreadCpu.nanos("pool-io-") - io0;
                    }
                    double dc = metrics.fanOutLatency.count() - dc0;
                    stats.end(r, i, Long.parseLong(f[6]), Long.parseLong(f[4]), String.format(Locale.ROOT,
                            "loopsDone(mean, from the template)=%.1fms newTip=%.2fms",
                            dc == 0 ? -1 : (metrics.fanOutLatency.totalTime(TimeUnit.NANOSECONDS) - dt0) / dc / 1e6,
                            tipNanos / 1e6));
                    Thread.sleep(300);
                }
                Arrays.sort(last);
                Arrays.sort(p50);
                Arrays.sort(p99);
                System.out.printf(Locale.ROOT, "fanout rounds=%d complete=%d lastMiner(ms) p50=%s p99=%s max=%s; "
                                + "perMinerP50(ms) median=%s; perMinerP99(ms) median=%s max=%s%n", rounds, complete,
                        ms(pct(last, 0.5)), ms(pct(last, 0.99)), ms(last[rounds - 1]), ms(pct(p50, 0.5)),
                        ms(pct(p99, 0.5)), ms(p99[rounds - 1]));
                System.out.println("fanout " + stats.summary(miners) + "; " + ProcStats.loadavg());
                double fc = metrics.fanOutLatency.count() - fanCount0;
                System.out.printf(Locale.ROOT, "pool-side per-loop deliver (NewTemplate + SetNewPrevHash updates) "
                                + "count=%.0f mean=%s ms max(decaying)=%.2f ms%n", fc,
                        ms((long) ((metrics.fanOutLatency.totalTime(TimeUnit.NANOSECONDS) - fanTotal0) / fc)),
                        metrics.fanOutLatency.max(TimeUnit.MILLISECONDS));
                System.out.printf(Locale.ROOT, "event-loop passes per round=%.2f (one per loop when the future job "
                        + "and its tip travel together); future jobs sent without their tip after the hold=%.0f%n",
                        (metrics.fanOutPasses.count() - passes0) / rounds, metrics.futureHoldExpired.count());
                System.out.printf(Locale.ROOT, "pool JVM cpu per round (tip sent to last miner decoded) = %s ms (%.2f us "
                        + "per miner); event-loop threads only %.2f us per miner%n", ms(roundCpu / rounds),
                        roundCpu / (double) rounds / miners / 1e3, ioCpu / (double) rounds / miners / 1e3);
                }

                OperatingSystemMXBean os0 = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                int shareSeconds = intProp("shareSeconds", 10);
                if (shareSeconds > 0 && !kind.equals("extended")) {
                    double a0 = metrics.sharesAccepted.count();
                    double j0 = rejected(metrics);
                    long cpu0 = os0.getProcessCpuTime();
                    long w0 = System.nanoTime();
                    out.println("SHARES " + shareSeconds + " " + intProp("shareWindow", 16));
                    String line = expect(in, "SHARES");
                    long wall = System.nanoTime() - w0;
                    double acc = metrics.sharesAccepted.count() - a0;
                    double rej = rejected(metrics) - j0;
                    System.out.printf(Locale.ROOT, "shares %s (sent acked errors, client side); pool accepted=%.0f "
                                    + "rejected=%.0f over %.1f s = %.0f shares/s validated; pool JVM cpu=%.2f cores; "
                                    + "blocks=%.0f%n", line, acc, rej, wall / 1e9, (acc + rej) / (wall / 1e9),
                            (os0.getProcessCpuTime() - cpu0) / (double) wall, metrics.blocksFound.count());
                    Thread.sleep(3000);
                }
                if (Boolean.parseBoolean(System.getProperty("storm", "true"))) {
                    long lastRefill = 0;
                    for (int i = 1, storms = intProp("storms", 1); i <= storms; i++) {
                        Thread.sleep(2000);
                        var tcp0 = tcpExt();
                        double[] d0 = dropCounts(metrics);
                        long[] r0 = reserve(h.pool.registry());
                        long cpu0 = os0.getProcessCpuTime();
                        long refill0 = ThreadCpu.nanos("noise-key-reserve");
                        long loops0 = ThreadCpu.nanos("pool-io-") + ThreadCpu.nanos("pool-accept");
                        long jit0 = ThreadCpu.procNanos("C1 Compiler", "C2 Compiler");
                        long gc0 = ThreadCpu.procNanos("GC Thread", "G1 ");
                        out.println("STORM");
                        String line = expect(in, "STORM");
                        long cpu = os0.getProcessCpuTime() - cpu0;
                        long refill = ThreadCpu.nanos("noise-key-reserve") - refill0;
                        long loops = ThreadCpu.nanos("pool-io-") + ThreadCpu.nanos("pool-accept") - loops0;
                        long[] r1 = reserve(h.pool.registry());
                        long jit = ThreadCpu.procNanos("C1 Compiler", "C2 Compiler") - jit0;
                        long gc = ThreadCpu.procNanos("GC Thread", "G1 ") - gc0;
                        System.out.printf(Locale.ROOT, "storm %d key reserve: ready before=%d after=%d hits=%d misses=%d "
                                        + "made=%d refillCpuMs=%d (in the pool CPU below; the refill since the last storm "
                                        + "before it: %d ms)%n", i, r0[0], r1[0], r1[1] - r0[1], r1[2] - r0[2],
                                r1[3] - r0[3], refill / 1_000_000, (refill0 - lastRefill) / 1_000_000);
                        lastRefill = refill0 + refill;
                        System.out.println("storm " + i + " " + line + " (closeMs backOnJobMs retries readyMiners "
                                + "p50 p90 p99 fleetCpuMs prepareCpuMs esPrepared certVerifies fleetJitCpuMs) poolCpuMs=" + cpu / 1_000_000
                                + " eventLoopCpuMs=" + loops / 1_000_000 + " refillCpuMs=" + refill / 1_000_000
                                + " jitCpuMs=" + jit / 1_000_000 + " gcCpuMs=" + gc / 1_000_000
                                + " pool connections="
                                + metrics.connections.get() + "; pool drops: " + drops(metrics, d0) + "; tcp: "
                                + tcpDelta(tcp0, tcpExt()) + "; load " + Files.readString(Path.of("/proc/loadavg")).trim());
                    }
                }
                out.println("QUIT");
                expect(in, "BYE");
            } finally {
                if (!fleet.waitFor(10, TimeUnit.SECONDS)) {
                    fleet.destroyForcibly();
                }
            }
        }
    }
}
