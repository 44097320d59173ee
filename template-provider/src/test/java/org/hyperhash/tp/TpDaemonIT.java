package org.hyperhash.tp;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.hyperhash.base.Hash256;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.tdp.TdpClient;
import org.hyperhash.testkit.Vectors;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.hyperhash.tp.support.TdpRecorder;
import org.hyperhash.tp.support.TpTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The daemon: devnet and bitcoind (fixture-replaying HTTP server) backends, admin HTTP, startup lines and errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TpDaemonIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private HttpServer node;
    /** What the fake node answers per method; the body is a recorded Core reply. */
    private final Map<String, String> replies = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicReference<Integer> forcedStatus = new AtomicReference<>();
    private volatile String forcedBody;

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void closeAll() throws Exception {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        if (node != null) {
            node.stop(0);
        }
    }

    private List<String> logLines() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private HttpResponse<String> get(InetSocketAddress admin, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void devnetAdminSurfaceStartupLinesAndKeyFile(@TempDir Path dir) throws Exception {
        AuthorityKeyPair key = AuthorityKeyPair.generate(new SecureRandom());
        Path keyFile = dir.resolve("authority.key");
        Files.writeString(keyFile, key.secretToBase58() + "\n");
        TpDaemon tp = TpTestSupport.startDevnet(null, 0, "sv2.authority-secret-key-file=\"" + keyFile + "\"");
        toClose.add(tp);
        String pub = key.publicKey().toBase58();
        assertEquals(pub, tp.authorityPublicKeyBase58());
        InetSocketAddress tdp = tp.tdpAddresses().getFirst();
        InetSocketAddress admin = tp.adminAddress();

        List<String> lines = logLines();
        assertTrue(lines.contains("listening tdp on " + Banner.hostPort(tdp)), lines.toString());
        assertTrue(lines.contains("listening http on " + Banner.hostPort(admin)), lines.toString());
        assertTrue(lines.contains("authority public key " + pub), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains(key.secretToBase58())), "the secret never reaches the log");

        HttpResponse<String> health = get(admin, "/v1/health");
        assertEquals(200, health.statusCode());
        assertEquals("up", JSON.readTree(health.body()).get("status").asText());
        HttpResponse<String> ready = get(admin, "/v1/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(JSON.readTree(ready.body()).get("checks").get("node_reachable_and_synced").asBoolean());

        // a pool connects: templates flow and are counted
        TdpRecorder rec = new TdpRecorder();
        TdpClient client = new TdpClient(TpTestSupport.clientConfig(List.of(TpTestSupport.endpoint(tp, pub)), Duration.ofSeconds(5)),
                Secp256k1Providers.best(), InstantSource.system(), null, rec);
        toClose.add(client);
        client.start();
        rec.nextOf(SetNewPrevHash.class);
        TpTestSupport.await("pool counted", () -> tp.metrics().connectedPools() == 1);

        JsonNode status = JSON.readTree(get(admin, "/v1/status").body());
        assertEquals(Banner.hostPort(tdp), status.get("tdp_listen").get(0).asText());
        assertEquals(Banner.hostPort(admin), status.get("admin_listen").asText());
        assertEquals(pub, status.get("authority_public_key").asText());
        assertEquals(key.publicKey(), AuthorityPublicKey.fromBase58(status.get("authority_public_key").asText()));
        assertEquals("devnet", status.get("backend").asText());
        assertEquals("devnet", status.get("network").asText());
        assertEquals(Secp256k1Providers.best().name(), status.get("crypto_provider").asText());
        assertEquals(tp.devnetChain().height() + 1, status.get("height").asLong()); // the height being mined
        assertEquals(1, status.get("connected_pools").asInt());
        assertFalse(status.toString().contains(key.secretToBase58()));

        HttpResponse<String> metrics = get(admin, "/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("hh_tp_connected_pools"), metrics.body());
        assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("hh_tp_templates_sent_total{") && l.contains("kind=\"future\"")),
                metrics.body());
        assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("hh_tp_prev_hashes_sent_total")), metrics.body());
        assertTrue(metrics.body().lines().noneMatch(l -> l.contains("_total_total")), "counter names end in a single _total");
    }

    @Test
    void devnetWithoutKeysUsesEphemeralOnesAndLogsOnlyThePublicKey() throws Exception {
        TpDaemon tp = TpTestSupport.startDevnet(null, 0);
        toClose.add(tp);
        String pub = tp.authorityPublicKeyBase58();
        AuthorityPublicKey.fromBase58(pub);
        assertTrue(logLines().stream().anyMatch(l -> l.contains("new random one") && l.contains(pub)), logLines().toString());
        assertTrue(logLines().contains("authority public key " + pub));
    }

    @Test
    void badKeysAreTypedConfigErrors(@TempDir Path dir) throws Exception {
        var bad = assertThrows(DaemonConfig.ConfigError.class,
                () -> TpTestSupport.startDevnet("notbase58-secret-0OIl", 0));
        assertTrue(bad.getMessage().contains("sv2.authority-secret-key"), bad.getMessage());
        assertFalse(bad.getMessage().contains("notbase58-secret-0OIl"), "the secret is never echoed");
        var missing = assertThrows(DaemonConfig.ConfigError.class, () -> TpTestSupport.startDevnet(null, 0,
                "sv2.static-secret-key-file=\"" + dir.resolve("nope") + "\""));
        assertTrue(missing.getMessage().contains("static-secret-key-file"), missing.getMessage());
        var noKey = assertThrows(DaemonConfig.ConfigError.class, () -> start(bitcoindSets(URI.create("http://127.0.0.1:1/"), null)));
        assertTrue(noKey.getMessage().contains("required on regtest"), noKey.getMessage());
    }

    // ------------------------------------------------------------------------------------------
    // bitcoind backend against recorded Core replies

    private URI startNode() throws IOException {
        node = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        node.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        node.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode req = JSON.readTree(body);
            String method = req.get("method").asText();
            int status = 200;
            String reply;
            if (forcedStatus.get() != null) {
                status = forcedStatus.get();
                reply = forcedBody;
            } else {
                if (method.equals("getblocktemplate") && req.get("params").toString().contains("longpollid")) {
                    try {
                        Thread.sleep(1_000); // Core holds long polls until something changes
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                reply = replies.get(method);
                if (reply == null) {
                    status = 404;
                    reply = Vectors.fixtureText("error-method-not-found.json");
                }
            }
            byte[] out = reply.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
            ex.close();
        });
        node.start();
        replies.put("getblockchaininfo", Vectors.fixtureText("getblockchaininfo.json"));
        replies.put("getblocktemplate", Vectors.fixtureText("getblocktemplate-with-transactions.json"));
        return URI.create("http://127.0.0.1:" + node.getAddress().getPort() + "/");
    }

    private static List<String> bitcoindSets(URI url, String authoritySecret) {
        List<String> s = new ArrayList<>(List.of("network=regtest", "backend=bitcoind", "sv2.listen=[\"127.0.0.1:0\"]",
                "admin.listen=\"127.0.0.1:0\"", "bitcoind.rpc-url=\"" + url + "\"", "bitcoind.rpc-user=user",
                "bitcoind.rpc-password=pass", "bitcoind.max-retries=0", "bitcoind.connect-timeout=2s",
                "bitcoind.request-timeout=5s", "bitcoind.long-poll-timeout=5s"));
        if (authoritySecret != null) {
            s.add("sv2.authority-secret-key=\"" + authoritySecret + "\"");
        }
        return s;
    }

    private TpDaemon start(List<String> sets) throws Exception {
        TpDaemon d = new TpDaemon(TpConfig.from(DaemonConfig.load(null, sets, "TP", TpConfig.ROOT, Map.of())), InstantSource.system());
        toClose.add(d);
        d.start();
        return d;
    }

    @Test
    void bitcoindBackendStartsProducesATemplateAndIsReady() throws Exception {
        URI url = startNode();
        AuthorityKeyPair key = AuthorityKeyPair.generate(new SecureRandom());
        TpDaemon tp = start(bitcoindSets(url, key.secretToBase58()));
        assertTrue(tp.ready());
        assertEquals(200, get(tp.adminAddress(), "/v1/ready").statusCode());
        JsonNode status = JSON.readTree(get(tp.adminAddress(), "/v1/status").body());
        assertEquals("bitcoind", status.get("backend").asText());
        assertEquals("regtest", status.get("network").asText());
        assertEquals(121, status.get("height").asLong());
        assertEquals("longpoll", status.get("block_notifier").asText());
        assertFalse(logLines().stream().anyMatch(l -> l.contains("pass@") || l.contains(key.secretToBase58())));

        TdpRecorder rec = new TdpRecorder();
        TdpClient client = new TdpClient(TpTestSupport.clientConfig(
                List.of(TpTestSupport.endpoint(tp, key.publicKey().toBase58())), Duration.ofSeconds(5)),
                Secp256k1Providers.best(), InstantSource.system(), null, rec);
        toClose.add(client);
        client.start();
        NewTemplate t = rec.nextOf(NewTemplate.class);
        SetNewPrevHash p = rec.next(SetNewPrevHash.class);
        assertTrue(t.futureTemplate());
        assertEquals(t.templateId(), p.templateId());
        assertEquals(Hash256.fromDisplayHex("2d0f966549cd5df60d852d3b20847ff0f3a14a045afa01389804b87067e5dbe6"), p.prevHash());
        assertFalse(t.merklePath().isEmpty(), "the fixture template has transactions");
    }

    @Test
    void typedStartupErrorsSurfaceFromTheNode() throws Exception {
        URI url = startNode();
        String secret = AuthorityKeyPair.generate(new SecureRandom()).secretToBase58();

        forcedStatus.set(401);
        forcedBody = "";
        assertEquals(RpcException.Kind.UNAUTHORIZED,
                assertThrows(RpcException.class, () -> start(bitcoindSets(url, secret))).kind());

        forcedStatus.set(500);
        forcedBody = "{\"result\":null,\"error\":{\"code\":-28,\"message\":\"Loading block index...\"},\"id\":\"hh\"}";
        RpcException warming = assertThrows(RpcException.class, () -> start(bitcoindSets(url, secret)));
        assertEquals(RpcException.Kind.WARMING_UP, warming.kind());
        assertEquals(-28, warming.code());

        forcedStatus.set(null);
        replies.put("getblockchaininfo", Vectors.fixtureText("getblockchaininfo.json")
                .replace("\"initialblockdownload\":false", "\"initialblockdownload\":true"));
        assertEquals(RpcException.Kind.IN_INITIAL_BLOCK_DOWNLOAD,
                assertThrows(RpcException.class, () -> start(bitcoindSets(url, secret))).kind());

        node.stop(0);
        node = null;
        assertEquals(RpcException.Kind.UNREACHABLE,
                assertThrows(RpcException.class, () -> start(bitcoindSets(url, secret))).kind());
    }

    @Test
    void commandHelpConfigErrorAndStartFailureExitCodes() throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        CommandLine help = new CommandLine(new TpCommand());
        help.setOut(new java.io.PrintWriter(out));
        assertEquals(0, help.execute("--help"));
        String usage = out.toString();
        assertTrue(usage.contains("Usage: tp") && usage.contains("--config") && usage.contains("--set")
                && usage.contains("--devnet") && usage.contains("--print-config"), usage);

        assertEquals(2, new CommandLine(new TpCommand()).execute("--set", "network=moon"));
        // bitcoind not reachable: failed to start (exit 1), with the typed reason in the log
        assertEquals(1, new CommandLine(new TpCommand()).execute("--set", "network=regtest", "--set", "backend=bitcoind",
                "--set", "bitcoind.rpc-url=\"http://127.0.0.1:1/\"", "--set", "bitcoind.rpc-user=u", "--set",
                "bitcoind.rpc-password=p", "--set", "bitcoind.max-retries=0", "--set", "sv2.authority-secret-key=\""
                        + AuthorityKeyPair.generate(new SecureRandom()).secretToBase58() + "\"",
                "--set", "sv2.listen=[\"127.0.0.1:0\"]", "--set", "admin.listen=\"127.0.0.1:0\""));
        assertTrue(logLines().stream().anyMatch(l -> l.contains("failed to start") && l.contains("RpcException")
                && l.contains("getblockchaininfo")), logLines().toString());
    }
}
