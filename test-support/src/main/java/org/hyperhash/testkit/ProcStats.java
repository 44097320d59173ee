package org.hyperhash.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the benchmarks read from /proc about a process and the machine (Linux only; -1, empty or "?" when unreadable).
 * Shared by the SV1 benchmarks (a server in another process) and the pool's probe (its own JVM's JIT and GC threads,
 * which {@code ThreadMXBean} does not list).
 */
public final class ProcStats {
    private ProcStats() {
    }

    /** utime + stime of a process from /proc/PID/stat, in ms (clock ticks of 10 ms). */
    public static long cpuMillis(long pid) {
        try {
            return statCpuMillis(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * utime + stime per thread name of a process (threads of one name summed; a trailing number in the kernel's name,
     * /proc/PID/task/TID/comm, becomes "#"), in ms (clock ticks of 10 ms); empty when unreadable.
     */
    public static Map<String, Long> threadCpuMillis(long pid) {
        Map<String, Long> m = new TreeMap<>();
        try (var ds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : ds) {
                try {
                    String name = Files.readString(t.resolve("comm")).trim().replaceAll("[0-9]+$", "#");
                    m.merge(name, statCpuMillis(Files.readString(t.resolve("stat"))), Long::sum);
                } catch (Exception gone) {
                    // the thread exited
                }
            }
        } catch (Exception e) {
            return m;
        }
        return m;
    }

    /**
     * Time the threads of a process have spent runnable but waiting for a CPU (the second field of
     * /proc/PID/task/TID/schedstat, summed over the threads alive now), in ms; -1 when unreadable (a kernel without
     * schedstats). A benchmark that shares its CPUs with the server it measures reads this for itself to tell its own
     * scheduling delay from the server's latency.
     */
    public static long runDelayMillis(long pid) {
        long ns = 0;
        try (var ds = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : ds) {
                try {
                    ns += Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split(" ")[1]);
                } catch (Exception gone) {
                    // the thread exited
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return ns / 1_000_000;
    }

    /** utime + stime (fields 14 and 15) of a /proc stat line, in ms. */
    private static long statCpuMillis(String stat) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    /** The kB value of the line starting with {@code key} (e.g. "VmRSS:" in /proc/PID/status). */
    public static long kb(Path file, String key) {
        try {
            for (String l : Files.readAllLines(file)) {
                if (l.startsWith(key)) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /** The 1, 5 and 15 minute load averages, as "load a b c". */
    public static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load " + f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "load ?";
        }
    }
}
