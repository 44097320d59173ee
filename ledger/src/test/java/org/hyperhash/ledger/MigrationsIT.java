package org.hyperhash.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flyway adoption of ledgers made by the pre-Flyway runner, and the expand/contract rule: an older build runs on a
 * newer build's schema when the newer migrations only expanded it, and refuses, naming the migration, after a contract.
 */
class MigrationsIT {
    static final String TM = "classpath:org/hyperhash/ledger/test-migrations/";
    /** "Release N": this build plus an expand-only V11. */
    static final List<String> N = List.of(TM + "expand");
    /** "Release N+1": V11 and a contract V12 (renames a column builds before 12 use). */
    static final List<String> N_PLUS_1 = List.of(TM + "expand", TM + "contract");

    @TempDir
    Path tmp;

    /** A ledger built by the pre-Flyway runner with {@code versions}, with one share window in it. */
    static void legacyLedger(TestLedgers t, Set<Integer> versions) throws SQLException {
        Dialect d = Dialect.fromJdbcUrl(t.url);
        if (d == Dialect.POSTGRESQL) {
            LedgerDatabase.open(t.url).close(); // creates the schema (and a Flyway ledger): start from an empty schema again
            try (Connection c = java.sql.DriverManager.getConnection(t.url); Statement st = c.createStatement()) {
                String schema = t.url.replaceAll(".*currentSchema=", "");
                st.execute("DROP SCHEMA " + schema + " CASCADE");
                st.execute("CREATE SCHEMA " + schema);
            }
        }
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(t.url);
        hc.setMaximumPoolSize(1);
        try (HikariDataSource ds = new HikariDataSource(hc)) {
            assertEquals(versions.size(), LegacyMigrations.migrate(ds, d, InstantSource.system(), versions));
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO share_windows VALUES ('p1', 60000, 'bc1qold', 'w1', 3, 1.5)");
            }
        }
    }

    static long legacyRows(LedgerDatabase db) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM schema_version")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void adoptsALedgerOfThePreFlywayRunnerAtV7(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            legacyLedger(t, Set.of(1, 2, 3, 4, 5, 7));
            try (LedgerDatabase db = t.open()) {
                assertEquals(List.of("1", "2", "3", "4", "5", "7", "8", "9", "10"), LedgerDatabaseIT.historyVersions(db));
                assertEquals(1, new ShareWindowStore(db).byAddress("bc1qold", 10).size(), "data kept");
                assertEquals(6, legacyRows(db), "schema_version left as it was (the pre-Flyway release can still run)");
                new ShareWindowStore(db).upsertBatch(List.of(new ShareWindow("p1", 120_000, "bc1qold", "w1", 1, 1.0)));
            }
            try (LedgerDatabase db = t.open()) {
                assertEquals(0, Migrations.migrate(db.dataSource(), db.dialect(), t.url, List.of()), "adopted once");
                assertEquals(2, new ShareWindowStore(db).byAddress("bc1qold", 10).size());
            }
            // the pre-Flyway release (rollback across this upgrade) still runs on the adopted ledger: V8 is expand-only
            HikariConfig hc = new HikariConfig();
            hc.setJdbcUrl(t.url);
            try (HikariDataSource ds = new HikariDataSource(hc)) {
                assertEquals(0, LegacyMigrations.migrate(ds, Dialect.fromJdbcUrl(t.url), InstantSource.system()));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void adoptsAMidVersionLedgerAndRunsTheRestIncludingAnOutOfOrderV5(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            legacyLedger(t, Set.of(1, 2, 3));
            try (LedgerDatabase db = t.open()) {
                assertEquals(List.of("1", "2", "3", "4", "5", "7", "8", "9", "10"), LedgerDatabaseIT.historyVersions(db));
                assertEquals(1, new ShareWindowStore(db).byAddress("bc1qold", 10).size());
                new FoundBlockStore(db, InstantSource.system()); // V4 column exists: distributions are written by the treasury
            }
        }
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            legacyLedger(t, Set.of(1, 2, 3, 4, 7)); // a build that had the web indexes (V7) merged before the leases (V5)
            try (LedgerDatabase db = t.open()) {
                assertEquals(List.of("1", "2", "3", "4", "7", "5", "8", "9", "10"), LedgerDatabaseIT.historyVersions(db));
                try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM leases")) {
                    assertTrue(rs.next(), "V5 ran out of order");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void concurrentOpensAdoptOnceAndAnInterruptedAdoptionIsFinished(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            legacyLedger(t, Set.of(1, 2, 3, 4, 5, 7));
            java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(3);
            try {
                List<java.util.concurrent.Callable<LedgerDatabase>> opens = List.of(t::open, t::open, t::open);
                for (java.util.concurrent.Future<LedgerDatabase> f : ex.invokeAll(opens)) {
                    f.get().close();
                }
            } finally {
                ex.shutdownNow();
            }
            try (LedgerDatabase db = t.open()) {
                assertEquals(List.of("1", "2", "3", "4", "5", "7", "8", "9", "10"), LedgerDatabaseIT.historyVersions(db));
            }
        }
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            legacyLedger(t, Set.of(1, 2, 3, 4, 5, 7));
            // a crash after the baseline row, before the adopted rows: the next open writes them
            HikariConfig hc = new HikariConfig();
            hc.setJdbcUrl(t.url);
            try (HikariDataSource ds = new HikariDataSource(hc)) {
                org.flywaydb.core.Flyway fw = Migrations.flyway(ds, Dialect.fromJdbcUrl(t.url), List.of());
                org.flywaydb.core.Flyway.configure(Migrations.class.getClassLoader()).configuration(fw.getConfiguration())
                        .baselineVersion("0").load().baseline();
            }
            try (LedgerDatabase db = t.open()) {
                assertEquals(List.of("1", "2", "3", "4", "5", "7", "8", "9", "10"), LedgerDatabaseIT.historyVersions(db));
                assertEquals(1, new ShareWindowStore(db).byAddress("bc1qold", 10).size());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void adoptionRefusesAnEditedOrUnknownLegacyMigration(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            legacyLedger(t, Set.of(1, 2, 3, 4, 5, 7));
            try (Connection c = java.sql.DriverManager.getConnection(t.url); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE schema_version SET checksum_sha256 = 'x' WHERE version = 1");
            }
            LedgerException e = assertThrows(LedgerException.class, t::open);
            assertTrue(e.getMessage().contains("V1__pool_accounting was changed"), e.getMessage());
            try (Connection c = java.sql.DriverManager.getConnection(t.url); Statement st = c.createStatement()) {
                assertTrue(!Migrations.tableExists(c, Migrations.HISTORY), "nothing written");
                st.executeUpdate("UPDATE schema_version SET checksum_sha256 = '"
                        + Migrations.sha256Hex(Migrations.legacyText(Migrations.readScript(Dialect.fromJdbcUrl(t.url), List.of(),
                        "V1__pool_accounting.sql"))) + "' WHERE version = 1");
                st.executeUpdate("INSERT INTO schema_version VALUES (999, 'V1099__future', 'y', 0)");
            }
            e = assertThrows(LedgerException.class, t::open);
            assertTrue(e.getMessage().contains("newer than this build"), e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void anOlderBuildRunsOnANewerExpandedSchema(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            try (LedgerDatabase n = open(t, N)) {   // release N migrates to V11 (expand) and writes
                assertEquals(11, Migrations.buildSchema(n.dialect(), N));
                new ShareWindowStore(n).upsertBatch(List.of(new ShareWindow("p1", 60_000, "bc1qa", "w1", 2, 2.0)));
                try (Connection c = n.dataSource().getConnection()) {
                    assertEquals(new Migrations.SchemaState(11, 0), Migrations.state(c));
                }
            }
            try (LedgerDatabase old = open(t, List.of())) {   // rolled back to release N-1 (schema 10): runs on it
                ShareWindowStore s = new ShareWindowStore(old);
                s.upsertBatch(List.of(new ShareWindow("p1", 60_000, "bc1qa", "w1", 1, 1.0)));
                assertEquals(List.of(new ShareWindow("p1", 60_000, "bc1qa", "w1", 3, 3.0)), s.byAddress("bc1qa", 10));
                assertEquals(List.of("1", "2", "3", "4", "5", "7", "8", "9", "10", "11"), LedgerDatabaseIT.historyVersions(old));
            }
            try (LedgerDatabase n = open(t, N)) {   // and release N again: nothing to do
                assertEquals(0, Migrations.migrate(n.dataSource(), n.dialect(), t.url, N));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aContractMigrationMakesOlderBuildsRefuseWithTheReason(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            open(t, N_PLUS_1).close();
            for (List<String> older : List.of(List.<String>of(), N)) {
                LedgerException e = assertThrows(LedgerException.class, () -> open(t, older));
                int build = Migrations.buildSchema(Dialect.fromJdbcUrl(t.url), older);
                assertTrue(e.getMessage().contains("ledger schema V12 is newer than this build (V" + build + "): contract migration"
                        + " V12__rename_share_windows_worker.sql needs a build with schema V12 or newer"), e.getMessage());
                assertTrue(e.getMessage().contains("restore the ledger backup"), e.getMessage());
            }
            try (LedgerDatabase db = open(t, N_PLUS_1); Connection c = db.dataSource().getConnection()) {
                assertEquals(new Migrations.SchemaState(12, 12), Migrations.state(c));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aMigrationWithoutMarkerIsRefusedBeforeAnythingRuns(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            LedgerException e = assertThrows(LedgerException.class, () -> open(t, List.of(TM + "unmarked")));
            assertTrue(e.getMessage().contains("V11__no_marker.sql must start with '-- compat: expand'"), e.getMessage());
            assertTrue(!LedgerDatabase.isInitialised(t.url), "nothing migrated");
        }
    }

    static LedgerDatabase open(TestLedgers t, List<String> extra) {
        return LedgerDatabase.open(t.url, LedgerDatabase.Options.defaults(), InstantSource.system(), extra);
    }
}
