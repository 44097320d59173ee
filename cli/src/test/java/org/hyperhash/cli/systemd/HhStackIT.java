package org.hyperhash.cli.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hyperhash.cli.Hh;
import org.hyperhash.cli.demo.DemoStack;
import org.hyperhash.sv2.noise.KeyTool;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hh stack} as systemd runs it (the launcher, a real process, SIGTERM to stop): the devnet tp, a pool and a
 * translator from three config files in one JVM; an SV1 miner gets a job and an accepted share through all three;
 * every daemon answers on its own admin port; a wrong key in any one file is a configuration error naming the file and
 * the key; a daemon that fails to start ends the process with its name.
 */
@Timeout(240)
class HhStackIT {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    /** Ports and keys of one stack's three files. */
    private record Files3(Path tp, Path pool, Path translator, int sv1, int tpAdmin, int poolAdmin, int translatorAdmin) {
    }

    private Files3 write(String tpExtra, String poolExtra, String translatorExtra) throws Exception {
        var tpKey = KeyTool.generateKeys(new java.security.SecureRandom()).authority();
        var poolKey = KeyTool.generateKeys(new java.security.SecureRandom()).authority();
        int tdp = SocketActivatedPoolIT.freePort();
        int sv2 = SocketActivatedPoolIT.freePort();
        int sv1 = SocketActivatedPoolIT.freePort();
        int tpAdmin = SocketActivatedPoolIT.freePort();
        int poolAdmin = SocketActivatedPoolIT.freePort();
        int trAdmin = SocketActivatedPoolIT.freePort();
        Path tp = dir.resolve("tp.conf");
        Files.writeString(tp, "network = devnet\nbackend = devnet\nsv2.listen = [\"127.0.0.1:" + tdp + "\"]\n"
                + "sv2.authority-secret-key = \"" + tpKey.secretToBase58() + "\"\nadmin.listen = \"127.0.0.1:" + tpAdmin + "\"\n"
                + "devnet.bits = \"0x207fffff\"\n" + tpExtra);
        Path pool = dir.resolve("pool.conf");
        Files.writeString(pool, "network = devnet\nsv2.listen = [\"127.0.0.1:" + sv2 + "\"]\nsv2.security = noise\n"
                + "sv2.authority-secret-key = \"" + poolKey.secretToBase58() + "\"\nadmin.listen = \"127.0.0.1:" + poolAdmin + "\"\n"
                + "payout.address = \"" + DemoStack.address(0) + "\"\nledger.url = \"jdbc:sqlite:" + dir.resolve("ledger.db") + "\"\n"
                + "template-providers = [{address = \"127.0.0.1:" + tdp + "\", authority-key = \"" + tpKey.publicKey().toBase58() + "\"}]\n"
                + poolExtra);
        Path translator = dir.resolve("translator.conf");
        Files.writeString(translator, "sv1.listen = \"127.0.0.1:" + sv1 + "\"\nadmin.listen = \"127.0.0.1:" + trAdmin + "\"\n"
                + "upstream.mode = aggregated\nupstream.user-identity = \"" + DemoStack.address(1) + ".stack\"\n"
                + "upstream.pools = [{name = \"pool\", host = \"127.0.0.1\", port = " + sv2 + ", authority-key = \""
                + poolKey.publicKey().toBase58() + "\"}]\nsv1.start-difficulty = 0.00001\nsv1.min-difficulty = 0.000001\n" + translatorExtra);
        return new Files3(tp, pool, translator, sv1, tpAdmin, poolAdmin, trAdmin);
    }

    private Process start(Files3 f, Path log) throws Exception {
        return start(f, log, List.of());
    }

