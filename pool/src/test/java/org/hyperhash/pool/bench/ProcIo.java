package org.hyperhash.pool.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bench-only: this process's write-type system calls and bytes written so far ({@code syscw} and {@code wchar} of
 * {@code /proc/self/io}; Linux). A socket {@code write(2)}/{@code writev(2)} counts once, whatever it carries, so the
 * difference over a fan-out round divided by the connections is the socket writes (and bytes) per session per block;
 * the few other writes of a round (event-loop wake-ups through eventfd, the probe's own lines) add a handful in
 * total. Both are -1 where the file cannot be read.
 */
record ProcIo(long writeCalls, long bytesWritten) {
    static ProcIo now() {
        long calls = -1;
        long bytes = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("syscw:")) {
                    calls = Long.parseLong(line.substring(6).trim());
                } else if (line.startsWith("wchar:")) {
                    bytes = Long.parseLong(line.substring(6).trim());
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux
        }
        return new ProcIo(calls, bytes);
    }

    /** {@code this - earlier}. */
    ProcIo minus(ProcIo earlier) {
        return new ProcIo(writeCalls - earlier.writeCalls, bytesWritten - earlier.bytesWritten);
    }

    ProcIo plus(ProcIo other) {
        return new ProcIo(writeCalls + other.writeCalls, bytesWritten + other.bytesWritten);
    }
}
