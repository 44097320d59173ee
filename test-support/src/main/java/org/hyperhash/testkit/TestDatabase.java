package org.hyperhash.testkit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh JDBC database for one test: a SQLite file in the test's temp dir, or a new schema on PostgreSQL
 * ({@code HH_PG_URL}, default {@value #DEFAULT_PG_URL}) dropped on close. An unreachable PostgreSQL fails
 * the test when {@code CI=true} (PostgreSQL tests never skip in CI); elsewhere it is skipped with the
 * reason printed.
 */
public final class TestDatabase implements AutoCloseable {
    public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    /** The JDBC URL to open (for PostgreSQL it selects the test's own schema). */
    public final String url;
    private final String pgBaseUrl;
    private final String schema;

    private TestDatabase(String url, String pgBaseUrl, String schema) {
        this.url = url;
        this.pgBaseUrl = pgBaseUrl;
        this.schema = schema;
    }

    /** {@code dialect} is "sqlite" or "postgresql"; {@code schemaPrefix} names the schema, e.g. "hh_test_". */
    public static TestDatabase create(String dialect, Path tempDir, String schemaPrefix) {
        if (dialect.equals("sqlite")) {
            return new TestDatabase("jdbc:sqlite:" + tempDir.resolve("ledger-" + System.nanoTime() + ".db"), null, null);
        }
        if (!dialect.equals("postgresql")) {
            throw new IllegalArgumentException("dialect must be sqlite or postgresql, got " + dialect);
        }
        String base = System.getenv().getOrDefault("HH_PG_URL", DEFAULT_PG_URL);
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection(base)) {
            c.isValid(2);
        } catch (SQLException e) {
            String reason = "PostgreSQL at " + redact(base) + " unreachable: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason + " (CI=true: PostgreSQL tests must run)", e);
            }
            System.out.println("SKIP: " + reason);
            Assumptions.abort(reason);
        }
        byte[] r = new byte[6];
        ThreadLocalRandom.current().nextBytes(r);
        String schema = schemaPrefix + HexFormat.of().formatHex(r);
        return new TestDatabase(base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema, base, schema);
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1<redacted>").replaceAll("//[^/@]*@", "//<redacted>@");
    }

    @Override
    public void close() throws SQLException {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(pgBaseUrl); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
