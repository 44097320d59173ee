package org.hyperhash.ledger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ledger's schema migrations, run by Flyway from {@code migrations/common} plus {@code migrations/<dialect>}
 * (history in {@code flyway_schema_history}, out-of-order migrations allowed, an edited applied migration refused).
 *
 * <p>Expand/contract (docs/operations.md "Ledger schema changes"): every migration from {@link #POLICY_FROM} on starts
 * with {@code -- compat: expand} or {@code -- compat: contract N}, recorded in {@code ledger_schema_compat} in the
 * migration's own transaction. A build whose schema (highest migration it ships) is below the ledger's accepts the
 * ledger when every newer migration is expand-only, and refuses it, naming the migration, when a contract migration
 * requires a newer build. So release N-1 runs on release N's schema unless release N contracted it.
 *
 * <p>Ledgers created by the pre-Flyway runner (table {@code schema_version}, SHA-256 per file) are adopted on first
 * open: each recorded checksum is checked against the shipped file, then the applied migrations are written to
 * Flyway's history (baseline at version 0, one row per applied file) and the pending ones (also an out-of-order V5
 * under V7) run. {@code schema_version} is left as it was, so the pre-Flyway release can still be rolled back to.
 *
 * <p>The whole open (adopt, compatibility check, migrate) runs under a lock: a PostgreSQL advisory lock on the schema,
 * or for SQLite a lock file next to the database (plus a JVM lock), so pool and treasury starting together migrate once.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    static final String BASE = "org/hyperhash/ledger/migrations/";
    /** The first migration under the expand/contract rule; V1..V7 predate it and are required by every build. */
    public static final int POLICY_FROM = 8;
    /** Flyway's history table. */
    public static final String HISTORY = "flyway_schema_history";
    static final String LEGACY_TABLE = "schema_version";
    private static final Pattern SCRIPT = Pattern.compile("V(\\d+)__.+\\.sql");
    private static final Pattern COMPAT = Pattern.compile("--\\s*compat:\\s*(expand|contract\\s+(\\d+))\\s*");

    /** A migration's compatibility class: {@code requiresBuildSchema} is 0 for expand-only migrations. */
    public record Compat(boolean contract, int requiresBuildSchema) {
        static final Compat EXPAND = new Compat(false, 0);
    }

    /**
     * What a build needs to know about a ledger: its schema (highest applied migration, 0 when empty) and the oldest
     * build schema that runs on it (the largest {@code requires_build_schema}, 0 when only expand migrations ran).
     */
    public record SchemaState(int version, int requiresBuildSchema) {
    }

    private Migrations() {
    }

    /** Flyway locations of this build for {@code dialect}, plus {@code extra} ones (tests, or a release's own files). */
    static List<String> locations(Dialect dialect, List<String> extra) {
        List<String> l = new ArrayList<>();
        l.add("classpath:" + BASE + "common");
        l.add("classpath:" + BASE + dialect.resourceDir());
        l.addAll(extra);
        return l;
    }

    static Flyway flyway(DataSource ds, Dialect dialect, List<String> extra, Callback... callbacks) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(ds)
                .locations(locations(dialect, extra).toArray(String[]::new))
                .table(HISTORY)
                .outOfOrder(true)                     // a migration merged late (V5 after V7) still runs
                .ignoreMigrationPatterns("*:future")  // newer migrations of a newer build: judged by checkCompatible
                .validateOnMigrate(true)              // an applied migration edited since is refused
                .baselineOnMigrate(false)
                .cleanDisabled(true)
                .placeholderReplacement(false)        // the SQL runs as written (PostgreSQL $$ bodies, literal ${...})
                .skipDefaultCallbacks(true)
                .callbacks(callbacks)
                .load();
    }

    /** The schema of this build: the highest migration it ships for {@code dialect} (with {@code extra} locations). */
    public static int buildSchema(Dialect dialect, List<String> extra) {
        return shipped(dialect, extra).keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /**
     * What this build's manifest declares (node-agent README, {@code hh release create --ledger-schema N
     * --ledger-compatible-from M}): its schema and the oldest build schema that runs on a ledger it migrated (its
     * highest {@code contract N}, 0 when all its migrations are expand-only), over both dialects.
     */
    public static SchemaState buildCompat() {
        int schema = 0;
        int requires = 0;
        for (Dialect d : Dialect.values()) {
            for (Map.Entry<Integer, String> e : shipped(d, List.of()).entrySet()) {
                schema = Math.max(schema, e.getKey());
                requires = Math.max(requires, compatOf(e.getKey(), e.getValue(), readScript(d, List.of(), e.getValue()))
                        .requiresBuildSchema());
            }
        }
        return new SchemaState(schema, requires);
    }

    /** This build's migrations (version to script name) for {@code dialect}; needs no database. */
    public static Map<Integer, String> shipped(Dialect dialect, List<String> extra) {
        Map<Integer, String> out = new TreeMap<>();
        // Flyway resolves migrations without a connection only through info(); scan the resources ourselves instead
        for (String loc : locations(dialect, extra)) {
            for (String script : listScripts(loc)) {
                Matcher m = SCRIPT.matcher(script);
                if (m.matches()) {
                    String prev = out.put(Integer.parseInt(m.group(1)), script);
                    if (prev != null && !prev.equals(script)) {
                        throw new LedgerException("two migrations with version " + m.group(1) + ": " + prev + ", " + script);
                    }
                }
            }
        }
        return out;
    }

    /** The compatibility marker of a migration's SQL (first line), or a LedgerException naming the script. */
    static Compat compatOf(int version, String script, String sql) {
        if (version < POLICY_FROM) {
            return Compat.EXPAND;
        }
        String first = sql.strip().lines().findFirst().orElse("");
        Matcher m = COMPAT.matcher(first);
        if (!m.matches()) {
            throw new LedgerException("migration " + script + " must start with '-- compat: expand' or '-- compat: contract N'"
                    + " (N = the oldest build schema that runs on the ledger after it; docs/operations.md)");
        }
        if (m.group(2) == null) {
            return Compat.EXPAND;
        }
        int n = Integer.parseInt(m.group(2));
        if (n < POLICY_FROM || n > version) {
            throw new LedgerException("migration " + script + ": contract " + n + " must be between " + POLICY_FROM
                    + " and its own version " + version);
        }
        return new Compat(true, n);
    }

    /**
     * Opens the ledger's schema for this build: adopts a pre-Flyway ledger, checks that the ledger is compatible with
     * this build (see class comment), and applies pending migrations. Returns how many migrations were applied.
     */
    public static int migrate(DataSource ds, Dialect dialect, String jdbcUrl, List<String> extra) {
        Map<Integer, String> shipped = shipped(dialect, extra);
        Map<Integer, Compat> compat = new TreeMap<>();
        for (Map.Entry<Integer, String> e : shipped.entrySet()) {
            compat.put(e.getKey(), compatOf(e.getKey(), e.getValue(), readScript(dialect, extra, e.getValue())));
        }
        int buildSchema = shipped.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
        try (AutoCloseable _ = lock(dialect, jdbcUrl)) {
            Flyway fw = flyway(ds, dialect, extra, new CompatRecorder(compat));
            adoptLegacy(ds, dialect, fw, extra);
            checkCompatible(ds, buildSchema);
            MigrateResult r = fw.migrate();
            if (r.migrationsExecuted > 0) {
                LOG.info("ledger schema migrated to V{} ({} migration(s))", r.targetSchemaVersion, r.migrationsExecuted);
            }
            return r.migrationsExecuted;
        } catch (LedgerException e) {
            throw e;
        } catch (FlywayException e) {
            throw new LedgerException("ledger migration failed: " + flat(e.getMessage()), e);
        } catch (Exception e) {
            throw new LedgerException("ledger migration failed: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a ledger whose contract migrations need a newer build than this one ({@code buildSchema}); a ledger that
     * is newer but only expanded is accepted with one INFO line.
     */
    static void checkCompatible(DataSource ds, int buildSchema) throws SQLException {
        try (Connection c = ds.getConnection()) {
            SchemaState s = state(c);
            if (s.version() <= buildSchema) {
                return;
            }
            // a newer build migrated this ledger: every migration above our schema must be recorded as expand/contract
            Map<Integer, String> newer = new TreeMap<>();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version, script FROM " + HISTORY + " WHERE success AND version IS NOT NULL")) {
                while (rs.next()) {
                    int v = Integer.parseInt(rs.getString(1));
                    if (v > buildSchema) {
                        newer.put(v, rs.getString(2));
                    }
                }
            }
            Map<Integer, String[]> recorded = compatRows(c);
            for (Map.Entry<Integer, String> e : newer.entrySet()) {
                String[] row = recorded.get(e.getKey());
                if (row == null) {
                    throw new LedgerException("ledger schema V" + s.version() + " is newer than this build (V" + buildSchema
                            + ") and migration " + e.getValue() + " has no expand/contract record: run the release that"
                            + " migrated it, or restore the ledger backup taken before that upgrade");
                }
                int requires = Integer.parseInt(row[1]);
                if (requires > buildSchema) {
                    throw new LedgerException("ledger schema V" + s.version() + " is newer than this build (V" + buildSchema
                            + "): contract migration " + row[0] + " needs a build with schema V" + requires
                            + " or newer; upgrade hyperhash, or restore the ledger backup taken before that upgrade"
                            + " (docs/operations.md, 'Rolling back across a ledger migration')");
                }
            }
            LOG.info("ledger schema V{} is newer than this build (V{}); migrations {} are expand-only, running on it",
                    s.version(), buildSchema, newer.values());
        }
    }

    /** Schema version and oldest compatible build schema of the ledger behind {@code c} (either history format). */
    public static SchemaState state(Connection c) throws SQLException {
        int version = 0;
        if (tableExists(c, HISTORY)) {
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version FROM " + HISTORY + " WHERE success AND version IS NOT NULL")) {
                while (rs.next()) {
                    version = Math.max(version, Integer.parseInt(rs.getString(1)));
                }
            }
        } else if (tableExists(c, LEGACY_TABLE)) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(version) FROM " + LEGACY_TABLE)) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
        }
        int requires = 0;
        for (String[] row : compatRows(c).values()) {
            requires = Math.max(requires, Integer.parseInt(row[1]));
        }
        return new SchemaState(version, requires);
    }

    /** version -> {script, requires_build_schema} of ledger_schema_compat (empty before V8). */
    private static Map<Integer, String[]> compatRows(Connection c) throws SQLException {
        Map<Integer, String[]> out = new TreeMap<>();
        if (!tableExists(c, "ledger_schema_compat")) {
            return out;
        }
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version, script, requires_build_schema FROM ledger_schema_compat")) {
            while (rs.next()) {
                out.put(rs.getInt(1), new String[] {rs.getString(2), Integer.toString(rs.getInt(3))});
            }
        }
        return out;
    }

    static boolean tableExists(Connection c, String table) throws SQLException {
        String sql = c.getMetaData().getURL().startsWith("jdbc:sqlite:")
                ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
                : "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Writes one ledger_schema_compat row per migration from V8 on, inside that migration's transaction. */
    private static final class CompatRecorder implements Callback {
        private final Map<Integer, Compat> compat;

        CompatRecorder(Map<Integer, Compat> compat) {
            this.compat = compat;
        }

        @Override
        public boolean supports(Event event, Context context) {
            return event == Event.AFTER_EACH_MIGRATE;
        }

        @Override
        public boolean canHandleInTransaction(Event event, Context context) {
            return true;
        }

        @Override
        public void handle(Event event, Context context) {
            MigrationInfo info = context.getMigrationInfo();
            if (info == null || info.getVersion() == null) {
                return;
            }
            int v = Integer.parseInt(info.getVersion().getVersion());
            if (v < POLICY_FROM) {
                return;
            }
            Compat k = compat.get(v);
            if (k == null) {
                throw new LedgerException("no expand/contract marker known for " + info.getScript());
            }
            try (PreparedStatement ps = context.getConnection().prepareStatement("INSERT INTO ledger_schema_compat "
                    + "(version, script, compat, requires_build_schema, applied_at_ms) VALUES (?,?,?,?,?)")) {
                ps.setInt(1, v);
                ps.setString(2, info.getScript());
                ps.setString(3, k.contract() ? "contract" : "expand");
                ps.setInt(4, k.requiresBuildSchema());
                ps.setLong(5, System.currentTimeMillis());
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new LedgerException("cannot record the compatibility of " + info.getScript() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public String getCallbackName() {
            return "hh-ledger-compat";
        }
    }

    // ------------------------------------------------------------------ adoption of pre-Flyway ledgers

    /**
     * A ledger written by the pre-Flyway runner ({@code schema_version}, no Flyway history yet, or only the baseline
     * row of an adoption interrupted before its rows were written): verify every recorded SHA-256 against the shipped
     * file, then record the applied migrations in Flyway's history with Flyway's checksums.
     */
    private static void adoptLegacy(DataSource ds, Dialect dialect, Flyway fw, List<String> extra) throws SQLException {
        Map<Integer, String[]> legacy = new TreeMap<>();
        try (Connection c = ds.getConnection()) {
            if (!tableExists(c, LEGACY_TABLE)) {
                return;
            }
            if (tableExists(c, HISTORY)) {
                try (Statement st = c.createStatement();
                     ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + HISTORY + " WHERE type <> 'BASELINE'")) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        return; // already adopted
                    }
                }
            }
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT version, name, checksum_sha256, applied_at_ms FROM " + LEGACY_TABLE
                         + " ORDER BY applied_at_ms, version")) {
                while (rs.next()) {
                    legacy.put(rs.getInt(1), new String[] {rs.getString(2), rs.getString(3), Long.toString(rs.getLong(4))});
                }
            }
        }
        Map<Integer, String> shipped = shipped(dialect, extra);
        for (Map.Entry<Integer, String[]> e : legacy.entrySet()) {
            String name = e.getValue()[0];
            String script = shipped.get(e.getKey());
            if (script == null) {
                throw new LedgerException("ledger schema version " + e.getKey() + " (" + name + ") is newer than this build"
                        + " (max " + shipped.keySet().stream().mapToInt(Integer::intValue).max().orElse(0) + "): upgrade hyperhash");
            }
            String sha = sha256Hex(legacyText(readScript(dialect, extra, script)));
            if (!sha.equals(e.getValue()[1])) {
                throw new LedgerException("migration " + name + " was changed after it was applied (checksum "
                        + e.getValue()[1] + " in the database, " + sha + " shipped)");
            }
        }
        Map<Integer, MigrationInfo> resolved = new LinkedHashMap<>();
        for (MigrationInfo i : fw.info().all()) {
            if (i.getVersion() != null && i.getState().isResolved()) {
                resolved.put(Integer.parseInt(i.getVersion().getVersion()), i);
            }
        }
        try (Connection c0 = ds.getConnection()) {
            if (!tableExists(c0, HISTORY)) {
                fw = Flyway.configure(Migrations.class.getClassLoader()).configuration(fw.getConfiguration())
                        .baselineVersion("0").baselineDescription("adopted from the pre-Flyway schema_version").load();
                fw.baseline();
            }
        }
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                int rank;
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(installed_rank) FROM " + HISTORY)) {
                    rank = rs.next() ? rs.getInt(1) : 0;
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + HISTORY + " (installed_rank, version, description,"
                        + " type, script, checksum, installed_by, installed_on, execution_time, success) VALUES (?,?,?,?,?,?,?,?,?,?)")) {
                    for (Map.Entry<Integer, String[]> e : legacy.entrySet()) {
                        MigrationInfo i = resolved.get(e.getKey());
                        if (i == null) {
                            throw new LedgerException("flyway does not resolve " + e.getValue()[0]);
                        }
                        long at = Long.parseLong(e.getValue()[2]);
                        ps.setInt(1, ++rank);
                        ps.setString(2, i.getVersion().getVersion());
                        ps.setString(3, i.getDescription());
                        ps.setString(4, "SQL");
                        ps.setString(5, i.getScript());
                        ps.setObject(6, i.getChecksum());
                        ps.setString(7, "hh-ledger (schema_version)");
                        if (dialect == Dialect.SQLITE) {
                            ps.setString(8, SQLITE_TS.format(Instant.ofEpochMilli(at)));
                        } else {
                            ps.setTimestamp(8, new Timestamp(at));
                        }
                        ps.setInt(9, 0);
                        ps.setBoolean(10, true);
                        ps.executeUpdate();
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        LOG.info("ledger: adopted {} migration(s) of the pre-Flyway schema_version into {}", legacy.size(), HISTORY);
    }

    private static final DateTimeFormatter SQLITE_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The text the pre-Flyway runner hashed: the file's lines, each ended by a newline. */
    static String legacyText(String raw) {
        StringBuilder b = new StringBuilder();
        raw.lines().forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ resources

    /** The SQL of {@code script}, from the first location that has it. */
    static String readScript(Dialect dialect, List<String> extra, String script) {
        List<String> locs = new ArrayList<>(locations(dialect, extra));
        java.util.Collections.reverse(locs); // dialect files before common ones, extras first
        for (String loc : locs) {
            try {
                if (loc.startsWith("classpath:")) {
                    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(
                            loc.substring("classpath:".length()) + "/" + script)) {
                        if (in != null) {
                            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        }
                    }
                } else if (loc.startsWith("filesystem:")) {
                    Path p = Path.of(loc.substring("filesystem:".length())).resolve(script);
                    if (Files.isRegularFile(p)) {
                        return Files.readString(p);
                    }
                }
            } catch (IOException e) {
                throw new LedgerException("cannot read migration " + script + ": " + e.getMessage(), e);
            }
        }
        throw new LedgerException("migration " + script + " not found in " + locs);
    }

    /** File names directly in a classpath (directory or jar) or filesystem location. */
    private static List<String> listScripts(String loc) {
        List<String> out = new ArrayList<>();
        try {
            if (loc.startsWith("filesystem:")) {
                Path dir = Path.of(loc.substring("filesystem:".length()));
                if (Files.isDirectory(dir)) {
                    try (var s = Files.list(dir)) {
                        s.forEach(p -> out.add(p.getFileName().toString()));
                    }
                }
                return out;
            }
            String path = loc.substring("classpath:".length());
            var urls = Migrations.class.getClassLoader().getResources(path);
            while (urls.hasMoreElements()) {
                java.net.URL u = urls.nextElement();
                if (u.getProtocol().equals("file")) {
                    try (var s = Files.list(Path.of(u.toURI()))) {
                        s.forEach(p -> out.add(p.getFileName().toString()));
                    }
                } else if (u.getProtocol().equals("jar")) {
                    java.net.JarURLConnection j = (java.net.JarURLConnection) u.openConnection();
                    j.setUseCaches(false);
                    try (java.util.jar.JarFile jf = j.getJarFile()) {
                        String prefix = path + "/";
                        jf.stream().map(java.util.jar.JarEntry::getName)
                                .filter(n -> n.startsWith(prefix) && n.length() > prefix.length() && n.indexOf('/', prefix.length()) < 0)
                                .forEach(n -> out.add(n.substring(prefix.length())));
                    }
                } else {
                    throw new LedgerException("cannot list migrations at " + u);
                }
            }
        } catch (IOException | java.net.URISyntaxException e) {
            throw new LedgerException("cannot list migrations in " + loc + ": " + e.getMessage(), e);
        }
        return out;
    }

    // ------------------------------------------------------------------ locking

    private static AutoCloseable lock(Dialect dialect, String jdbcUrl) throws SQLException, IOException {
        if (dialect == Dialect.POSTGRESQL) {
            Connection c = DriverManager.getConnection(jdbcUrl);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_lock(hashtext('hh-ledger-migrate:' || current_schema()))");
            } catch (SQLException e) {
                c.close();
                throw e;
            }
            return c; // closing the session releases the lock
        }
        Path file = sqliteFile(jdbcUrl);
        if (file == null) {
            return () -> {
            };
        }
        Path lockFile = file.resolveSibling(file.getFileName() + ".migrate-lock");
        // FileLock is per process: other JVMs wait on it, threads of this JVM on the monitor
        java.util.concurrent.locks.ReentrantLock jvm = SQLITE_LOCKS.computeIfAbsent(lockFile.toAbsolutePath().normalize(),
                k -> new java.util.concurrent.locks.ReentrantLock());
        jvm.lock();
        try {
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fl = ch.lock();
            return () -> {
                try (ch) {
                    fl.release();
                } finally {
                    jvm.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            jvm.unlock();
            throw e;
        }
    }

    private static final java.util.concurrent.ConcurrentMap<Path, java.util.concurrent.locks.ReentrantLock> SQLITE_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The file of a SQLite URL, or null for an in-memory database. */
    static Path sqliteFile(String jdbcUrl) {
        String file = jdbcUrl.substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        file = q >= 0 ? file.substring(0, q) : file;
        if (file.startsWith("file:")) {
            file = file.substring(5);
        }
        if (file.isEmpty() || file.equals(":memory:") || file.contains("mode=memory")) {
            return null;
        }
        return Path.of(file);
    }

    /** Flyway's multi-line message on one line, without credentials, capped. */
    private static String flat(String s) {
        if (s == null) {
            return "(no message)";
        }
        String one = String.join("; ", s.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
        one = LedgerDatabase.redactUrl(one);
        return one.length() > 600 ? one.substring(0, 600) + "..." : one;
    }
}
