package org.hyperhash.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Lease} and the fenced ledger view on SQLite and PostgreSQL (two processes simulated by two ledgers). */
class LeaseIT {
    @TempDir
    Path tmp;

    private static void write(LedgerDatabase db, String name) {
        Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO treasury_state (name, value, updated_at_ms) VALUES (?, 'x', 0)")) {
                ps.setString(1, name);
                ps.executeUpdate();
            }
            return null;
        });
    }

    private static long rows(LedgerDatabase db, String name) {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM treasury_state WHERE name = ?")) {
                ps.setString(1, name);
                try (var rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void oneHolderAtATimeAndTheOldTokenIsFenced(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase a = t.open(); LedgerDatabase b = t.open();
             Lease la = new Lease(a, "l", "A", "host a", Duration.ofMillis(600));
             Lease lb = new Lease(b, "l", "B", "host b", Duration.ofMillis(600))) {
            LedgerDatabase fa = a.fenced(la::check);
            LedgerDatabase fb = b.fenced(lb::check);
            assertThrows(LedgerException.class, () -> write(fa, "never"), "no token yet: fenced");
            assertEquals(0, rows(a, "never"));

            assertTrue(la.renewOrAcquire());
            long t1 = la.token();
            assertTrue(t1 > 0 && la.held());
            assertFalse(lb.renewOrAcquire(), "a live lease is not taken");
            assertEquals("A", lb.current().orElseThrow().holder());
            assertEquals("host a", lb.current().orElseThrow().info());
            write(fa, "a1");
            assertTrue(la.renewOrAcquire());
            assertEquals(t1, la.token(), "renewal keeps the token");

            // A stops renewing (dies, or stalls): its local view runs out no later than the database's expiry
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (la.held()) {
                Thread.sleep(20);
            }
            while (!lb.renewOrAcquire()) {
                assertTrue(System.nanoTime() < deadline, "B never took the expired lease");
                Thread.sleep(50);
            }
            assertEquals(t1 + 1, lb.token(), "a takeover increments the token");
            LedgerException e = assertThrows(LedgerException.class, () -> write(fa, "a2"), "A's old token is fenced");
            assertTrue(e.getMessage().contains("fenced"), e.getMessage());
            assertEquals(0, rows(a, "a2"), "the fenced transaction was rolled back");
            write(fb, "b1");
            assertEquals(1, rows(a, "b1"));
            assertFalse(la.renewOrAcquire(), "A cannot renew with a stale token while B holds the lease");

            lb.release();
            assertFalse(lb.held());
            assertTrue(la.renewOrAcquire(), "a released lease is free at once");
            assertEquals(t1 + 2, la.token());
            assertThrows(LedgerException.class, () -> write(fb, "b2"));
        }
    }
}
