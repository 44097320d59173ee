package org.hyperhash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.treasury.Accounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the treasury commands of docs/operations.md (the block after {@code <!-- runbook:treasury -->}) verbatim
 * through {@code hh}, against a real SQLite ledger named by the config file; only the absolute directories
 * {@code /etc/hyperhash/} and {@code /backup/} are mapped into a temporary directory. Also proves the CLI
 * contract of issue 14 around them: options before and after the verb are the same, no verb creates a ledger,
 * every verb takes --help, empty results say so and a bad address is refused before anything is queued.
 */
class TreasuryRunbookTest {
    private static final String ACCOUNT = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";

    static List<String> runbookCommands() throws Exception {
        Path doc = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/operations.md");
        List<String> lines = Files.readAllLines(doc);
        int i = lines.indexOf("<!-- runbook:treasury -->");
        assertTrue(i >= 0 && lines.get(i + 1).equals("```"), "docs/operations.md has the treasury runbook block");
        List<String> cmds = new ArrayList<>();
        for (int j = i + 2; !lines.get(j).equals("```"); j++) {
            cmds.add(lines.get(j));
        }
        return cmds;
    }

    private static boolean paused(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT value FROM treasury_state WHERE name LIKE '%pause%'")) {
            return rs.next() && rs.getString(1).equals("true");
        }
    }

    @Test
    void theRunbooksTreasuryCommandsWorkVerbatimOnTheConfiguredLedger(@TempDir Path tmp) throws Exception {
        Path etc = Files.createDirectories(tmp.resolve("etc"));
        Path backup = Files.createDirectories(tmp.resolve("backup"));
        Path ledgerFile = tmp.resolve("var/ledger.db");
        Files.createDirectories(ledgerFile.getParent());
        String url = "jdbc:sqlite:" + ledgerFile;
        try (LedgerDatabase db = LedgerDatabase.open(url)) {
            new Accounts(db).adjust(ACCOUNT, 12_345_000, "credit-1", 1);
        }
        Files.writeString(etc.resolve("treasury.conf"), "hyperhash.treasury {\n  network = regtest\n  ledger.url = \"" + url
                + "\"\n  audit-log = \"" + tmp.resolve("var/audit.jsonl") + "\"\n}\n");
        Files.writeString(etc.resolve("backup.key"), "11".repeat(32));
        // the runbook's key file is the owner's only (a key others can read is refused)
        Files.setPosixFilePermissions(etc.resolve("backup.key"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path cwdLedger = Path.of("hh-data/ledger.db").toAbsolutePath();
        boolean cwdLedgerBefore = Files.exists(cwdLedger);

        List<String> cmds = runbookCommands();
        assertEquals(7, cmds.size(), cmds.toString());
        for (String line : cmds) {
            String mapped = line.replace("/etc/hyperhash/", etc + "/").replace("/backup/", backup + "/");
            List<String> argv = new ArrayList<>(List.of(mapped.trim().split("\\s+")));
            assertEquals("hh", argv.removeFirst(), line);
            String verb = argv.get(3);
            if (verb.equals("restore")) {
                // as the runbook says: the damaged ledger is moved aside first, restore fills an empty one
                Files.move(ledgerFile, tmp.resolve("var/ledger.damaged"));
            }
            ConfigContractTest.Run r = ConfigContractTest.hh(argv.toArray(String[]::new));
            assertEquals(0, r.rc(), line + "\n" + r.all());
            switch (verb) {
                case "check" -> assertTrue(r.out().contains("1 accounts") && r.out().contains("ledger OK"), r.out());
                case "balances" -> assertTrue(r.out().contains(ACCOUNT) && r.out().contains("12345000"), r.out());
                case "payouts" -> assertEquals("no failed payouts", r.out().strip());
                case "pause" -> assertTrue(paused(url), "the configured ledger is paused");
                case "resume" -> assertFalse(paused(url), "the configured ledger is resumed");
                case "backup" -> assertTrue(Files.size(backup.resolve("ledger-2026-11-22.hhb")) > 0);
                case "restore" -> assertTrue(r.out().contains("check OK"), r.out());
                default -> throw new AssertionError("unexpected runbook verb " + verb);
            }
        }
        assertEquals(cwdLedgerBefore, Files.exists(cwdLedger), "no command created ./hh-data/ledger.db");

        // options after the verb are the same as before it
        String conf = etc.resolve("treasury.conf").toString();
        assertEquals(ConfigContractTest.hh("treasury", "--config", conf, "check").out(),
                ConfigContractTest.hh("treasury", "check", "--config", conf).out());
    }

    @Test
    void noVerbCreatesALedgerEveryVerbHasHelpAndBadInputIsRefusedBeforeQueueing(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("nothing-here.db");
        for (String verb : List.of("check", "balances", "payouts", "pause", "resume")) {
            ConfigContractTest.Run r = ConfigContractTest.hh("treasury", "--set", "ledger.url=\"jdbc:sqlite:" + missing + "\"", verb);
            assertEquals(2, r.rc(), verb + ": " + r.all());
            assertTrue(r.out().contains("no ledger at hyperhash.treasury.ledger.url") && r.out().contains("--init"), r.all());
            assertFalse(Files.exists(missing), verb + " created the ledger");
        }
        for (String verb : List.of("run", "balances", "payouts", "audit", "pause", "resume", "backup", "restore", "check",
                "challenge", "set-destination", "pay")) {
            ConfigContractTest.Run r = ConfigContractTest.hh("treasury", verb, "--help");
            assertEquals(0, r.rc(), verb + " --help: " + r.all());
            assertTrue(r.out().contains("Usage: hh treasury " + verb), r.out());
        }
        // --init creates it when asked; then empty results say so
        ConfigContractTest.Run r = ConfigContractTest.hh("treasury", "--init", "--set", "ledger.url=\"jdbc:sqlite:" + missing + "\"", "balances");
        assertEquals(0, r.rc(), r.all());
        assertTrue(r.out().startsWith("no balances"), r.out());
        r = ConfigContractTest.hh("treasury", "--set", "ledger.url=\"jdbc:sqlite:" + missing + "\"", "payouts");
        assertEquals("no payouts yet", r.out().strip());

        r = ConfigContractTest.hh("treasury", "--set", "ledger.url=\"jdbc:sqlite:" + missing + "\"", "--set", "network=regtest",
                "pay", "notanaddress");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.out().contains("'notanaddress' is not a valid") && r.out().contains("nothing queued"), r.out());
        // a mainnet address on a regtest treasury
        r = ConfigContractTest.hh("treasury", "--set", "ledger.url=\"jdbc:sqlite:" + missing + "\"", "--set", "network=regtest",
                "pay", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
        assertEquals(2, r.rc(), r.all());
        // a valid address without a balance
        r = ConfigContractTest.hh("treasury", "--set", "ledger.url=\"jdbc:sqlite:" + missing + "\"", "--set", "network=regtest",
                "pay", ACCOUNT);
        assertEquals(1, r.rc(), r.all());
        assertTrue(r.out().contains("no balance"), r.out());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + missing); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM treasury_state WHERE name LIKE 'manual-payout:%'")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "nothing queued");
        }
    }
}
