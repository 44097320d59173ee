package org.hyperhash.translator.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the SV1 benchmarks read from /proc about a server process and the machine (Linux only; -1 when unreadable). */
final class ProcStats {
    private ProcStats() {
    }

    /** utime + stime of a process from /proc/PID/stat, in ms (clock ticks of 10 ms). */
    static long cpuMillis(long pid) {
        try {
            String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The kB value of the line starting with {@code key} (e.g. "VmRSS:" in /proc/PID/status). */
    static long kb(Path file, String key) {
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
    static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load " + f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "load ?";
        }
    }
}
