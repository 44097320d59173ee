package org.hyperhash.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

/** The base-level intermediates of sv2_share_validation.json (the channel module checks the outcomes). */
class ShareVectorsTest {

    @Test
    void everyIntermediateValue() {
        JsonNode root = Vectors.json("sv2_share_validation.json");
        JsonNode reward = root.get("pool_reward_output");
        TxOut poolOut = new TxOut(reward.get("value_sats").asLong(), Bytes.fromHex(reward.get("script_pubkey_hex").asText()));
        Sha256d sha = new Sha256d();
        for (JsonNode c : root.get("cases")) {
            String id = c.get("id").asText();
            JsonNode t = c.get("template");
            JsonNode comp = c.get("computed");
            JsonNode ch = c.get("channel");
            JsonNode tip = c.get("chain_tip");

            assertEquals(Target.fromBeHex(comp.get("channel_target_be").asText()),
                    Targets.fromNominalHashrate(ch.get("nominal_hashrate_hs").asDouble(), ch.get("shares_per_minute").asDouble()), id);
            assertEquals(Target.fromBeHex(comp.get("network_target_be").asText()), CompactBits.toTarget(tip.get("nbits").asInt()), id);

            // witness coinbase parses; its outputs = pool payout then template outputs
            Transaction cb = Transaction.parse(Hex.decode(comp.get("coinbase_tx_with_witness").asText()));
            assertTrue(cb.hasWitness(), id);
            List<TxOut> tmplOuts = TxOut.parseConcatenated(Bytes.fromHex(t.get("coinbase_tx_outputs").asText()),
                    t.get("coinbase_tx_outputs_count").asInt());
            assertEquals(poolOut, cb.outputs().get(0), id);
            assertEquals(tmplOuts, cb.outputs().subList(1, cb.outputs().size()), id);
            assertEquals(comp.get("coinbase_tx_no_witness").asText(), cb.serializeWithoutWitness().toHex(), id);
            assertEquals(comp.get("coinbase_tx_with_witness").asText(), cb.serialize().toHex(), id);
            assertEquals(comp.get("coinbase_txid_raw").asText(), cb.txid().toWireHex(), id);
            assertEquals(t.get("coinbase_tx_locktime").asInt(), cb.lockTime());
            String scriptSig = cb.inputs().getFirst().scriptSig().toHex();
            assertTrue(scriptSig.startsWith(t.get("coinbase_prefix").asText() + Coinbase.sv2TagPush("", "").toHex()), id);

            List<Hash256> path = new java.util.ArrayList<>();
            for (JsonNode n : t.get("merkle_path")) {
                path.add(Hash256.fromWireHex(n.asText()));
            }
            Hash256 merkleRoot = MerkleBranch.root(cb.txid(), path);
            assertEquals(comp.get("merkle_root_raw").asText(), merkleRoot.toWireHex(), id);

            JsonNode share = c.get("share");
            BlockHeader80 header = new BlockHeader80(share.get("version").asInt(), Hash256.fromWireHex(tip.get("prev_hash").asText()),
                    merkleRoot, (int) share.get("ntime").asLong(), tip.get("nbits").asInt(), (int) share.get("nonce").asLong());
            byte[] hdr = header.toBytes();
            assertEquals(comp.get("header_80B").asText(), Hex.encode(hdr), id);
            byte[] hash = new byte[32];
            sha.hash(hdr, 0, 80, hash, 0);
            assertEquals(comp.get("header_hash_raw").asText(), Hex.encode(hash), id);
            assertEquals(comp.get("header_hash_display").asText(), header.hash().toDisplayHex(), id);
            assertEquals(comp.get("meets_channel_target").asBoolean(),
                    Target.fromBeHex(comp.get("channel_target_be").asText()).isMetBy(hash), id);
            assertEquals(comp.get("meets_network_target").asBoolean(), CompactBits.toTarget(tip.get("nbits").asInt()).isMetBy(hash), id);

            // midstate over the first 64 header bytes gives the same hash
            Sha256d.Midstate ms = sha.midstate(hdr, 0, 64);
            byte[] viaMid = new byte[32];
            sha.finish(ms, hdr, 64, 16, viaMid, 0);
            assertArrayEquals(hash, viaMid, id);
            // streaming update of the coinbase parts gives the txid
            byte[] txid = new byte[32];
            byte[] nw = Hex.decode(comp.get("coinbase_tx_no_witness").asText());
            sha.update(nw, 0, 10).update(nw, 10, nw.length - 10).digestInto(txid, 0);
            assertEquals(comp.get("coinbase_txid_raw").asText(), Hex.encode(txid), id);
        }
    }

    @Test
    void compactSizeEncodingsAndCanonicalReads() {
        assertEquals("fc", Hex.encode(CompactSize.encode(0xfc)));
        assertEquals("fdfd00", Hex.encode(CompactSize.encode(0xfd)));
        assertEquals("fdffff", Hex.encode(CompactSize.encode(0xffff)));
        assertEquals("fe00000100", Hex.encode(CompactSize.encode(0x10000)));
        assertEquals("ff0000000001000000", Hex.encode(CompactSize.encode(0x100000000L)));
        for (long v : new long[] {0, 1, 0xfc, 0xfd, 0xffff, 0x10000, 0xffffffffL, 0x100000000L}) {
            byte[] e = CompactSize.encode(v);
            assertEquals(CompactSize.sizeOf(v), e.length);
            assertEquals(v, new ByteReader(e).compactSize("x"));
        }
        MalformedDataException e = org.junit.jupiter.api.Assertions.assertThrows(MalformedDataException.class,
                () -> new ByteReader(Hex.decode("fd1000")).compactSize("count"));
        assertEquals("count", e.field());
    }

    @Test
    void bip34PushesMatchCore() {
        assertEquals("00", Coinbase.bip34HeightPush(0).toHex());
        assertEquals("52", Coinbase.bip34HeightPush(2).toHex());
        assertEquals("60", Coinbase.bip34HeightPush(16).toHex());
        assertEquals("0111", Coinbase.bip34HeightPush(17).toHex());
        assertEquals("028000", Coinbase.bip34HeightPush(128).toHex());
        assertEquals("029f00", Coinbase.bip34HeightPush(159).toHex());
        assertEquals("03a08601", Coinbase.bip34HeightPush(100_000).toHex());
        assertEquals("03c0f70d", Coinbase.bip34HeightPush(915_392).toHex());
        assertEquals("065376322f2f2f", Coinbase.sv2TagPush("", "").toHex());
        assertFalse(Coinbase.pushData(Bytes.wrap(new byte[80])).toHex().startsWith("50"));
        assertEquals("4c50", Coinbase.pushData(Bytes.wrap(new byte[80])).toHex().substring(0, 4));
    }
}
