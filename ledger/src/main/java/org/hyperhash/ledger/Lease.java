package org.hyperhash.ledger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named lease in the ledger's {@code leases} table, with a fencing token (issue 17).
 *
 * <ul>
 *   <li>Expiry is judged by the database's clock, so hosts with skewed clocks agree on it.</li>
 *   <li>{@link #renewOrAcquire()} renews while the token is unchanged (nobody else took it in between), else takes
 *       the lease when it has expired, incrementing the token. It runs on a dedicated connection with socket,
 *       statement and lock timeouts, so it never waits behind pooled work and a stalled network fails it.</li>
 *   <li>{@link #held()} is the local view: true until {@code ttl} after the start of the last successful
 *       renewal, measured on this host's monotonic clock. The database sets the expiry to its own now + ttl
 *       when it executes the renewal, which is never earlier than that, so a holder stops believing it holds
 *       the lease before any other process can take it (clock <em>rates</em> are assumed equal; offsets are free).</li>
 *   <li>{@link #check(Connection)} is the fence for writes: in the writing transaction it locks the lease row
 *       (PostgreSQL {@code FOR SHARE}; SQLite transactions are serialised anyway) and fails unless this holder's
 *       token is still current. A takeover (an UPDATE of that row) therefore either commits before the write,
 *       which then fails, or waits for the write to commit. On PostgreSQL the check also bounds how long the
 *       transaction may then sit idle (a stalled commit), so a paused old holder cannot block a takeover forever.</li>
 * </ul>
 */
public final class Lease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    /** The lease row as the database sees it. */
    public record Holder(String holder, long token, String info, long acquiredAtMs, long expiresAtMs, long dbNowMs) {
        public boolean live() {
            return !holder.isEmpty() && expiresAtMs > dbNowMs;
        }

        public long expiresInMs() {
            return Math.max(0, expiresAtMs - dbNowMs);
        }
    }

    private final LedgerDatabase db;
    private final String name;
    private final String holder;
    private final String info;
    private final Duration ttl;
    private final String now;
    private Connection conn;
    private volatile long token;
    private volatile long deadlineNanos;
    private volatile boolean everHeld;
    private volatile String lastError = "";

    /**
     * @param name   lease name (e.g. {@code treasury-leader})
     * @param holder unique per process start (e.g. host:pid:random)
     * @param info   shown to others (host, version); never secrets
     * @param ttl    lease duration
     */
    public Lease(LedgerDatabase db, String name, String holder, String info, Duration ttl) {
        if (holder == null || holder.isBlank()) {
            throw new IllegalArgumentException("lease holder must not be blank");
        }
        if (ttl.toMillis() < 100) {
            throw new IllegalArgumentException("lease ttl must be >= 100ms, got " + ttl);
        }
        this.db = db;
        this.name = name;
        this.holder = holder;
        this.info = info.length() > 200 ? info.substring(0, 200) : info;
        this.ttl = ttl;
        this.now = db.dialect() == Dialect.POSTGRESQL ? "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
                : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
    }

    public String name() {
        return name;
    }

    public String holder() {
        return holder;
    }

    public Duration ttl() {
        return ttl;
    }

    /** Token of the last successful renewal or acquisition (0 = never held). */
    public long token() {
        return token;
    }

    /** The last renewal error ("" when the last attempt reached the database). */
    public String lastError() {
        return lastError;
    }

    /** True while this process may act as the holder (local monotonic deadline, see the class comment). */
    public boolean held() {
        return everHeld && System.nanoTime() - deadlineNanos < 0;
    }

    /** Milliseconds left of the local deadline (0 when not held). */
    public long remainingMs() {
        return held() ? Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000) : 0;
    }

    /**
     * Renews the lease when this holder's token is still current, else takes it when it has expired (or was
     * released). Returns whether this process holds it now. Database errors are logged (once per change of
     * message) and answered false; the local deadline then runs out on its own.
     */
    public synchronized boolean renewOrAcquire() {
        long start = System.nanoTime();
        try {
            Connection c = connection();
            c.setAutoCommit(false);
            try {
                long timeoutMs = Math.max(100, ttl.toMillis() / 2);
                if (db.dialect() == Dialect.POSTGRESQL) {
                    try (Statement st = c.createStatement()) {
                        st.execute("SET LOCAL lock_timeout = " + timeoutMs);
                        st.execute("SET LOCAL statement_timeout = " + timeoutMs);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO leases (name, holder, token, info, acquired_at_ms, renewed_at_ms, "
                        + "expires_at_ms) VALUES (?, '', 0, '', 0, 0, 0) ON CONFLICT (name) DO NOTHING")) {
                    ps.setString(1, name);
                    ps.executeUpdate();
                }
                long t = token;
                int n = 0;
                if (t > 0) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET renewed_at_ms = " + now + ", expires_at_ms = " + now
                            + " + ? WHERE name = ? AND holder = ? AND token = ?")) {
                        ps.setLong(1, ttl.toMillis());
                        ps.setString(2, name);
                        ps.setString(3, holder);
                        ps.setLong(4, t);
                        n = ps.executeUpdate();
                    }
                }
                if (n == 0) {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET holder = ?, token = token + 1, info = ?, acquired_at_ms = "
                            + now + ", renewed_at_ms = " + now + ", expires_at_ms = " + now + " + ? WHERE name = ? AND expires_at_ms <= " + now)) {
                        ps.setString(1, holder);
                        ps.setString(2, info);
                        ps.setLong(3, ttl.toMillis());
                        ps.setString(4, name);
                        n = ps.executeUpdate();
                    }
                    if (n == 1) {
                        try (PreparedStatement ps = c.prepareStatement("SELECT token FROM leases WHERE name = ?")) {
                            ps.setString(1, name);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                t = rs.getLong(1);
                            }
                        }
                    }
                }
                c.commit();
                lastError = "";
                if (n == 1) {
                    token = t;
                    deadlineNanos = start + ttl.toNanos();
                    everHeld = true;
                    return true;
                }
                token = 0;
                everHeld = false;
                return false;
            } catch (SQLException | RuntimeException e) {
                Jdbc.rollbackAfter(c, e);
                throw e;
            } finally {
                // back to auto-commit: SQLite's driver would otherwise open the next (write-locking) transaction now
                c.setAutoCommit(true);
            }
        } catch (SQLException | RuntimeException e) {
            String msg = "lease " + name + ": " + e.getMessage();
            if (!msg.equals(lastError)) {
                LOG.warn("{} (renewal failed; held locally for {} ms more)", msg, remainingMs());
            }
            lastError = msg;
            closeConnection();
            return held();
        }
    }

    /** The lease row (empty when never taken); on a database error, empty as well. */
    public Optional<Holder> current() {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT holder, token, info, acquired_at_ms, expires_at_ms, " + now
                    + " FROM leases WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Holder(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6))) : Optional.<Holder>empty();
                }
            }
        });
    }

    /**
     * The write fence: passes only while this holder's token is the current one, holding the row against a
     * takeover until the calling transaction ends.
     */
    public void check(Connection c) throws SQLException {
        long t = token;
        if (t == 0) {
            throw new SQLException("lease " + name + " is not held by " + holder + ": write refused (fenced)");
        }
        boolean pg = db.dialect() == Dialect.POSTGRESQL;
        if (pg) {
            try (Statement st = c.createStatement()) {
                st.execute("SET LOCAL idle_in_transaction_session_timeout = " + Math.max(100, ttl.toMillis()));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT token FROM leases WHERE name = ? AND holder = ? AND token = ?"
                + (pg ? " FOR SHARE" : ""))) {
            ps.setString(1, name);
            ps.setString(2, holder);
            ps.setLong(3, t);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("lease " + name + " token " + t + " is no longer current (another process took over): "
                            + "write refused (fenced)");
                }
            }
        }
    }

    /** Gives the lease up now (expires it) if this holder's token is current, so a standby need not wait. */
    public synchronized void release() {
        long t = token;
        token = 0;
        everHeld = false;
        if (t == 0) {
            return;
        }
        try {
            Connection c = connection();
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("UPDATE leases SET expires_at_ms = 0 WHERE name = ? AND holder = ? AND token = ?")) {
                ps.setString(1, name);
                ps.setString(2, holder);
                ps.setLong(3, t);
                ps.executeUpdate();
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("lease {}: release failed ({}); it expires on its own", name, e.getMessage());
        }
    }

    private Connection connection() throws SQLException {
        if (conn == null || conn.isClosed()) {
            conn = db.dedicatedConnection(ttl);
        }
        return conn;
    }

    private void closeConnection() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // already broken
            }
            conn = null;
        }
    }

    /** Closes the dedicated connection (does not release the lease; call {@link #release()} for that). */
    @Override
    public synchronized void close() {
        closeConnection();
    }
}
