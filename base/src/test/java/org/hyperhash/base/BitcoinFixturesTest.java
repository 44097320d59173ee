package org.hyperhash.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

/** A real regtest block recorded from bitcoind: parse it and recompute every hash Core reported. */
class BitcoinFixturesTest {

    private static final byte[] RAW = Hex.decode(Vectors.fixture("getblock-verbosity0.json").get("result").asText());
    private static final JsonNode INFO = Vectors.fixture("getblock-verbosity1.json").get("result");

    @Test
    void parsesBlockAndRecomputesHeaderHashAndMerkleRoot() {
        Block block = Block.parse(RAW);
        BlockHeader80 h = block.header();
        assertEquals(INFO.get("hash").asText(), block.hash().toDisplayHex());
        assertEquals(INFO.get("merkleroot").asText(), h.merkleRoot().toDisplayHex());
        assertEquals(INFO.get("merkleroot").asText(), block.computeMerkleRoot().toDisplayHex());
        assertEquals(INFO.get("previousblockhash").asText(), h.prevHash().toDisplayHex());
        assertEquals(INFO.get("version").asInt(), h.version());
        assertEquals(INFO.get("time").asLong(), h.time() & 0xffffffffL);
        assertEquals(INFO.get("nonce").asLong(), h.nonce() & 0xffffffffL);
        assertEquals(INFO.get("bits").asText(), Hex.u32Be(h.bits()));
        assertEquals(INFO.get("target").asText(), CompactBits.toTarget(h.bits()).toBeHex());
        assertTrue(CompactBits.toTarget(h.bits()).isMetBy(block.hash().unsafeWireBytes()));
        assertArrayEquals(RAW, block.serialize().toArray());
        // also via the allocation-free header path
        byte[] hdr = new byte[80];
        h.writeTo(hdr, 0);
        byte[] out = new byte[32];
        new Sha256d().hash(hdr, 0, 80, out, 0);
        assertEquals(INFO.get("hash").asText(), Hex.encodeReversed(out));
    }

    @Test
    void transactionIdsMatchCore() {
        Block block = Block.parse(RAW);
        JsonNode txids = INFO.get("tx");
        assertEquals(INFO.get("nTx").asInt(), block.transactions().size());
        for (int i = 0; i < txids.size(); i++) {
            Transaction tx = block.transactions().get(i);
            assertEquals(txids.get(i).asText(), tx.txid().toDisplayHex(), "tx " + i);
            assertTrue(tx.hasWitness());
            assertFalse(tx.txid().equals(tx.wtxid()));
            assertEquals(tx, Transaction.parse(tx.serialize()));
        }
        assertEquals(INFO.get("strippedsize").asInt(),
                80 + 1 + block.transactions().stream().mapToInt(t -> t.serializeWithoutWitness().length()).sum());
    }

    @Test
    void coinbaseFieldsAndBip34AndMerklePath() {
        Block block = Block.parse(RAW);
        Transaction cb = block.transactions().getFirst();
        JsonNode info = INFO.get("coinbase_tx");
        assertTrue(cb.isCoinbase());
        assertEquals(info.get("version").asInt(), cb.version());
        assertEquals(info.get("locktime").asInt(), cb.lockTime());
        assertEquals(info.get("sequence").asLong(), cb.inputs().getFirst().sequence() & 0xffffffffL);
        assertEquals(info.get("coinbase").asText(), cb.inputs().getFirst().scriptSig().toHex());
        assertEquals(info.get("coinbase").asText(), Coinbase.bip34HeightPush(INFO.get("height").asLong()).toHex());
        assertEquals(List.of(Bytes.fromHex(info.get("witness").asText())), cb.inputs().getFirst().witness());

        // BIP141 strip of a prefix/suffix split of the real coinbase equals the legacy serialization
        byte[] full = cb.serialize().toArray();
        int split = 4 + 2 + 1 + 36 + 1 + 2; // version, marker/flag, n_in, outpoint, script len, script
        Bip141.Stripped s = Bip141.strip(Bytes.of(full, 0, split), Bytes.of(full, split, full.length - split));
        assertTrue(s.hadWitness());
        assertEquals(cb.serializeWithoutWitness(), s.prefix().concat(s.suffix()));

        List<Hash256> others = new ArrayList<>();
        for (int i = 1; i < block.transactions().size(); i++) {
            others.add(block.transactions().get(i).txid());
        }
        List<Hash256> path = MerkleBranch.coinbasePath(others);
        assertEquals(3, path.size()); // 5 txs -> depth 3
        assertEquals(block.header().merkleRoot(), MerkleBranch.root(cb.txid(), path));
        byte[] acc = cb.txid().toWireBytes();
        MerkleBranch.rootInPlace(acc, 0, MerkleBranch.flatten(path), new Sha256d());
        assertEquals(block.header().merkleRoot(), Hash256.wrap(acc));
        assertEquals(List.of(), MerkleBranch.coinbasePath(List.of()));
    }

    @Test
    void truncatedBlockIsATypedError() {
        byte[] cut = java.util.Arrays.copyOf(RAW, RAW.length - 3);
        MalformedDataException e = org.junit.jupiter.api.Assertions.assertThrows(MalformedDataException.class,
                () -> Block.parse(cut));
        assertEquals("tx.locktime", e.field());
    }
}
