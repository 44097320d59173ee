package org.hyperhash.pool.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * Bench-only: CPU time (user + system, so a socket write's kernel work counts) of this JVM's threads whose name starts
 * with a prefix, e.g. the event loops. Splits a fan-out's own cost from the JIT compiler and GC threads that the
 * process CPU time also holds.
 */
final class ThreadCpu {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    static long nanos(String prefix) {
        long sum = 0;
        for (ThreadInfo t : MX.getThreadInfo(MX.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith(prefix)) {
                long c = MX.getThreadCpuTime(t.getThreadId());
                sum += Math.max(0, c);
            }
        }
        return sum;
    }

    /**
     * CPU time of this process's threads whose kernel name ({@code /proc/self/task/N/comm}) starts with one of the
     * prefixes: the JVM's own threads that {@link ThreadMXBean} does not list (the JIT's "C1 CompilerThre" / "C2
     * CompilerThre", GC's "GC Thread" / "G1 ..."), from {@code /proc} at clock-tick resolution (10 ms); 0 off Linux.
     */
    static long procNanos(String... prefixes) {
        long ticks = 0;
        try (var dirs = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path d : (Iterable<java.nio.file.Path>) dirs::iterator) {
                try {
                    String comm = java.nio.file.Files.readString(d.resolve("comm")).trim();
                    boolean match = false;
                    for (String p : prefixes) {
                        match |= comm.startsWith(p);
                    }
                    if (!match) {
                        continue;
                    }
                    String stat = java.nio.file.Files.readString(d.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                } catch (java.io.IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException | RuntimeException notLinux) {
            return 0;
        }
        return ticks * 10_000_000L;
    }
}
