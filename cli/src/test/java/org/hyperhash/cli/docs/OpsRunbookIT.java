package org.hyperhash.cli.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md's command blocks, taken from the page and run in order as written. A block may be
 * skipped only with {@code <!-- doc-test: skip: REASON -->} on the line before it, and only when REASON says it
 * needs systemd or a container engine (nothing else is an excuse); the block marked {@code <!-- runbook:treasury -->}
 * is run line by line by TreasuryRunbookTest (against a ledger, with the restore preconditions the page states).
 * The host paths the runbook uses ({@code /etc/hyperhash}, {@code /var/lib/hyperhash}, {@code /backup}) are mapped
 * to a scratch directory (the one rewrite this test makes) and {@code hh} is on the PATH.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OpsRunbookIT {
    static final List<String> HOST_PATHS = List.of("/etc/hyperhash", "/var/lib/hyperhash", "/backup");
    static final Pattern SKIP = Pattern.compile("doc-test:\\s*skip:\\s*(.+)");
    static final String TREASURY = "runbook:treasury";

    @TempDir
    Path dir;

    @Test
    void theRunbookCommandsRunAsWritten() throws Exception {
        Path repo = ShellSandbox.repo();
        List<MarkdownBlocks.Block> blocks = MarkdownBlocks.parse(Files.readString(repo.resolve("docs/operations.md")));
        List<MarkdownBlocks.Block> runnable = new ArrayList<>();
        int delegated = 0;
        for (MarkdownBlocks.Block b : blocks) {
            if (b.annotation() == null) {
                runnable.add(b);
                continue;
            }
            if (b.annotation().equals(TREASURY)) {
                assertTrue(Files.isRegularFile(repo.resolve("cli/src/test/java/org/hyperhash/cli/TreasuryRunbookTest.java")),
                        "the runbook:treasury block is TreasuryRunbookTest's to run");
                delegated++;
                continue;
            }
            Matcher m = SKIP.matcher(b.annotation());
            assertTrue(m.matches(), "operations.md line " + b.line() + ": unknown annotation '" + b.annotation() + "'");
            String why = m.group(1);
            assertTrue(why.contains("systemd") || why.contains("container"), "operations.md line " + b.line()
                    + ": only a block that needs systemd or a container engine may be skipped, not for: " + why);
        }
        assertEquals(1, delegated, "one runbook:treasury block");
        assertTrue(runnable.stream().anyMatch(b -> b.body().contains("/etc/hyperhash/backup.key")), "the backup key block runs");

        Path root = Files.createDirectories(dir.resolve("host"));
        Files.createDirectories(root.resolve("var/lib/hyperhash/ledger"));
        Path etc = Files.createDirectories(root.resolve("etc/hyperhash"));
        Files.createDirectories(root.resolve("backup"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path hh = bin.resolve("hh");
        Files.writeString(hh, "#!/usr/bin/env bash\nexec " + repo.resolve("hh") + " \"$@\"\n");
        Files.setPosixFilePermissions(hh, PosixFilePermissions.fromString("rwxr-xr-x"));

        Path work = Files.createDirectories(dir.resolve("repo"));
        Path out = Files.createDirectories(dir.resolve("out"));
        try (ShellSandbox box = ShellSandbox.start(work, Map.of("PATH", bin + ":" + System.getenv("PATH")))) {
            int n = 0;
            for (MarkdownBlocks.Block b : runnable) {
                String script = mapHostPaths(b.body(), root);
                Path o = out.resolve("block-" + (++n) + ".txt");
                int rc = box.run(script, o, 120);
                assertEquals(0, rc, "operations.md block at line " + b.line() + " failed:\n" + b.body() + "\n" + Files.readString(o));
            }
        }
        // the key block made a 32-byte key readable by its owner only
        Path key = etc.resolve("backup.key");
        assertEquals(32, Files.size(key));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
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
