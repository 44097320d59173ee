package org.hyperhash.agent;

import org.hyperhash.agent.json.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    @Test
    void canonicalEncodingIsFixed() {
        Object v = Json.parse("{ \"b\": [1, -2, true, null], \"a\": \"x\\\"y\\\\z\\n\u00e9\", \"B\": {\"z\": 0, \"y\": false} }");
        // keys sorted by UTF-16 code units ("B" < "a" < "b"), no whitespace, minimal escapes, literal UTF-8
        String expected = "{\"B\":{\"y\":false,\"z\":0},\"a\":\"x\\\"y\\\\z\\u000a\u00e9\",\"b\":[1,-2,true,null]}";
        assertEquals(expected, new String(Json.canonical(v), StandardCharsets.UTF_8));
        assertEquals(Json.parse(expected), Json.parse(new String(Json.canonical(Json.parse(expected)), StandardCharsets.UTF_8)));
    }

    @Test
    void rejectsWhatTheCanonicalFormCannotRepresent() {
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1.5}"));
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1e3}"));
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}"));
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":01}"));
        assertThrows(Json.JsonException.class, () -> Json.parse("{\"a\":1} x"));
        assertThrows(Json.JsonException.class, () -> Json.parse("[".repeat(40) + "]".repeat(40)));
        assertThrows(Json.JsonException.class, () -> Json.parse("\"a\u0001\""));
        assertThrows(Json.JsonException.class, () -> Json.parse("99999999999999999999"));
        assertThrows(Json.JsonException.class, () -> Json.parse(new byte[] {'"', (byte) 0xC3, '"'}));
    }

    @Test
    void parsesNestedValues() {
        Object v = Json.parse("{\"a\":[{\"b\":\"\\u0041\"}],\"n\":-9223372036854775808}");
        assertEquals(Map.of("a", List.of(Map.of("b", "A")), "n", Long.MIN_VALUE), v);
    }
}
