package org.hyperhash.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Reachability checks {@code --check-config} runs; they never create or change anything. */
public final class Checks {
    private static final int TIMEOUT_MS = 3000;

    private Checks() {
    }

    /** A check the daemon can start without (it retries): its failure becomes a "warning: ..." line. */
    public interface Check {
        String run() throws Exception;
    }

    public static String warnOnly(Check check) {
        try {
            return check.run();
        } catch (Exception e) {
            return "warning: " + Redact.text(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** A TCP connection to {@code host:port} opens (the service listens); the message names the key. */
    public static String tcp(String what, String key, String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            return what + " reachable at " + host + ":" + port + " (" + key + ")";
        } catch (IOException e) {
            throw new IOException(what + " not reachable at " + host + ":" + port + " (" + key + "): " + e.getMessage(), e);
        }
    }

    /** {@link #tcp} for an http(s) URL. */
    public static String url(String what, String key, String url) throws IOException {
        URI u = URI.create(url.strip());
        int port = u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
        return tcp(what, key, u.getHost(), port);
    }

    /**
     * The ledger a daemon would use: SQLite, the file exists (or its directory is writable for a first start when
     * {@code mayCreate}); PostgreSQL, a connection opens. Nothing is created or migrated.
     */
    public static String ledger(String key, String jdbcUrl, boolean mayCreate) throws IOException, SQLException {
        String shown = Redact.text(jdbcUrl);
        if (jdbcUrl.startsWith("jdbc:sqlite:")) {
            String file = jdbcUrl.substring("jdbc:sqlite:".length());
            int q = file.indexOf('?');
            if (q >= 0) {
                file = file.substring(0, q);
            }
            if (file.startsWith("file:")) {
                file = file.substring(5);
            }
            Path p = Path.of(file).toAbsolutePath();
            if (Files.isRegularFile(p)) {
                if (!Files.isReadable(p) || !Files.isWritable(p)) {
                    throw new IOException("ledger " + p + " (" + key + ") is not readable and writable by this user");
                }
                return "ledger " + shown + " exists (" + key + ")";
            }
            if (!mayCreate) {
                throw new IOException("ledger " + p + " (" + key + ") does not exist: point " + key
                        + " at the ledger the daemons use, or create it with the daemon's first start (or --init)");
            }
            Path dir = p.getParent();
            if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
                throw new IOException("ledger " + p + " (" + key + ") does not exist and its directory " + dir
                        + " is missing or not writable");
            }
            return "ledger " + shown + " will be created at the first start (" + key + ")";
        }
        try (Connection c = DriverManager.getConnection(jdbcUrl)) {
            return "ledger " + shown + " reachable (" + key + ", " + c.getMetaData().getDatabaseProductName() + ")";
        } catch (SQLException e) {
            throw new SQLException("ledger " + shown + " (" + key + ") not reachable: " + Redact.text(e.getMessage()), e);
        }
    }
}
