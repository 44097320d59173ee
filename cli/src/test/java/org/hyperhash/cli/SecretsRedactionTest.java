package org.hyperhash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.RedactingEncoder;
import org.hyperhash.treasury.TreasuryConfig;
import org.hyperhash.treasury.TreasuryDaemon;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Plants secrets (passwords inside JDBC and HTTP URLs, RPC passwords) in every daemon's configuration and greps
 * every output an operator or a log shipper sees: --print-config, --check-config, configuration errors, the log
 * (through the production RedactingEncoder) and the treasury's /v1/status.
 */
class SecretsRedactionTest {
    private static final String PG = System.getenv().getOrDefault("HH_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    private static final String REGTEST_ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";
    private static final List<String> SECRETS = List.of("PlantedPw1", "PlantedPw2", "PlantedPw3", "PlantedPw4", "PlantedPw5");

    private static void assertNoSecret(String where, String text) {
        for (String s : SECRETS) {
            assertFalse(text.contains(s), where + " leaks " + s + ":\n" + text);
        }
    }

    @Test
    void plantedSecretsNeverReachPrintConfigCheckConfigErrorsLogsOrStatus(@TempDir Path dir) throws Exception {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(ctx);
        pattern.setPattern("%-5level %logger - %msg%n%ex");
        RedactingEncoder<ILoggingEvent> encoder = new RedactingEncoder<>();
        encoder.setContext(ctx);
        encoder.setDelegate(pattern);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(ctx);
        appender.setEncoder(encoder);
        appender.setOutputStream(logBytes);
        appender.start();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        List<String> outputs = new ArrayList<>();
        try {
            String pgWithPassword = PG + (PG.contains("?") ? "&" : "?") + "password=PlantedPw1";
            String[] pool = {"pool", "--set", "network=regtest", "--set", "payout.address=" + REGTEST_ADDRESS,
                "--set", "ledger.url=\"" + pgWithPassword + "\"", "--set", "bitcoind.url=\"http://127.0.0.1:1\"",
                "--set", "bitcoind.user=rpc", "--set", "bitcoind.password=PlantedPw2",
                "--set", "sv2.listen=[\"127.0.0.1:0\"]", "--set", "admin.listen=\"127.0.0.1:0\""};
            ConfigContractTest.Run r = ConfigContractTest.hh(concat(pool, "--print-config"));
            assertEquals(0, r.rc(), r.all());
            assertTrue(r.out().contains("password=<redacted>"), r.out());
            outputs.add(r.all());
            r = ConfigContractTest.hh(concat(pool, "--check-config"));
            assertEquals(0, r.rc(), r.all()); // PostgreSQL trust auth: the ledger is reachable
            assertTrue(r.out().contains("ledger"), r.out());
            outputs.add(r.all());
            // an unreachable ledger: the error quotes the URL, redacted
            r = ConfigContractTest.hh(concat(pool, "--set", "ledger.url=\"jdbc:postgresql://127.0.0.1:1/x?user=u&password=PlantedPw1\"",
                    "--check-config"));
            assertEquals(1, r.rc(), r.all());
            outputs.add(r.all());

            String[] tp = {"tp", "--set", "network=regtest", "--set", "backend=bitcoind",
                "--set", "bitcoind.url=\"http://rpc:PlantedPw3@127.0.0.1:18443/\"", "--set", "bitcoind.user=rpc",
                "--set", "bitcoind.password=PlantedPw3"};
            r = ConfigContractTest.hh(concat(tp, "--print-config"));
            assertEquals(0, r.rc(), r.all());
            outputs.add(r.all());
            // a configuration error on a secret key does not echo the value
            r = ConfigContractTest.hh(concat(tp, "--set", "bitcoind.password={x=PlantedPw3}", "--print-config"));
            assertEquals(2, r.rc(), r.all());
            outputs.add(r.all());

            Path ledger = dir.resolve("ledger.db");
            String[] treasury = {"treasury", "--set", "network=regtest", "--set", "ledger.url=\"jdbc:sqlite:" + ledger + "\"",
                "--set", "bitcoind.url=\"http://u:PlantedPw4@127.0.0.1:1/\"", "--set", "bitcoind.password=PlantedPw5",
                "--set", "admin.listen=\"127.0.0.1:0\"", "--set", "audit-log=\"" + dir.resolve("audit.jsonl") + "\""};
            r = ConfigContractTest.hh(concat(treasury, "--print-config"));
            assertEquals(0, r.rc(), r.all());
            outputs.add(r.all());

            // the treasury daemon itself: its startup log, its failing bitcoind calls and its status page
            TreasuryConfig cfg = TreasuryConfig.from(DaemonConfig.load(null, List.of(treasury).subList(1, treasury.length).stream()
                    .filter(s -> !s.equals("--set")).toList(), null, TreasuryConfig.ROOT, java.util.Map.of()));
            try (TreasuryDaemon d = new TreasuryDaemon(cfg, InstantSource.system())) {
                d.start();
                d.tick();
                String status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + d.adminAddress().getPort() + "/v1/status")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(status.contains("\"service\""), status);
                assertFalse(status.contains(ledger.toString()), "the status page shows no ledger URL: " + status);
                outputs.add(status);
            }
            // whatever code logs a URL with credentials, or throws with one, the encoder redacts it
            LoggerFactory.getLogger("planted").warn("connecting to {}", "http://rpc:PlantedPw2@127.0.0.1:8332/",
                    new IllegalStateException("cannot open jdbc:postgresql://h/db?user=u&password=PlantedPw1"));
        } finally {
            root.detachAppender(appender);
            appender.stop();
        }
        String log = logBytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("connecting to http://rpc:<redacted>@127.0.0.1:8332/") && log.contains("password=<redacted>"), log);
        assertNoSecret("log", log);
        for (String o : outputs) {
            assertNoSecret("output", o);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
