package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * A hand parser for the plain shape of an SV1 request line, the one every miner sends for {@code mining.submit}:
 * <pre>{"id": 4, "method": "mining.submit", "params": ["worker", "1", "01000000", "680be961", "00004107"]}</pre>
 * Why not Jackson here: a miner's share is the translator's most frequent line, and in the profile of the warm submit
 * path (bench/README.md, sv1submit) Jackson's {@code readTree} was ~20% of the SV1 loop's Java time (a tree parser, a
 * String of the whole line first). This reads the line's bytes once and builds the same nodes.
 *
 * <p>It accepts a strict subset and gives up (returns null) on everything else, which then goes through
 * {@link Sv1Json#parse} exactly as before, so errors, escapes, unicode, big or fractional numbers, duplicate or extra
 * keys, nested values and trailing bytes all keep Jackson's behaviour. The subset: JSON whitespace around tokens; one
 * object with exactly the keys {@code id}, {@code method} and {@code params}, each once, in any order; {@code id} a
 * non-negative integer of at most 9 digits without a leading zero, {@code null}, or a plain string; {@code method} a plain
 * string; {@code params} an array of plain strings, {@code null}, {@code true}, {@code false} and such integers; nothing
 * after the object but whitespace. A plain string is printable ASCII without {@code "} or {@code \}. For every line it
 * accepts, the result equals {@link Sv1Json#parse}'s (Sv1FastRequestTest compares the two on a generated corpus).
 */
public final class Sv1FastRequest {
    private static final byte[] ID = ascii("id");
    private static final byte[] METHOD = ascii("method");
    private static final byte[] PARAMS = ascii("params");

    private Sv1FastRequest() {
    }

    /** The request in {@code line}'s readable bytes (not consumed), or null: not the plain shape, ask {@link Sv1Json#parse}. */
    public static Sv1Message.Request parse(ByteBuf line) {
        int n = line.readableBytes();
        if (line.hasArray()) {
            int off = line.arrayOffset() + line.readerIndex();
            return new Cursor(line.array(), off, off + n).request();
        }
        // A direct buffer (every socket read): one copy into this thread's scratch, then plain array reads. Per-byte
        // ByteBuf.getByte costs an index and reference-count check each (measured: the parser was then no faster than
        // Jackson's tree parse of a String).
        byte[] a = n <= MAX_SCRATCH ? SCRATCH.get() : new byte[n];
        if (a.length < n) {
            a = new byte[Math.max(n, 2 * a.length)];
            SCRATCH.set(a);
        }
        line.getBytes(line.readerIndex(), a, 0, n);
        return new Cursor(a, 0, n).request();
    }

    /** Lines up to this size are copied into a per-thread buffer (grown on demand); longer ones get their own array. */
    private static final int MAX_SCRATCH = 64 * 1024;
    private static final io.netty.util.concurrent.FastThreadLocal<byte[]> SCRATCH = new io.netty.util.concurrent.FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[1024];
        }
    };

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** One parse; {@code i} is the next byte. A failed step returns a negative index or null. */
    private static final class Cursor {
        private final byte[] b;
        private final int end;
        private int i;

        Cursor(byte[] b, int from, int end) {
            this.b = b;
            this.i = from;
            this.end = end;
        }

        /** Bytes already checked to be printable ASCII: Latin-1 decoding is the same and the cheapest. */
        private String ascii(int from, int len) {
            return new String(b, from, len, StandardCharsets.ISO_8859_1);
        }

        Sv1Message.Request request() {
            ws();
            if (!take('{')) {
                return null;
            }
            JsonNode id = null;
            String method = null;
            ArrayNode params = null;
            while (true) {
                ws();
                int keyStart = i;
                int keyEnd = plainString();
                if (keyEnd < 0) {
                    return null;
                }
                ws();
                if (!take(':')) {
                    return null;
                }
                ws();
                if (is(keyStart, keyEnd, ID)) {
                    if (id != null) {
                        return null; // duplicate key: Jackson's rule (the last one wins) stays Jackson's
                    }
                    id = scalar(false);
                    if (id == null) {
                        return null;
                    }
                } else if (is(keyStart, keyEnd, METHOD)) {
                    if (method != null) {
                        return null;
                    }
                    int s = i;
                    int e = plainString();
                    if (e < 0) {
                        return null;
                    }
                    method = ascii(s + 1, e - s - 2);
                } else if (is(keyStart, keyEnd, PARAMS)) {
                    if (params != null) {
                        return null;
                    }
                    params = array();
                    if (params == null) {
                        return null;
                    }
                } else {
                    return null;
                }
                ws();
                if (take(',')) {
                    continue;
                }
                if (take('}')) {
                    break;
                }
                return null;
            }
            ws();
            if (i != end || id == null || method == null || params == null) {
                return null;
            }
            return new Sv1Message.Request(id, method, params);
        }

        private ArrayNode array() {
            if (!take('[')) {
                return null;
            }
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            ws();
            if (take(']')) {
                return a;
            }
            while (true) {
                JsonNode v = scalar(true);
                if (v == null) {
                    return null;
                }
                a.add(v);
                ws();
                if (take(',')) {
                    ws();
                    continue;
                }
                return take(']') ? a : null;
            }
        }

        /** A plain string, a small non-negative integer, null, or (with {@code booleans}) true/false; else null. */
        private JsonNode scalar(boolean booleans) {
            if (i >= end) {
                return null;
            }
            byte c = b[i];
            if (c == '"') {
                int s = i;
                int e = plainString();
                return e < 0 ? null : TextNode.valueOf(ascii(s + 1, e - s - 2));
            }
            if (c >= '0' && c <= '9') {
                int s = i;
                int v = 0;
                while (i < end && (c = b[i]) >= '0' && c <= '9') {
                    v = v * 10 + (c - '0');
                    i++;
                }
                int digits = i - s;
                if (digits > 9 || (digits > 1 && b[s] == '0')) {
                    return null; // a long, a big number or a leading zero: Jackson's
                }
                if (i < end && ((c = b[i]) == '.' || c == 'e' || c == 'E' || (c >= 'a' && c <= 'z')
                        || (c >= 'A' && c <= 'Z'))) {
                    return null; // fractional or a token like 1x: Jackson's
                }
                return IntNode.valueOf(v);
            }
            if (literal("null")) {
                return NullNode.getInstance();
            }
            if (booleans && literal("true")) {
                return BooleanNode.TRUE;
            }
            if (booleans && literal("false")) {
                return BooleanNode.FALSE;
            }
            return null;
        }

        /** The literal, followed by a byte that ends a token (else not taken). */
        private boolean literal(String word) {
            int n = word.length();
            if (end - i < n) {
                return false;
            }
            for (int k = 0; k < n; k++) {
                if (b[i + k] != word.charAt(k)) {
                    return false;
                }
            }
            if (i + n < end) {
                byte next = b[i + n];
                if (next != ',' && next != ']' && next != '}' && !isWs(next)) {
                    return false;
                }
            }
            i += n;
            return true;
        }

        /** At a {@code "}: skips a plain string and returns the index after its closing quote, or -1. */
        private int plainString() {
            if (!take('"')) {
                return -1;
            }
            while (i < end) {
                byte c = b[i++];
                if (c == '"') {
                    return i;
                }
                if (c < 0x20 || c > 0x7e || c == '\\') {
                    return -1; // control bytes, escapes and non-ASCII (UTF-8 checks, surrogates ...): Jackson's
                }
            }
            return -1;
        }

        private boolean is(int start, int afterQuote, byte[] key) {
            int len = afterQuote - start - 2;
            if (len != key.length) {
                return false;
            }
            for (int k = 0; k < len; k++) {
                if (b[start + 1 + k] != key[k]) {
                    return false;
                }
            }
            return true;
        }

        private boolean take(char c) {
            if (i < end && b[i] == c) {
                i++;
                return true;
            }
            return false;
        }

        private void ws() {
            while (i < end && isWs(b[i])) {
                i++;
            }
        }

        private static boolean isWs(byte c) {
            return c == ' ' || c == '\t' || c == '\r' || c == '\n';
        }
    }
}
