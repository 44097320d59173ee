package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every intermediate of vectors/sv1_translation_derived.json. */
class Sv1TranslationVectorTest {
    private static final JsonNode V = Vectors.json("sv1_translation_derived.json");
    private static final JsonNode NOTIFY = V.get("sv1_notify").get("params");
    private static final Bytes PREFIX = Bytes.fromHex(V.get("sv1_subscribe_response").get("result").get(1).asText());

    /** The SV2 messages the vector is the SV1 view of (non-aggregated, no local bytes). */
    private static final NewExtendedMiningJob JOB = new NewExtendedMiningJob(1, 1, OptionalInt.empty(), 0x20000000, true,
            List.of(), Bytes.fromHex(NOTIFY.get(2).asText()), Bytes.fromHex(NOTIFY.get(3).asText()));
    private static final SetNewPrevHash TIP = new SetNewPrevHash(1, 1,
            Hash256.fromWireHex(V.get("prevhash_conversion").get("sv2_prev_hash_u256_wire_hex").asText()), 0x680be961, 0x1b00d7c0);
    private static final ExtranonceLayout LAYOUT = ExtranonceLayout.choose(PREFIX, 8, 8, 0, 32, false);

    @Test
    void prevhashWordSwap() throws Exception {
        JsonNode pc = V.get("prevhash_conversion");
        Hash256 wire = Hash256.fromWireHex(pc.get("sv2_prev_hash_u256_wire_hex").asText());
        assertEquals(pc.get("sv1_prevhash_param").asText(), PrevHash.toSv1(wire));
        assertEquals(wire, PrevHash.fromSv1(pc.get("sv1_prevhash_param").asText()));
        assertEquals(pc.get("block_explorer_display").asText(), wire.toDisplayHex());
    }

    @Test
    void subscribeResultBytes() throws Exception {
        JsonNode expected = V.get("sv1_subscribe_response");
        assertEquals(24, PREFIX.length());
        assertEquals(PREFIX, LAYOUT.extranonce1(0));
        assertEquals(Bytes.EMPTY, LAYOUT.coinb1Suffix());
        SubscribeResult r = new SubscribeResult("1", "ae6812eb4cd7735a302a8a9dd95cf71f", LAYOUT.extranonce1(0), 8);
        Sv1Message.Response resp = Sv1Message.Response.ok(expected.get("id"), r.toJson());
        assertEquals(expected, Sv1Json.MAPPER.readTree(Sv1Json.write(resp)));
        assertEquals(r, SubscribeResult.fromJson(expected.get("result")));
    }

    @Test
    void notifyFromSv2Job() throws Exception {
        MiningNotify n = Sv1Sv2.notify("1", JOB, TIP, LAYOUT, true);
        assertEquals(V.get("sv1_notify"), Sv1Json.MAPPER.readTree(Sv1Json.write(n.toMessage())));
        assertEquals(n, MiningNotify.fromParams((ArrayNode) NOTIFY));
        assertEquals("20000000", Sv1Hex.u32(JOB.version()));
        assertEquals("1b00d7c0", Sv1Hex.u32(TIP.nbits()));
        assertEquals("680be961", Sv1Hex.u32(TIP.minNtime()));
    }

    @Test
    void shareToSv2AndEveryIntermediate() throws Exception {
        JsonNode submitJson = V.get("sv1_submit");
        MiningSubmit s = MiningSubmit.parse((ArrayNode) submitJson.get("params"), 8);
        assertEquals("user_identity", s.worker());
        assertEquals(0x680be961, s.ntime());
        assertEquals(0x00004107, s.nonce());
        assertTrue(s.versionBits().isEmpty());
        MiningNotify n = MiningNotify.fromParams((ArrayNode) NOTIFY);

        Bytes coinbase = Sv1Sv2.coinbase(n.coinb1(), PREFIX, s.extranonce2(), n.coinb2());
        assertEquals(V.get("coinbase_tx_hex").asText(), coinbase.toHex());
        assertEquals(V.get("merkle_root_raw").asText(), Sv1Sv2.merkleRoot(coinbase, n.merkleBranch()).toWireHex());
        int version = Sv1Sv2.shareVersion(n.version(), s, VersionRolling.BIP323_MASK);
        BlockHeader80 h = Sv1Sv2.header(n, PREFIX, s.extranonce2(), s.ntime(), s.nonce(), version);
        assertEquals(V.get("header_hex").asText(), Bytes.wrap(h.toBytes()).toHex());
        assertEquals(V.get("header_hash_raw").asText(), h.hash().toWireHex());
        assertEquals(V.get("header_hash_display").asText(), h.hash().toDisplayHex());

        JsonNode e = V.get("sv2_submit_shares_extended");
        SubmitSharesExtended sv2 = Sv1Sv2.submit(e.get("channel_id").asInt(), e.get("sequence_number").asInt(),
                Integer.parseInt(s.jobId()), LAYOUT, 0, s, version, null);
        assertEquals(new SubmitSharesExtended(e.get("channel_id").asInt(), e.get("sequence_number").asInt(),
                e.get("job_id").asInt(), (int) e.get("nonce").asLong(), (int) e.get("ntime").asLong(),
                (int) e.get("version").asLong(), Bytes.fromHex(e.get("extranonce").asText()), List.of()), sv2);

        Target channelTarget = Target.fromBeHex(V.get("channel_target_be").asText());
        assertTrue(channelTarget.isMetBy(h.hash().toWireBytes()));
        assertEquals(V.get("sv1_difficulty_for_channel_target").asDouble(), Sv1Difficulty.fromTarget(channelTarget),
                1e-12 * V.get("sv1_difficulty_for_channel_target").asDouble());
        // difficulty -> target -> difficulty is stable to double precision
        double d = Sv1Difficulty.fromTarget(channelTarget);
        assertEquals(d, Sv1Difficulty.fromTarget(Sv1Difficulty.toTarget(d)), d * 1e-15);
        assertFalse(Sv1Difficulty.toTarget(1.0).isMetBy(h.hash().toWireBytes()));
    }

    @Test
    void versionBitsFormula() throws Exception {
        MiningSubmit s = MiningSubmit.parse(params("w", "1", "0100000000000000", "680be961", "00004107", "1fffe000"), 8);
        assertEquals(0x3fffe000, Sv1Sv2.shareVersion(0x20000000, s, VersionRolling.BIP323_MASK));
        assertEquals(0x20000000 | 0x00ffe000, Sv1Sv2.shareVersion(0x20000000, s, 0x00ffe000));
        assertEquals(0x1fffe000, VersionRolling.negotiate(0x1fffe000, VersionRolling.BIP323_MASK));
        assertEquals(0x1FFFFFE0, VersionRolling.negotiate(0xffffffff, VersionRolling.BIP323_MASK));
        assertTrue(VersionRolling.withinMask(0x1fffe000, VersionRolling.BIP323_MASK));
        assertFalse(VersionRolling.withinMask(0x20000000, VersionRolling.BIP323_MASK));
    }

    private static ArrayNode params(String... p) {
        ArrayNode a = Sv1Json.MAPPER.createArrayNode();
        for (String s : p) {
            a.add(s);
        }
        return a;
    }
}
