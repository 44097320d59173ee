package org.hyperhash.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the shared golden vectors (copied from ../shared/vectors into this module's resources under
 * {@code vectors/}) and the bitcoind regtest fixtures (under {@code fixtures/bitcoind-regtest/}).
 */
public final class Vectors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Vectors() {
    }

    public static byte[] bytes(String resource) {
        try (InputStream in = Vectors.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String resource) {
        return new String(bytes(resource), StandardCharsets.UTF_8);
    }

    /** A JSON file under vectors/. */
    public static JsonNode json(String name) {
        return parse(text("vectors/" + name));
    }

    /** A JSON fixture recorded from bitcoind regtest. */
    public static JsonNode fixture(String name) {
        return parse(text("fixtures/bitcoind-regtest/" + name));
    }

    public static String fixtureText(String name) {
        return text("fixtures/bitcoind-regtest/" + name);
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A CSV file under vectors/ as rows keyed by header (no quoting in these files except empty cells). */
    public static List<Map<String, String>> csv(String name) {
        String[] lines = text("vectors/" + name).split("\r?\n");
        String[] header = splitCsv(lines[0]);
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            String[] cells = splitCsv(lines[i]);
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < header.length; c++) {
                row.put(header[c], c < cells.length ? cells[c] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    private static String[] splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out.toArray(String[]::new);
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    public static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
