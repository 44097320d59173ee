package org.hyperhash.translator.bench;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.hyperhash.sv2.channel.VardiffConfig;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.hyperhash.translator.bridge.BridgeConfig;
import org.hyperhash.translator.sv2.PoolEndpoint;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * The translator side of the socket benchmark (manual {@code main}, not a test): a {@link BenchSv2Pool} and a
 * {@link TranslatorDaemon} in this JVM, driven by {@link Sv1LoadGenerator} in another JVM over stdin/stdout.
 * Prints {@code LISTENING <sv1 port>} once the port is bound, {@code READY <sv1 port>} once the translator is ready
 * (upstream channel open, SV1 port accepting), then answers one line per command: {@code BLOCK} (pool announces a new
 * block; replies the {@code System.nanoTime()} just before), {@code STATS}, {@code HEAP} (GC first), {@code QUIT}.
 * Difficulty is pinned at the floor ({@code 1e-12}, every hash is a share) so miners need not hash; a second
 * argument pins it elsewhere for miners and the upstream channel alike (e.g. {@code 65536}: every random submit is
 * checked end to end and rejected as low difficulty, as in {@link Sv1Storm}'s submit phase). {@code
 * -Dbench.poolDifficulty=D} sets the upstream channel's difficulty apart (e.g. {@code 1e9} with the default miner
 * difficulty: every submit is credited to its miner and none meets the pool's target, so none is forwarded, as most
 * credited shares in production).
 */
public final class TranslatorBenchServer {
    static final double DIFFICULTY = 1e-12;

    private TranslatorBenchServer() {
    }

    static TranslatorConfig config(int poolPort, int maxMiners) {
        return config(poolPort, maxMiners, DIFFICULTY);
    }

    static TranslatorConfig config(int poolPort, int maxMiners, double difficulty) {
        // production defaults (reference.conf) except: vardiff pinned at the floor, no admin port
        BridgeConfig bc = new BridgeConfig(4, 2, 16, true, "bcrt1qbench.translator", 1e12,
                VardiffConfig.defaults().withDifficultyRange(difficulty, difficulty), difficulty, Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofMinutes(5), maxMiners, 16, "", 0, false);
        return new TranslatorConfig(new InetSocketAddress("127.0.0.1", 0), 16384, 64, Duration.ofMinutes(10), bc,
                List.of(new PoolEndpoint("bench", "127.0.0.1", poolPort, "")), Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60), new InetSocketAddress("127.0.0.1", 0),
                Duration.ofSeconds(1), Integer.getInteger("bench.ioThreads", 0)) // io-threads: 0 = cores, as in reference.conf
                // sv1.warmup: reference.conf's unless -Dbench.warmupSessions / -Dbench.warmupMaxMs (0 sessions = none)
                .withSv1Warmup(Integer.getInteger("bench.warmupSessions", TranslatorConfig.DEFAULT_WARMUP_SESSIONS),
                        Duration.ofMillis(Long.getLong("bench.warmupMaxMs", TranslatorConfig.DEFAULT_WARMUP_MAX_TIME.toMillis())),
                        Boolean.parseBoolean(System.getProperty("bench.warmupUntilJitIdle",
                                Boolean.toString(TranslatorConfig.DEFAULT_WARMUP_UNTIL_JIT_IDLE))));
    }

    public static void main(String[] args) throws Exception {
        int maxMiners = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        double difficulty = args.length > 1 ? Double.parseDouble(args[1]) : DIFFICULTY;
        var out = System.out;
        String poolDifficulty = System.getProperty("bench.poolDifficulty");
        try (BenchSv2Pool pool = new BenchSv2Pool(poolDifficulty == null ? difficulty : Double.parseDouble(poolDifficulty));
                TranslatorDaemon t = new TranslatorDaemon(config(pool.start(), maxMiners, difficulty), InstantSource.system(),
                        false)) {
            t.start();
            // the port listens from here (accepting may wait for the start-up warm-up): Sv1Storm --storm-at-listen
            out.println("LISTENING " + t.sv1Address().getPort());
            out.flush();
            long deadline = System.nanoTime() + 90_000_000_000L; // sv1.warmup.max-time is at most 60 s
            while (!t.ready()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("translator not ready after 90 s");
                }
                Thread.sleep(10);
            }
            var w = t.warmup();
            if (w != null) { // Sv1Storm prints INFO lines: what the start-up warm-up did in this run
                out.println("INFO sv1 warm-up: " + w.sessions() + " sessions (" + w.failed() + " failed) in " + w.wallMillis()
                        + " ms, " + w.cpuMillis() + " ms CPU (" + w.stop() + ")");
            }
            // wall clock at READY, to cut a JIT log or recording of this process to the storm that follows
            out.println("INFO ready at epoch ms " + System.currentTimeMillis());
            out.println("READY " + t.sv1Address().getPort());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String cmd; (cmd = in.readLine()) != null; ) {
                switch (cmd.trim()) {
                    case "BLOCK" -> {
                        long t0 = System.nanoTime();
                        pool.newBlock();
                        out.println("BLOCK " + t0);
                    }
                    case "STATS" -> out.println(stats(t, pool));
                    case "HEAP" -> {
                        for (int i = 0; i < 3; i++) {
                            System.gc();
                            Thread.sleep(200);
                        }
                        out.println("HEAP " + ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() + " "
                                + directBytes() + " " + rssBytes() + " " + t.metrics().connections());
                    }
                    case "QUIT" -> {
                        out.println("BYE");
                        out.flush();
                        return;
                    }
                    default -> out.println("ERR unknown command " + cmd);
                }
                out.flush();
            }
        }
    }

    /** {@code STATS <process cpu ns> <pool thread cpu ns> <accepted> <forwarded> <pool submits> <connections>}. */
    private static String stats(TranslatorDaemon t, BenchSv2Pool pool) {
        long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        long poolCpu = 0;
        for (ThreadInfo ti : tmx.getThreadInfo(tmx.getAllThreadIds())) {
            if (ti != null && ti.getThreadName().startsWith(BenchSv2Pool.THREAD_PREFIX)) {
                long c = tmx.getThreadCpuTime(ti.getThreadId());
                poolCpu += Math.max(0, c);
            }
        }
        return "STATS " + cpu + " " + poolCpu + " " + (long) t.metrics().acceptedCount() + " "
                + (long) t.metrics().forwardedCount() + " " + pool.submits.get() + " " + t.metrics().connections();
    }

    private static long directBytes() {
        return ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p ? p.metric().usedDirectMemory() : -1;
    }

    private static long rssBytes() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }
}
