package org.hyperhash.treasury;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.InstantSource;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.testkit.TestDatabase;

/** A test ledger on SQLite or PostgreSQL ({@link TestDatabase}: own schema, never skipped when CI=true). */
public final class TestLedgers implements AutoCloseable {
    public final String url;
    private final TestDatabase db;

    private TestLedgers(TestDatabase db) {
        this.db = db;
        this.url = db.url;
    }

    public static TestLedgers create(String dialect, Path tempDir) {
        return new TestLedgers(TestDatabase.create(dialect, tempDir, "hh_test_"));
    }

    public LedgerDatabase open() {
        return LedgerDatabase.open(url, LedgerDatabase.Options.defaults(), InstantSource.system());
    }

    @Override
    public void close() throws SQLException {
        db.close();
    }
}
