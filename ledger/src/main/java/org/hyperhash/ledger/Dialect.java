package org.hyperhash.ledger;

import java.util.Locale;

/** The SQL dialects the ledger supports; chosen from the JDBC URL. */
public enum Dialect {
    /** SQLite file (default; single writer, WAL). */
    SQLITE("sqlite"),
    /** PostgreSQL (production). */
    POSTGRESQL("postgresql");

    private final String resourceDir;

    Dialect(String resourceDir) {
        this.resourceDir = resourceDir;
    }

    /** Directory name of this dialect's migration overrides. */
    public String resourceDir() {
        return resourceDir;
    }

    /** The dialect of a JDBC URL, or IllegalArgumentException naming the URL scheme (never the credentials). */
    public static Dialect fromJdbcUrl(String jdbcUrl) {
        if (jdbcUrl == null) {
            throw new IllegalArgumentException("ledger jdbc url is missing");
        }
        String u = jdbcUrl.toLowerCase(Locale.ROOT);
        if (u.startsWith("jdbc:sqlite:")) {
            return SQLITE;
        }
        if (u.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        int colon = u.indexOf(':', 5);
        String scheme = colon > 0 ? u.substring(0, colon) : "(none)";
        throw new IllegalArgumentException("unsupported ledger jdbc url scheme '" + scheme + "' (expected jdbc:sqlite: or jdbc:postgresql:)");
    }
}
