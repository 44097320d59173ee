package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.hyperhash.ledger.LedgerDatabase;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Balances over the append-only entries on SQLite and PostgreSQL: bounded amounts, no overdraft, check. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AccountsIT {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void amountsAreBounded(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            Accounts a = new Accounts(db);
            assertThrows(TreasuryException.class, () -> a.adjust("x", Long.MIN_VALUE, "r1", 0));
            assertThrows(TreasuryException.class, () -> a.adjust("x", Accounts.MAX_MONEY_MSAT + 1, "r2", 0));
            assertThrows(TreasuryException.class, () -> a.adjust("x", 0, "r3", 0));
            assertThrows(Accounts.InsufficientBalance.class, () -> a.adjust("x", -1, "r4", 0));
            a.adjust("x", Accounts.MAX_MONEY_MSAT, "r5", 0);
            assertThrows(TreasuryException.class, () -> a.adjust("x", 1, "r6", 0), "balance above 21M BTC");
            assertEquals(Accounts.MAX_MONEY_MSAT, a.balanceMsat("x"));
            assertTrue(a.check().ok(), a.check().problems().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void failedDebitLeavesNoTraceAndRefsAreUnique(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            Accounts a = new Accounts(db);
            a.adjust("y", 5_000, "credit", 0);
            assertThrows(Accounts.InsufficientBalance.class, () -> a.adjust("y", -5_001, "too-much", 0));
            assertEquals(1, a.entries("y").size(), "the refused debit rolled back with its entry");
            assertThrows(RuntimeException.class, () -> a.adjust("y", 1, "credit", 0), "same account, kind and ref twice");
            assertEquals(5_000, a.balanceMsat("y"));
            assertEquals(0, a.adjust("y", -5_000, "all", 0));
            Accounts.CheckReport r = a.check();
            assertTrue(r.ok(), r.problems().toString());
            assertEquals(0, r.totalMsat());
            assertEquals(2, r.entries());
        }
    }
}
