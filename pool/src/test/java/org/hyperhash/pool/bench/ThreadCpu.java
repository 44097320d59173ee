package org.hyperhash.pool.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import org.hyperhash.testkit.ProcStats;

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
     * CompilerThre", GC's "GC Thread" / "G1 ..."), from {@code /proc} at clock-tick resolution (10 ms,
     * {@link ProcStats#threadCpuMillis}); 0 off Linux.
     */
    static long procNanos(String... prefixes) {
        long millis = 0;
        for (Map.Entry<String, Long> e : ProcStats.threadCpuMillis(ProcessHandle.current().pid()).entrySet()) {
            for (String p : prefixes) {
                if (e.getKey().startsWith(p)) {
                    millis += e.getValue();
                    break;
                }
            }
        }
        return millis * 1_000_000L;
    }
}
