package org.hyperhash.agent.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one child process (systemctl, the operator's ledger backup and restore commands) with a deadline: stdin
 * closed, stderr merged into stdout, the output drained on its own thread and capped at {@link #MAX_OUTPUT} bytes
 * (the rest is discarded so the child never blocks on a full pipe), and a child that outlives the deadline killed
 * with its descendants.
 */
public final class ChildProcess {
    /** Output bytes kept; the rest is read and discarded. */
    public static final int MAX_OUTPUT = 4096;
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(1);

    /** How a child exited and the first {@link #MAX_OUTPUT} bytes of what it wrote (stdout and stderr). */
    public record Result(int exit, String output) {
    }

    /** The child did not exit within the deadline; it and its descendants were killed. */
    public static final class TimedOutException extends IOException {
        TimedOutException(String message) {
            super(message);
        }
    }

    private ChildProcess() {
    }

    /**
     * Runs {@code command} to its exit.
     *
     * @param threadName the name of the thread that drains the output
     * @throws TimedOutException when it did not exit within {@code timeout} (message: the command line and the timeout)
     * @throws IOException when it could not start, or this thread was interrupted (the child is killed)
     */
    public static Result run(List<String> command, Duration timeout, String threadName) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        // drained on its own thread: a blocking read here would defeat the timeout (a hung child writes nothing)
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().name(threadName).start(() -> drain(p.getInputStream(), out));
        try {
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new TimedOutException(String.join(" ", command) + " timed out after " + timeout.toMillis()
                        + " ms");
            }
            // children that inherited the pipe may keep it open: bounded wait for the output
            reader.join(OUTPUT_GRACE.toMillis());
            synchronized (out) {
                return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            kill(p);
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            p.getInputStream().close();
        }
    }

    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Reads to EOF, keeping the first {@link #MAX_OUTPUT} bytes. */
    private static void drain(InputStream in, ByteArrayOutputStream out) {
        byte[] buf = new byte[1024];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (out) {
                    int keep = Math.min(n, MAX_OUTPUT - out.size());
                    if (keep > 0) {
                        out.write(buf, 0, keep);
                    }
                }
            }
        } catch (IOException e) {
            // stream closed by run(): whatever was read is kept
        }
    }
}
