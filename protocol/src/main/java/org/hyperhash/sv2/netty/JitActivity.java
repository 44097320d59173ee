package org.hyperhash.sv2.netty;

import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether this JVM's JIT compilers are still working, for a start-up warm-up that goes on until the JIT has caught up
 * with the code it exercises (issue 19, the connect storm). On two cores the single C2 thread lags behind a
 * 1,000-session warm-up: its queue stays 6-16 methods deep, HotSpot raises the tier-4 thresholds with the queue's length
 * (3-6x), and the per-connection methods were still C1 code when the sessions stopped, so C2 compiled them during the
 * first storm (bench/README.md "Storm CPU: the warm-up until the JIT is idle").
 *
 * <p>On Linux it reads the CPU time of the compiler threads ({@code C1 CompilerThre*}, {@code C2 CompilerThre*}) from
 * {@code /proc/self/task}: CPU that grows while a long compilation runs. Elsewhere it uses the JVM's total compilation
 * time ({@link CompilationMXBean}), which grows only when a compilation ends. The JIT counts as idle when its CPU grew
 * by at most a tenth of {@value #WINDOW_MILLIS} ms in each of the last {@value #IDLE_WINDOWS} windows. Not thread-safe:
 * one warm-up thread samples it.
 */
public final class JitActivity {
    /** Sampling window. */
    public static final int WINDOW_MILLIS = 200;
    /** Consecutive idle windows that make the JIT idle. */
    public static final int IDLE_WINDOWS = 2;
    /** Linux's USER_HZ (the unit of utime/stime in /proc), 100 on every architecture the JDK runs on. */
    private static final int USER_HZ = 100;
    private static final Path TASKS = Path.of("/proc/self/task");

    private final boolean proc;
    private long lastSampleNanos;
    private long lastCpuMillis;
    private int idleWindows;

    public JitActivity() {
        this.proc = compilerThreadsCpuMillis() >= 0;
        this.lastSampleNanos = System.nanoTime();
        this.lastCpuMillis = cpuMillis();
    }

    /** Where the figure comes from: {@code proc} (compiler threads' CPU), {@code mxbean} or {@code none}. */
    public String source() {
        return proc ? "proc" : compilationMxBean() != null ? "mxbean" : "none";
    }

    /**
     * True once the JIT's CPU (or compilation time) grew by at most 10% of the window in each of the last
     * {@value #IDLE_WINDOWS} windows of {@value #WINDOW_MILLIS} ms. Samples at most once per window (cheap between);
     * true at once where neither source exists.
     */
    public boolean idle() {
        if (!proc && compilationMxBean() == null) {
            return true;
        }
        long now = System.nanoTime();
        long elapsedMillis = (now - lastSampleNanos) / 1_000_000;
        if (elapsedMillis < WINDOW_MILLIS) {
            return idleWindows >= IDLE_WINDOWS;
        }
        long cpu = cpuMillis();
        idleWindows = cpu - lastCpuMillis <= elapsedMillis / 10 ? idleWindows + 1 : 0;
        lastCpuMillis = cpu;
        lastSampleNanos = now;
        return idleWindows >= IDLE_WINDOWS;
    }

    private long cpuMillis() {
        if (proc) {
            long v = compilerThreadsCpuMillis();
            return v >= 0 ? v : lastCpuMillis;
        }
        CompilationMXBean c = compilationMxBean();
        return c == null ? 0 : c.getTotalCompilationTime();
    }

    private static CompilationMXBean compilationMxBean() {
        CompilationMXBean c = ManagementFactory.getCompilationMXBean();
        return c != null && c.isCompilationTimeMonitoringSupported() ? c : null;
    }

    /** utime + stime of this JVM's compiler threads in ms, or -1 where /proc/self/task cannot be read. */
    static long compilerThreadsCpuMillis() {
        if (!Files.isDirectory(TASKS)) {
            return -1;
        }
        long ticks = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                try {
                    String comm = Files.readString(task.resolve("comm"), StandardCharsets.US_ASCII);
                    if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
                        continue;
                    }
                    ticks += statTicks(Files.readString(task.resolve("stat"), StandardCharsets.US_ASCII));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile (dynamic compiler threads come and go): its CPU is no longer counted
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return ticks * 1000 / USER_HZ;
    }

    /** utime + stime (fields 14 and 15) of a /proc stat line; the command name in parentheses may hold spaces. */
    static long statTicks(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        // f[0] is field 3 (state): utime is field 14 -> f[11], stime field 15 -> f[12]
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
