package org.hyperhash.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ledger schema and the pool's stores on SQLite and PostgreSQL. */
class LedgerDatabaseIT {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void migratesOnceAndRecordsChecksums(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            try (LedgerDatabase db = t.open()) {
                assertEquals(dialect.equals("sqlite") ? Dialect.SQLITE : Dialect.POSTGRESQL, db.dialect());
                assertEquals(List.of("1", "2", "3", "4", "5", "7", "8", "9", "10"), historyVersions(db));
                try (Connection c = db.dataSource().getConnection()) {
                    assertEquals(new Migrations.SchemaState(10, 0), Migrations.state(c));
                }
                assertEquals(0, Migrations.migrate(db.dataSource(), db.dialect(), t.url, List.of()), "second run is a no-op");
                assertTrue(db.isReachable());
            }
            try (LedgerDatabase again = t.open()) {
                assertTrue(again.isReachable());
            }
            assertTrue(LedgerDatabase.isInitialised(t.url));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void refusesEditedMigrationOrUnrecordedNewerSchema(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            try (LedgerDatabase db = t.open(); Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE flyway_schema_history SET checksum = 12345 WHERE version = '1'");
            }
            LedgerException e = assertThrows(LedgerException.class, t::open);
            assertTrue(e.getMessage().contains("checksum mismatch for migration version 1"), e.getMessage());
        }
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            try (LedgerDatabase db = t.open(); Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                // a future migration with no expand/contract record (written by something other than a hyperhash build)
                st.executeUpdate("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                        + " installed_by, execution_time, success) VALUES (99, '999', 'future', 'SQL', 'V999__future.sql', 1, 'x', 0, "
                        + (dialect.equals("sqlite") ? "1" : "true") + ")");
            }
            LedgerException e = assertThrows(LedgerException.class, t::open);
            assertTrue(e.getMessage().contains("V999__future.sql has no expand/contract record"), e.getMessage());
        }
    }

    static List<String> historyVersions(LedgerDatabase db) throws SQLException {
        List<String> out = new java.util.ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM flyway_schema_history WHERE success AND type <> 'BASELINE'"
                     + " ORDER BY installed_rank")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void concurrentOpensMigrateOnce(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            ExecutorService ex = Executors.newFixedThreadPool(3);
            try {
                List<Callable<LedgerDatabase>> opens = List.of(t::open, t::open, t::open);
                for (Future<LedgerDatabase> f : ex.invokeAll(opens)) {
                    f.get().close();
                }
            } finally {
                ex.shutdownNow();
            }
            try (LedgerDatabase db = t.open()) {
                assertEquals(List.of("1", "2", "3", "4", "5", "7", "8", "9", "10"), historyVersions(db));
            }
        }
    }

    /** V9 on a ledger that already has share windows (a V8 ledger upgraded): the rollup starts with their sums. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void workerHoursMigrationBackfillsExistingWindows(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp)) {
            try (LedgerDatabase db = t.open(); Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                new ShareWindowStore(db).upsertBatch(List.of(new ShareWindow("p1", 3_600_000, "bc1qa", "w1", 3, 1.5),
                        new ShareWindow("p1", 3_610_000, "bc1qa", "w1", 2, 2.0), new ShareWindow("p1", 7_200_000, "bc1qa", "w1", 1, 4.0),
                        new ShareWindow("p2", 3_620_000, "bc1qa", "w1", 7, 7.0)));
                // back to a V8 ledger: the windows without their rollup
                st.execute("DROP TABLE worker_rejects");
                st.execute("DROP TABLE worker_hours");
                st.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '9'");
                st.executeUpdate("DELETE FROM ledger_schema_compat WHERE version = 9");
            }
            try (LedgerDatabase db = t.open()) {
                List<WorkerHour> hours = new ShareWindowStore(db).hoursByAddress("bc1qa", 10);
                assertEquals(List.of(new WorkerHour("p1", 7_200_000, "bc1qa", "w1", 1, 4.0, 0, 0, 7_200_000, 7_200_000),
                        new WorkerHour("p1", 3_600_000, "bc1qa", "w1", 5, 3.5, 0, 0, 3_600_000, 3_610_000),
                        new WorkerHour("p2", 3_600_000, "bc1qa", "w1", 7, 7.0, 0, 0, 3_620_000, 3_620_000)), hours);
                assertTrue(new ShareWindowStore(db).rejectsByAddress("bc1qa", 10).isEmpty());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void shareWindowsUpsertAdds(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            ShareWindowStore s = new ShareWindowStore(db);
            s.upsertBatch(List.of(new ShareWindow("p1", 60_000, "bc1qa", "w1", 3, 1.5),
                    new ShareWindow("p1", 60_000, "bc1qa", "w2", 1, 0.25)));
            s.upsertBatch(List.of(new ShareWindow("p1", 60_000, "bc1qa", "w1", 2, 2.0),
                    new ShareWindow("p1", 120_000, "bc1qa", "w1", 1, 8.0)));
            List<ShareWindow> rows = s.byAddress("bc1qa", 10);
            assertEquals(List.of(new ShareWindow("p1", 120_000, "bc1qa", "w1", 1, 8.0),
                    new ShareWindow("p1", 60_000, "bc1qa", "w1", 5, 3.5),
                    new ShareWindow("p1", 60_000, "bc1qa", "w2", 1, 0.25)), rows);
            List<ShareWindow> seen = new java.util.ArrayList<>();
            s.forEachNewestFirst(60_000, seen::add);
            List<ShareWindow> first = new java.util.ArrayList<>();
            s.forEachNewestFirst(120_000, w -> first.add(w) && false);
            assertEquals(1, first.size());
            assertEquals(120_000, first.getFirst().windowStartMs());
            assertEquals(2, seen.size());
            assertEquals(2, s.countBefore(ShareWindowStore.Prunable.SHARE_WINDOWS, 120_000));
            assertEquals(1, s.deleteBatch(ShareWindowStore.Prunable.SHARE_WINDOWS, 120_000, 1), "a batch of one");
            assertEquals(1, s.deleteBatch(ShareWindowStore.Prunable.SHARE_WINDOWS, 120_000, 5), "the rest");
            assertEquals(0, s.deleteBatch(ShareWindowStore.Prunable.SHARE_WINDOWS, 120_000, 5));
            assertEquals(List.of(new ShareWindow("p1", 120_000, "bc1qa", "w1", 1, 8.0)), s.byAddress("bc1qa", 10), "newer row kept");
            s.upsertBatch(List.of(), List.of(new WorkerHour("p1", 0, "bc1qa", "w1", 1, 1.0, 1.0, 1, 1, 1),
                    new WorkerHour("p1", 3_600_000, "bc1qa", "w1", 1, 1.0, 1.0, 1, 1, 1)),
                    List.of(new WorkerReject("p1", 0, "bc1qa", "w1", "stale_share", 1),
                            new WorkerReject("p1", 3_600_000, "bc1qa", "w1", "stale_share", 1)));
            assertEquals(1, s.deleteBatch(ShareWindowStore.Prunable.WORKER_HOURS, 3_600_000, 10));
            assertEquals(1, s.deleteBatch(ShareWindowStore.Prunable.WORKER_REJECTS, 3_600_000, 10));
            assertEquals(1, s.hoursByAddress("bc1qa", 10).size());
            assertEquals(3_600_000, s.rejectsByAddress("bc1qa", 10).getFirst().hourStartMs());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void foundBlocksInsertIdempotentAndUpdate(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            FoundBlockStore s = new FoundBlockStore(db, InstantSource.fixed(java.time.Instant.ofEpochMilli(5_000)));
            FoundBlock b = new FoundBlock("00ab", 100, 1_000, "p1", "bc1qa", "w1", 312_500_000L, 1.5e13,
                    BlockStatus.SUBMITTED, null, 1_000);
            assertTrue(s.insertFound(b));
            assertFalse(s.insertFound(b), "second insert of the same hash is a no-op");
            assertTrue(s.updateStatus("00ab", BlockStatus.ACCEPTED, "null"));
            assertFalse(s.updateStatus("ffff", BlockStatus.ACCEPTED, null));
            FoundBlock got = s.find("00ab").orElseThrow();
            assertEquals(BlockStatus.ACCEPTED, got.status());
            assertEquals("null", got.submitResult());
            assertEquals(5_000, got.updatedAtMs());
            assertEquals(1.5e13, got.networkDifficulty());
            assertEquals(List.of(got), s.listByStatus(Set.of(BlockStatus.ACCEPTED, BlockStatus.CONFIRMED)));
            assertEquals(List.of(), s.listByStatus(Set.of(BlockStatus.MATURED)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void ledgerEntriesAreAppendOnly(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open();
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("INSERT INTO ledger_entries (account, kind, amount_msat, ref, created_at_ms) VALUES ('a','adjustment',5,'r',0)");
            assertThrows(SQLException.class, () -> st.executeUpdate("UPDATE ledger_entries SET amount_msat = 6"));
            assertThrows(SQLException.class, () -> st.executeUpdate("DELETE FROM ledger_entries"));
            assertThrows(SQLException.class, () -> st.executeUpdate(
                    "INSERT INTO ledger_entries (account, kind, amount_msat, ref, created_at_ms) VALUES ('a','bogus',5,'r2',0)"));
            try (ResultSet rs = st.executeQuery("SELECT SUM(amount_msat) FROM ledger_entries")) {
                rs.next();
                assertEquals(5, rs.getLong(1));
            }
        }
    }
}
