package org.hyperhash.agent;

import org.hyperhash.agent.Agent.CheckResult;
import org.hyperhash.agent.install.AgentState;
import org.hyperhash.agent.install.CrashPoints;
import org.hyperhash.agent.status.AgentMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upgrade -> failed health -> rollback across a ledger migration, with services that really open the ledger (SQLite)
 * with their release's migrations: after an expand-only migration the old binary runs on the migrated ledger and
 * nothing is restored; after a contract migration the agent restores the backup it took before the upgrade, and the
 * old binary runs on that.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LedgerUpgradeIT extends ReleaseBed {
    static final String POOL = "hh-pool.service";
    static final String TREASURY = "hh-treasury.service";
    static final String EXPAND = """
            -- compat: expand
            ALTER TABLE share_windows ADD COLUMN note TEXT;
            """;
    static final String CONTRACT = """
            -- compat: contract 12
            ALTER TABLE share_windows RENAME COLUMN worker TO worker_name;
            """;

    FakeService pool;
    FakeService treasury;
    Path ledgerFile;
    String ledgerUrl;

    @BeforeEach
    void setUp() throws Exception {
        ledgerFile = dir.resolve("ledger.db");
        ledgerUrl = "jdbc:sqlite:" + ledgerFile;
        pool = new FakeService(current, ledgerUrl);       // the base release creates the ledger (schema 10)
        treasury = new FakeService(current, ledgerUrl);
        systemctl.setState(POOL, "active");
        systemctl.setState(TREASURY, "active");
        systemctl.setTriggeredBy(POOL, "hh-pool.socket");
        systemctl.onRestart(u -> (u.equals(POOL) ? pool : treasury).restarted());
        systemctl.onStop(u -> (u.equals(POOL) ? pool : treasury).stopped());
    }

    @AfterEach
    void tearDown() {
        pool.close();
        treasury.close();
    }

    List<String> sets(boolean ledgerCommands) {
        List<String> s = agentSets();
        s.addAll(List.of(
                "units=[\"" + POOL + "\", \"" + TREASURY + "\"]",
                "admin-urls={\"" + POOL + "\" = \"" + pool.uri() + "\", \"" + TREASURY + "\" = \"" + treasury.uri() + "\"}",
                "health.deadline=3s",
                "health.interval=50ms",
                "reach.bitcoind=\"\"", "reach.lnd=\"\""));
        if (ledgerCommands) {
            // the services close the ledger after each start, so a file copy is a consistent SQLite backup here; in
            // production these are `hh treasury backup` / a restore script (docs/operations.md)
            s.add("ledger.backup-command=[\"cp\", \"" + ledgerFile + "\", \"{file}\"]");
            s.add("ledger.restore-command=[\"cp\", \"{file}\", \"" + ledgerFile + "\"]");
        }
        return s;
    }

    Agent agent(boolean ledgerCommands) throws Exception {
        return agent(ledgerCommands, CrashPoints.NONE);
    }

    Agent agent(boolean ledgerCommands, CrashPoints crash) throws Exception {
        return new Agent(AgentConfig.load(null, Map.of(), sets(ledgerCommands)), systemctl, InstantSource.system(),
                crash, new AgentMetrics("test"));
    }

    /** Publishes a release whose binaries ship {@code migrations} (file name -> SQL) on top of this build's. */
    void publish(long version, String label, String healthMode, long schema, long compatibleFrom, Map<String, String> migrations) {
        List<Publisher.Art> arts = new ArrayList<>();
        byte[] jar = ("jar " + label).getBytes(StandardCharsets.UTF_8);
        server.put("/releases/" + label + "/hh-cli.jar", jar);
        arts.add(new Publisher.Art("cli/target/hh-cli.jar", jar, label + "/hh-cli.jar"));
        byte[] hm = healthMode.getBytes(StandardCharsets.UTF_8);
        server.put("/releases/" + label + "/health-mode", hm);
        arts.add(new Publisher.Art("health-mode", hm, label + "/health-mode"));
        migrations.forEach((name, sql) -> {
            byte[] b = sql.getBytes(StandardCharsets.UTF_8);
            server.put("/releases/" + label + "/ledger/" + name, b);
            arts.add(new Publisher.Art("ledger/" + name, b, label + "/ledger/" + name));
        });
        var m = Publisher.release(version, label, Instant.now().plus(Duration.ofDays(7)), arts, List.of(), keys.subList(1, 3),
                Map.of("schema", schema, "compatible_from", compatibleFrom));
        server.put("/releases/release.json", m.toJson().getBytes(StandardCharsets.UTF_8));
    }

    /** Publishes release 1 (schema 10, no migrations of its own) and installs it (the base release counts as schema 0). */
    void installRelease1(Agent a) throws Exception {
        publish(1, "1.0.0", "ok", 10, 0, Map.of());
        assertEquals(new CheckResult.Updated(0, 1), a.checkOnce());
    }

    /** Publishes release 2: migrates to V12 through an expand (V11) and a contract (V12, compatible_from 12). */
    void publishContractingRelease2(String healthMode) {
        publish(2, "2.0.0", healthMode, 12, 12, Map.of("V11__share_windows_note.sql", EXPAND,
                "V12__rename_share_windows_worker.sql", CONTRACT));
    }

    List<String> blocks() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(ledgerUrl); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT block_hash FROM found_blocks ORDER BY found_at_ms, block_hash")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    int ledgerSchema() throws Exception {
        try (Connection c = DriverManager.getConnection(ledgerUrl)) {
            return org.hyperhash.ledger.Migrations.state(c).version();
        }
    }

    @Test
    void expandMigrationRollbackKeepsTheMigratedLedgerAndTheOldBinaryRunsOnIt() throws Exception {
        assertNull(pool.ledgerError);
        try (Agent a = agent(true)) {
            installRelease1(a);
            assertEquals(1, a.metrics().ledgerBackups("ok"), "installed schema unknown (base release): backed up");

            publish(2, "2.0.0", "fail", 11, 0, Map.of("V11__share_windows_note.sql", EXPAND));
            CheckResult r = a.checkOnce();
            CheckResult.RolledBack rb = assertInstanceOf(CheckResult.RolledBack.class, r);
            assertEquals(2, rb.failedVersion());
            assertEquals(1, rb.restoredVersion());
            assertEquals(2, a.metrics().ledgerBackups("ok"));
            assertEquals(0, a.metrics().ledgerRestores("ok") + a.metrics().ledgerRestores("failed"), "expand: nothing restored");
            assertFalse(systemctl.calls().stream().anyMatch(c -> c.startsWith("stop ")), systemctl.calls().toString());

            // the old binary (release 1, schema 10) runs on the ledger release 2 migrated to V11, with every row kept
            assertNull(pool.ledgerError, pool.ledgerError);
            assertNull(treasury.ledgerError, treasury.ledgerError);
            assertEquals(11, ledgerSchema());
            List<String> b = blocks();
            assertTrue(b.stream().anyMatch(h -> h.startsWith("2.0.0-r2#")), "release 2's writes kept: " + b);
            assertTrue(b.stream().filter(h -> h.startsWith("1.0.0-r1#")).count() >= 2, "release 1 ran again: " + b);

            AgentState s = a.state();
            assertEquals(1, s.committed().version());
            assertEquals(10, s.committed().ledgerSchema());
            assertTrue(s.failedVersions().contains(2L));
            assertEquals(0, a.metrics().rollbacks("health") - 1);
        }
    }

    @Test
    void contractMigrationRollbackRestoresTheBackupAndTheOldBinaryRunsOnIt() throws Exception {
        try (Agent a = agent(true)) {
            installRelease1(a);
            List<String> beforeUpgrade = blocks();

            publishContractingRelease2("fail");
            CheckResult.RolledBack rb = assertInstanceOf(CheckResult.RolledBack.class, a.checkOnce());
            assertEquals(1, rb.restoredVersion());
            AgentState s = a.state();
            assertEquals(1, s.committed().version());
            assertEquals(1, a.metrics().ledgerRestores("ok"));
            List<String> calls = systemctl.calls();
            int stopTreasury = calls.lastIndexOf("stop " + TREASURY);
            int stopPool = calls.lastIndexOf("stop " + POOL);
            assertTrue(stopTreasury >= 0 && stopPool > stopTreasury, "every unit stopped (reverse order) for the restore: " + calls);
            int stopSocket = calls.lastIndexOf("stop hh-pool.socket");
            assertTrue(stopSocket >= 0 && stopSocket < stopPool && stopSocket > stopTreasury,
                    "the pool's socket unit stopped before the pool, so no miner connection starts it mid-restore: " + calls);
            assertTrue(calls.lastIndexOf("restart " + POOL) > stopPool, "then restarted: " + calls);

            // release 1 runs on the restored ledger: schema 10, release 2's writes gone, its own new write there
            assertNull(pool.ledgerError, pool.ledgerError);
            assertEquals(10, ledgerSchema());
            List<String> b = blocks();
            assertFalse(b.stream().anyMatch(h -> h.startsWith("2.0.0-r2#")), "restored to before the upgrade: " + b);
            assertTrue(b.containsAll(beforeUpgrade), b.toString());
            assertTrue(b.size() > beforeUpgrade.size(), "release 1 wrote again after the restore: " + b);
        }
    }

    @Test
    void anUpgradeAcrossAContractKilledAfterTheRestartIsRepairedByRestoringTheBackup() throws Exception {
        try (Agent a = agent(true)) {
            installRelease1(a);
        }
        publishContractingRelease2("ok");
        try (Agent crashing = agent(true, AgentIT.crashAt(CrashPoints.RESTARTED))) {
            org.junit.jupiter.api.Assertions.assertThrows(AgentIT.SimulatedCrash.class, crashing::checkOnce);
        }
        assertEquals(12, ledgerSchema(), "release 2 ran and contracted the ledger before the kill");
        try (Agent a = agent(true)) {   // the next start repairs: back to release 1, which needs the backup
            AgentState s = a.repair();
            assertEquals(1, s.committed().version());
            assertEquals(1, a.metrics().ledgerRestores("ok"));
        }
        assertEquals(10, ledgerSchema());
        assertNull(pool.ledgerError, pool.ledgerError);
        assertFalse(blocks().stream().anyMatch(h -> h.startsWith("2.0.0-r2#")), blocks().toString());
    }

    @Test
    void withoutARestoreTheOldBinaryRefusesTheContractedLedger() throws Exception {
        try (Agent a = agent(true)) {
            installRelease1(a);
            // the backup vanishes (disk cleaned by hand): the restore fails, and the old binary meets the contracted ledger
            publishContractingRelease2("fail");
            systemctl.onStop(u -> {
                (u.equals(POOL) ? pool : treasury).stopped();
                try (var files = Files.list(dir.resolve("state/ledger-backups"))) {
                    for (Path p : files.toList()) {
                        if (p.getFileName().toString().startsWith("ledger-before-r2-")) {
                            Files.delete(p);
                        }
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertInstanceOf(CheckResult.RolledBack.class, a.checkOnce());
            assertEquals(1, a.metrics().ledgerRestores("failed"));
            assertTrue(pool.ledgerError != null && pool.ledgerError.contains("contract migration V12__rename_share_windows_worker.sql"
                    + " needs a build with schema V12 or newer"), pool.ledgerError);
            assertEquals(12, ledgerSchema());
        }
    }

    @Test
    void anUpgradeThatMigratesIsRefusedWithoutABackupCommand() throws Exception {
        try (Agent a = agent(false)) {
            publish(1, "1.0.0", "ok", 10, 0, Map.of());
            CheckResult.Failed f = assertInstanceOf(CheckResult.Failed.class, a.checkOnce());
            assertTrue(f.detail().contains("migrates the ledger to schema 10") && f.detail().contains("ledger.backup-command is not set"),
                    f.detail());
            assertEquals("0.1.0-base", Files.readSymbolicLink(current).getFileName().toString(), "nothing installed");
        }
    }
}
