package org.hyperhash.ledger;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Small JDBC helpers: run a unit of work in one transaction with rollback on any failure. */
public final class Jdbc {
    private Jdbc() {
    }

    /** A unit of work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction; commits on success, rolls back on any exception. */
    public static <T> T inTransaction(DataSource ds, Work<T> work) {
        try (Connection c = ds.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackAfter(c, e);
                throw e;
            } finally {
                try {
                    c.setAutoCommit(auto);
                } catch (SQLException ignored) {
                    // the pool resets the connection on return anyway
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("ledger transaction failed: " + e.getMessage(), e);
        }
    }

    /** Rolls {@code c} back after {@code failure}; an error of the rollback itself is attached to it as suppressed. */
    public static void rollbackAfter(Connection c, Throwable failure) {
        try {
            c.rollback();
        } catch (SQLException re) {
            failure.addSuppressed(re);
        }
    }

    /** Runs read-only {@code work} with auto-commit on. */
    public static <T> T query(DataSource ds, Work<T> work) {
        try (Connection c = ds.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new LedgerException("ledger query failed: " + e.getMessage(), e);
        }
    }
}
