package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Sv1JsonTest {

    @ParameterizedTest
    @ValueSource(strings = {"1", "\"abc\"", "null", "1.5", "[1,2]", "{\"a\":1}", "18446744073709551616", "true"})
    void idOfAnyJsonTypeIsEchoedVerbatim(String id) throws Exception {
        Sv1Message.Request r = (Sv1Message.Request) Sv1Json.parse(
                "{\"id\":" + id + ",\"method\":\"mining.authorize\",\"params\":[\"a.b\",\"x\"]}");
        String reply = Sv1Json.write(Sv1Message.Response.ok(r.id(), BooleanNode.TRUE));
        JsonNode back = Sv1Json.MAPPER.readTree(reply);
        assertEquals(Sv1Json.MAPPER.readTree(id), back.get("id"));
        assertEquals("{\"id\":" + Sv1Json.MAPPER.writeValueAsString(Sv1Json.MAPPER.readTree(id))
                + ",\"result\":true,\"error\":null}", reply);
    }

    @Test
    void missingIdAndParamsDefault() throws Exception {
        Sv1Message.Request r = (Sv1Message.Request) Sv1Json.parse("{\"method\":\"mining.extranonce.subscribe\"}");
        assertTrue(r.isNotification());
        assertEquals(0, r.params().size());
    }

    @Test
    void errorsWrittenAsArrayAndParsedInBothForms() throws Exception {
        String line = Sv1Json.write(Sv1Message.Response.error(Sv1Json.MAPPER.readTree("7"), Sv1Error.stale()));
        assertEquals("{\"id\":7,\"result\":null,\"error\":[21,\"Job not found (=stale)\",null]}", line);
        Sv1Message.Response r = (Sv1Message.Response) Sv1Json.parse(line);
        assertEquals(Sv1Error.stale(), r.error());
        Sv1Message.Response o = (Sv1Message.Response) Sv1Json.parse(
                "{\"id\":7,\"result\":null,\"error\":{\"code\":23,\"message\":\"Low difficulty share\"}}");
        assertEquals(Sv1Error.lowDifficulty(), o.error());
    }

    @Test
    void invalidInputNamesTheProblem() {
        assertTrue(assertThrows(Sv1ParseException.class, () -> Sv1Json.parse("{\"id\":1,")).getMessage()
                .startsWith("invalid JSON"));
        assertTrue(assertThrows(Sv1ParseException.class, () -> Sv1Json.parse("[1,2]")).getMessage()
                .contains("expected a JSON object"));
        assertTrue(assertThrows(Sv1ParseException.class, () -> Sv1Json.parse("{\"id\":1,\"method\":5}")).getMessage()
                .startsWith("method"));
        assertTrue(assertThrows(Sv1ParseException.class,
                () -> Sv1Json.parse("{\"id\":1,\"method\":\"mining.submit\",\"params\":{}}")).getMessage()
                .contains("params: expected an array"));
        assertTrue(assertThrows(Sv1ParseException.class, () -> Sv1Json.parse("{\"id\":1}")).getMessage()
                .contains("neither"));
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThrows(Sv1ParseException.class,
                () -> Sv1Json.parse("{\"id\":1,\"method\":\"x\",\"params\":" + deep + "}"));
    }

    @Test
    void submitParamErrorsNameTheField() {
        String[][] cases = {
            {"[\"w\",\"1\",\"0100\",\"680be961\",\"00004107\"]", "params[2] extranonce2: expected 4 bytes"},
            {"[\"w\",\"1\",\"01000000\",\"680be9\",\"00004107\"]", "params[3] ntime: expected 8 hex digits"},
            {"[\"w\",\"1\",\"01000000\",\"680be961\",\"zz004107\"]", "params[4] nonce: expected 8 hex digits"},
            {"[\"w\",\"1\",\"01000000\",\"680be961\",\"00004107\",5]", "params[5] version_bits: expected a string"},
            {"[\"w\",\"1\",\"01000000\"]", "expected at least 5 params"},
            {"[\"w\",null,\"01000000\",\"680be961\",\"00004107\"]", "params[1] job_id"},
        };
        for (String[] c : cases) {
            Sv1ParseException e = assertThrows(Sv1ParseException.class,
                    () -> MiningSubmit.parse((com.fasterxml.jackson.databind.node.ArrayNode) Sv1Json.MAPPER.readTree(c[0]), 4));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void configureParsesBip310() throws Exception {
        MiningConfigure c = MiningConfigure.parse((com.fasterxml.jackson.databind.node.ArrayNode) Sv1Json.MAPPER.readTree(
                "[[\"version-rolling\",\"minimum-difficulty\",\"subscribe-extranonce\"],"
                        + "{\"version-rolling.mask\":\"1fffe000\",\"version-rolling.min-bit-count\":\"10\","
                        + "\"minimum-difficulty.value\":2048}]"));
        assertEquals(0x1fffe000, c.versionRollingMask());
        assertEquals(16, c.versionRollingMinBitCount());
        assertEquals(2048.0, c.minimumDifficulty().getAsDouble());
        assertEquals("{\"version-rolling\":true,\"version-rolling.mask\":\"1fffe000\",\"minimum-difficulty\":true,"
                + "\"subscribe-extranonce\":true}", c.result(java.util.OptionalInt.of(
                        VersionRolling.negotiate(c.versionRollingMask(), VersionRolling.BIP323_MASK)), true, true).toString());
        // min-bit-count not satisfiable -> version-rolling false
        MiningConfigure strict = MiningConfigure.parse((com.fasterxml.jackson.databind.node.ArrayNode) Sv1Json.MAPPER.readTree(
                "[[\"version-rolling\"],{\"version-rolling.mask\":\"00000060\",\"version-rolling.min-bit-count\":4}]"));
        assertEquals("{\"version-rolling\":false}", strict.result(java.util.OptionalInt.of(
                VersionRolling.negotiate(strict.versionRollingMask(), VersionRolling.BIP323_MASK)), false, false).toString());
        assertEquals(-1, MiningConfigure.parse((com.fasterxml.jackson.databind.node.ArrayNode) Sv1Json.MAPPER.readTree(
                "[[\"version-rolling\"],{}]")).versionRollingMask());
        assertThrows(Sv1ParseException.class, () -> MiningConfigure.parse(
                (com.fasterxml.jackson.databind.node.ArrayNode) Sv1Json.MAPPER.readTree("[[\"version-rolling\"],{\"version-rolling.mask\":\"xyz\"}]")));
    }

    /** The codec's share-reply fast path writes exactly Jackson's bytes, and leaves anything else to Jackson. */
    @Test
    void plainResponseBytesEqualJackson() throws Exception {
        String[] ids = {"1", "0", "9", "10", "-1", "-9", "2147483647", "-2147483648", "9223372036854775807",
                "-9223372036854775808", "18446744073709551616", "\"abc\"", "\"\"", "\"a b/c~\"", "\"q\\\"x\"",
                "\"b\\\\s\"", "\"\\u00e9\"", "\"\\u007f\"", "\"tab\\t\"", "null", "1.5", "true", "[1]", "{\"a\":1}"};
        JsonNode[] results = {com.fasterxml.jackson.databind.node.NullNode.getInstance(), BooleanNode.TRUE, BooleanNode.FALSE,
                Sv1Json.MAPPER.readTree("[1,\"x\"]"), Sv1Json.MAPPER.readTree("\"s\""), Sv1Json.MAPPER.readTree("[]"),
                new SubscribeResult("0123456789abcdef", "0123456789abcdef", org.hyperhash.base.Bytes.fromHex("01000002ff"), 8)
                        .toJson(),
                Sv1Json.MAPPER.readTree("[[[[\"deep\"]]],null,true,false,-5,9223372036854775807]"),
                Sv1Json.MAPPER.readTree("[[[[[\"too deep\"]]]]]"), Sv1Json.MAPPER.readTree("[\"q\\\"\"]"),
                Sv1Json.MAPPER.readTree("[\"\\u00e9\"]"), Sv1Json.MAPPER.readTree("[1.5]"), Sv1Json.MAPPER.readTree("[{\"a\":1}]"),
                Sv1Json.MAPPER.readTree("[18446744073709551616]")};
        Sv1Error[] errors = {null, Sv1Error.lowDifficulty(), Sv1Error.stale(), Sv1Error.duplicate(), Sv1Error.unauthorized(),
                Sv1Error.notSubscribed(), Sv1Error.other("ntime too far in the future"), new Sv1Error(-3, "x"),
                new Sv1Error(123456, ""), Sv1Error.other("quote \" inside"), Sv1Error.other("non-ascii \u00e9"),
                Sv1Error.other("line\nbreak")};
        int fast = 0;
        for (String idText : ids) {
            JsonNode id = Sv1Json.MAPPER.readTree(idText);
            for (JsonNode result : results) {
                for (Sv1Error error : errors) {
                    Sv1Message.Response r = new Sv1Message.Response(id, error == null ? result : null, error);
                    io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
                    try {
                        if (Sv1Json.writePlainResponse(r, out)) {
                            fast++;
                            assertEquals(Sv1Json.write(r), out.toString(java.nio.charset.StandardCharsets.UTF_8), r.toString());
                        } else {
                            assertEquals(0, out.writerIndex(), "nothing written when it falls back: " + r);
                        }
                    } finally {
                        out.release();
                    }
                }
            }
        }
        assertTrue(fast > 100, "fast path taken " + fast + " times");
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        assertTrue(Sv1Json.writePlainResponse(Sv1Message.Response.error(Sv1Json.MAPPER.readTree("4"), Sv1Error.lowDifficulty()), out));
        assertEquals("{\"id\":4,\"result\":null,\"error\":[23,\"Low difficulty share\",null]}",
                out.toString(java.nio.charset.StandardCharsets.US_ASCII));
        out.release();
        // a new miner's subscribe result takes the plain path too (no Jackson generator per connection)
        out = io.netty.buffer.Unpooled.buffer();
        Sv1Message.Response sub = Sv1Message.Response.ok(Sv1Json.MAPPER.readTree("2"),
                new SubscribeResult("ab01", "ab01", org.hyperhash.base.Bytes.fromHex("0100000200000001"), 8).toJson());
        assertTrue(Sv1Json.writePlainResponse(sub, out));
        assertEquals("{\"id\":2,\"result\":[[[\"mining.set_difficulty\",\"ab01\"],[\"mining.notify\",\"ab01\"]],"
                + "\"0100000200000001\",8],\"error\":null}", out.toString(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(Sv1Json.write(sub), out.toString(java.nio.charset.StandardCharsets.US_ASCII));
        out.release();
    }
}
