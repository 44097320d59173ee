package org.hyperhash.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    @TempDir
    Path tmp;

    @Test
    void splitsStatementsKeepingTriggerAndDollarBodies() {
        // the pre-Flyway runner's splitter (LegacyMigrations builds old ledgers with it)
        String sql = """
                -- comment
                CREATE TABLE a (x INT);
                CREATE TRIGGER t BEFORE UPDATE ON a
                BEGIN
                    SELECT RAISE(ABORT, 'no');
                END;
                CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'no';
                END;
                $$;
                """;
        List<String> st = LegacyMigrations.splitStatements(sql);
        assertEquals(3, st.size());
        assertEquals("CREATE TABLE a (x INT)", st.get(0));
        assertTrue(st.get(1).endsWith("END"), st.get(1));
        assertTrue(st.get(2).endsWith("$$"), st.get(2));
        assertThrows(LedgerException.class, () -> LegacyMigrations.splitStatements("CREATE TABLE b (x INT)"));
    }

    @Test
    void shippedMigrationsDifferPerDialectOnlyWhereNeeded() {
        Map<Integer, String> s = Migrations.shipped(Dialect.SQLITE, List.of());
        Map<Integer, String> p = Migrations.shipped(Dialect.POSTGRESQL, List.of());
        assertEquals(List.of(1, 2, 3, 4, 5, 7, 8, 9, 10), List.copyOf(s.keySet()));
        assertEquals(s, p, "same scripts, per-dialect text");
        assertEquals(10, Migrations.buildSchema(Dialect.SQLITE, List.of()));
        assertEquals(new Migrations.SchemaState(10, 0), Migrations.buildCompat(), "what `hh version` prints for manifests");
        assertEquals(Migrations.readScript(Dialect.SQLITE, List.of(), s.get(1)), Migrations.readScript(Dialect.POSTGRESQL, List.of(), s.get(1)));
        assertNotEquals(Migrations.readScript(Dialect.SQLITE, List.of(), s.get(2)), Migrations.readScript(Dialect.POSTGRESQL, List.of(), s.get(2)));
    }

    @Test
    void everyMigrationFromV8CarriesAnExpandOrContractMarker() {
        for (Dialect d : Dialect.values()) {
            Migrations.shipped(d, List.of()).forEach((v, script) ->
                    assertEquals(v < Migrations.POLICY_FROM ? Migrations.Compat.EXPAND.contract() : false,
                            Migrations.compatOf(v, script, Migrations.readScript(d, List.of(), script)).contract(), script));
        }
        assertEquals(new Migrations.Compat(true, 10), Migrations.compatOf(10, "V10__x.sql", "-- compat: contract 10\nDROP TABLE x;"));
        assertEquals(new Migrations.Compat(false, 0), Migrations.compatOf(9, "V9__x.sql", "\n-- compat: expand\nALTER TABLE x;"));
        LedgerException none = assertThrows(LedgerException.class, () -> Migrations.compatOf(9, "V9__x.sql", "ALTER TABLE x;"));
        assertTrue(none.getMessage().contains("V9__x.sql must start with '-- compat: expand'"), none.getMessage());
        LedgerException range = assertThrows(LedgerException.class,
                () -> Migrations.compatOf(9, "V9__x.sql", "-- compat: contract 12\nDROP TABLE x;"));
        assertTrue(range.getMessage().contains("must be between 8 and its own version 9"), range.getMessage());
    }

    @Test
    void sqlitePragmasAreSet() throws Exception {
        try (LedgerDatabase db = LedgerDatabase.open("jdbc:sqlite:" + tmp.resolve("p.db"));
             Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            assertEquals("wal", one(st, "PRAGMA journal_mode"));
            assertEquals("1", one(st, "PRAGMA foreign_keys"));
            assertEquals("10000", one(st, "PRAGMA busy_timeout"));
            assertEquals("2", one(st, "PRAGMA synchronous"), "FULL");
        }
    }

    @Test
    void rejectsUnknownUrlsWithoutEchoingSecrets() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LedgerDatabase.open("jdbc:mysql://u:hunter2@h/db"));
        assertFalse(e.getMessage().contains("hunter2"));
        assertEquals("jdbc:postgresql://h/db?user=x&password=<redacted>",
                LedgerDatabase.redactUrl("jdbc:postgresql://h/db?user=x&password=hunter2"));
    }

    private static String one(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
