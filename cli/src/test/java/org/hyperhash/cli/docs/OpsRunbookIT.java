package org.hyperhash.cli.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.treasury.Accounts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md's command blocks, taken from the page and run in order as written. A block may be
 * skipped only with {@code <!-- doc-test: skip: REASON -->} on the line before it, and only when REASON says it
 * needs systemd or a container engine (nothing else is an excuse). The host paths the runbook uses
 * ({@code /etc/hyperhash}, {@code /var/lib/hyperhash}, {@code /backup}) are mapped to a scratch directory (the
 * one rewrite this test makes), {@code hh} is on the PATH, and what §1 says an installed host has is in place:
 * {@code /etc/hyperhash/treasury.conf} pointing at the shared SQLite ledger, and a ledger with balances in it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OpsRunbookIT {
    static final List<String> HOST_PATHS = List.of("/etc/hyperhash", "/var/lib/hyperhash", "/backup");
    static final Pattern SKIP = Pattern.compile("skip:\\s*(.+)");

    @TempDir
    Path dir;

    @Test
    void theRunbookCommandsRunAsWritten() throws Exception {
        Path repo = ShellSandbox.repo();
        List<MarkdownBlocks.Block> blocks = MarkdownBlocks.parse(Files.readString(repo.resolve("docs/operations.md")));
        List<MarkdownBlocks.Block> runnable = new ArrayList<>();
        for (MarkdownBlocks.Block b : blocks) {
            if (b.annotation() == null) {
                runnable.add(b);
                continue;
            }
            Matcher m = SKIP.matcher(b.annotation());
            assertTrue(m.matches(), "operations.md line " + b.line() + ": unknown doc-test annotation '" + b.annotation() + "'");
            String why = m.group(1);
            assertTrue(why.contains("systemd") || why.contains("container"), "operations.md line " + b.line()
                    + ": only a block that needs systemd or a container engine may be skipped, not for: " + why);
        }
        assertTrue(runnable.stream().anyMatch(b -> b.body().contains("hh treasury backup")), "the backup commands run");

        Path root = Files.createDirectories(dir.resolve("host"));
        Path ledgerFile = Files.createDirectories(root.resolve("var/lib/hyperhash/ledger")).resolve("ledger.db");
        Path etc = Files.createDirectories(root.resolve("etc/hyperhash"));
        Files.createDirectories(root.resolve("backup"));
        String ledgerUrl = "jdbc:sqlite:" + ledgerFile;
        Files.writeString(etc.resolve("treasury.conf"), "hyperhash.treasury {\n  ledger.url = \"" + ledgerUrl + "\"\n}\n");
        try (LedgerDatabase db = LedgerDatabase.open(ledgerUrl)) {
            Accounts a = new Accounts(db);
            a.adjust("bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5phstwt", 1_234_000, "ops-runbook-it-1", 1_700_000_000_000L);
            a.adjust("bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5phstwt", 766_000, "ops-runbook-it-2", 1_700_000_001_000L);
        }
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path hh = bin.resolve("hh");
        Files.writeString(hh, "#!/usr/bin/env bash\nexec " + repo.resolve("hh") + " \"$@\"\n");
        Files.setPosixFilePermissions(hh, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path work = Files.createDirectories(dir.resolve("repo"));
        Path out = Files.createDirectories(dir.resolve("out"));
        try (ShellSandbox box = ShellSandbox.start(work, Map.of("PATH", bin + ":" + System.getenv("PATH")))) {
            int n = 0;
            StringBuilder transcript = new StringBuilder();
            for (MarkdownBlocks.Block b : runnable) {
                String script = mapHostPaths(b.body(), root);
                Path o = out.resolve("block-" + (++n) + ".txt");
                int rc = box.run(script, o, 120);
                transcript.append("$ ").append(script).append(Files.readString(o));
                assertEquals(0, rc, "operations.md block at line " + b.line() + " failed:\n" + b.body() + "\n" + Files.readString(o));
            }
            String t = transcript.toString();
            assertTrue(t.contains("ledger OK"), t);
            assertTrue(t.contains("check OK"), "the restore checked the restored ledger:\n" + t);
            try (Stream<Path> backups = Files.list(root.resolve("backup"))) {
                assertTrue(backups.anyMatch(p -> p.getFileName().toString().matches("ledger-\\d{4}-\\d\\d-\\d\\d\\.hhb")), t);
            }
        }
        // the restored ledger holds what the backup held
        try (LedgerDatabase db = LedgerDatabase.open(ledgerUrl)) {
            assertEquals(2_000_000, new Accounts(db).balanceMsat("bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5phstwt"));
        }
        if (!Files.isRegularFile(ledgerFile)) {
            fail("no ledger after the restore block");
        }
    }

    /** /etc/hyperhash/x -> ROOT/etc/hyperhash/x, only where the path starts (not inside another path). */
    static String mapHostPaths(String script, Path root) {
        String s = script;
        for (String p : HOST_PATHS) {
            s = s.replaceAll("(?<![\\w./-])" + Pattern.quote(p) + "(?=[/\\s\"']|$)", Matcher.quoteReplacement(root + p));
        }
        return s;
    }
}
