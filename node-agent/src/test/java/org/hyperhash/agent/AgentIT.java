package org.hyperhash.agent;

import org.hyperhash.agent.Agent.CheckResult;
import org.hyperhash.agent.install.AgentState;
import org.hyperhash.agent.install.CrashPoints;
import org.hyperhash.agent.manifest.KeyFiles.SigningKey;
import org.hyperhash.agent.manifest.Reason;
import org.hyperhash.agent.manifest.Signed;
import org.hyperhash.agent.status.AgentMetrics;
import com.sun.net.httpserver.HttpServer;
import org.hyperhash.agent.registration.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The agent against a local HTTPS release server, fake systemctl and fake services on loopback. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AgentIT extends ReleaseBed {
    static final String POOL = "hh-pool.service";
    static final String TP = "hh-tp.service";
    static final String JAR = "cli/target/hh-cli.jar";
    static final int JAR_BYTES = 300_000;
    static final int DEADLINE_SECONDS = 3;
    /** Generous for loopback; only the stall test expects to reach it. */
    static final int READ_TIMEOUT_SECONDS = 10;

    FakeService pool;
    FakeService tp;
    final List<String> log = new CopyOnWriteArrayList<>();
    final Handler logHandler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            log.add(r.getLevel() + " " + r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    /** Thrown at a crash point: an Error, so nothing in the agent catches it (like a kill). */
    static final class SimulatedCrash extends Error {
        SimulatedCrash(String step) {
            super("simulated crash at " + step);
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        pool = new FakeService(current);
        tp = new FakeService(current);
        systemctl.setState(POOL, "active");
        systemctl.setState(TP, "active");
        systemctl.onRestart(u -> (u.equals(POOL) ? pool : tp).restarted());
        Logger.getLogger("org.hyperhash.agent").addHandler(logHandler);
    }

    @AfterEach
    void tearDown() {
        Logger.getLogger("org.hyperhash.agent").removeHandler(logHandler);
        pool.close();
        tp.close();
    }

    List<String> sets() {
        List<String> s = agentSets();
        s.addAll(List.of(
                "units=" + POOL + "," + TP,
                "unit." + POOL + ".admin-url=" + pool.uri(),
                "unit." + TP + ".admin-url=" + tp.uri(),
                "health.deadline-seconds=" + DEADLINE_SECONDS,
                "health.interval-millis=50",
                "reach.bitcoind=", "reach.lnd=",
                "install.keep=3",
                "http.read-timeout-seconds=" + READ_TIMEOUT_SECONDS));
        return s;
    }

    AgentConfig config() throws Exception {
        return AgentConfig.load(null, Map.of(), sets());
    }

    Agent agent(CrashPoints crash) throws Exception {
        return new Agent(config(), systemctl, InstantSource.system(), crash, new AgentMetrics("test"));
    }

    static CrashPoints crashAt(String step) {
        return s -> {
            if (s.equals(step)) {
                throw new SimulatedCrash(s);
            }
        };
    }

    static byte[] jar(String label) {
        byte[] b = new byte[JAR_BYTES];
        Arrays.fill(b, (byte) label.hashCode());
        byte[] l = ("jar " + label).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(l, 0, b, 0, l.length);
        return b;
    }

    /** Publishes a release: jar + health-mode, manifest signed by {@code signers}. */
    Signed publish(long version, String label, String healthMode, List<SigningKey> signers, Instant expires, List<String> units) {
        server.put("/releases/" + label + "/hh-cli.jar", jar(label));
        server.put("/releases/" + label + "/health-mode", healthMode.getBytes(StandardCharsets.UTF_8));
        Signed m = Publisher.release(version, label, expires, List.of(
                new Publisher.Art(JAR, jar(label), label + "/hh-cli.jar"),
                new Publisher.Art("health-mode", healthMode.getBytes(StandardCharsets.UTF_8), label + "/health-mode")), units, signers);
        server.put("/releases/release.json", m.toJson().getBytes(StandardCharsets.UTF_8));
        return m;
    }

    Signed publish(long version, String label) {
        return publish(version, label, "ok", keys.subList(1, 3), Instant.now().plus(Duration.ofDays(7)), List.of());
    }

    String currentDir() throws Exception {
        return Files.readSymbolicLink(current).getFileName().toString();
    }

    List<String> releaseDirs() throws Exception {
        try (var s = Files.list(releases)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    // ------------------------------------------------------------------ happy path

    @Test
    void happyPathInstallsCommitsAndKeepsLastN() throws Exception {
        try (Agent a = agent(CrashPoints.NONE)) {
            publish(1, "1.0.0");
            assertEquals(new CheckResult.Updated(0, 1), a.checkOnce());
            assertEquals("1.0.0-r1", currentDir());
            assertTrue(Arrays.equals(jar("1.0.0"), Files.readAllBytes(current.resolve(JAR))));
            assertTrue(Files.exists(current.resolve("RELEASE.json")), "the signed manifest travels with the release");
            assertEquals(List.of("restart " + POOL, "restart " + TP), systemctl.calls());
            AgentState s = a.state();
            assertEquals(1, s.committed().version());
            assertEquals("0.1.0-base", s.history().getFirst().dir());
            assertNull(s.pending());
            assertEquals("updated", s.lastCheck().result());
            assertEquals(1, a.metrics().checks("updated"));
            assertTrue(a.metrics().render().contains("hh_agent_installed_version 1\n"));
            assertTrue(log.stream().anyMatch(l -> l.contains("committed v1")), log.toString());

            assertEquals(new CheckResult.UpToDate(1), a.checkOnce());

            publish(2, "1.1.0", "ok", keys.subList(0, 2), Instant.now().plus(Duration.ofDays(7)), List.of(POOL));
            assertEquals(new CheckResult.Updated(1, 2), a.checkOnce());
            assertEquals("restart " + POOL, systemctl.calls().getLast(), "only the units the release names");
            publish(3, "1.2.0");
            assertEquals(new CheckResult.Updated(2, 3), a.checkOnce());
            publish(4, "1.3.0");
            assertEquals(new CheckResult.Updated(3, 4), a.checkOnce());
            assertEquals(List.of("1.1.0-r2", "1.2.0-r3", "1.3.0-r4"), releaseDirs(), "keep 3");
            assertEquals(List.of(3L, 2L), a.state().history().stream().map(AgentState.InstalledRelease::version).toList());
            assertFalse(Files.exists(dir.resolve("state/downloads")) && Files.list(dir.resolve("state/downloads")).findAny().isPresent(),
                    "downloads are cleaned after commit");
        }
    }

    // ------------------------------------------------------------------ attacks

    CheckResult.Refused assertRefused(Agent a, Reason reason, String expectedCurrent) throws Exception {
        int restartsBefore = systemctl.calls().size();
        List<String> dirsBefore = releaseDirs();
        CheckResult r = a.checkOnce();
        CheckResult.Refused f = assertInstanceOf(CheckResult.Refused.class, r, () -> r.toString());
        assertEquals(reason, f.reason(), f.detail());
        assertEquals(1, a.metrics().refusals(reason));
        assertTrue(a.metrics().render().contains("hh_agent_refusals_total{reason=\"" + reason.label() + "\"} 1"));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("WARNING REFUSED (" + reason.label() + ")")), log.toString());
        assertEquals(expectedCurrent, currentDir());
        assertEquals(dirsBefore, releaseDirs(), "nothing installed");
        assertEquals(restartsBefore, systemctl.calls().size(), "nothing restarted");
        assertEquals("refused", a.state().lastCheck().result());
        return f;
    }

    @Test
    void badSignatureRefused() throws Exception {
        Signed m = publish(1, "1.0.0");
        List<Signed.Sig> sigs = new ArrayList<>(m.signatures());
        byte[] s = sigs.getFirst().sig().clone();
        s[0] ^= 0x40;
        sigs.set(0, new Signed.Sig(sigs.getFirst().keyId(), s));
        server.put("/releases/release.json", new Signed(m.signed(), sigs).toJson().getBytes(StandardCharsets.UTF_8));
        try (Agent a = agent(CrashPoints.NONE)) {
            assertRefused(a, Reason.BAD_SIGNATURE, "0.1.0-base");
        }
    }

    @Test
    void belowThresholdRefused() throws Exception {
        publish(1, "1.0.0", "ok", keys.subList(2, 3), Instant.now().plus(Duration.ofDays(7)), List.of());
        try (Agent a = agent(CrashPoints.NONE)) {
            assertRefused(a, Reason.BELOW_THRESHOLD, "0.1.0-base");
        }
    }

    @Test
    void expiredRefused() throws Exception {
        publish(1, "1.0.0", "ok", keys.subList(0, 2), Instant.now().minusSeconds(60), List.of());
        try (Agent a = agent(CrashPoints.NONE)) {
            assertRefused(a, Reason.EXPIRED, "0.1.0-base");
        }
    }

    @Test
    void olderVersionRefused() throws Exception {
        Signed v1 = publish(1, "1.0.0");
        try (Agent a = agent(CrashPoints.NONE)) {
            publish(2, "2.0.0");
            assertInstanceOf(CheckResult.Updated.class, a.checkOnce());
            server.put("/releases/release.json", v1.toJson().getBytes(StandardCharsets.UTF_8));
            assertRefused(a, Reason.OLDER_VERSION, "2.0.0-r2");
        }
    }

    @Test
    void tamperedArtifactRefused() throws Exception {
        publish(1, "1.0.0");
        byte[] evil = jar("1.0.0");
        evil[JAR_BYTES - 1] ^= 1;
        server.put("/releases/1.0.0/hh-cli.jar", evil);
        try (Agent a = agent(CrashPoints.NONE)) {
            assertRefused(a, Reason.TAMPERED_ARTIFACT, "0.1.0-base");
        }
    }

    @Test
    void wrongLengthRefusedLongerAndShorter() throws Exception {
        publish(1, "1.0.0");
        server.put("/releases/1.0.0/hh-cli.jar", Arrays.copyOf(jar("1.0.0"), JAR_BYTES + 1));
        try (Agent a = agent(CrashPoints.NONE)) {
            assertRefused(a, Reason.WRONG_LENGTH, "0.1.0-base");
            assertTrue(log.stream().anyMatch(l -> l.contains("longer than")), log.toString());
        }
        publish(1, "1.0.0");
        server.put("/releases/1.0.0/hh-cli.jar", Arrays.copyOf(jar("1.0.0"), JAR_BYTES - 1));
        log.clear();
        try (Agent a = agent(CrashPoints.NONE)) {
            assertRefused(a, Reason.WRONG_LENGTH, "0.1.0-base");
        }
    }

    @Test
    void mixAndMatchRefused() throws Exception {
        publish(1, "1.0.0");
        try (Agent a = agent(CrashPoints.NONE)) {
            assertInstanceOf(CheckResult.Updated.class, a.checkOnce());
            // the v2 manifest is genuine, but the mirror serves v1's jar under v2's URL
            publish(2, "2.0.0");
            server.put("/releases/2.0.0/hh-cli.jar", jar("1.0.0"));
            assertRefused(a, Reason.MIX_AND_MATCH, "1.0.0-r1");
            assertTrue(log.stream().anyMatch(l -> l.contains("of release v1")), log.toString());
        }
    }

    // ------------------------------------------------------------------ health gate and rollback

    @Test
    void failingHealthCheckRolledBackWithinDeadline() throws Exception {
        try (Agent a = agent(CrashPoints.NONE)) {
            publish(1, "1.0.0");
            assertInstanceOf(CheckResult.Updated.class, a.checkOnce());
            publish(2, "2.0.0", "fail", keys.subList(0, 2), Instant.now().plus(Duration.ofDays(7)), List.of());
            long t0 = System.nanoTime();
            CheckResult r = a.checkOnce();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            CheckResult.RolledBack rb = assertInstanceOf(CheckResult.RolledBack.class, r);
            assertEquals(2, rb.failedVersion());
            assertEquals(1, rb.restoredVersion());
            assertTrue(rb.detail().contains("/v1/ready"), rb.detail());
            assertTrue(took.compareTo(Duration.ofSeconds(DEADLINE_SECONDS + 5)) < 0, "rolled back in " + took);
            assertEquals("1.0.0-r1", currentDir());
            assertFalse(releaseDirs().contains("2.0.0-r2"));
            assertEquals(200, a.health().get(pool.uri().resolve("/v1/ready"), 1000), "services restarted on the old release");
            assertEquals(List.of(2L), a.state().failedVersions());
            assertEquals(1, a.metrics().rollbacks("health"));
            assertTrue(log.stream().anyMatch(l -> l.startsWith("SEVERE release v2 failed its health gate")), log.toString());
            assertInstanceOf(CheckResult.Skipped.class, a.checkOnce(), "a failed release is not retried");
            publish(3, "3.0.0");
            assertEquals(new CheckResult.Updated(1, 3), a.checkOnce());
        }
    }

    @Test
    void failedRestartRollsBack() throws Exception {
        try (Agent a = agent(CrashPoints.NONE)) {
            publish(1, "1.0.0");
            systemctl.failRestartOf(TP);
            CheckResult.RolledBack rb = assertInstanceOf(CheckResult.RolledBack.class, a.checkOnce());
            assertTrue(rb.detail().contains("restart of " + TP), rb.detail());
            assertEquals("0.1.0-base", currentDir());
        }
    }

    @Test
    void manualRollbackStatusAndUpgradeThroughTheCli() throws Exception {
        List<String> base = new ArrayList<>();
        base.add("--set");
        base.add("x");
        AgentCli cli = new AgentCli(Map.of(), c -> systemctl, InstantSource.system(), CrashPoints.NONE);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        publish(1, "1.0.0");
        assertEquals(AgentCli.OK, cli.execute(args("upgrade", "--verify-signature"), ps, ps), out.toString());
        publish(2, "2.0.0");
        assertEquals(AgentCli.OK, cli.execute(args("upgrade"), ps, ps), out.toString());
        assertEquals("2.0.0-r2", currentDir());
        out.reset();
        assertEquals(AgentCli.OK, cli.execute(args("rollback"), ps, ps), out.toString());
        assertTrue(out.toString().contains("rolled back v2 -> v1"), out.toString());
        assertEquals("1.0.0-r1", currentDir());
        out.reset();
        assertEquals(AgentCli.OK, cli.execute(args("upgrade"), ps, ps));
        assertTrue(out.toString().contains("failed or was rolled back"), out.toString());
        out.reset();
        assertEquals(AgentCli.OK, cli.execute(args("status"), ps, ps));
        assertTrue(out.toString().contains("\"dir\": \"1.0.0-r1\""), out.toString());
        assertTrue(out.toString().contains("\"active_state\": \"active\""), out.toString());
        assertTrue(out.toString().contains("\"version\": \"1.0.0-r1\""), "service versions from /v1/status: " + out);
        Signed bad = publish(3, "3.0.0", "ok", keys.subList(0, 1), Instant.now().plus(Duration.ofDays(1)), List.of());
        assertEquals(AgentCli.REFUSED, cli.execute(args("upgrade"), ps, ps));
        assertTrue(bad.signatures().size() == 1);
    }

    private String[] args(String... cmd) throws Exception {
        List<String> a = new ArrayList<>(List.of("node-agent"));
        a.addAll(List.of(cmd));
        for (String s : sets()) {
            a.add("--set");
            a.add(s);
        }
        return a.toArray(String[]::new);
    }

    // ------------------------------------------------------------------ crash safety

    @ParameterizedTest
    @ValueSource(strings = {CrashPoints.DOWNLOADED, CrashPoints.STAGING, CrashPoints.STAGED, CrashPoints.SWITCHED,
            CrashPoints.RESTARTED, CrashPoints.HEALTHY, CrashPoints.COMMITTED})
    void killAtEachInstallStepRecoversOnRestart(String step) throws Exception {
        publish(1, "1.0.0");
        try (Agent a = agent(CrashPoints.NONE)) {
            assertInstanceOf(CheckResult.Updated.class, a.checkOnce());
        }
        publish(2, "2.0.0");
        try (Agent crashing = agent(crashAt(step))) {
            assertThrows(SimulatedCrash.class, crashing::checkOnce);
        }
        try (Agent restarted = agent(CrashPoints.NONE)) {
            AgentState s = restarted.repair();
            assertNull(s.pending(), "repaired");
            assertTrue(releaseDirs().stream().noneMatch(d -> d.startsWith(".staging")), releaseDirs().toString());
            if (step.equals(CrashPoints.COMMITTED)) {
                assertEquals(2, s.committed().version());
                assertEquals("2.0.0-r2", currentDir());
                assertEquals(new CheckResult.UpToDate(2), restarted.checkOnce());
            } else {
                assertEquals(1, s.committed().version());
                assertEquals("1.0.0-r1", currentDir(), "the last committed release is in service");
                assertFalse(releaseDirs().contains("2.0.0-r2"), releaseDirs().toString());
                assertEquals(200, restarted.health().get(pool.uri().resolve("/v1/ready"), 1000));
                if (!step.equals(CrashPoints.DOWNLOADED)) {
                    assertEquals(1, restarted.metrics().crashRecoveries());
                }
                assertEquals(new CheckResult.Updated(1, 2), restarted.checkOnce(), "the next check installs it cleanly");
                assertEquals("2.0.0-r2", currentDir());
            }
        }
    }

    @Test
    void killDuringRollbackRecoversOnRestart() throws Exception {
        publish(1, "1.0.0");
        try (Agent a = agent(CrashPoints.NONE)) {
            assertInstanceOf(CheckResult.Updated.class, a.checkOnce());
        }
        publish(2, "2.0.0", "fail", keys.subList(0, 2), Instant.now().plus(Duration.ofDays(7)), List.of());
        try (Agent crashing = agent(crashAt(CrashPoints.ROLLBACK_SWITCHED))) {
            assertThrows(SimulatedCrash.class, crashing::checkOnce);
        }
        try (Agent restarted = agent(CrashPoints.NONE)) {
            AgentState s = restarted.repair();
            assertNull(s.pending());
            assertEquals(1, s.committed().version());
            assertEquals(List.of(2L), s.failedVersions());
            assertEquals("1.0.0-r1", currentDir());
            assertEquals(List.of("0.1.0-base", "1.0.0-r1"), releaseDirs());
            assertEquals(1, restarted.metrics().rollbacks("recovery"));
        }
    }

    // ------------------------------------------------------------------ daemon: status HTTP and registration

    /** A fake core: verifies registration requests and answers with an acknowledgement signed by {@code signer}. */
    static final class FakeCore implements AutoCloseable {
        final HttpServer http;
        final List<Signed> requests = new CopyOnWriteArrayList<>();

        FakeCore(SigningKey signer, boolean ackAnotherRequest) throws Exception {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            http.createContext("/v1/nodes/register", ex -> {
                try (ex) {
                    Signed req;
                    byte[] body;
                    int code = 200;
                    try {
                        req = Signed.parse(ex.getRequestBody().readAllBytes());
                        Registration.verifyRequest(req, Instant.now(), Duration.ofMinutes(5));
                        requests.add(req);
                        Signed acked = req;
                        if (ackAnotherRequest) {
                            Map<String, Object> other = new java.util.LinkedHashMap<>(req.signed());
                            other.put("nonce", "00");
                            acked = new Signed(other, List.of());
                        }
                        body = Registration.acknowledge(acked, signer, Instant.now()).toJson().getBytes(StandardCharsets.UTF_8);
                    } catch (Exception e) {
                        code = 400;
                        body = String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8);
                    }
                    ex.sendResponseHeaders(code, body.length);
                    ex.getResponseBody().write(body);
                }
            });
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/v1/nodes/register";
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    record Http(int code, String body) {
    }

    static Http http(String method, java.net.URI uri) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            return new Http(r.statusCode(), r.body());
        }
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void daemonServesStatusHealthMetricsAndRegisters() throws Exception {
        SigningKey coreKey = Publisher.newKey();
        publish(1, "1.0.0");
        try (FakeCore core = new FakeCore(coreKey, false);
             ServerSocket bitcoind = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<String> s = sets();
            s.removeIf(x -> x.startsWith("reach."));
            s.addAll(List.of("status.listen=127.0.0.1:0", "poll.interval-seconds=3600", "poll.jitter-seconds=0",
                    "core.register-url=" + core.url(),
                    "core.public-key=" + Base64.getEncoder().encodeToString(coreKey.rawPublic()), "node.name=node-7",
                    "reach.bitcoind=127.0.0.1:" + bitcoind.getLocalPort(), "reach.lnd=127.0.0.1:" + freePort()));
            try (Agent a = new Agent(AgentConfig.load(null, Map.of(), s), systemctl, InstantSource.system(), CrashPoints.NONE,
                    new AgentMetrics("9.9.9"));
                 AgentDaemon d = new AgentDaemon(a, new java.util.Random(1), "9.9.9")) {
                d.start();
                // jitter 0: the first check runs at once (bounded by the class @Timeout)
                while (a.state().lastCheck() == null || !a.state().lastCheck().result().equals("updated")) {
                    Thread.sleep(50);
                }
                java.net.URI base = java.net.URI.create("http://127.0.0.1:" + d.statusAddress().getPort());
                Http st = http("GET", base.resolve("/v1/status"));
                assertEquals(200, st.code());
                @SuppressWarnings("unchecked")
                Map<String, Object> doc = (Map<String, Object>) org.hyperhash.agent.json.Json.parse(st.body());
                assertEquals("9.9.9", ((Map<?, ?>) doc.get("agent")).get("version"));
                assertEquals("1.0.0-r1", ((Map<?, ?>) doc.get("release")).get("dir"));
                assertEquals("updated", ((Map<?, ?>) doc.get("last_check")).get("result"), st.body());
                List<?> units = (List<?>) doc.get("units");
                assertEquals(2, units.size(), st.body());
                assertEquals("active", ((Map<?, ?>) units.getFirst()).get("active_state"));
                Map<?, ?> deps = (Map<?, ?>) doc.get("dependencies");
                assertEquals(true, ((Map<?, ?>) deps.get("bitcoind")).get("reachable"), st.body());
                assertEquals(false, ((Map<?, ?>) deps.get("lnd")).get("reachable"), st.body());
                Map<?, ?> reg = (Map<?, ?>) doc.get("registration");
                assertEquals(true, reg.get("registered"), st.body());
                assertEquals(1, core.requests.size());
                Signed req = core.requests.getFirst();
                assertEquals(req.signed().get("node_id"), reg.get("node_id"));
                assertEquals("node-7", req.signed().get("node_name"));
                assertTrue(Files.exists(dir.resolve("state/registration.json")));

                Http health = http("GET", base.resolve("/v1/health"));
                assertEquals(200, health.code());
                assertEquals(Map.of("service", "node-agent", "version", "9.9.9", "status", "up"),
                        org.hyperhash.agent.json.Json.parse(health.body()), "the daemons' health schema");
                Http readyDoc = http("GET", base.resolve("/v1/ready"));
                assertEquals(200, readyDoc.code());
                Map<?, ?> rd = (Map<?, ?>) org.hyperhash.agent.json.Json.parse(readyDoc.body());
                assertEquals("ready", rd.get("status"), readyDoc.body());
                assertEquals("9.9.9", rd.get("version"), readyDoc.body());
                assertEquals(Map.of("state_readable", true, "trusted_root", true), rd.get("checks"), readyDoc.body());
                assertEquals("node-agent", doc.get("service"), st.body());
                assertEquals("9.9.9", doc.get("version"), st.body());
                assertEquals(true, doc.get("ready"), st.body());
                Http m = http("GET", base.resolve("/metrics"));
                assertEquals(200, m.code());
                for (String line : List.of("hh_agent_checks_total{result=\"updated\"} 1", "hh_agent_installed_version 1",
                        "hh_agent_registered 1", "hh_agent_registrations_total 1", "hh_agent_dependency_reachable{target=\"bitcoind\"} 1",
                        "hh_agent_dependency_reachable{target=\"lnd\"} 0", "hh_agent_unit_active{unit=\"" + POOL + "\"} 1",
                        "hh_agent_build_info{version=\"9.9.9\"} 1")) {
                    assertTrue(m.body().contains(line + "\n"), line + " in\n" + m.body());
                }
                // an upgrade and a rollback made by the CLI (another process, its own metrics) show in the daemon's
                // metrics at the next scrape, not the daemon's last value
                publish(2, "2.0.0");
                AgentCli cli = new AgentCli(Map.of(), c -> systemctl, InstantSource.system(), CrashPoints.NONE);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
                assertEquals(AgentCli.OK, cli.execute(args("upgrade"), ps, ps), out.toString());
                assertTrue(http("GET", base.resolve("/metrics")).body().contains("hh_agent_installed_version 2\n"));
                assertEquals(AgentCli.OK, cli.execute(args("rollback"), ps, ps), out.toString());
                String afterRollback = http("GET", base.resolve("/metrics")).body();
                assertTrue(afterRollback.contains("hh_agent_installed_version 1\n"), afterRollback);
                assertEquals(404, http("GET", base.resolve("/v1/statusx")).code());
                assertEquals(404, http("GET", base.resolve("/admin")).code());
                assertEquals(405, http("POST", base.resolve("/v1/status")).code());
                // a stored, valid acknowledgement is not renewed
                assertTrue(d.registerIfNeeded());
                assertEquals(1, core.requests.size());
            }
        }
    }

    @Test
    void forgedOrMismatchedAcknowledgementIsNotStored() throws Exception {
        SigningKey coreKey = Publisher.newKey();
        for (boolean mismatch : List.of(false, true)) {
            SigningKey signer = mismatch ? coreKey : Publisher.newKey();
            try (FakeCore core = new FakeCore(signer, mismatch)) {
                List<String> s = sets();
                s.addAll(List.of("core.register-url=" + core.url(),
                        "core.public-key=" + Base64.getEncoder().encodeToString(coreKey.rawPublic())));
                try (Agent a = new Agent(AgentConfig.load(null, Map.of(), s), systemctl, InstantSource.system(),
                        CrashPoints.NONE, new AgentMetrics("t"));
                     AgentDaemon d = new AgentDaemon(a, new java.util.Random(1), "t")) {
                    assertFalse(d.registerIfNeeded(), "mismatch=" + mismatch);
                    assertEquals(1, core.requests.size(), "the core did receive a valid request");
                    assertFalse(Files.exists(dir.resolve("state/registration.json")));
                    assertTrue(a.metrics().render().contains("hh_agent_registration_failures_total 1\n"));
                    String expect = mismatch ? "for another request" : "not signed by core.public-key";
                    assertTrue(log.stream().anyMatch(l -> l.contains("registration with the core failed") && l.contains(expect)),
                            log.toString());
                }
            }
        }
    }

    // ------------------------------------------------------------------ transport

    @Test
    void interruptedDownloadResumesWithRange() throws Exception {
        publish(1, "1.0.0");
        server.dropOnce("/releases/1.0.0/hh-cli.jar");
        try (Agent a = agent(CrashPoints.NONE)) {
            CheckResult.Failed first = assertInstanceOf(CheckResult.Failed.class, a.checkOnce());
            assertFalse(first.detail().contains("read timeout"), "the connection was dropped, not stalled: " + first);
            Path part = dir.resolve("state/downloads/1/0.part");
            assertTrue(Files.exists(part) && Files.size(part) > 0 && Files.size(part) < JAR_BYTES, "partial download kept");
            long have = Files.size(part);
            assertEquals(new CheckResult.Updated(0, 1), a.checkOnce());
            assertTrue(server.requests().contains("GET /releases/1.0.0/hh-cli.jar bytes=" + have + "-"), server.requests().toString());
            assertTrue(Arrays.equals(jar("1.0.0"), Files.readAllBytes(current.resolve(JAR))));
        }
    }

    @Test
    void stalledDownloadTimesOutAndResumes() throws Exception {
        publish(1, "1.0.0");
        server.stallOnce("/releases/1.0.0/hh-cli.jar");
        List<String> s = sets();
        s.add("http.read-timeout-seconds=1");
        try (Agent a = new Agent(AgentConfig.load(null, Map.of(), s), systemctl, InstantSource.system(), CrashPoints.NONE,
                new AgentMetrics("t"))) {
            CheckResult.Failed f = assertInstanceOf(CheckResult.Failed.class, a.checkOnce());
            assertTrue(f.detail().contains("read timeout"), f.detail());
            assertEquals("0.1.0-base", currentDir());
            Path part = dir.resolve("state/downloads/1/0.part");
            long have = Files.size(part);
            assertTrue(have > 0 && have < JAR_BYTES, "partial download kept: " + have);
            assertEquals(new CheckResult.Updated(0, 1), a.checkOnce());
            assertTrue(server.requests().contains("GET /releases/1.0.0/hh-cli.jar bytes=" + have + "-"), server.requests().toString());
            assertTrue(Arrays.equals(jar("1.0.0"), Files.readAllBytes(current.resolve(JAR))));
        }
    }

    @Test
    void dripFedDownloadRefusedAtTheDeadlineAndResumed() throws Exception {
        publish(1, "1.0.0");
        // 2 KB every 200 ms: never silent for the 1 s read timeout, but 300 KB would take 30 s
        server.dripOnce("/releases/1.0.0/hh-cli.jar", 2048, 200);
        List<String> s = sets();
        s.add("http.read-timeout-seconds=1");
        s.add("download.timeout-seconds=2");
        try (Agent a = new Agent(AgentConfig.load(null, Map.of(), s), systemctl, InstantSource.system(), CrashPoints.NONE,
                new AgentMetrics("t"))) {
            long t0 = System.nanoTime();
            CheckResult.Refused f = assertRefused(a, Reason.SLOW_RETRIEVAL, "0.1.0-base");
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(f.detail().contains("download.timeout-seconds"), f.detail());
            assertFalse(f.detail().contains("read timeout"), f.detail());
            assertTrue(took.compareTo(Duration.ofSeconds(2)) >= 0 && took.compareTo(Duration.ofSeconds(10)) < 0,
                    "refused at the deadline, not at the end of the drip: " + took);
            assertEquals(List.of(), a.state().failedVersions(), "not a verdict on the release: it is retried");
            Path part = dir.resolve("state/downloads/1/0.part");
            long have = Files.size(part);
            assertTrue(have > 0 && have < JAR_BYTES, "partial download kept: " + have);
            assertTrue(f.detail().contains(have + " of " + JAR_BYTES + " bytes"), f.detail());
            // the next check (the server no longer drips) resumes where the drip stopped and installs
            assertEquals(new CheckResult.Updated(0, 1), a.checkOnce());
            assertTrue(server.requests().contains("GET /releases/1.0.0/hh-cli.jar bytes=" + have + "-"), server.requests().toString());
            assertTrue(Arrays.equals(jar("1.0.0"), Files.readAllBytes(current.resolve(JAR))));
        }
    }

    @Test
    void untrustedServerCertificateFails() throws Exception {
        publish(1, "1.0.0");
        List<String> s = sets();
        s.removeIf(x -> x.startsWith("tls.ca-file="));
        try (Agent a = new Agent(AgentConfig.load(null, Map.of(), s), systemctl, InstantSource.system(), CrashPoints.NONE,
                new AgentMetrics("t"))) {
            assertInstanceOf(CheckResult.Failed.class, a.checkOnce());
            assertEquals("0.1.0-base", currentDir());
        }
    }

    @Test
    void rootRotationFollowedAndForgedRotationRefused() throws Exception {
        List<SigningKey> fresh = Publisher.keys(2);
        List<SigningKey> forgedSigners = new ArrayList<>(fresh);
        server.put("/releases/roots/2.json", Publisher.root(2, 2, fresh, Instant.now().plus(Duration.ofDays(30)), forgedSigners)
                .toJson().getBytes(StandardCharsets.UTF_8));
        publish(1, "1.0.0", "ok", fresh, Instant.now().plus(Duration.ofDays(7)), List.of());
        try (Agent a = agent(CrashPoints.NONE)) {
            assertRefused(a, Reason.ROTATION_REJECTED, "0.1.0-base");
        }
        List<SigningKey> both = new ArrayList<>(keys.subList(0, 2));
        both.addAll(fresh);
        server.put("/releases/roots/2.json", Publisher.root(2, 2, fresh, Instant.now().plus(Duration.ofDays(30)), both)
                .toJson().getBytes(StandardCharsets.UTF_8));
        try (Agent a = agent(CrashPoints.NONE)) {
            assertEquals(new CheckResult.Updated(0, 1), a.checkOnce());
            assertTrue(a.metrics().render().contains("hh_agent_trusted_root_version 2\n"));
            // the old keys alone no longer sign releases
            publish(2, "2.0.0", "ok", keys.subList(0, 2), Instant.now().plus(Duration.ofDays(7)), List.of());
            assertEquals(Reason.BELOW_THRESHOLD, assertInstanceOf(CheckResult.Refused.class, a.checkOnce()).reason());
        }
    }
}
