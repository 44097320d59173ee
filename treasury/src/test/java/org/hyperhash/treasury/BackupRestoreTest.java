package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Backup -> restore round trip through the CLI, tamper detection, audit-log chain. */
class BackupRestoreTest {
    @TempDir
    Path tmp;

    int cli(StringWriter sw, String... args) {
        CommandLine cl = new CommandLine(new TreasuryCommand());
        cl.setOut(new PrintWriter(sw, true));
        return cl.execute(args);
    }

    @Test
    void backupRestoreCheckAndAuditViaCli() throws Exception {
        String src = "jdbc:sqlite:" + tmp.resolve("src.db");
        String hash = "00".repeat(31) + "01";
        try (LedgerDatabase db = LedgerDatabase.open(src)) {
            new ShareWindowStore(db).upsertBatch(List.of(new ShareWindow("p", 1, "alice", "w", 3, 2.5), new ShareWindow("p", 1, "bob", "w", 1, 0.5)));
            new FoundBlockStore(db, InstantSource.system()).insertFound(new FoundBlock(hash, 1, 2, "p", "alice", "w", 5_000, 1.0,
                    BlockStatus.ACCEPTED, null, 2));
            BlockRewards br = new BlockRewards(db, new BlockRewards.Config(2_000_000, 0, 1000, 1), InstantSource.system());
            br.poll(h -> java.util.Optional.of(new BitcoindRpc.BlockHeaderInfo(h, 1, 5)));
            new Accounts(db).adjust("alice", -1_000, "manual-1", 3);
        }
        Path key = tmp.resolve("backup.key");
        Files.writeString(key, "11".repeat(32));
        Path out = tmp.resolve("b.hhb");
        StringWriter sw = new StringWriter();
        assertEquals(0, cli(sw, "backup", "--set", "ledger.url=\"" + src + "\"", "--out", out.toString(), "--key-file", key.toString()), sw.toString());
        assertTrue(Files.exists(tmp.resolve("b.hhb.sha256")));
        byte[] enc = Files.readAllBytes(out);
        assertTrue(!new String(enc, java.nio.charset.StandardCharsets.ISO_8859_1).contains("alice"), "encrypted");

        String dst = "jdbc:sqlite:" + tmp.resolve("dst.db");
        sw = new StringWriter();
        assertEquals(0, cli(sw, "restore", "--set", "ledger.url=\"" + dst + "\"", "--in", out.toString(), "--key-file", key.toString()), sw.toString());
        assertTrue(sw.toString().contains("check OK"), sw.toString());
        try (LedgerDatabase a = LedgerDatabase.open(src); LedgerDatabase b = LedgerDatabase.open(dst)) {
            assertEquals(new Accounts(a).balances(), new Accounts(b).balances());
            assertEquals(new Accounts(a).entries("alice"), new Accounts(b).entries("alice"));
            new Accounts(b).adjust("bob", 5, "after-restore", 4); // ids continue after the restored ones
            assertTrue(new Accounts(b).check().ok());
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
        TreasuryException e = assertThrows(TreasuryException.class, () -> Backup.read(out, bad));
        assertTrue(e.getMessage().contains("wrong key"), e.getMessage());
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

    @Test
    void auditLogChainDetectsTampering() throws Exception {
        Path f = tmp.resolve("audit.jsonl");
        try (AuditLog log = AuditLog.open(f, InstantSource.system())) {
            log.append("a", Map.of("x", 1, "keysend_preimage", "deadbeef", "macaroon", "secret"));
            log.append("b", Map.of("y", "z"));
        }
        try (AuditLog log = AuditLog.open(f, InstantSource.system())) {
            log.append("c", Map.of());
        }
        assertEquals(new AuditLog.Verification(true, 3, null), AuditLog.verify(f));
        String text = Files.readString(f);
        assertTrue(!text.contains("deadbeef") && !text.contains("secret"), text);
        Files.writeString(f, text.replace("\"y\":\"z\"", "\"y\":\"w\""));
        assertEquals(false, AuditLog.verify(f).ok());
        assertThrows(TreasuryException.class, () -> AuditLog.open(f, InstantSource.system()));
        List<String> lines = Files.readAllLines(java.nio.file.Path.of(f.toString()));
        Files.write(f, List.of(text.split("\n")[0], text.split("\n")[2]));
        assertEquals("line 2 does not follow line 1", AuditLog.verify(f).problem());
        assertEquals(3, lines.size());
    }
}
