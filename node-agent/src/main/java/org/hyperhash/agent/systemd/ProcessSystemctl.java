package org.hyperhash.agent.systemd;

import java.io.IOException;
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
        try {
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readNBytes(MAX_OUTPUT);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " timed out after " + timeout.toSeconds() + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            p.getInputStream().close();
        }
    }
}
