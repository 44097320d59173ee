package org.hyperhash.agent.install;

import org.hyperhash.agent.install.AgentState.InstalledRelease;
import org.hyperhash.agent.manifest.Release;
import org.hyperhash.agent.process.ChildProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The ledger side of upgrades (docs/operations.md, "Rolling back across a ledger migration"): a release whose manifest
 * declares a ledger schema above the installed release's migrates the ledger when its units start, so the operator's
 * backup command runs first; a rollback from a release whose {@code compatible_from} is above the restored release's
 * schema (a contract migration: the older binary refuses the ledger) runs the restore command with that backup while
 * the units are stopped. Expand-only migrations need no restore: the older binary runs on the migrated ledger.
 */
public final class LedgerGuard {
    private final List<String> backupCommand;
    private final List<String> restoreCommand;
    private final Path backupDir;
    private final Duration timeout;

    public LedgerGuard(List<String> backupCommand, List<String> restoreCommand, Path backupDir, Duration timeout) {
        this.backupCommand = List.copyOf(backupCommand);
        this.restoreCommand = List.copyOf(restoreCommand);
        this.backupDir = backupDir;
        this.timeout = timeout;
    }

    /**
     * True when installing {@code rel} over {@code from} migrates the ledger: it declares a schema above the installed
     * release's (a release installed outside the agent, or before releases declared schemas, counts as unknown: 0).
     */
    public static boolean migrates(Release rel, InstalledRelease from) {
        return rel.ledger() != null && rel.ledger().schema() > (from == null ? 0 : from.ledgerSchema());
    }

    /**
     * True when rolling back from {@code bad} to {@code good} needs the backup: {@code bad} migrated the ledger (a
     * backup was taken) and contracted it beyond what {@code good}'s binaries run on.
     */
    public static boolean needsRestore(InstalledRelease bad, InstalledRelease good) {
        return good != null && bad != null && !bad.ledgerBackup().isEmpty()
                && bad.ledgerCompatibleFrom() > good.ledgerSchema();
    }

    public boolean configured() {
        return !backupCommand.isEmpty();
    }

    /** Runs the backup command for an upgrade to {@code rel}; returns the backup file (complete and non-empty). */
    public Path backup(Release rel, InstalledRelease from, Instant now) throws IOException {
        Files.createDirectories(backupDir);
        String name = "ledger-before-r" + rel.version() + "-from-r" + (from == null ? 0 : from.version()) + "-"
                + now.getEpochSecond() + ".bak";
        Path file = backupDir.resolve(name).toAbsolutePath();
        run(backupCommand, file, "backup");
        if (!Files.isRegularFile(file) || Files.size(file) == 0) {
            throw new IOException("ledger backup command exited 0 but wrote no backup at " + file);
        }
        return file;
    }

    /** Runs the restore command with {@code file}. */
    public void restore(Path file) throws IOException {
        if (restoreCommand.isEmpty()) {
            throw new IOException("ledger.restore-command is not configured");
        }
        if (!Files.isRegularFile(file)) {
            throw new IOException("ledger backup " + file + " is missing");
        }
        run(restoreCommand, file, "restore");
    }

    private void run(List<String> template, Path file, String what) throws IOException {
        List<String> cmd = new ArrayList<>();
        for (String a : template) {
            cmd.add(a.replace("{file}", file.toString()));
        }
        ChildProcess.Result r;
        try {
            r = ChildProcess.run(cmd, timeout, "ledger-" + what + "-output");
        } catch (ChildProcess.TimedOutException e) {
            throw new IOException("ledger " + what + " command " + template.getFirst() + " timed out after " + timeout);
        }
        if (r.exit() != 0) {
            throw new IOException("ledger " + what + " command " + template.getFirst() + " failed (exit " + r.exit()
                    + "): " + r.output().strip());
        }
    }
}
