package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Differential test of {@link Sv1FastRequest} against the Jackson path ({@link Sv1Json#parse}): recorded and
 * firmware-shaped lines and a large corpus of random mutations of them (valid and malformed). Wherever the hand parser
 * answers, Jackson must give the equal request; wherever it declines, the pipeline must still give exactly what Jackson
 * gives (the same request, or {@link Sv1Malformed} with the same reason).
 */
class Sv1FastRequestTest {
    private static final JsonNode V = Vectors.json("sv1_translation_derived.json");

    /** Lines as miners send them (the recorded vectors, then the shapes of common firmware). */
    static List<String> seeds() {
        List<String> l = new ArrayList<>();
        l.add(Sv1Json.MAPPER.valueToTree(V.get("sv1_submit")).toString());
        l.add(Sv1Json.MAPPER.valueToTree(V.get("sv1_notify")).toString());
        l.add(Sv1Json.MAPPER.valueToTree(V.get("sv1_subscribe_response")).toString());
        l.add("{\"id\": 4, \"method\": \"mining.submit\", \"params\": [\"user_identity\", \"1\", \"0100000000000000\", \"680be961\", \"00004107\"]}");
        l.add("{\"params\": [\"bc1qaddr.s19\", \"1a\", \"00000001\", \"680be961\", \"2d1f0a33\", \"00a4e000\"], \"id\": 1234, \"method\": \"mining.submit\"}");
        l.add("{\"id\":77,\"method\":\"mining.submit\",\"params\":[\"w.1\",\"5\",\"00000000\",\"680be961\",\"deadbeef\"]}");
        l.add("{\"method\":\"mining.submit\",\"params\":[\"w\",\"5\",\"00000000\",\"680be961\",\"deadbeef\",null],\"id\":\"abc\"}");
        l.add("{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"bmminer/2.0.0\"]}");
        l.add("{\"id\": 1, \"method\": \"mining.subscribe\", \"params\": [\"cgminer/4.12.0\", \"8a2f1c\"]}");
        l.add("{\"id\": 2, \"method\": \"mining.authorize\", \"params\": [\"bc1qaddress.worker1\", \"x\"]}");
        l.add("{\"id\":3,\"method\":\"mining.extranonce.subscribe\",\"params\":[]}");
        l.add("{\"id\":5,\"method\":\"mining.suggest_difficulty\",\"params\":[1024]}");
        l.add("{\"id\":5,\"method\":\"mining.suggest_difficulty\",\"params\":[0.5]}");
        l.add("{\"id\":0,\"method\":\"mining.configure\",\"params\":[[\"version-rolling\"],{\"version-rolling.mask\":\"1fffe000\",\"version-rolling.min-bit-count\":2}]}");
        l.add("{\"id\":9,\"result\":null,\"error\":null}");
        l.add("{\"id\":null,\"method\":\"client.get_version\",\"params\":[true,false,null]}");
        l.add("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"mining.submit\",\"params\":[\"w\",\"5\",\"00000000\",\"680be961\",\"deadbeef\"]}");
        l.add("\t {\"id\":10,\"method\":\"mining.submit\",\"params\":[\"w\",\"5\",\"00000000\",\"680be961\",\"deadbeef\"]} \r");
        return l;
    }

    private static final String[] NOISE = {"{", "}", "[", "]", "\"", ",", ":", "\\", "\\\"", "\\u0041", "\\n", " ", "\t", "\r",
        "0", "01", "-1", "1e3", "1.5", "999999999", "1000000000", "18446744073709551616", "null", "nul", "true", "false", "x",
        "\u00e9", "\u20ac", "\ud83d\ude00", "\u0000", "\u001f", "\u007f", "\"id\":1,", "\"id\":\"x\",", "\"method\":\"m\",",
        "\"params\":[],", "\"params\":{},", "/*c*/", "'", "NaN", "\ufeff", "\"a\":[1,{\"b\":2}],"};

    static List<String> corpus(int n) {
        SplittableRandom r = new SplittableRandom(2026_12_07);
        List<String> seeds = seeds();
        Set<String> out = new LinkedHashSet<>(seeds);
        while (out.size() < n) {
            StringBuilder s = new StringBuilder(seeds.get(r.nextInt(seeds.size())));
            int edits = 1 + r.nextInt(r.nextInt(4) == 0 ? 6 : 2);
            for (int e = 0; e < edits && s.length() > 0; e++) {
                int at = r.nextInt(s.length() + 1);
                switch (r.nextInt(8)) {
                    case 0 -> s.deleteCharAt(Math.min(at, s.length() - 1));
                    case 1, 2 -> s.insert(at, NOISE[r.nextInt(NOISE.length)]);
                    case 3 -> s.insert(at, " \t\r\n".charAt(r.nextInt(4)));
                    case 4 -> s.setLength(at); // truncated
                    case 5 -> s.append(NOISE[r.nextInt(NOISE.length)]); // trailing bytes
                    case 6 -> { // a digit or letter changed (numbers, hex, keys)
                        int k = Math.min(at, s.length() - 1);
                        s.setCharAt(k, "0123456789abcdefxyz\"".charAt(r.nextInt(20)));
                    }
                    default -> { // a key or value duplicated
                        int k = s.indexOf(",\"", at);
                        int e2 = k < 0 ? -1 : s.indexOf(",", k + 2);
                        if (k >= 0 && e2 > k) {
                            s.insert(k, s.substring(k, e2));
                        }
                    }
                }
            }
            // as the pipeline sees it: bytes decoded as UTF-8 (a lone surrogate from the noise becomes '?')
            out.add(new String(s.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }
        return new ArrayList<>(out);
    }

    /** What the Jackson path makes of a line: the message or the error's class and text. */
    static Object jackson(String line) {
        try {
            return Sv1Json.parse(line);
        } catch (Sv1ParseException e) {
            return new Sv1Malformed(e.getMessage());
        } catch (RuntimeException e) {
            return e.getClass();
        }
    }

    static String show(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            b.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    @Test
    void whereverTheHandParserAnswersJacksonGivesTheSameRequest() {
        List<String> corpus = corpus(60_000);
        int answered = 0;
        int malformed = 0;
        for (String line : corpus) {
            byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
            Sv1Message.Request fast = Sv1FastRequest.parse(Unpooled.wrappedBuffer(bytes));
            // a direct buffer, as socket reads are (copied to the thread's scratch), with bytes before the reader index
            io.netty.buffer.ByteBuf direct = Unpooled.directBuffer(bytes.length + 3).writeBytes(new byte[] {'{', '"', 'x'})
                    .writeBytes(bytes);
            direct.skipBytes(3);
            assertEquals(fast, Sv1FastRequest.parse(direct), () -> "direct: " + show(line));
            direct.release();
            Object slow = jackson(line);
            if (slow instanceof Sv1Malformed) {
                malformed++;
            }
            if (fast != null) {
                answered++;
                assertEquals(slow, fast, () -> "line: " + show(line));
                // node types too (IntNode vs LongNode ... compare equal only when the same type, but be explicit)
                Sv1Message.Request j = (Sv1Message.Request) slow;
                assertEquals(j.id().getNodeType(), fast.id().getNodeType(), line);
                assertEquals(j.id().numberType(), fast.id().numberType(), line);
                for (int k = 0; k < j.params().size(); k++) {
                    assertEquals(j.params().get(k).getClass(), fast.params().get(k).getClass(), line);
                }
            }
        }
        // the test means something only if both sides are exercised: many lines answered, many declined, many malformed
        int total = corpus.size();
        int a = answered;
        int m = malformed;
        assertTrue(a > total / 10, () -> "answered " + a + " of " + total);
        assertTrue(a < total * 9 / 10, () -> "answered " + a + " of " + total);
        assertTrue(m > total / 5, () -> "malformed " + m + " of " + total);
    }

    @Test
    void thePipelineGivesJacksonsResultForEveryLine() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Sv1Pipeline.install(ch.pipeline(), Sv1Pipeline.DEFAULT_MAX_LINE_BYTES);
        for (String line : corpus(20_000)) {
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                continue; // a line break frames two lines: covered by the direct comparison above
            }
            ch.writeInbound(Unpooled.copiedBuffer(line + "\n", StandardCharsets.UTF_8));
            Object got = ch.readInbound();
            if (line.isBlank()) {
                assertNull(got, show(line));
                continue;
            }
            assertNotNull(got, show(line));
            assertEquals(jackson(line), got, () -> "line: " + show(line));
        }
        ch.finishAndReleaseAll();
    }

    @Test
    void theSharesOfCommonFirmwareTakeTheHandParser() {
        for (String line : seeds()) {
            Object slow = jackson(line);
            boolean plain = slow instanceof Sv1Message.Request r && (r.method().equals("mining.submit")
                    || r.method().equals("mining.subscribe") || r.method().equals("mining.authorize"))
                    && !line.contains("jsonrpc");
            if (plain) {
                Sv1Message.Request fast = Sv1FastRequest.parse(Unpooled.wrappedBuffer(line.getBytes(StandardCharsets.UTF_8)));
                assertNotNull(fast, line);
                assertEquals(slow, fast);
            }
        }
        Sv1Message.Request r = Sv1FastRequest.parse(Unpooled.copiedBuffer(
                "{\"id\": 4, \"method\": \"mining.submit\", \"params\": [\"w\", \"1\", \"01000000\", \"680be961\", \"00004107\"]}",
                StandardCharsets.US_ASCII));
        assertInstanceOf(com.fasterxml.jackson.databind.node.IntNode.class, r.id());
        assertEquals("mining.submit", r.method());
        assertEquals(5, r.params().size());
    }
}
