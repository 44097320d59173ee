package org.hyperhash.tp.node;

import org.hyperhash.bitcoind.rpc.RpcException;

import org.hyperhash.base.Hash256;
import org.hyperhash.base.Hex;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parses the recorded Core response bodies exactly as they came off the wire. */
class RpcParsingTest {

    private static com.fasterxml.jackson.databind.JsonNode result(String fixture, int status) throws RpcException {
        return HttpBitcoindRpc.parseResponse("m", status, Vectors.fixtureText(fixture).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void blockTemplateWithTransactions() throws Exception {
        BlockTemplate t = HttpBitcoindRpc.parseBlockTemplate(result("getblocktemplate-with-transactions.json", 200));
        assertEquals(121, t.height());
        assertEquals(0x207fffff, t.bits());
        assertEquals(5_000_015_425L, t.coinbaseValueSats());
        assertEquals(9, t.transactions().size());
        assertEquals(15_425, t.totalFeesSats());
        BlockTemplate.TemplateTransaction first = t.transactions().getFirst();
        assertEquals("a8910b55b99b7c733728ee8ff9a976c1a40d3d04688a1feb2b3b9491756ec024", first.txid().toDisplayHex());
        assertEquals("d1aad54d2613327e95843ba4662e1714ea1661c673f6d9f0921040594e98b2e5", first.wtxid().toDisplayHex());
        assertEquals(3525, first.feeSats());
        assertEquals(561, first.weight());
        // the data really is that transaction
        assertEquals(first.txid(), org.hyperhash.base.Transaction.parse(first.data()).txid());
        assertEquals(first.wtxid(), org.hyperhash.base.Transaction.parse(first.data()).wtxid());
        assertEquals("2d0f966549cd5df60d852d3b20847ff0f3a14a045afa01389804b87067e5dbe6", t.previousBlockHash().toDisplayHex());
        assertEquals(org.hyperhash.base.CompactBits.toTarget(0x207fffff), t.target());
        assertEquals(4_000_000, t.weightLimit());
        assertEquals(80_000, t.sigopLimit());
        assertFalse(t.longPollId().isEmpty());
    }

    @Test
    void submitblockResults() throws Exception {
        assertInstanceOf(SubmitResult.Accepted.class, HttpBitcoindRpc.parseSubmitResult(result("submitblock-accepted.json", 200)));
        for (var e : java.util.Map.of("submitblock-duplicate.json", "duplicate", "submitblock-high-hash.json", "high-hash",
                "submitblock-bad-merkle.json", "bad-txnmrklroot", "submitblock-stale-fork.json", "inconclusive").entrySet()) {
            SubmitResult r = HttpBitcoindRpc.parseSubmitResult(result(e.getKey(), 200));
            assertEquals(new SubmitResult.Rejected(e.getValue()), r, e.getKey());
            assertEquals(e.getValue(), r.label());
        }
        RpcException decode = assertThrows(RpcException.class, () -> result("submitblock-decode-failed.json", 500));
        assertEquals(-22, decode.code());
        assertEquals(RpcException.Kind.RPC_ERROR, decode.kind());
        assertTrue(decode.getMessage().contains("Block decode failed"));
    }

    @Test
    void chainInfoBlockAndBestHash() throws Exception {
        ChainInfo ci = HttpBitcoindRpc.parseChainInfo(result("getblockchaininfo.json", 200));
        assertEquals("regtest", ci.chain());
        assertEquals(120, ci.blocks());
        assertFalse(ci.initialBlockDownload());
        assertEquals(0x207fffff, ci.bits());
        BlockSummary b = HttpBitcoindRpc.parseBlockSummary(result("getblock-verbosity1.json", 200));
        assertEquals(121, b.height());
        assertEquals(5, b.txids().size());
        assertEquals(ci.bestBlockHash(), b.previousBlockHash());
        Hash256 best = Hash256.fromDisplayHex(result("getbestblockhash.json", 200).asText());
        assertEquals(b.hash(), best);
        // the raw block hashes to that hash
        byte[] raw = Hex.decode(result("getblock-verbosity0.json", 200).asText());
        assertEquals(best, org.hyperhash.base.Block.parse(raw).hash());
    }

    @Test
    void errorsAreTyped() {
        RpcException noRule = assertThrows(RpcException.class, () -> result("getblocktemplate-error-no-segwit-rule.json", 500));
        assertEquals(-8, noRule.code());
        assertTrue(noRule.getMessage().contains("segwit rule"));
        RpcException nf = assertThrows(RpcException.class, () -> result("error-method-not-found.json", 404));
        assertEquals(-32601, nf.code());
        RpcException unauthorized = assertThrows(RpcException.class, () -> HttpBitcoindRpc.parseResponse("m", 401, new byte[0]));
        assertEquals(RpcException.Kind.UNAUTHORIZED, unauthorized.kind());
        RpcException warming = assertThrows(RpcException.class, () -> HttpBitcoindRpc.parseResponse("m", 500,
                "{\"result\":null,\"error\":{\"code\":-28,\"message\":\"Loading block index…\"},\"id\":\"hh\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(RpcException.Kind.WARMING_UP, warming.kind());
        assertTrue(warming.kind().isTransient());
        RpcException ibd = assertThrows(RpcException.class, () -> HttpBitcoindRpc.parseResponse("m", 500,
                "{\"result\":null,\"error\":{\"code\":-10,\"message\":\"Bitcoin Core is in initial sync and waiting for blocks...\"},\"id\":\"hh\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(RpcException.Kind.IN_INITIAL_BLOCK_DOWNLOAD, ibd.kind());
        RpcException html = assertThrows(RpcException.class, () -> HttpBitcoindRpc.parseResponse("m", 502, "<html>bad gateway</html>".getBytes(StandardCharsets.UTF_8)));
        assertEquals(RpcException.Kind.BAD_RESPONSE, html.kind());
    }

    @Test
    void malformedTemplateNamesTheField() {
        var node = Vectors.fixture("getblocktemplate-empty-mempool.json").get("result").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("bits", "zz");
        RpcException e = assertThrows(RpcException.class, () -> HttpBitcoindRpc.parseBlockTemplate(node));
        assertEquals(RpcException.Kind.BAD_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("'bits'"), e.getMessage());
        ((com.fasterxml.jackson.databind.node.ObjectNode) node).remove("height");
        ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("bits", "207fffff");
        assertTrue(assertThrows(RpcException.class, () -> HttpBitcoindRpc.parseBlockTemplate(node)).getMessage().contains("'height'"));
    }

    @Test
    void zmqHashblockFramesFromCore() {
        var msgs = Vectors.fixture("zmq-hashblock.json");
        long[] expectedSeq = {0x7b, 0x7c};
        for (int i = 0; i < msgs.size(); i++) {
            List<byte[]> frames = new java.util.ArrayList<>();
            msgs.get(i).get("frames_hex").forEach(f -> frames.add(Hex.decode(f.asText())));
            BlockNotification n = ZmqBlockListener.parse(frames, 1L);
            assertEquals(expectedSeq[i], n.sequence());
            // display order on the wire: the hex equals the RPC display hash
            assertEquals(msgs.get(i).get("frames_hex").get(1).asText(), n.blockHash().toDisplayHex());
        }
        assertThrows(IllegalArgumentException.class, () -> ZmqBlockListener.parse(List.of(new byte[3]), 0));
        assertThrows(IllegalArgumentException.class, () -> ZmqBlockListener.parse(
                List.of("hashblock".getBytes(StandardCharsets.US_ASCII), new byte[31], new byte[4]), 0));
        assertThrows(IllegalArgumentException.class, () -> ZmqBlockListener.parse(
                List.of("hashtx".getBytes(StandardCharsets.US_ASCII), new byte[32], new byte[4]), 0));
    }
}
