package org.hyperhash.agent.systemd;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code systemctl} (the polkit rule in systemd/50-hyperhash-agent.rules lets the
 * {@code hh-agent} user restart only the hh-* units). Output is capped; a hung call is killed after the timeout.
 */
public final class ProcessSystemctl implements Systemctl {
    private static final int MAX_OUTPUT = 4096;
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(1);
    private final String command;
    private final Duration timeout;

    public ProcessSystemctl(String command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    @Override
    public void restart(String unit) throws IOException {
        Result r = run("restart", unit);
        if (r.exit != 0) {
            throw new IOException("systemctl restart " + unit + " failed (exit " + r.exit + "): " + r.output.strip());
        }
    }

    @Override
    public void stop(String unit) throws IOException {
        Result r = run("stop", unit);
        if (r.exit != 0) {
            throw new IOException("systemctl stop " + unit + " failed (exit " + r.exit + "): " + r.output.strip());
        }
    }

    @Override
    public List<String> triggeredBy(String unit) {
        try {
            Result r = run("show", "--property=TriggeredBy", "--value", unit);
            if (r.exit != 0) {
                return List.of();
            }
            // space-separated unit names; output that is not only that (a systemd too old to know the property) is
            // not understood and ignored as a whole
            String out = r.output.strip();
            List<String> names = out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
            return names.stream().allMatch(n -> n.matches("[A-Za-z0-9@._-]+\\.(socket|path|timer)")) ? names : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public String activeState(String unit) {
        try {
            Result r = run("show", "--property=ActiveState", "--value", unit);
            String s = r.output.strip();
            return r.exit == 0 && !s.isEmpty() ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(command);
        cmd.add("--no-ask-password");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // drained on its own thread: a blocking read here would defeat the timeout (a hung systemctl writes nothing)
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = Thread.ofVirtual().name("systemctl-output").start(() -> drain(p.getInputStream(), out));
        try {
            p.getOutputStream().close();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                throw new IOException(String.join(" ", cmd) + " timed out after " + timeout.toMillis() + " ms");
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

    /** Reads to EOF, keeping the first {@link #MAX_OUTPUT} bytes (the rest is discarded so the child never blocks). */
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
