package org.hyperhash.treasury;

import org.hyperhash.ledger.LedgerDatabase;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Test ledgers on SQLite (temp file) and PostgreSQL ({@code HH_PG_URL}, default 127.0.0.1:5432/test as postgres),
 * each PostgreSQL run in its own schema, dropped on close. With {@code CI=true} an unreachable PostgreSQL fails the
 * test; otherwise the test is skipped with the reason printed.
 */
public final class TestLedgers implements AutoCloseable {
    static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    public final String url;
    private final String pgBaseUrl;
    private final String schema;

    private TestLedgers(String url, String pgBaseUrl, String schema) {
        this.url = url;
        this.pgBaseUrl = pgBaseUrl;
        this.schema = schema;
    }

    public static TestLedgers create(String dialect, Path tempDir) {
        if (dialect.equals("sqlite")) {
            return new TestLedgers("jdbc:sqlite:" + tempDir.resolve("ledger-" + System.nanoTime() + ".db"), null, null);
        }
        String base = System.getenv().getOrDefault("HH_PG_URL", DEFAULT_PG_URL);
        DriverManager.setLoginTimeout(5);
        try (Connection c = DriverManager.getConnection(base)) {
            c.isValid(2);
        } catch (SQLException e) {
            String reason = "PostgreSQL at " + LedgerDatabase.redactUrl(base) + " unreachable: " + e.getMessage();
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(reason + " (CI=true: PostgreSQL tests must run)", e);
            }
            System.out.println("SKIP: " + reason);
            Assumptions.abort(reason);
        }
        byte[] r = new byte[6];
        ThreadLocalRandom.current().nextBytes(r);
        String schema = "hh_test_" + HexFormat.of().formatHex(r);
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new TestLedgers(url, base, schema);
    }

    public LedgerDatabase open() {
        return LedgerDatabase.open(url, LedgerDatabase.Options.defaults(), InstantSource.system());
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
