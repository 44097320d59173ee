package org.hyperhash.ledger;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared ledger database (pool accounting + treasury): a HikariCP pool over SQLite (default; WAL, FULL sync,
 * busy timeout, foreign keys, {@code BEGIN IMMEDIATE} transactions) or PostgreSQL, migrated to the latest schema
 * on open. A PostgreSQL URL may carry {@code currentSchema=name}; that schema is created if missing.
 */
public final class LedgerDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LedgerDatabase.class);
    private static final Pattern CURRENT_SCHEMA = Pattern.compile("[?&]currentSchema=([^&]*)");
    private static final Pattern SAFE_IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    /**
     * Pool and driver settings.
     *
     * @param maxPoolSize          connections (SQLite: readers run in parallel under WAL, writers serialise)
     * @param connectionTimeout    how long a caller waits for a pooled connection
     * @param sqliteBusyTimeout    how long SQLite waits for the write lock before SQLITE_BUSY
     */
    public record Options(int maxPoolSize, Duration connectionTimeout, Duration sqliteBusyTimeout) {
        public Options {
            if (maxPoolSize < 1) {
                throw new IllegalArgumentException("maxPoolSize must be >= 1, got " + maxPoolSize);
            }
        }

        public static Options defaults() {
            return new Options(4, Duration.ofSeconds(30), Duration.ofSeconds(10));
        }
    }

    /**
     * A check run on the committing connection just before every commit of a {@link #fenced} view; throwing an
     * SQLException rolls the transaction back instead (lease fencing: the write happens only while the token holds).
     */
    @FunctionalInterface
    public interface CommitCheck {
        void check(Connection c) throws SQLException;
    }

    private final HikariDataSource pool;
    private final DataSource dataSource;
    private final Dialect dialect;
    private final String redactedUrl;
    private final String jdbcUrl;
    private final Options options;
    private final boolean view;

    private LedgerDatabase(HikariDataSource pool, DataSource dataSource, Dialect dialect, String redactedUrl, String jdbcUrl,
                           Options options, boolean view) {
        this.pool = pool;
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.redactedUrl = redactedUrl;
        this.jdbcUrl = jdbcUrl;
        this.options = options;
        this.view = view;
    }

    /**
     * A view of this ledger (same connection pool) whose every commit first runs {@code check} on the committing
     * connection, in the same transaction; a failing check rolls the transaction back and the caller gets a
     * {@link LedgerException}. Closing the view does nothing; close the ledger it came from.
     */
    public LedgerDatabase fenced(CommitCheck check) {
        return new LedgerDatabase(pool, new FencedDataSource(pool, check), dialect, redactedUrl, jdbcUrl, options, true);
    }

    /**
     * A new connection outside the pool, for work that must not wait behind pooled transactions (lease renewal).
     * PostgreSQL: connect and socket timeouts of {@code timeout}, so a stalled network fails the call instead of
     * hanging it. The caller closes it.
     */
    public Connection dedicatedConnection(Duration timeout) throws SQLException {
        Properties p = new Properties();
        int secs = (int) Math.max(1, timeout.toSeconds());
        if (dialect == Dialect.SQLITE) {
            p.setProperty("journal_mode", "WAL");
            p.setProperty("synchronous", "FULL");
            p.setProperty("foreign_keys", "true");
            p.setProperty("busy_timeout", Long.toString(options.sqliteBusyTimeout().toMillis()));
            p.setProperty("transaction_mode", "IMMEDIATE");
        } else {
            p.setProperty("connectTimeout", Integer.toString(secs));
            p.setProperty("socketTimeout", Integer.toString(secs));
            p.setProperty("loginTimeout", Integer.toString(secs));
            p.setProperty("tcpKeepAlive", "true");
        }
        return DriverManager.getConnection(jdbcUrl, p);
    }

    /** Opens (creating if needed) and migrates the ledger at {@code jdbcUrl} with default options. */
    public static LedgerDatabase open(String jdbcUrl) {
        return open(jdbcUrl, Options.defaults(), InstantSource.system());
    }

    /** Opens (creating if needed) and migrates the ledger at {@code jdbcUrl}. */
    public static LedgerDatabase open(String jdbcUrl, Options options, InstantSource clock) {
        return open(jdbcUrl, options, clock, List.of());
    }

    /**
     * Opens and migrates with this build's migrations plus {@code extraMigrationLocations} (Flyway locations,
     * {@code classpath:} or {@code filesystem:}): tests use it to play a newer or older release's schema.
     */
    public static LedgerDatabase open(String jdbcUrl, Options options, InstantSource clock, List<String> extraMigrationLocations) {
        Dialect dialect = Dialect.fromJdbcUrl(jdbcUrl);
        String redacted = redactUrl(jdbcUrl);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("hh-ledger");
        hc.setJdbcUrl(jdbcUrl);
        hc.setMaximumPoolSize(options.maxPoolSize());
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(Math.max(250, options.connectionTimeout().toMillis()));
        hc.setInitializationFailTimeout(-1);
        if (dialect == Dialect.SQLITE) {
            Properties p = new Properties();
            p.setProperty("journal_mode", "WAL");
            p.setProperty("synchronous", "FULL");
            p.setProperty("foreign_keys", "true");
            p.setProperty("busy_timeout", Long.toString(options.sqliteBusyTimeout().toMillis()));
            p.setProperty("transaction_mode", "IMMEDIATE");
            hc.setDataSourceProperties(p);
        } else {
            ensureSchema(jdbcUrl, redacted);
        }
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new LedgerException("cannot open ledger " + redacted + ": " + e.getMessage(), e);
        }
        try {
            int applied = Migrations.migrate(ds, dialect, jdbcUrl, extraMigrationLocations);
            if (applied > 0) {
                LOG.info("ledger {}: applied {} migration(s)", redacted, applied);
            }
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new LedgerDatabase(ds, ds, dialect, redacted, jdbcUrl, options, false);
    }

    /**
     * True when {@code jdbcUrl} holds an initialised ledger (Flyway's history, or the pre-Flyway {@code schema_version},
     * exists). Creates nothing:
     * a missing SQLite file is not opened (opening would create it), a PostgreSQL schema is only queried. Commands that
     * must not create a ledger check this first.
     */
    public static boolean isInitialised(String jdbcUrl) {
        Dialect dialect = Dialect.fromJdbcUrl(jdbcUrl);
        String redacted = redactUrl(jdbcUrl);
        if (dialect == Dialect.SQLITE) {
            String file = jdbcUrl.substring("jdbc:sqlite:".length());
            int q = file.indexOf('?');
            file = q >= 0 ? file.substring(0, q) : file;
            if (file.startsWith("file:")) {
                file = file.substring(5);
            }
            if (file.isEmpty() || file.equals(":memory:") || !java.nio.file.Files.isRegularFile(java.nio.file.Path.of(file))) {
                return false;
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT 1 FROM sqlite_master WHERE type = 'table'"
                         + " AND name IN ('" + Migrations.HISTORY + "', 'schema_version')")) {
                return rs.next();
            } catch (SQLException e) {
                throw new LedgerException("cannot read ledger " + redacted + ": " + e.getMessage(), e);
            }
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT to_regclass('" + Migrations.HISTORY + "') IS NOT NULL"
                     + " OR to_regclass('schema_version') IS NOT NULL")) {
            return rs.next() && rs.getBoolean(1);
        } catch (SQLException e) {
            throw new LedgerException("cannot reach ledger " + redacted + ": " + e.getMessage(), e);
        }
    }

    private static void ensureSchema(String jdbcUrl, String redacted) {
        Matcher m = CURRENT_SCHEMA.matcher(jdbcUrl);
        if (!m.find()) {
            return;
        }
        String schema = m.group(1);
        if (!SAFE_IDENT.matcher(schema).matches()) {
            throw new IllegalArgumentException("ledger url currentSchema must be an identifier [A-Za-z_][A-Za-z0-9_]*, got '" + schema + "'");
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement st = c.createStatement()) {
            // CREATE SCHEMA IF NOT EXISTS races with itself; serialise concurrent openers on a lock
            c.setAutoCommit(false);
            st.execute("SELECT pg_advisory_xact_lock(hashtext('hh-ledger-schema:" + schema + "'))");
            st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            c.commit();
        } catch (SQLException e) {
            throw new LedgerException("cannot reach ledger " + redacted + ": " + e.getMessage(), e);
        }
    }

    /** The URL with any password/user info removed, safe for logs and errors. */
    public static String redactUrl(String jdbcUrl) {
        if (jdbcUrl == null) {
            return "null";
        }
        return jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1<redacted>")
                .replaceAll("//[^/@]*@", "//<redacted>@");
    }

    /** The pooled data source (use try-with-resources on connections). */
    public DataSource dataSource() {
        return dataSource;
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The JDBC URL without secrets. */
    public String displayUrl() {
        return redactedUrl;
    }

    /** True when a connection can be borrowed and answers a trivial query within 2 s (for /v1/ready). */
    public boolean isReachable() {
        try (Connection c = pool.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (!view) {
            pool.close();
        }
    }
}
