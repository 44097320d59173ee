package org.hyperhash.treasury.lightning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.crypto.ECKey;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.treasury.Accounts;
import org.hyperhash.treasury.AuditLog;
import org.hyperhash.treasury.TestLedgers;
import org.hyperhash.treasury.TreasuryConfig;
import org.hyperhash.treasury.TreasuryDaemon;
import org.hyperhash.treasury.proof.AddressProof;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The daemon paying through the TLS + macaroon stand-in: readiness follows LND and the DB, metrics names and labels. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TreasuryDaemonLndIT {
    @TempDir
    Path tmp;
    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(TreasuryDaemon d, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.adminAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void paysReportsReadinessAndKeepsMetricsBounded(String dialect) throws Exception {
        byte[] mac = new byte[40];
        new SecureRandom().nextBytes(mac);
        Path macFile = tmp.resolve("admin.macaroon");
        Files.write(macFile, mac);
        try (TestLedgers t = TestLedgers.create(dialect, tmp); FakeLnd lnd = new FakeLnd(tmp, HexFormat.of().formatHex(mac))) {
            Path auditFile = tmp.resolve("audit.jsonl");
            TreasuryConfig cfg = TreasuryConfig.from(DaemonConfig.load(null, List.of("ledger.url=\"" + t.url + "\"",
                    "admin.listen=\"127.0.0.1:0\"", "bitcoind.url=\"\"", "audit-log=\"" + auditFile + "\"", "poll-interval=1h",
                    "lnd.host=\"127.0.0.1\"", "lnd.port=" + lnd.port(), "lnd.tls-cert-file=\"" + lnd.certPem + "\"",
                    "lnd.macaroon-file=\"" + macFile + "\"", "lnd.call-timeout=3s", "payouts.send-wait=3s"),
                    "TREASURY_TEST_NONE", TreasuryConfig.ROOT));
            assertFalse(cfg.policy().dryRun(), "lnd.host set -> real payouts");
            try (TreasuryDaemon d = new TreasuryDaemon(cfg, InstantSource.system(), null)) {
                d.start();
                ECKey key = new ECKey();
                String address = key.toAddress(ScriptType.P2WPKH, BitcoinNetwork.REGTEST).toString();
                String node = "02" + "ab".repeat(32);
                String msg = AddressProof.challenge(address, "keysend", node, System.currentTimeMillis() / 1000);
                new Destinations(d.ledger(), new AddressProof(BitcoinNetwork.REGTEST, 600), "bcrt", InstantSource.system())
                        .set(address, DestinationKind.KEYSEND, node, msg, key.signMessage(msg, ScriptType.P2WPKH));
                new Accounts(d.ledger()).adjust(address, 50_000_000L, "credit", 1);
                d.tick();
                assertEquals(1, lnd.sends());
                assertEquals(1, lnd.maxSettledPerHash());

                HttpResponse<String> ready = get(d, "/v1/ready");
                assertEquals(200, ready.statusCode(), ready.body());
                assertTrue(ready.body().contains("\"lnd\" : true") && ready.body().contains("\"db\" : true"), ready.body());
                assertEquals(200, get(d, "/v1/health").statusCode());
                String status = get(d, "/v1/status").body();
                assertTrue(status.contains("\"dry_run\" : false") && status.contains("\"lnd\" : \"127.0.0.1:" + lnd.port() + "\""), status);
                assertFalse(status.contains(HexFormat.of().formatHex(mac)), "no macaroon in status");
                String bal = get(d, "/v1/miners/" + address + "/balance").body();
                // 50,000 sats: 49,751 paid (fee limit 5,000 ppm kept back), 7 msat routing fee, the unused fee limit refunded
                assertTrue(bal.contains("\"balance_msat\" : 248993"), bal);

                String metrics = get(d, "/metrics").body();
                assertTrue(metrics.contains("hh_treasury_payouts_total{result=\"succeeded\",service=\"treasury\"} 1.0"), metrics);
                assertTrue(metrics.contains("hh_treasury_channel_local_balance_sats{service=\"treasury\"} 5000000.0"), metrics);
                assertTrue(metrics.contains("hh_treasury_channels{service=\"treasury\"} 2.0"), metrics);
                assertTrue(metrics.contains("hh_treasury_payout_latency_seconds_count{service=\"treasury\"} 1"), metrics);
                assertMetricsBounded(metrics, address);

                lnd.stop();
                d.tick();
                HttpResponse<String> notReady = get(d, "/v1/ready");
                assertEquals(503, notReady.statusCode(), notReady.body());
                assertTrue(notReady.body().contains("\"lnd\" : false") && notReady.body().contains("\"db\" : true"), notReady.body());
                assertTrue(get(d, "/v1/status").body().contains("LND unreachable at 127.0.0.1:" + lnd.port()));
                assertTrue(get(d, "/metrics").body().contains("hh_treasury_errors_total{service=\"treasury\",stage=\"lnd\"}"));
                assertEquals(200, get(d, "/v1/health").statusCode(), "alive even when LND is down");
                lnd.startAgain();
                d.tick();
                assertEquals(200, get(d, "/v1/ready").statusCode());
            }
            assertTrue(AuditLog.verify(auditFile).ok());
            String audit = Files.readString(auditFile);
            assertTrue(audit.contains("payout.settled"), audit);
            assertFalse(audit.contains(HexFormat.of().formatHex(mac)), "no macaroon in the audit log");
        }
    }

    /** Counters end in _total; labels come from a fixed set (never a miner's address or a payment hash). */
    static void assertMetricsBounded(String scrape, String minerAddress) {
        Pattern type = Pattern.compile("^# TYPE (\\S+) counter$", Pattern.MULTILINE);
        Matcher m = type.matcher(scrape);
        int counters = 0;
        while (m.find()) {
            counters++;
            String family = m.group(1);
            Pattern sample = Pattern.compile("^" + Pattern.quote(family) + "(_total)?[{ ]", Pattern.MULTILINE);
            Matcher s = sample.matcher(scrape);
            while (s.find()) {
                assertTrue(s.group().startsWith(family.endsWith("_total") ? family : family + "_total"), "counter " + family + " without _total");
            }
        }
        assertTrue(counters >= 4, "treasury counters are exported");
        Set<String> labels = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("hh_treasury_")) {
                Matcher l = Pattern.compile("[{,]([a-zA-Z_]+)=\"").matcher(line);
                while (l.find()) {
                    labels.add(l.group(1));
                }
            }
        }
        // version and java_version: hh_treasury_build_info's (one series per build); table: the retention metric's three tables
        assertTrue(Set.of("service", "result", "stage", "le", "version", "java_version", "table").containsAll(labels),
                "unexpected treasury labels " + labels);
        assertFalse(scrape.contains(minerAddress), "no per-miner label or value");
    }
}
