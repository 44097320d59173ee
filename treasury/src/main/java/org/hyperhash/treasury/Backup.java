package org.hyperhash.treasury;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.hyperhash.ledger.Dialect;
import org.hyperhash.ledger.Jdbc;
import org.hyperhash.ledger.LedgerDatabase;

/**
 * Encrypted ledger backups: every ledger table plus the config text as JSON, gzip-compressed, encrypted with
 * AES-256-GCM (key from a file: 32 raw bytes, 64 hex characters or base64), written atomically with a
 * {@code sha256sum}-compatible {@code FILE.sha256} next to it. File layout: {@code "HHBK" 0x01 nonce(12) ciphertext+tag},
 * the 5-byte header is the GCM associated data. Restore verifies checksum and tag, and loads into an empty ledger.
 */
public final class Backup {
    static final byte[] MAGIC = {'H', 'H', 'B', 'K', 1};
    /** Tables in foreign-key order. */
    static final List<String> TABLES = List.of("share_windows", "found_blocks", "block_distributions", "distribution_inputs",
            "ledger_entries", "balances", "payouts", "destinations", "treasury_state");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Backup() {
    }

    /** What a backup held. */
    public record Summary(Map<String, Integer> rows, String sha256Hex, boolean hadConfig) {
    }

    /** Reads the 32-byte key; a key file others can read (or write) is refused: chmod 600 it. */
    public static byte[] readKey(Path keyFile) throws IOException {
        try {
            java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
            perms.retainAll(java.util.EnumSet.of(java.nio.file.attribute.PosixFilePermission.GROUP_READ,
                    java.nio.file.attribute.PosixFilePermission.GROUP_WRITE, java.nio.file.attribute.PosixFilePermission.OTHERS_READ,
                    java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE));
            if (!perms.isEmpty()) {
                throw new TreasuryException("backup key file " + keyFile + " is accessible to other users ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))
                        + "): chmod 600 " + keyFile);
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
        byte[] raw = Files.readAllBytes(keyFile);
        if (raw.length == 32) {
            return raw;
        }
        String s = new String(raw, StandardCharsets.US_ASCII).strip();
        try {
            if (s.matches("[0-9a-fA-F]{64}")) {
                return HexFormat.of().parseHex(s);
            }
            byte[] b = Base64.getDecoder().decode(s);
            if (b.length == 32) {
                return b;
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the error
        }
        throw new TreasuryException("backup key file " + keyFile + " must hold 32 bytes (raw, 64 hex characters or base64)");
    }

    /**
     * Writes an encrypted backup of {@code db} (and the config text, may be null) to {@code out}. Every table is read
     * in one read-only transaction (REPEATABLE READ on PostgreSQL: one snapshot, so balances match their entries even
     * while the pool and treasury write; SQLite: one read transaction, a WAL snapshot), and rows stream through JSON,
     * gzip and AES-GCM into a temporary file beside {@code out} (never the whole ledger in memory), moved into place
     * when complete. The document records the ledger's schema version.
     */
    public static Summary export(LedgerDatabase db, String configText, Path keyFile, Path out, long nowMs) throws IOException {
        byte[] key = readKey(keyFile);
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        Cipher cipher;
        try {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(MAGIC);
        } catch (GeneralSecurityException e) {
            throw new TreasuryException("backup encryption failed: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        MessageDigest sha = sha256();
        try {
            try (java.io.OutputStream file = new java.security.DigestOutputStream(new java.io.BufferedOutputStream(
                    Files.newOutputStream(tmp)), sha)) {
                file.write(MAGIC);
                file.write(nonce);
                try (GZIPOutputStream z = new GZIPOutputStream(new javax.crypto.CipherOutputStream(
                        new java.io.FilterOutputStream(file) {
                            @Override
                            public void write(byte[] b, int off, int len) throws IOException {
                                out.write(b, off, len);
                            }

                            @Override
                            public void close() throws IOException {
                                flush(); // the outer try closes the file itself
                            }
                        }, cipher));
                     com.fasterxml.jackson.core.JsonGenerator g = JSON.getFactory().createGenerator(z)) {
                    g.writeStartObject();
                    g.writeStringField("format", "hh-treasury-backup-v1");
                    g.writeNumberField("created_at_ms", nowMs);
                    g.writeStringField("config", configText);
                    snapshot(db, g, counts);
                    g.writeEndObject();
                }
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        String hex = HexFormat.of().formatHex(sha.digest());
        Files.writeString(out.resolveSibling(out.getFileName() + ".sha256"), hex + "  " + out.getFileName() + "\n");
        return new Summary(counts, hex, configText != null);
    }

    /** schema_version and every table, from one snapshot, into the open JSON object. */
    private static void snapshot(LedgerDatabase db, com.fasterxml.jackson.core.JsonGenerator g, Map<String, Integer> counts) {
        Jdbc.query(db.dataSource(), c -> {
            int isolation = c.getTransactionIsolation();
            c.setAutoCommit(false);
            if (db.dialect() == Dialect.POSTGRESQL) {
                c.setTransactionIsolation(java.sql.Connection.TRANSACTION_REPEATABLE_READ);
                try (Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION READ ONLY");
                }
            }
            try {
                int schema = org.hyperhash.ledger.Migrations.state(c).version();
                g.writeNumberField("schema_version", schema);
                g.writeObjectFieldStart("tables");
                for (String t : TABLES) {
                    try (Statement st = c.createStatement()) {
                        st.setFetchSize(1000); // PostgreSQL streams with a cursor (autocommit off)
                        try (ResultSet rs = st.executeQuery("SELECT * FROM " + t + " ORDER BY 1")) {
                            ResultSetMetaData md = rs.getMetaData();
                            g.writeObjectFieldStart(t);
                            g.writeArrayFieldStart("columns");
                            for (int i = 1; i <= md.getColumnCount(); i++) {
                                g.writeString(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
                            }
                            g.writeEndArray();
                            g.writeArrayFieldStart("rows");
                            int n = 0;
                            while (rs.next()) {
                                g.writeStartArray();
                                for (int i = 1; i <= md.getColumnCount(); i++) {
                                    Object v = rs.getObject(i);
                                    g.writeObject(v instanceof Number x && !(v instanceof Double) && !(v instanceof Float)
                                            ? (Object) x.longValue() : v);
                                }
                                g.writeEndArray();
                                n++;
                            }
                            g.writeEndArray();
                            g.writeEndObject();
                            counts.put(t, n);
                        }
                    }
                }
                g.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
                c.setTransactionIsolation(isolation);
            }
            return null;
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verifies and decrypts a backup; returns the JSON document. */
    public static JsonNode read(Path in, Path keyFile) throws IOException {
        byte[] file = Files.readAllBytes(in);
        Path shaFile = in.resolveSibling(in.getFileName() + ".sha256");
        if (!Files.exists(shaFile)) {
            throw new TreasuryException("checksum file " + shaFile + " missing");
        }
        String expected = Files.readString(shaFile).strip().split("\\s+")[0];
        if (!sha256Hex(file).equalsIgnoreCase(expected)) {
            throw new TreasuryException("backup " + in + " does not match its SHA-256 checksum");
        }
        if (file.length < MAGIC.length + 12 + 16 || !Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
            throw new TreasuryException("backup " + in + " is not a hyperhash treasury backup (bad header)");
        }
        byte[] key = readKey(keyFile);
        byte[] plain;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(128, Arrays.copyOfRange(file, MAGIC.length, MAGIC.length + 12)));
            cipher.updateAAD(MAGIC);
            plain = cipher.doFinal(file, MAGIC.length + 12, file.length - MAGIC.length - 12);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new TreasuryException("backup " + in + " cannot be decrypted: wrong key or modified file");
        } catch (GeneralSecurityException e) {
            throw new TreasuryException("backup decryption failed: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        try (GZIPInputStream z = new GZIPInputStream(new ByteArrayInputStream(plain))) {
            JsonNode doc = JSON.readTree(z);
            if (!"hh-treasury-backup-v1".equals(doc.path("format").asText())) {
                throw new TreasuryException("unknown backup format '" + doc.path("format").asText() + "'");
            }
            return doc;
        }
    }

    /** Restores a verified backup into {@code db}, which must hold no ledger data. Returns the row counts. */
    public static Summary restore(Path in, Path keyFile, LedgerDatabase db) throws IOException {
        JsonNode doc = read(in, keyFile);
        Map<String, Integer> counts = new LinkedHashMap<>();
        Jdbc.inTransaction(db.dataSource(), c -> {
            int target = org.hyperhash.ledger.Migrations.state(c).version();
            int source = doc.path("schema_version").asInt(0);
            if (source > target) {
                throw new TreasuryException("backup has ledger schema version " + source + ", newer than this ledger's " + target
                        + ": restore with the release that wrote it");
            }
            for (String t : TABLES) {
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + t)) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        throw new TreasuryException("restore target is not empty (table " + t + " has rows): restore into a fresh ledger");
                    }
                }
            }
            for (String t : TABLES) {
                JsonNode tab = doc.path("tables").path(t);
                List<String> cols = new ArrayList<>();
                tab.path("columns").forEach(n -> cols.add(n.asText()));
                int n = 0;
                if (!cols.isEmpty()) {
                    for (String col : cols) {
                        if (!col.matches("[a-z_][a-z0-9_]*")) {
                            throw new TreasuryException("backup has a bad column name in " + t);
                        }
                    }
                    String sql = "INSERT INTO " + t + " (" + String.join(",", cols) + ") VALUES (" + "?,".repeat(cols.size() - 1) + "?)";
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        for (JsonNode row : tab.path("rows")) {
                            for (int i = 0; i < cols.size(); i++) {
                                JsonNode v = row.get(i);
                                if (v == null || v.isNull()) {
                                    ps.setObject(i + 1, null);
                                } else if (v.isIntegralNumber()) {
                                    ps.setLong(i + 1, v.asLong());
                                } else if (v.isNumber()) {
                                    ps.setDouble(i + 1, v.asDouble());
                                } else if (v.isBoolean()) {
                                    ps.setInt(i + 1, v.asBoolean() ? 1 : 0);
                                } else {
                                    ps.setString(i + 1, v.asText());
                                }
                            }
                            ps.addBatch();
                            n++;
                        }
                        ps.executeBatch();
                    }
                }
                counts.put(t, n);
            }
            if (db.dialect() == Dialect.POSTGRESQL) {
                try (Statement st = c.createStatement()) {
                    st.execute("SELECT setval(pg_get_serial_sequence('ledger_entries','entry_id'), "
                            + "COALESCE((SELECT MAX(entry_id) FROM ledger_entries), 0) + 1, false)");
                }
            }
            return null;
        });
        return new Summary(counts, sha256Hex(Files.readAllBytes(in)), !doc.path("config").isNull());
    }

    static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
