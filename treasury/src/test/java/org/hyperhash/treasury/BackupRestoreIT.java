package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.crypto.ECKey;
import org.hyperhash.treasury.lightning.DestinationKind;
import org.hyperhash.treasury.lightning.Destinations;
import org.hyperhash.treasury.lightning.LightningNode;
import org.hyperhash.treasury.lightning.LnurlPay;
import org.hyperhash.treasury.lightning.PayoutEngine;
import org.hyperhash.treasury.proof.AddressProof;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Backup -> restore round trips through the CLI on and across both dialects; tamper detection; the other CLI subcommands. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BackupRestoreIT {
    @TempDir
    Path tmp;

    int cli(StringWriter sw, String... args) {
        CommandLine cl = new CommandLine(new TreasuryCommand());
        cl.setOut(new PrintWriter(sw, true));
        return cl.execute(args);
    }

    static final String NODE = "02" + "ab".repeat(32);

    /** A node that settles every payment at once with a 3 msat fee (no gRPC: this test is about the ledger). */
    static final class PaidNode implements LightningNode {
        @Override
        public NodeInfo getInfo() {
            return new NodeInfo(NODE, "paid", true, 1);
        }

        @Override
        public ChannelSummary channelSummary() {
            return new ChannelSummary(0, 0, 0);
        }

        @Override
        public SendOutcome send(SendRequest request, Duration wait) {
            return new Sent(new Terminal(true, 3, null, null));
        }

        @Override
        public TrackOutcome track(String paymentHashHex, Duration wait) {
            return new NotFound();
        }

        @Override
        public void close() {
        }
    }

    Destinations destinations(LedgerDatabase db) {
        return new Destinations(db, new AddressProof(BitcoinNetwork.REGTEST, 600), "bcrt", InstantSource.system());
    }

    PayoutEngine engine(LedgerDatabase db) throws Exception {
        PayoutEngine.Policy policy = new PayoutEngine.Policy(1_000, 1_000_000_000, 5_000, 1_000_000, 30, 1, 1, "bcrt", false, Duration.ofSeconds(1));
        return new PayoutEngine(db, new PaidNode(), destinations(db), new LnurlPay(Duration.ofSeconds(1), false), policy,
                AuditLog.open(tmp.resolve("audit-" + System.nanoTime() + ".jsonl"), InstantSource.system()),
                new TreasuryMetrics(new SimpleMeterRegistry()), InstantSource.system(), PayoutEngine.NO_FAULTS);
    }

    /** Gives {@code account} a keysend destination with a real proof under a fresh key, then pays it once. */
    String payOnce(LedgerDatabase db, String label) throws Exception {
        ECKey key = new ECKey();
        String address = key.toAddress(ScriptType.P2WPKH, BitcoinNetwork.REGTEST).toString();
        new Accounts(db).adjust(address, 20_000_000, "credit-" + label, 1);
        String msg = AddressProof.challenge(address, "keysend", NODE, System.currentTimeMillis() / 1000);
        destinations(db).set(address, DestinationKind.KEYSEND, NODE, msg, key.signMessage(msg, ScriptType.P2WPKH));
        try (PayoutEngine e = engine(db)) {
            assertInstanceOf(PayoutEngine.Settled.class, e.payAccount(address));
        }
        return address;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"sqlite,sqlite", "postgresql,postgresql", "postgresql,sqlite", "sqlite,postgresql"})
    void backupRestoreCheckAndAuditViaCli(String from, String to) throws Exception {
        try (TestLedgers source = TestLedgers.create(from, tmp); TestLedgers target = TestLedgers.create(to, tmp)) {
            roundTrip(source.url, target.url);
        }
    }

    /**
     * PostgreSQL backups are one REPEATABLE READ snapshot: taken while another connection keeps adding ledger entries
     * and balances (one transaction each), every backup restores to a ledger whose balances equal the sum of their
     * entries, and records the schema version.
     */
    @org.junit.jupiter.api.Test
    void postgresqlBackupIsOneSnapshotUnderConcurrentWrites() throws Exception {
        Path key = tmp.resolve("snap.key");
        Files.writeString(key, "33".repeat(32));
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        try (TestLedgers source = TestLedgers.create("postgresql", tmp); LedgerDatabase db = LedgerDatabase.open(source.url)) {
            Accounts accounts = new Accounts(db);
            for (int i = 0; i < 100; i++) {
                accounts.adjust("miner" + (i % 10), 1_000, "seed-" + i, 1);
            }
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
            Thread writer = Thread.ofPlatform().start(() -> {
                for (int j = 0; !stop.get(); j++) {
                    accounts.adjust("miner" + (j % 10), 7, "w-" + j, 2);
                    written.incrementAndGet();
                }
            });
            try {
                for (int round = 0; round < 3; round++) {
                    int before = written.get();
                    Path out = tmp.resolve("snap-" + round + ".hhb");
                    Backup.export(db, null, key, out, System.currentTimeMillis());
                    while (written.get() < before + 5) {
                        Thread.sleep(1); // writes really ran during and between the backups
                    }
                    assertTrue(Backup.read(out, key).path("schema_version").asInt() > 0, "schema version recorded");
                    try (TestLedgers target = TestLedgers.create("sqlite", tmp); LedgerDatabase b = LedgerDatabase.open(target.url)) {
                        Backup.restore(out, key, b);
                        Accounts.CheckReport r = new Accounts(b).check();
                        assertTrue(r.ok(), "round " + round + ": " + r.problems());
                    }
                }
            } finally {
                stop.set(true);
                writer.join();
            }
        }
    }

    void roundTrip(String src, String dst) throws Exception {
        String hash = "00".repeat(31) + "01";
        String payee;
        try (LedgerDatabase db = LedgerDatabase.open(src)) {
            new ShareWindowStore(db).upsertBatch(List.of(new ShareWindow("p", 1, "alice", "w", 3, 2.5), new ShareWindow("p", 1, "bob", "w", 1, 0.5)));
            new FoundBlockStore(db, InstantSource.system()).insertFound(new FoundBlock(hash, 1, 2, "p", "alice", "w", 5_000, 1.0,
                    BlockStatus.ACCEPTED, null, 2));
            BlockRewards br = new BlockRewards(db, new BlockRewards.Config(2_000_000, 0, 1000, 1), InstantSource.system());
            br.poll(h -> java.util.Optional.of(new BitcoindRpc.BlockHeaderInfo(h, 1, 5)));
            new Accounts(db).adjust("alice", -1_000, "manual-1", 3);
            payee = payOnce(db, "payee"); // a payout row, a destination with its proof, reserve + fee refund entries
            PayoutEngine.setPaused(db, true, 5);
        }
        Path key = tmp.resolve("backup.key");
        Files.writeString(key, "11".repeat(32));
        Path out = tmp.resolve("b.hhb");
        // a key file other users can read is refused
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        TreasuryException open = assertThrows(TreasuryException.class, () -> Backup.readKey(key));
        assertTrue(open.getMessage().contains("chmod 600"), open.getMessage());
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        StringWriter sw = new StringWriter();
        assertEquals(0, cli(sw, "backup", "--set", "ledger.url=\"" + src + "\"", "--out", out.toString(), "--key-file", key.toString()), sw.toString());
        assertTrue(Files.exists(tmp.resolve("b.hhb.sha256")));
        byte[] enc = Files.readAllBytes(out);
        assertTrue(!new String(enc, java.nio.charset.StandardCharsets.ISO_8859_1).contains("alice"), "encrypted");

        String exported = sw.toString();
        for (String table : Backup.TABLES) {
            assertTrue(!exported.contains(table + "=0"), "every table has rows to carry: " + exported);
        }
        sw = new StringWriter();
        assertEquals(0, cli(sw, "restore", "--set", "ledger.url=\"" + dst + "\"", "--in", out.toString(), "--key-file", key.toString()), sw.toString());
        assertTrue(sw.toString().contains("check OK"), sw.toString());
        assertTrue(sw.toString().contains(exported.substring(exported.indexOf("rows ") + 5).strip()), exported + " vs " + sw);
        try (LedgerDatabase a = LedgerDatabase.open(src); LedgerDatabase b = LedgerDatabase.open(dst)) {
            assertEquals(new Accounts(a).balances(), new Accounts(b).balances());
            assertEquals(new Accounts(a).entries("alice"), new Accounts(b).entries("alice"));
            new Accounts(b).adjust("bob", 5, "after-restore", 4); // ids continue after the restored ones
            assertTrue(new Accounts(b).check().ok());
            assertEquals(PayoutEngine.list(a, List.of(), 10).toString(), PayoutEngine.list(b, List.of(), 10).toString());
            assertEquals(PayoutEngine.list(a, List.of(), 10).getFirst().feePaidMsat(), PayoutEngine.list(b, List.of(), 10).getFirst().feePaidMsat());
            assertTrue(engine(b).paused(), "pause state restored");
            assertEquals(destinations(a).find(payee), destinations(b).find(payee));
        }
        sw = new StringWriter();
        assertEquals(0, cli(sw, "audit", "--set", "ledger.url=\"" + dst + "\"", hash), sw.toString());
        assertTrue(sw.toString().contains("alice 4167 sats") && sw.toString().contains("bob 833 sats"), sw.toString());
        sw = new StringWriter();
        assertEquals(1, cli(sw, "restore", "--set", "ledger.url=\"" + dst + "\"", "--in", out.toString(), "--key-file", key.toString()));
        assertTrue(sw.toString().contains("not empty"), sw.toString());

        // wrong key, tampered file
        Path bad = tmp.resolve("bad.key");
        Files.writeString(bad, "22".repeat(32));
        Files.setPosixFilePermissions(bad, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        TreasuryException e = assertThrows(TreasuryException.class, () -> Backup.read(out, bad));
        assertTrue(e.getMessage().contains("wrong key"), e.getMessage());
        // a restore that fails leaves no freshly created, empty ledger behind
        Path fresh = tmp.resolve("fresh-" + System.nanoTime() + ".db");
        sw = new StringWriter();
        assertEquals(1, cli(sw, "restore", "--set", "ledger.url=\"jdbc:sqlite:" + fresh + "\"", "--in", out.toString(),
                "--key-file", bad.toString()), sw.toString());
        assertTrue(sw.toString().contains("wrong key"), sw.toString());
        assertTrue(!Files.exists(fresh), "no empty ledger left at " + fresh);
        enc[enc.length - 1] ^= 1;
        Files.write(out, enc);
        e = assertThrows(TreasuryException.class, () -> Backup.read(out, key));
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());

        sw = new StringWriter();
        assertEquals(0, cli(sw, "pause", "--set", "ledger.url=\"" + dst + "\""));
        sw = new StringWriter();
        assertEquals(0, cli(sw, "check", "--set", "ledger.url=\"" + dst + "\"", "--set", "audit-log=\"" + tmp.resolve("none.jsonl") + "\""), sw.toString());
        assertTrue(sw.toString().contains("ledger OK"), sw.toString());
        sw = new StringWriter();
        assertEquals(2, cli(sw, "balances", "--set", "network=\"moon\""));
        assertTrue(sw.toString().contains("network must be"), sw.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void ledgerSubcommands(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            String url = "ledger.url=\"" + t.url + "\"";
            String payee;
            try (LedgerDatabase db = t.open()) {
                new Accounts(db).adjust("carol", 7_654_321, "credit-carol", 1);
                payee = payOnce(db, "payee");
            }
            StringWriter sw = new StringWriter();
            assertEquals(0, cli(sw, "balances", "--set", url), sw.toString());
            assertTrue(sw.toString().contains("carol") && sw.toString().contains("7654321"), sw.toString());
            assertTrue(sw.toString().contains("owed to miners: "), sw.toString());
            sw = new StringWriter();
            assertEquals(0, cli(sw, "payouts", "--set", url), sw.toString());
            assertTrue(sw.toString().contains(payee) && sw.toString().contains("succeeded") && sw.toString().contains("fee 3 msat"), sw.toString());
            sw = new StringWriter();
            assertEquals(0, cli(sw, "payouts", "--failed", "--set", url), sw.toString());
            assertEquals("no failed payouts", sw.toString().strip());

            assertEquals(0, cli(new StringWriter(), "pause", "--set", url));
            try (LedgerDatabase db = t.open(); PayoutEngine e = engine(db)) {
                assertTrue(e.paused());
                new Accounts(db).adjust(payee, 20_000_000, "credit-again", 2);
                assertInstanceOf(PayoutEngine.Skipped.class, e.payAccount(payee), "manual payout refused while paused");
                assertTrue(e.runCycle().isEmpty(), "no payouts while paused");
            }
            assertEquals(0, cli(new StringWriter(), "resume", "--set", url));
            try (LedgerDatabase db = t.open(); PayoutEngine e = engine(db)) {
                assertTrue(!e.paused());
                assertEquals(1, e.runCycle().size());
            }

            sw = new StringWriter();
            assertEquals(1, cli(sw, "audit", "--set", url, "ff".repeat(32)), sw.toString());
            assertTrue(sw.toString().contains("no distribution stored for block"), sw.toString());

            // the balance cache no longer matches the entries: check fails and names the account
            try (LedgerDatabase db = t.open(); var c = db.dataSource().getConnection(); var st = c.createStatement()) {
                st.executeUpdate("UPDATE balances SET balance_msat = balance_msat + 1 WHERE account = 'carol'");
            }
            sw = new StringWriter();
            assertEquals(1, cli(sw, "check", "--set", url, "--set", "audit-log=\"" + tmp.resolve("none.jsonl") + "\""), sw.toString());
            assertTrue(sw.toString().contains("PROBLEM carol: balance 7654322 msat != sum of entries 7654321 msat"), sw.toString());
            assertTrue(sw.toString().contains("ledger FAILED"), sw.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void destinationIsSetThroughTheCliOnlyWithAValidSignature(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            String url = "ledger.url=\"" + t.url + "\"";
            ECKey key = new ECKey();
            String address = key.toAddress(ScriptType.P2WPKH, BitcoinNetwork.REGTEST).toString();
            long ts = System.currentTimeMillis() / 1000;
            StringWriter sw = new StringWriter();
            assertEquals(0, cli(sw, "challenge", "--address", address, "--kind", "keysend", "--destination", NODE, "--timestamp", Long.toString(ts)));
            String message = sw.toString().strip();
            assertEquals(AddressProof.challenge(address, "keysend", NODE, ts), message);

            String forged = new ECKey().signMessage(message, ScriptType.P2WPKH);
            sw = new StringWriter();
            assertEquals(1, cli(sw, "set-destination", "--init", "--set", url, "--address", address, "--kind", "keysend", "--destination", NODE,
                    "--timestamp", Long.toString(ts), "--signature", forged), sw.toString());
            assertTrue(sw.toString().contains("refused: signature was made by a key that does not control " + address), sw.toString());
            try (LedgerDatabase db = t.open()) {
                assertTrue(destinations(db).find(address).isEmpty());
            }
            String sig = key.signMessage(message, ScriptType.P2WPKH);
            sw = new StringWriter();
            assertEquals(0, cli(sw, "set-destination", "--set", url, "--address", address, "--kind", "keysend", "--destination", NODE,
                    "--timestamp", Long.toString(ts), "--signature", sig), sw.toString());
            assertTrue(sw.toString().contains("destination set: " + address + " -> keysend " + NODE), sw.toString());
            sw = new StringWriter();
            assertEquals(1, cli(sw, "set-destination", "--set", url, "--address", address, "--kind", "keysend", "--destination", NODE,
                    "--timestamp", Long.toString(ts), "--signature", sig), sw.toString());
            assertTrue(sw.toString().contains("replay"), sw.toString());
            sw = new StringWriter();
            assertEquals(2, cli(sw, "set-destination", "--set", url, "--address", address, "--kind", "iban", "--destination", NODE,
                    "--timestamp", Long.toString(ts), "--signature", sig), sw.toString());
            try (LedgerDatabase db = t.open()) {
                assertEquals(DestinationKind.KEYSEND, destinations(db).find(address).orElseThrow().kind());
            }
        }
    }
}
