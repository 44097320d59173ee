package org.hyperhash.agent.json;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small, strict JSON reader and writer (JDK only: the agent must not depend on libraries that could
 * break it). Values map to {@link Map} (insertion ordered, duplicate keys rejected), {@link List},
 * {@link String}, {@link Long} (integers only: fractions and exponents are rejected), {@link Boolean}
 * and {@link #NULL}.
 *
 * <p><b>Canonical encoding</b> ({@link #canonical}), the bytes that release signatures cover: UTF-8; no
 * whitespace; object members sorted by key (UTF-16 code unit order, as {@link String#compareTo});
 * strings escape only the quote and the backslash (with a backslash) and U+0000..U+001F (as
 * {@code \\u00xx}, lower-case hex), everything else is written literally; integers in shortest decimal
 * form; {@code true}, {@code false}, {@code null}. Floating point values do not exist in this encoding.
 */
public final class Json {
    /** The JSON {@code null} value (maps cannot hold Java null). */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final int MAX_DEPTH = 32;

    private Json() {
    }

    /** Thrown for malformed JSON; the message names the position and what was expected. */
    public static final class JsonException extends IllegalArgumentException {
        public JsonException(String message) {
            super(message);
        }
    }

    /** Parses one JSON value (and nothing after it but whitespace). */
    public static Object parse(String text) {
        Parser p = new Parser(text);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.pos != text.length()) {
            throw p.error("trailing characters");
        }
        return v;
    }

    /** Parses UTF-8 bytes (rejecting malformed UTF-8). */
    public static Object parse(byte[] utf8) {
        var dec = StandardCharsets.UTF_8.newDecoder();
        try {
            return parse(dec.decode(java.nio.ByteBuffer.wrap(utf8)).toString());
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new JsonException("invalid UTF-8");
        }
    }

    /** Parses a document that must be an object. */
    public static Map<String, Object> parseObject(byte[] utf8) {
        if (parse(utf8) instanceof Map<?, ?> m) {
            return cast(m);
        }
        throw new JsonException("expected a JSON object at the top level");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    /** The canonical encoding described in the class comment. */
    public static byte[] canonical(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, true, -1, 0);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Human-friendly encoding (2-space indent, keys in insertion order), with a trailing newline. */
    public static String pretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, false, 2, 0);
        return sb.append('\n').toString();
    }

    /** Compact encoding, keys in insertion order. */
    public static String compact(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, false, -1, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, boolean sorted, int indent, int level) {
        if (v == null || v == NULL) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Map<?, ?> m) {
            Map<?, ?> entries = m;
            if (sorted) {
                TreeMap<String, Object> t = new TreeMap<>();
                m.forEach((k, x) -> t.put((String) k, x));
                entries = t;
            }
            sb.append('{');
            boolean first = true;
            for (var e : entries.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, indent, level + 1);
                quote(sb, (String) e.getKey());
                sb.append(indent >= 0 ? ": " : ":");
                write(sb, e.getValue(), sorted, indent, level + 1);
            }
            if (!entries.isEmpty()) {
                newline(sb, indent, level);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                newline(sb, indent, level + 1);
                write(sb, l.get(i), sorted, indent, level + 1);
            }
            if (!l.isEmpty()) {
                newline(sb, indent, level);
            }
            sb.append(']');
        } else {
            throw new JsonException("cannot encode a " + v.getClass().getSimpleName() + " (integers only)");
        }
    }

    private static void newline(StringBuilder sb, int indent, int level) {
        if (indent >= 0) {
            sb.append('\n').append(" ".repeat(indent * level));
        }
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        JsonException error(String what) {
            return new JsonException("JSON: " + what + " at offset " + pos);
        }

        void ws() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            if (pos >= s.length()) {
                throw error("unexpected end of input");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", NULL);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("unexpected character '" + c + "'");
                }
            };
        }

        Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) {
                throw error("expected " + word);
            }
            pos += word.length();
            return v;
        }

        Map<String, Object> object(int depth) {
            pos++;
            Map<String, Object> m = new LinkedHashMap<>();
            ws();
            if (peek() == '}') {
                pos++;
                return Collections.unmodifiableMap(m);
            }
            while (true) {
                ws();
                if (peek() != '"') {
                    throw error("expected a member name");
                }
                String k = string();
                ws();
                expect(':');
                ws();
                Object v = value(depth + 1);
                if (m.put(k, v) != null) {
                    throw error("duplicate member \"" + k + "\"");
                }
                ws();
                char c = next();
                if (c == '}') {
                    return Collections.unmodifiableMap(m);
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
            }
        }

        List<Object> array(int depth) {
            pos++;
            List<Object> l = new ArrayList<>();
            ws();
            if (peek() == ']') {
                pos++;
                return Collections.unmodifiableList(l);
            }
            while (true) {
                ws();
                l.add(value(depth + 1));
                ws();
                char c = next();
                if (c == ']') {
                    return Collections.unmodifiableList(l);
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']'");
                }
            }
        }

        char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end of input");
            }
            return s.charAt(pos);
        }

        char next() {
            char c = peek();
            pos++;
            return c;
        }

        void expect(char c) {
            if (next() != c) {
                pos--;
                throw error("expected '" + c + "'");
            }
        }

        String string() {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return sb.toString();
                }
                if (c < 0x20) {
                    pos--;
                    throw error("control character in string");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> sb.append(e);
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("truncated \\u escape");
                        }
                        try {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                    }
                    default -> {
                        pos--;
                        throw error("bad escape '\\" + e + "'");
                    }
                }
            }
        }

        Long number() {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            int digits = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
            }
            if (pos == digits) {
                throw error("expected digits");
            }
            if (s.charAt(digits) == '0' && pos - digits > 1) {
                throw error("leading zero in number");
            }
            if (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                throw error("only integers are allowed");
            }
            try {
                return Long.parseLong(s.substring(start, pos));
            } catch (NumberFormatException e) {
                throw error("integer out of range");
            }
        }
    }
}
