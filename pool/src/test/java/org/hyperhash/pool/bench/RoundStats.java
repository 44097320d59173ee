package org.hyperhash.pool.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.hyperhash.testkit.ProcStats;

/**
 * Bench-only: what happened in each fan-out round, so a slow round can be attributed. Shared by {@link PoolLoadProbe}
 * and {@link LoopbackWriteFloor}, which print the same per-round line ({@code -DperRound=true}) and the same summary
 * (p50 / p90 / p95 / p99 / max of the last connection over the counted rounds, with the nearest-rank percentile, so
 * with 20 rounds p95 is the 19th and p99 the 20th, the maximum; with 100 rounds p99 is the 99th).
 *
 * <p>Per round: the server JVM's CPU, each event loop's CPU (ns, {@code ThreadMXBean}), its GC collections and their
 * time (GC MXBeans), the heap bytes the event loops allocated, the JIT's compilation time (CompilationMXBean, ms) and its compiler threads' CPU (/proc, 10 ms
 * ticks), the receiver process's CPU and the whole machine's busy and steal time (/proc/stat, 10 ms ticks), so
 * "others" = machine busy - server - receiver is what other processes (other helpers on the shared cores) took in the
 * same window. The JVM uptime at the round's start and end (ms) lines the round up with {@code -Xlog:gc,safepoint}
 * (uptime decorator).
 */
final class RoundStats {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final List<GarbageCollectorMXBean> GCS = ManagementFactory.getGarbageCollectorMXBeans();

    private final String loopPrefix;
    private final long childPid;
    private final int counted;
    private final long[] last;
    private final long[] cpu;
    private final long[] loopCpu;
    /** Per counted round: heap bytes the event loops allocated, GC collections and their time (ms). */
    private final long[] loopAlloc;
    private final long[] gcs;
    private final long[] gcTime;
    private int n;
    // the open round
    private long[] loopIds = new long[0];
    private long[] loop0 = new long[0];
    private long alloc0;
    private long up0;
    private long cpu0;
    private long gcCount0;
    private long gcMs0;
    private long jitMs0;
    private long jitCpu0;
    private long child0;
    private long[] sys0;

    /**
     * @param loopPrefix thread-name prefix of the server's event loops ("pool-io-", "floor-io-")
     * @param childPid the receiver's process (the fleet or the floor's receiver)
     * @param counted the number of counted rounds
     */
    RoundStats(String loopPrefix, long childPid, int counted) {
        this.loopPrefix = loopPrefix;
        this.childPid = childPid;
        this.counted = counted;
        this.last = new long[counted];
        this.cpu = new long[counted];
        this.loopCpu = new long[counted];
        this.loopAlloc = new long[counted];
        this.gcs = new long[counted];
        this.gcTime = new long[counted];
    }

    static boolean perRound() {
        return Boolean.getBoolean("perRound");
    }

    /** Snapshot before the round's first event. */
    void begin() {
        if (loopIds.length == 0) {
            List<Long> ids = new ArrayList<>();
            for (ThreadInfo t : MX.getThreadInfo(MX.getAllThreadIds())) {
                if (t != null && t.getThreadName().startsWith(loopPrefix)) {
                    ids.add(t.getThreadId());
                }
            }
            loopIds = ids.stream().mapToLong(Long::longValue).toArray();
            loop0 = new long[loopIds.length];
        }
        up0 = ManagementFactory.getRuntimeMXBean().getUptime();
        sys0 = procStat();
        child0 = ProcStats.cpuMillis(childPid);
        gcCount0 = gcCount();
        gcMs0 = gcMillis();
        jitMs0 = JIT.getTotalCompilationTime();
        jitCpu0 = ThreadCpu.procNanos("C1 Compiler", "C2 Compiler");
        for (int i = 0; i < loopIds.length; i++) {
            loop0[i] = MX.getThreadCpuTime(loopIds[i]);
        }
        alloc0 = allocated();
        cpu0 = OS.getProcessCpuTime();
    }

    /** Bytes allocated on the heap by the event loops (their TLABs and outside). */
    private long allocated() {
        long s = 0;
        if (MX instanceof com.sun.management.ThreadMXBean t) {
            for (long id : loopIds) {
                s += Math.max(0, t.getThreadAllocatedBytes(id));
            }
        }
        return s;
    }

