package org.hyperhash.treasury;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.hyperhash.daemon.Redact;

/**
 * Append-only, hash-chained JSON-lines audit log. Each line is
 * {@code {"seq":n,"ts_ms":t,"event":e,"data":{...},"prev":h(n-1),"hash":h(n)}} where {@code h(n)} is the SHA-256 of
 * the line's text up to (not including) {@code ,"hash":...}, closed with {@code }}; the first {@code prev} is 64 zeros.
 * Editing, removing or reordering any line breaks the chain ({@link #verify}). Values under secret-looking keys
 * (and any key containing "preimage") are written as {@code <redacted>}. Every append is forced to disk.
 */
public final class AuditLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GENESIS = "0".repeat(64);
    private static final String HASH_FIELD = ",\"hash\":\"";

    private final FileChannel ch;
    private final InstantSource clock;
    private long seq;
    private String prev;

    /** Result of {@link #verify}. */
    public record Verification(boolean ok, long lines, String problem) {
    }

    private AuditLog(FileChannel ch, InstantSource clock, long seq, String prev) {
        this.ch = ch;
        this.clock = clock;
        this.seq = seq;
        this.prev = prev;
    }

    /** Opens (creating) the log; refuses a log whose chain is broken. */
    public static AuditLog open(Path file, InstantSource clock) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        long seq = 0;
        String prev = GENESIS;
        if (Files.exists(file)) {
            Verification v = verify(file);
            if (!v.ok()) {
                throw new TreasuryException("audit log " + file + " is corrupt or was tampered with: " + v.problem());
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (!lines.isEmpty()) {
                JsonNode last = JSON.readTree(lines.getLast());
                seq = last.get("seq").asLong();
                prev = last.get("hash").asText();
            }
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        return new AuditLog(ch, clock, seq, prev);
    }

    /** Appends one event (durable on return). */
    public synchronized void append(String event, Map<String, ?> data) {
        Map<String, Object> clean = new TreeMap<>();
        data.forEach((k, v) -> clean.put(k, isSecret(k) ? Redact.REDACTED : v));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("seq", seq + 1);
        line.put("ts_ms", clock.millis());
        line.put("event", event);
        line.put("data", clean);
        line.put("prev", prev);
        String body;
        try {
            body = JSON.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new TreasuryException("cannot encode audit event " + event, e);
        }
        String hash = sha256Hex(body);
        String text = body.substring(0, body.length() - 1) + HASH_FIELD + hash + "\"}\n";
        try {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(false);
        } catch (IOException e) {
            throw new TreasuryException("cannot write audit log: " + e.getMessage(), e);
        }
        seq++;
        prev = hash;
    }

    private static boolean isSecret(String key) {
        return Redact.isSecretKey(key) || key.toLowerCase(Locale.ROOT).contains("preimage");
    }

    /** Checks every line's hash and link. */
    public static Verification verify(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String prev = GENESIS;
        long n = 0;
        for (String l : lines) {
            n++;
            int at = l.lastIndexOf(HASH_FIELD);
            if (at < 0 || !l.endsWith("\"}")) {
                return new Verification(false, n, "line " + n + " has no hash");
            }
            String body = l.substring(0, at) + "}";
            String hash = l.substring(at + HASH_FIELD.length(), l.length() - 2);
            if (!sha256Hex(body).equals(hash)) {
                return new Verification(false, n, "line " + n + " does not match its hash");
            }
            JsonNode node;
            try {
                node = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                return new Verification(false, n, "line " + n + " is not JSON");
            }
            if (!prev.equals(node.path("prev").asText()) || node.path("seq").asLong() != n) {
                return new Verification(false, n, "line " + n + " does not follow line " + (n - 1));
            }
            prev = hash;
        }
        return new Verification(true, n, null);
    }

    static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing buffered: every append was forced
        }
    }
}
