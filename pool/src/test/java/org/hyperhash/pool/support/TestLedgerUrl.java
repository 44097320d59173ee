package org.hyperhash.pool.support;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.hyperhash.ledger.LedgerDatabase;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh ledger for one pool IT: a SQLite file, or a new schema on PostgreSQL ({@code HH_PG_URL}, default
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}) dropped on close. An unreachable PostgreSQL
 * aborts (skips) the test, or fails it when {@code CI=true}.
 */
public final class TestLedgerUrl implements AutoCloseable {
    public static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    public final String url;
    private final String pgBase;
    private final String schema;

    private TestLedgerUrl(String url, String pgBase, String schema) {
        this.url = url;
        this.pgBase = pgBase;
        this.schema = schema;
    }

    /** {@code dialect} is "sqlite" or "postgresql". */
    public static TestLedgerUrl create(String dialect, Path dir) {
        if (dialect.equals("sqlite")) {
            return new TestLedgerUrl("jdbc:sqlite:" + dir.resolve("ledger-" + System.nanoTime() + ".db"), null, null);
        }
        String base = System.getenv().getOrDefault("HH_PG_URL", DEFAULT_PG_URL);
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection(base)) {
            c.isValid(2);
        } catch (SQLException e) {
            String why = "PostgreSQL at " + LedgerDatabase.redactUrl(base) + " unreachable: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(why + " (CI=true: PostgreSQL tests must run)", e);
            }
            System.out.println("SKIP: " + why);
            Assumptions.abort(why);
        }
        byte[] r = new byte[6];
        ThreadLocalRandom.current().nextBytes(r);
        String schema = "hh_pool_it_" + HexFormat.of().formatHex(r);
        return new TestLedgerUrl(base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema, base, schema);
    }

    @Override
    public void close() throws SQLException {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(pgBase); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