    /**
     * Snapshot after the receiver reported the round; records it when {@code ix >= 0} (counted) and prints the
     * per-round line when {@code -DperRound=true}.
     *
     * @param r the round number (1-based, warm-up rounds included)
     * @param ix the counted round's index, < 0 for a warm-up round
     * @param lastNanos the last connection's latency
     * @param medianNanos the median connection's latency
     * @param extra appended to the line (the probe's own figures)
     */
    void end(int r, int ix, long lastNanos, long medianNanos, String extra) {
        long c = OS.getProcessCpuTime() - cpu0;
        long[] loops = new long[loopIds.length];
        long loopSum = 0;
        long loopMax = 0;
        long loopMin = Long.MAX_VALUE;
        for (int i = 0; i < loopIds.length; i++) {
            loops[i] = MX.getThreadCpuTime(loopIds[i]) - loop0[i];
            loopSum += loops[i];
            loopMax = Math.max(loopMax, loops[i]);
            loopMin = Math.min(loopMin, loops[i]);
        }
        long alloc = allocated() - alloc0;
        long gcN = gcCount() - gcCount0;
        long gcMs = gcMillis() - gcMs0;
        long jitMs = JIT.getTotalCompilationTime() - jitMs0;
        long jitCpu = (ThreadCpu.procNanos("C1 Compiler", "C2 Compiler") - jitCpu0) / 1_000_000;
        long child = ProcStats.cpuMillis(childPid) - child0;
        long[] sys1 = procStat();
        long up1 = ManagementFactory.getRuntimeMXBean().getUptime();
        long busy = sys1[0] - sys0[0];
        long steal = sys1[1] - sys0[1];
        if (ix >= 0 && ix < counted) {
            last[ix] = lastNanos;
            cpu[ix] = c;
            loopCpu[ix] = loopSum;
            loopAlloc[ix] = alloc;
            gcs[ix] = gcN;
            gcTime[ix] = gcMs;
            n = Math.max(n, ix + 1);
        }
        if (perRound()) {
            System.out.printf(Locale.ROOT, "round %d%s last=%.1f median=%.1f ms cpu=%.1f loops=%.1f (max %.1f min %.1f)"
                            + " ms loopAlloc=%.3fMB gc=%d/%dms jit=%dms/%dmsCpu receiver=%dms machineBusy=%dms steal=%dms others=%dms"
                            + " uptime=%d-%d%s%n", r, ix < 0 ? "w" : "", lastNanos / 1e6, medianNanos / 1e6, c / 1e6,
                    loopSum / 1e6, loopMax / 1e6, loopMin / 1e6, alloc / 1e6, gcN, gcMs, jitMs, jitCpu, child, busy, steal,
                    busy - c / 1_000_000 - child, up0, up1, extra.isEmpty() ? "" : " " + extra);
        }
    }

    /** Nearest-rank percentile of the counted rounds' last connection. */
    long lastPct(double p) {
        long[] s = Arrays.copyOf(last, n);
        Arrays.sort(s);
        return n == 0 ? -1 : s[Math.max(0, Math.min(n - 1, (int) Math.ceil(p * n) - 1))];
    }

    /** One line: the last connection's distribution over the counted rounds. */
    String summary(int connections) {
        long c = 0;
        long l = 0;
        for (int i = 0; i < n; i++) {
            c += cpu[i];
            l += loopCpu[i];
        }
        long[] a = Arrays.copyOf(loopAlloc, n);
        Arrays.sort(a);
        int gcRounds = 0;
        long gcMsSum = 0;
        for (int i = 0; i < n; i++) {
            gcRounds += gcs[i] > 0 ? 1 : 0;
            gcMsSum += gcTime[i];
        }
        return String.format(Locale.ROOT, "rounds=%d last(ms) p50=%.2f p90=%.2f p95=%.2f p99=%.2f max=%.2f; "
                        + "cpu per connection %.2f us, event loops %.2f us; loop alloc per round median %.1f kB (min %.1f"
                        + " max %.1f), %.1f B per connection; rounds with a GC %d of %d (%d ms)", n, lastPct(0.5) / 1e6,
                lastPct(0.9) / 1e6, lastPct(0.95) / 1e6, lastPct(0.99) / 1e6, lastPct(1.0) / 1e6,
                c / (double) Math.max(1, n) / connections / 1e3, l / (double) Math.max(1, n) / connections / 1e3,
                n == 0 ? 0 : a[n / 2] / 1e3, n == 0 ? 0 : a[0] / 1e3, n == 0 ? 0 : a[n - 1] / 1e3,
                n == 0 ? 0 : a[n / 2] / (double) connections, gcRounds, n, gcMsSum);
    }

    private static long gcCount() {
        long s = 0;
        for (GarbageCollectorMXBean g : GCS) {
            s += Math.max(0, g.getCollectionCount());
        }
        return s;
    }

    private static long gcMillis() {
        long s = 0;
        for (GarbageCollectorMXBean g : GCS) {
            s += Math.max(0, g.getCollectionTime());
        }
        return s;
    }

    /** The machine's {busy, steal} CPU time in ms from the first line of /proc/stat ({0, 0} when unreadable). */
    private static long[] procStat() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).getFirst().trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) { // user .. steal (guest is inside user)
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {(total - idle) * 10, Long.parseLong(f[8]) * 10};
        } catch (Exception e) {
            return new long[2];
        }
    }
}
