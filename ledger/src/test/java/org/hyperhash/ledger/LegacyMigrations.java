package org.hyperhash.ledger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * TEST ONLY: the pre-Flyway runner of release 0.1, kept to build ledgers exactly as that release did, so tests can
 * prove that {@link Migrations} adopts them. Original comment: the ledger's versioned schema migrations: a small
 * runner of our own rather than Flyway (Flyway is not in the
 * offline repository here, and it needs per-database plugin jars for PostgreSQL/SQLite; our needs are a dozen
 * lines of SQL). Migrations are listed in {@code migrations/index}; each resolves to a dialect-specific file
 * ({@code migrations/<dialect>/<name>.sql}) or a common one. Applied migrations are recorded in
 * {@code schema_version(version, name, checksum_sha256, applied_at_ms)}; on every start the recorded checksums must
 * equal the shipped files (an edited applied migration is an error), a database newer than this build is refused,
 * and pending migrations are applied in one transaction under a lock (PostgreSQL advisory lock, SQLite
 * {@code BEGIN IMMEDIATE}), so concurrent starts of pool and treasury are safe and re-running is a no-op.
 */
final class LegacyMigrations {
    private static final String BASE = "/org/hyperhash/ledger/migrations/";

    /** One migration as shipped in this build. */
    public record Migration(int version, String name, String sql, String checksumSha256) {
    }

    /** One row of schema_version. */
    public record Applied(int version, String name, String checksumSha256, long appliedAtMs) {
    }

    private LegacyMigrations() {
    }

    /** The migrations this build ships for {@code dialect}, in version order. */
    public static List<Migration> shipped(Dialect dialect) {
        List<Migration> out = new ArrayList<>();
        for (String name : readLines("/org/hyperhash/ledger/legacy-index")) {
            int us = name.indexOf("__");
            if (!name.startsWith("V") || us < 2) {
                throw new LedgerException("bad migration name in index: " + name);
            }
            int version = Integer.parseInt(name.substring(1, us));
            String sql = readResource(BASE + dialect.resourceDir() + "/" + name + ".sql");
            if (sql == null) {
                sql = readResource(BASE + "common/" + name + ".sql");
            }
            if (sql == null) {
                throw new LedgerException("migration " + name + " has no SQL for " + dialect);
            }
            if (!out.isEmpty() && out.getLast().version() >= version) {
                throw new LedgerException("migration versions out of order at " + name);
            }
            out.add(new Migration(version, name, sql, sha256Hex(sql)));
        }
        return out;
    }

    /** Applies pending migrations; returns how many were applied (0 when up to date). */
    public static int migrate(DataSource ds, Dialect dialect, InstantSource clock) {
        return migrate(ds, dialect, clock, java.util.Set.of(1, 2, 3, 4, 5, 7));
    }

    /** Applies the pending migrations among {@code versions} (a ledger of an older or differently merged build). */
    public static int migrate(DataSource ds, Dialect dialect, InstantSource clock, java.util.Set<Integer> versions) {
        List<Migration> shipped = shipped(dialect).stream().filter(m -> versions.contains(m.version())).toList();
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    if (dialect == Dialect.POSTGRESQL) {
                        // serialises concurrent migrators on this schema; released at commit/rollback
                        st.execute("SELECT pg_advisory_xact_lock(hashtext('hh-ledger:' || current_schema()))");
                    }
                    // SQLite: LedgerDatabase opens every transaction as BEGIN IMMEDIATE, so the write lock is already held
                    st.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, "
                            + "name TEXT NOT NULL, checksum_sha256 TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)");
                }
                Map<Integer, Applied> applied = applied(c);
                int maxShipped = shipped.isEmpty() ? 0 : shipped.getLast().version();
                for (Applied a : applied.values()) {
                    if (a.version() > maxShipped) {
                        throw new LedgerException("ledger schema version " + a.version() + " (" + a.name()
                                + ") is newer than this build (max " + maxShipped + "): upgrade hyperhash");
                    }
                }
                int count = 0;
                for (Migration m : shipped) {
                    Applied a = applied.get(m.version());
                    if (a != null) {
                        if (!a.checksumSha256().equals(m.checksumSha256())) {
                            throw new LedgerException("migration " + m.name() + " was changed after it was applied (checksum "
                                    + a.checksumSha256() + " in the database, " + m.checksumSha256() + " shipped)");
                        }
                        continue;
                    }
                    try (Statement st = c.createStatement()) {
                        for (String sql : splitStatements(m.sql())) {
                            st.execute(sql);
                        }
                    } catch (SQLException e) {
                        throw new LedgerException("migration " + m.name() + " failed: " + e.getMessage(), e);
                    }
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO schema_version (version, name, checksum_sha256, applied_at_ms) VALUES (?,?,?,?)")) {
                        ps.setInt(1, m.version());
                        ps.setString(2, m.name());
                        ps.setString(3, m.checksumSha256());
                        ps.setLong(4, clock.millis());
                        ps.executeUpdate();
                    }
                    count++;
                }
                c.commit();
                return count;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException re) {
                    e.addSuppressed(re);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new LedgerException("ledger migration failed: " + e.getMessage(), e);
        }
    }

    /** The rows of schema_version, by version. */
    public static Map<Integer, Applied> applied(Connection c) throws SQLException {
        Map<Integer, Applied> out = new TreeMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, name, checksum_sha256, applied_at_ms FROM schema_version ORDER BY version")) {
            while (rs.next()) {
                out.put(rs.getInt(1), new Applied(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
            }
        }
        return out;
    }

    /**
     * Splits a migration into statements: a statement ends at a line ending in {@code ;}, except inside a
     * PostgreSQL {@code $$} body or an SQLite {@code CREATE TRIGGER ... END;} block.
     */
    static List<String> splitStatements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : sql.split("\n")) {
            String t = line.strip();
            if (cur.isEmpty() && (t.isEmpty() || t.startsWith("--"))) {
                continue;
            }
            cur.append(line).append('\n');
            if (!t.endsWith(";")) {
                continue;
            }
            String s = cur.toString().strip();
            String upper = s.toUpperCase(Locale.ROOT);
            boolean openDollar = (s.split("\\$\\$", -1).length - 1) % 2 == 1;
            boolean openTrigger = upper.startsWith("CREATE TRIGGER") && upper.contains("BEGIN") && !upper.endsWith("END;");
            if (openDollar || openTrigger) {
                continue;
            }
            out.add(s.substring(0, s.length() - 1));
            cur.setLength(0);
        }
        if (!cur.toString().isBlank()) {
            throw new LedgerException("migration has an unterminated statement: " + cur.toString().strip());
        }
        return out;
    }

    private static List<String> readLines(String resource) {
        String text = readResource(resource);
        if (text == null) {
            throw new LedgerException("missing resource " + resource);
        }
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) {
            String t = l.strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(t);
            }
        }
        return out;
    }

    private static String readResource(String resource) {
        try (InputStream in = LegacyMigrations.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            StringBuilder b = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    b.append(line).append('\n');
                }
            }
            return b.toString();
        } catch (IOException e) {
            throw new LedgerException("cannot read " + resource + ": " + e.getMessage(), e);
        }
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
