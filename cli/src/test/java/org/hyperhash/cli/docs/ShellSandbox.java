package org.hyperhash.cli.docs;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs documented shell commands as a reader would, on a scratch copy of the repository (every top-level
 * entry symlinked, so {@code ./hh} and the config examples resolve, but {@code hh-data/} is new), inside a
 * network namespace of their own: the documented fixed ports (3333, 18448, 9090...) are free there whatever
 * else runs on this machine, so the commands need no rewriting. {@code HH_NO_BUILD=1}: the launcher runs the
 * jars this build packaged instead of compiling inside a test.
 */
final class ShellSandbox implements AutoCloseable {
    private final Path dir;
    private final Process holder;
    private final boolean userNamespace;
    private final List<Process> started = new ArrayList<>();
    private final Map<String, String> env;

    private ShellSandbox(Path dir, Process holder, boolean userNamespace, Map<String, String> env) {
        this.dir = dir;
        this.holder = holder;
        this.userNamespace = userNamespace;
        this.env = env;
    }

    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("hh")) && Files.isRegularFile(p.resolve("README.md")))) {
            p = p.getParent();
        }
        if (p == null) {
            fail("no repository (./hh and README.md) above " + Path.of("").toAbsolutePath());
        }
        if (!Files.isRegularFile(p.resolve("cli/target/hh-cli.jar"))) {
            fail("run after package: " + p.resolve("cli/target/hh-cli.jar") + " is missing");
        }
        return p;
    }

    /** A scratch repository view in {@code dir} and a network namespace with loopback up. */
    static ShellSandbox start(Path dir, Map<String, String> env) throws IOException, InterruptedException {
        Path repo = repo();
        try (Stream<Path> entries = Files.list(repo)) {
            for (Path e : (Iterable<Path>) entries::iterator) {
                String name = e.getFileName().toString();
                if (!name.equals("hh-data") && !name.equals(".git")) {
                    Files.createSymbolicLink(dir.resolve(name), e);
                }
            }
        }
        String ip = Stream.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").filter(p -> Files.isExecutable(Path.of(p)))
                .findFirst().orElse(null);
        if (ip == null) {
            fail("this test needs `ip` (iproute2) to bring up loopback in its network namespace");
        }
        String hold = ip + " link set lo up && echo up && exec sleep 3600";
        // unprivileged: a user namespace mapping us to root inside it; as root: a network namespace alone
        for (boolean userns : new boolean[] {true, false}) {
            List<String> cmd = new ArrayList<>(List.of("unshare", userns ? "-rn" : "-n", "sh", "-c", hold));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = r.readLine();
            if ("up".equals(first)) {
                return new ShellSandbox(dir, p, userns, env);
            }
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        fail("cannot create a network namespace (unshare -rn / unshare -n): this test runs the documented commands on "
                + "their documented ports in a namespace of their own");
        return null;
    }

    Path dir() {
        return dir;
    }

    /** Starts {@code bash -e -c script} in the namespace and the scratch directory; stdout+stderr to {@code output}. */
    Process start(String script, Path output) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--preserve-credentials"));
        if (userNamespace) {
            cmd.add("-U");
        }
        cmd.addAll(List.of("-n", "-t", Long.toString(holder.pid()), "--", "bash", "-e", "-c", script));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("HH_STDOUT_TTY");
        pb.environment().remove("MAVEN_ARGS");
        pb.environment().put("HH_NO_BUILD", "1");
        pb.environment().putAll(env);
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Runs a script to its end (bounded); returns its exit code, its output in {@code output}. */
    int run(String script, Path output, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = start(script, output);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            stop(p);
            fail("did not finish within " + timeoutSeconds + " s:\n" + script + "\noutput:\n" + Files.readString(output));
        }
        return p.exitValue();
    }

    /** SIGTERM to the process and everything it started (the daemons shut down cleanly), then SIGKILL. */
    static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(p.toHandle().descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (ProcessHandle h : tree) {
            while (h.isAlive() && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            if (h.isAlive()) {
                h.destroyForcibly();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (int i = started.size() - 1; i >= 0; i--) {
            stop(started.get(i));
        }
        holder.destroyForcibly();
        holder.waitFor(10, TimeUnit.SECONDS);
    }
}
