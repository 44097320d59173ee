package org.hyperhash.agent.systemd;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.agent.process.ChildProcess;
import org.hyperhash.agent.process.ChildProcess.Result;

/**
 * Runs the real {@code systemctl} (the polkit rule in systemd/50-hyperhash-agent.rules lets the
 * {@code hh-agent} user restart only the hh-* units) through {@link ChildProcess}: output is capped; a hung call is
 * killed after the timeout.
 */
public final class ProcessSystemctl implements Systemctl {
    private final String command;
    private final Duration timeout;

    public ProcessSystemctl(String command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    @Override
    public void restart(String unit) throws IOException {
        Result r = run("restart", unit);
        if (r.exit() != 0) {
            throw new IOException("systemctl restart " + unit + " failed (exit " + r.exit() + "): " + r.output().strip());
        }
    }

    @Override
    public void stop(String unit) throws IOException {
        Result r = run("stop", unit);
        if (r.exit() != 0) {
            throw new IOException("systemctl stop " + unit + " failed (exit " + r.exit() + "): " + r.output().strip());
        }
    }

    @Override
    public List<String> triggeredBy(String unit) {
        try {
            Result r = run("show", "--property=TriggeredBy", "--value", unit);
            if (r.exit() != 0) {
                return List.of();
            }
            // space-separated unit names; output that is not only that (a systemd too old to know the property) is
            // not understood and ignored as a whole
            String out = r.output().strip();
            List<String> names = out.isEmpty() ? List.of() : List.of(out.split("\\s+"));
            return names.stream().allMatch(n -> n.matches(UNIT_NAME) && n.matches(".+\\.(socket|path|timer)")) ? names : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public String activeState(String unit) {
        try {
            Result r = run("show", "--property=ActiveState", "--value", unit);
            String s = r.output().strip();
            return r.exit() == 0 && !s.isEmpty() ? s : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private Result run(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(command);
        cmd.add("--no-ask-password");
        cmd.addAll(List.of(args));
        return ChildProcess.run(cmd, timeout, "systemctl-output");
    }
}
