package org.hyperhash.treasury;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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

    public static byte[] readKey(Path keyFile) throws IOException {
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

    /** Writes an encrypted backup of {@code db} (and the config text, may be null) to {@code out}. */
    public static Summary export(LedgerDatabase db, String configText, Path keyFile, Path out, long nowMs) throws IOException {
        byte[] key = readKey(keyFile);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("format", "hh-treasury-backup-v1");
        doc.put("created_at_ms", nowMs);
        doc.put("config", configText);
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Object> tables = new LinkedHashMap<>();
        Jdbc.query(db.dataSource(), c -> {
            c.setAutoCommit(false); // one consistent snapshot of every table
            try {
                for (String t : TABLES) {
                    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + t + " ORDER BY 1")) {
                        ResultSetMetaData md = rs.getMetaData();
                        List<String> cols = new ArrayList<>();
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            cols.add(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
                        }
                        List<List<Object>> rows = new ArrayList<>();
                        while (rs.next()) {
                            List<Object> row = new ArrayList<>(cols.size());
                            for (int i = 1; i <= cols.size(); i++) {
                                Object v = rs.getObject(i);
                                row.add(v instanceof Number n && !(v instanceof Double) && !(v instanceof Float) ? (Object) n.longValue() : v);
                            }
                            rows.add(row);
                        }
                        tables.put(t, Map.of("columns", cols, "rows", rows));
                        counts.put(t, rows.size());
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
            return null;
        });
        doc.put("tables", tables);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            JSON.writeValue(z, doc);
        }
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        byte[] ct;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            cipher.updateAAD(MAGIC);
            ct = cipher.doFinal(gz.toByteArray());
        } catch (GeneralSecurityException e) {
            throw new TreasuryException("backup encryption failed: " + e.getClass().getSimpleName());
        } finally {
            Arrays.fill(key, (byte) 0);
        }
        byte[] file = new byte[MAGIC.length + nonce.length + ct.length];
        System.arraycopy(MAGIC, 0, file, 0, MAGIC.length);
        System.arraycopy(nonce, 0, file, MAGIC.length, nonce.length);
        System.arraycopy(ct, 0, file, MAGIC.length + nonce.length, ct.length);
        String sha = sha256Hex(file);
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        Files.write(tmp, file);
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(out.resolveSibling(out.getFileName() + ".sha256"), sha + "  " + out.getFileName() + "\n");
        return new Summary(counts, sha, configText != null);
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
