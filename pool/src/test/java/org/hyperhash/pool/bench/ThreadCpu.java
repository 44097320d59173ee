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
}
