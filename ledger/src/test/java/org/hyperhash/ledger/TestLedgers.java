package org.hyperhash.ledger;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.InstantSource;
import org.hyperhash.testkit.TestDatabase;

/** A test ledger on SQLite or PostgreSQL ({@link TestDatabase}: own schema, never skipped when CI=true). */
final class TestLedgers implements AutoCloseable {
    final String url;
    private final TestDatabase db;

    private TestLedgers(TestDatabase db) {
        this.db = db;
        this.url = db.url;
    }

    static TestLedgers create(String dialect, Path tempDir) {
        return new TestLedgers(TestDatabase.create(dialect, tempDir, "hh_test_"));
    }

    LedgerDatabase open() {
        return LedgerDatabase.open(url, LedgerDatabase.Options.defaults(), InstantSource.system());
    }

    @Override
    public void close() throws SQLException {
        db.close();
    }
}