    /** {@code ./hh stack} with the three files, behind {@code prefix} (e.g. systemd-socket-activate and its options). */
    private Process start(Files3 f, Path log, List<String> prefix) throws Exception {
        Path repo = SocketActivatedPoolIT.repo();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(repo.resolve("hh").toString(), "stack", "--tp", f.tp().toString(),
                "--pool", f.pool().toString(), "--translator", f.translator().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("HH_NO_BUILD", "1");
        env.put("HH_NATIVE_DIR", dir.resolve("native").toString());
        env.remove("HH_LOG_DIR");
        return pb.start();
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theSv1PathInOneProcessMinesAnswersOnEveryAdminPortAndStopsInReverse() throws Exception {
        Files3 f = write("", "", "");
        Path log = dir.resolve("stack.log");
        Process p = start(f, log);
        try {
            assertTrue(SocketActivatedPoolIT.awaitLog(log, "hh-stack: running", Duration.ofSeconds(120)), Files.readString(log));
            String started = Files.readString(log);
            assertTrue(started.indexOf("hh-stack: tp started") < started.indexOf("hh-stack: pool started")
                    && started.indexOf("hh-stack: pool started") < started.indexOf("hh-stack: translator started"), started);
            try (FakeSv1Miner m = FakeSv1Miner.connect(new InetSocketAddress("127.0.0.1", f.sv1()), FirmwareProfile.BITAXE)) {
                m.handshake(DemoStack.address(2) + ".rig");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                boolean notified = false;
                while (m.acceptedShares() < 1 && System.nanoTime() < deadline) {
                    if (m.awaitJob(Duration.ofSeconds(5)) != null) {
                        notified = true;
                        m.mineAndSubmit(2_000_000); // a stale reject at a new devnet tip is fine: mine again
                    }
                }
                assertTrue(notified, "the miner got a mining.notify: " + Files.readString(log));
                assertTrue(m.acceptedShares() >= 1, "accepted " + m.acceptedShares() + ", rejected " + m.rejectedShares());
            }
            String[] services = {"tp", "pool", "translator"};
            int[] admins = {f.tpAdmin(), f.poolAdmin(), f.translatorAdmin()};
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> health = get(admins[i], "/v1/health");
                assertEquals(200, health.statusCode(), services[i] + " " + health.body());
                assertTrue(health.body().contains("\"service\" : \"" + services[i] + "\""), health.body());
                HttpResponse<String> metrics = get(admins[i], "/metrics");
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.body().contains("service=\"" + services[i] + "\""), services[i] + " metrics are its own");
                assertEquals(200, get(admins[i], "/v1/status").statusCode(), services[i]);
            }
            // each registry holds its own daemon's meters only: the SV1 counter is on the translator's port alone
            assertTrue(get(f.translatorAdmin(), "/metrics").body().lines()
                    .anyMatch(l -> l.startsWith("hh_translator_sv1_connections_opened_total") && !l.endsWith(" 0.0")),
                    "the miner counted on the translator's port");
            assertTrue(get(f.poolAdmin(), "/metrics").body().lines().noneMatch(l -> l.startsWith("hh_translator_")),
                    "no translator meters on the pool's port");
            p.destroy(); // SIGTERM, as systemctl stop
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "stopped on SIGTERM");
            String out = Files.readString(log);
            int tr = out.indexOf("hh-stack: stopping translator");
            int pool = out.indexOf("hh-stack: stopping pool");
            int tp = out.indexOf("hh-stack: stopping tp");
            assertTrue(tr >= 0 && tr < pool && pool < tp, "reverse order: " + out.substring(Math.max(0, out.length() - 4000)));
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * hh-stack-sv2.socket and hh-stack-sv1.socket: systemd holds both ports and passes them (LISTEN_FDNAMES=sv2:sv1) to
     * the one process; the pool serves SV2 on its socket, the translator SV1 on its, and the translator's upstream
     * connection reaches the pool through the passed socket.
     */
    @Test
    void theStackServesOnTheTwoSocketsSystemdPassesIt() throws Exception {
        Files3 f = write("", "", "");
        int sv2 = Integer.parseInt(Files.readString(f.pool()).replaceAll("(?s).*sv2.listen = \\[\"127.0.0.1:(\\d+)\"].*", "$1"));
        Path log = dir.resolve("activated.log");
        List<String> prefix = new ArrayList<>(List.of(SocketActivatedPoolIT.socketActivate().toString(),
                "-l", "127.0.0.1:" + sv2, "-l", "127.0.0.1:" + f.sv1(), "--fdname=sv2:sv1",
                "-E", "HH_NO_BUILD=1", "-E", "HH_NATIVE_DIR=" + dir.resolve("native"), "-E", "PATH", "-E", "HOME"));
        if (System.getenv("JAVA_HOME") != null) {
            prefix.addAll(List.of("-E", "JAVA_HOME"));
        }
        Process p = start(f, log, prefix);
        try {
            assertTrue(SocketActivatedPoolIT.awaitLog(log, "Listening on 127.0.0.1:" + f.sv1(), Duration.ofSeconds(20)), Files.readString(log));
            // a first connection wakes the service, like a miner arriving at the socket unit; it waits in the backlog
            try (java.net.Socket wake = new java.net.Socket("127.0.0.1", f.sv1())) {
                assertTrue(SocketActivatedPoolIT.awaitLog(log, "hh-stack: running", Duration.ofSeconds(150)), Files.readString(log));
            }
            try (FakeSv1Miner m = FakeSv1Miner.connect(new InetSocketAddress("127.0.0.1", f.sv1()), FirmwareProfile.BITAXE)) {
                m.handshake(DemoStack.address(3) + ".rig");
                assertTrue(m.awaitJob(Duration.ofSeconds(120)) != null, "a job through the passed sockets: " + Files.readString(log));
            }
            String out = Files.readString(log);
            assertTrue(out.contains("sv2@fd3") && out.contains("sv1@fd4"), "both daemons on the passed sockets: " + out);
            assertTrue(!out.contains("cannot listen"), out);
            p.destroy();
            assertTrue(p.waitFor(90, TimeUnit.SECONDS), "stopped on SIGTERM");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aWrongKeyInAnyFileIsAConfigurationErrorNamingTheFileAndTheKey() throws Exception {
        String[] names = {"tp", "pool", "translator"};
        for (int i = 0; i < 3; i++) {
            Files3 f = write(i == 0 ? "no-such-key = 1\n" : "", i == 1 ? "no-such-key = 1\n" : "", i == 2 ? "no-such-key = 1\n" : "");
            Path bad = i == 0 ? f.tp() : i == 1 ? f.pool() : f.translator();
            StringWriter err = new StringWriter();
            int rc = Hh.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "stack", "--tp", f.tp().toString(),
                    "--pool", f.pool().toString(), "--translator", f.translator().toString(), "--check-config");
            assertEquals(2, rc, err.toString());
            String msg = err.toString();
            assertTrue(msg.contains("hh stack: " + names[i] + " (" + bad + "): configuration error"), msg);
            assertTrue(msg.contains("no-such-key"), msg);
            assertEquals(1, msg.lines().filter(l -> l.contains("configuration error")).count(), "only the bad file: " + msg);
        }
    }

    @Test
    void twoDaemonsOnOnePortAreAConfigurationError() throws Exception {
        Files3 f = write("", "", "");
        // the translator's admin port set to the pool's
        Files.writeString(f.translator(), Files.readString(f.translator()).replace("127.0.0.1:" + f.translatorAdmin(),
                "127.0.0.1:" + f.poolAdmin()));
        StringWriter err = new StringWriter();
        int rc = Hh.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "stack", "--tp", f.tp().toString(),
                "--pool", f.pool().toString(), "--translator", f.translator().toString(), "--check-config");
        assertEquals(2, rc, err.toString());
        assertTrue(err.toString().contains("hyperhash.pool.admin.listen (" + f.pool() + ") and hyperhash.translator.admin.listen ("
                + f.translator() + ")"), err.toString());
    }

    @Test
    void aDaemonThatFailsToStartEndsTheProcessWithItsName() throws Exception {
        // the pool's ledger under a file: it cannot be created, so the pool fails in start(), after the tp started
        Path notADir = dir.resolve("plain-file");
        Files.writeString(notADir, "x");
        Files3 f = write("", "ledger.url = \"jdbc:sqlite:" + notADir.resolve("ledger.db") + "\"\n", "");
        Path log = dir.resolve("fail.log");
        Process p = start(f, log);
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "exits by itself");
            String out = Files.readString(log);
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("pool: failed to start"), out);
            assertTrue(out.contains("hh-stack: stopping tp"), "the tp that had started is stopped: " + out);
            assertTrue(!out.contains("hh-stack: translator started"), out);
        } finally {
            p.destroyForcibly();
        }
    }
}
