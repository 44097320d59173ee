package org.hyperhash.base;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

class Bip141Test {

    @Test
    void sv2Bip141StripVectors() {
        JsonNode vectors = Vectors.json("sv2_bip141_strip.json").get("vectors");
        assertEquals(3, vectors.size());
        for (JsonNode v : vectors) {
            Bytes prefix = Bytes.fromHex(v.get("coinbase_tx_prefix").asText());
            Bytes suffix = Bytes.fromHex(v.get("coinbase_tx_suffix").asText());
            boolean has = v.get("has_bip141").asBoolean();
            assertEquals(has, Bip141.hasWitness(prefix), v.get("source_test").asText());
            Bip141.Stripped s = Bip141.strip(prefix, suffix);
            assertEquals(has, s.hadWitness());
            if (has) {
                assertEquals(v.get("expected_prefix_stripped").asText(), s.prefix().toHex());
                assertEquals(v.get("expected_suffix_stripped").asText(), s.suffix().toHex());
            } else {
                assertSame(prefix, s.prefix());
                assertSame(suffix, s.suffix());
            }
        }
    }

    @Test
    void rejectsMarkerWithoutWitnessInSuffix() {
        Bytes prefix = Bytes.fromHex("020000000001010000");
        Bytes suffix = Bytes.fromHex("ff".repeat(40));
        MalformedDataException e = assertThrows(MalformedDataException.class, () -> Bip141.strip(prefix, suffix));
        assertEquals("coinbase_tx_suffix", e.field());
        assertThrows(MalformedDataException.class, () -> Bip141.strip(prefix, Bytes.fromHex("00000000")));
    }
}
