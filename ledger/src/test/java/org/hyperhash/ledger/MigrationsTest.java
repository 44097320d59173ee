package org.hyperhash.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
    @TempDir
    Path tmp;

    @Test
    void splitsStatementsKeepingTriggerAndDollarBodies() {
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
        List<String> st = Migrations.splitStatements(sql);
        assertEquals(3, st.size());
        assertEquals("CREATE TABLE a (x INT)", st.get(0));
        assertTrue(st.get(1).endsWith("END"), st.get(1));
        assertTrue(st.get(2).endsWith("$$"), st.get(2));
        assertThrows(LedgerException.class, () -> Migrations.splitStatements("CREATE TABLE b (x INT)"));
    }

    @Test
    void shippedMigrationsDifferPerDialectOnlyWhereNeeded() {
        List<Migrations.Migration> s = Migrations.shipped(Dialect.SQLITE);
        List<Migrations.Migration> p = Migrations.shipped(Dialect.POSTGRESQL);
        assertEquals(List.of(1, 2, 3, 4, 5, 7, 8), s.stream().map(Migrations.Migration::version).toList());
        assertEquals(s.get(0).checksumSha256(), p.get(0).checksumSha256());
        assertFalse(s.get(1).checksumSha256().equals(p.get(1).checksumSha256()));
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
