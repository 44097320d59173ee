package org.hyperhash.sv1;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Parses and writes SV1 JSON-RPC lines (without the trailing newline). Thread-safe. */
public final class Sv1Json {
    /** Shared mapper; nesting depth limited so hostile input cannot recurse deeply. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16)
                .maxStringLength(64 * 1024).maxNumberLength(64).build());
    }

    private Sv1Json() {
    }

    /**
     * Parses one line.
     *
     * @throws Sv1ParseException invalid JSON, not an object, or neither a method call nor a reply
     */
    public static Sv1Message parse(String line) throws Sv1ParseException {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new Sv1ParseException("invalid JSON: " + firstLine(e.getOriginalMessage()));
        }
        if (n == null || !n.isObject()) {
            throw new Sv1ParseException("expected a JSON object, got " + (n == null ? "nothing" : n.getNodeType()));
        }
        JsonNode id = n.get("id");
        JsonNode method = n.get("method");
        if (method != null && !method.isNull()) {
            if (!method.isTextual()) {
                throw new Sv1ParseException("method: expected a string, got " + method.getNodeType());
            }
            JsonNode params = n.get("params");
            ArrayNode arr;
            if (params == null || params.isNull()) {
                arr = JsonNodeFactory.instance.arrayNode();
            } else if (params.isArray()) {
                arr = (ArrayNode) params;
            } else {
                throw new Sv1ParseException(method.asText() + " params: expected an array, got " + params.getNodeType());
            }
            return new Sv1Message.Request(id, method.asText(), arr);
        }
        if (n.has("result") || n.has("error")) {
            JsonNode err = n.get("error");
            Sv1Error error = null;
            if (err != null && !err.isNull()) {
                error = parseError(err);
            }
            return new Sv1Message.Response(id, n.get("result"), error);
        }
        throw new Sv1ParseException("neither a method call nor a reply (no method/result/error)");
    }

    private static Sv1Error parseError(JsonNode err) {
        if (err.isArray() && err.size() >= 2) {
            return new Sv1Error(err.get(0).asInt(Sv1Error.OTHER), err.get(1).asText(""));
        }
        if (err.isObject()) {
            return new Sv1Error(err.path("code").asInt(Sv1Error.OTHER), err.path("message").asText(""));
        }
        return new Sv1Error(Sv1Error.OTHER, err.asText(""));
    }

    /** Serializes a message as one line (no newline). */
    public static String write(Sv1Message m) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        switch (m) {
            case Sv1Message.Request r -> {
                o.set("id", r.id());
                o.put("method", r.method());
                o.set("params", r.params());
            }
            case Sv1Message.Response r -> {
                o.set("id", r.id());
                o.set("result", r.result());
                o.set("error", r.error() == null ? null : r.error().toJson());
            }
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize SV1 message", e);
        }
    }

    /**
     * Appends {@code r} to {@code out} byte for byte as {@link #write} would serialize it, without building a tree or a
     * String, when every part is plain: an id that is a JSON integer (int or long), null, or a string of printable ASCII
     * without {@code "} or {@code \\}; a result that is null, true, false or an array of such values and arrays (the
     * subscribe result); an error whose message is such a string.
     * Those are the share replies ({@code true}, {@code [23,"Low difficulty share",null]} ...), a miner's most frequent
     * line. Returns false and writes nothing for anything else (the caller then uses {@link #write}).
     */
    public static boolean writePlainResponse(Sv1Message.Response r, io.netty.buffer.ByteBuf out) {
        JsonNode id = r.id();
        JsonNode result = r.result();
        Sv1Error e = r.error();
        boolean plainId = id.isNull() || id.isInt() || id.isLong() || (id.isTextual() && plainAscii(id.textValue()));
        if (!plainId || !(result.isNull() || result.isBoolean() || plainArray(result, 0))
                || (e != null && !plainAscii(e.message()))) {
            return false;
        }
        out.writeBytes(ID_PREFIX);
        if (id.isTextual()) {
            out.writeByte('"');
            out.writeCharSequence(id.textValue(), java.nio.charset.StandardCharsets.US_ASCII);
            out.writeByte('"');
        } else if (id.isNull()) {
            out.writeBytes(NULL);
        } else {
            writeLong(out, id.longValue());
        }
        out.writeBytes(RESULT_PREFIX);
        writePlain(result, out);
        out.writeBytes(ERROR_PREFIX);
        if (e == null) {
            out.writeBytes(NULL);
        } else {
            out.writeByte('[');
            writeLong(out, e.code());
            out.writeByte(',');
            out.writeByte('"');
            out.writeCharSequence(e.message(), java.nio.charset.StandardCharsets.US_ASCII);
            out.writeBytes(ERROR_SUFFIX);
        }
        out.writeByte('}');
        return true;
    }

    private static final byte[] ID_PREFIX = ascii("{\"id\":");
    private static final byte[] RESULT_PREFIX = ascii(",\"result\":");
    private static final byte[] ERROR_PREFIX = ascii(",\"error\":");
    private static final byte[] ERROR_SUFFIX = ascii("\",null]");
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * An array (nested at most {@value #PLAIN_DEPTH} deep) of nulls, booleans, ints, longs, plain strings and such arrays:
     * a new miner's subscribe result ({@code [[["mining.set_difficulty","id"],["mining.notify","id"]],"en1",8]}), written
     * once per connection, which went through a Jackson generator per miner in a connect storm.
     */
    private static boolean plainArray(JsonNode n, int depth) {
        if (!n.isArray() || depth > PLAIN_DEPTH) {
            return false;
        }
        for (JsonNode e : n) {
            if (!(e.isNull() || e.isBoolean() || e.isInt() || e.isLong() || (e.isTextual() && plainAscii(e.textValue()))
                    || plainArray(e, depth + 1))) {
                return false;
            }
        }
        return true;
    }

    private static final int PLAIN_DEPTH = 3;

    /** A node that is null, boolean, int, long, a plain string or a {@link #plainArray}, as Jackson writes it. */
    private static void writePlain(JsonNode n, io.netty.buffer.ByteBuf out) {
        if (n.isArray()) {
            out.writeByte('[');
            boolean first = true;
            for (JsonNode e : n) {
                if (!first) {
                    out.writeByte(',');
                }
                first = false;
                writePlain(e, out);
            }
            out.writeByte(']');
        } else if (n.isTextual()) {
            out.writeByte('"');
            out.writeCharSequence(n.textValue(), java.nio.charset.StandardCharsets.US_ASCII);
            out.writeByte('"');
        } else if (n.isNull()) {
            out.writeBytes(NULL);
        } else if (n.isBoolean()) {
            out.writeBytes(n.booleanValue() ? TRUE : FALSE);
        } else {
            writeLong(out, n.longValue());
        }
    }

    /**
     * At most {@code maxChars} chars of {@code s}, each control character (U+0000-U+001F and U+007F) replaced by
     * {@code ?}: untrusted text (a miner's user agent, a peer's error code) for replies, logs and error messages.
     * Returns the prefix itself when there is nothing to replace (a loop, not a regex: this runs once per new miner).
     */
    public static String printablePrefix(String s, int maxChars) {
        String t = s.length() > maxChars ? s.substring(0, maxChars) : s;
        char[] out = null;
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = t.toCharArray();
                }
                out[i] = '?';
            }
        }
        return out == null ? t : new String(out);
    }

    /** Printable ASCII without a quote or backslash: Jackson writes such a string as is between quotes. */
    private static boolean plainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static void writeLong(io.netty.buffer.ByteBuf out, long v) {
        if (v >= 0 && v < 10) {
            out.writeByte('0' + (int) v);
        } else {
            out.writeCharSequence(Long.toString(v), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return Sv1ParseException.excerpt(nl < 0 ? s : s.substring(0, nl));
    }
}
