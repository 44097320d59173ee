package org.hyperhash.cli.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The socket activation contract end to end with systemd's own tool: {@code systemd-socket-activate} binds the port,
 * and on the first connection execs {@code ./hh pool} (the launcher execs the JVM, so LISTEN_PID stays right) with
 * LISTEN_FDS=1 and LISTEN_FDNAMES as the .socket unit's FileDescriptorName= would set them. The pool serves the
 * connection that woke it on the passed socket (fd 3) instead of binding sv2.listen; a socket with a name the pool
 * does not serve stops it with exit code 2 and the name in the message.
 */
@Timeout(180)
class SocketActivatedPoolIT {
    @TempDir
    Path dir;

    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.isRegularFile(p.resolve("hh")) && Files.isRegularFile(p.resolve("README.md")))) {
            p = p.getParent();
        }
        if (p == null || !Files.isRegularFile(p.resolve("cli/target/hh-cli.jar"))) {
            fail("run after package: no ./hh with cli/target/hh-cli.jar above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static Path socketActivate() {
        Path tool = Stream.of("/usr/bin/systemd-socket-activate", "/bin/systemd-socket-activate",
                "/usr/lib/systemd/systemd-socket-activate", "/lib/systemd/systemd-socket-activate")
                .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (tool == null) {
            String why = "systemd-socket-activate missing (Debian: apt-get install systemd)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + ": CI installs systemd for the ops checks");
            }
            Assumptions.abort(why);
        }
        return tool;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Process start(int port, String fdName, Path log) throws IOException {
        Path repo = repo();
        // systemd-socket-activate passes the child only LISTEN_* and what -E names (like a unit's Environment=)
        List<String> cmd = new ArrayList<>(List.of(socketActivate().toString(), "-l", "127.0.0.1:" + port, "--fdname=" + fdName,
                "-E", "HH_NO_BUILD=1", "-E", "HH_NATIVE_DIR=" + dir.resolve("native"), "-E", "PATH", "-E", "HOME"));
        if (System.getenv("JAVA_HOME") != null) {
            cmd.addAll(List.of("-E", "JAVA_HOME"));
        }
        cmd.addAll(List.of(repo.resolve("hh").toString(), "pool", "--config", repo.resolve("pool/config-examples/devnet.conf").toString(),
                "--set", "sv2.listen=[\"127.0.0.1:" + port + "\"]", "--set", "sv2.security=plaintext",
                "--set", "admin.listen=\"127.0.0.1:0\"", "--set", "ledger.url=\"jdbc:sqlite:" + dir.resolve("ledger.db") + "\"",
                "--set", "template-providers=[{address=\"127.0.0.1:" + freePort() + "\",authority-key=\"\"}]"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    /** {@link #start}, then waits until systemd-socket-activate listens on {@code port} (the pool is not up yet). */
    private Process startListening(int port, String fdName, Path log) throws Exception {
        Process p = start(port, fdName, log);
        if (!awaitLog(log, "Listening on 127.0.0.1:" + port, Duration.ofSeconds(20))) {
            p.destroyForcibly();
            fail("systemd-socket-activate listens: " + Files.readString(log));
        }
        return p;
    }

    /** Waits until the log file contains {@code text} (also used by HhStackIT). */
    static boolean awaitLog(Path log, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    @Test
    void thePoolServesOnTheSocketSystemdPassesIt() throws Exception {
        int port = freePort();
        Path log = dir.resolve("pool.log");
        Process p = startListening(port, "sv2", log);
        try {
            try (Socket first = connect(port)) { // wakes the service, like a miner arriving at the socket unit
                assertTrue(awaitLog(log, "socket-activated listener(s) [sv2@fd3]", Duration.ofSeconds(90)),
                        "the pool serves on fd 3: " + Files.readString(log));
                assertTrue(awaitLog(log, "sv2: accepting on the socket-activated listener(s)", Duration.ofSeconds(30)),
                        Files.readString(log));
                first.setSoTimeout(30_000);
                // accepted by the pool: with no SetupConnection it closes the connection at its handshake timeout
                assertEquals(-1, first.getInputStream().read(), "the pool accepted the waiting connection and closed it");
            }
            String out = Files.readString(log);
            assertTrue(!out.contains("cannot listen"), out);
            p.destroy(); // SIGTERM, as systemctl stop
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped on SIGTERM");
            assertTrue(awaitLog(log, "pool stopped", Duration.ofSeconds(5)), Files.readString(log));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aSocketNamedForAnotherDaemonIsAConfigurationError() throws Exception {
        int port = freePort();
        Path log = dir.resolve("pool-bad.log");
        Process p = startListening(port, "sv1", log);
        try {
            try (Socket ignored = connect(port)) {
                assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the pool exits");
            }
            String out = Files.readString(log);
            assertEquals(2, p.exitValue(), out);
            assertTrue(out.contains("pool: configuration error: socket activation: socket 1 of LISTEN_FDS=1 (fd 3) is named "
                    + "\"sv1\": this daemon serves [sv2]"), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
