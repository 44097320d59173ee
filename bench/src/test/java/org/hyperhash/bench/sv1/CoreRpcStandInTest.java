package org.hyperhash.bench.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hyperhash.base.Transaction;
import org.hyperhash.bitcoind.rpc.RpcAuth;
import org.hyperhash.bitcoind.rpc.RpcEndpoint;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.testkit.Vectors;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.node.BlockNotification;
import org.hyperhash.tp.node.HttpBitcoindRpc;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.node.ZmqBlockListener;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.TemplateFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Core stand-in that ckpool mines against in the SV1 side-by-side benchmark: the project's own Core client
 * (HttpBitcoindRpc, checked against real Core recordings) and ZMQ listener read it as they read Core, the
 * getblocktemplate keys are Core's, and requests written the way ckpool writes them (bare LF header lines, a new
 * connection per call, no id) are answered.
 */
class CoreRpcStandInTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final DevnetChain chain = new DevnetChain(DevnetParams.defaults(), ManualClock.ofEpochSecond(1_800_000_000L));
    private CoreRpcStandIn node;

    @AfterEach
    void close() {
        if (node != null) {
            node.close();
        }
    }

    private HttpBitcoindRpc client(String password) {
        return new HttpBitcoindRpc(RpcEndpoint.of(URI.create("http://127.0.0.1:" + node.rpcPort() + "/"),
                new RpcAuth.UserPassword("u", password)));
    }

    @Test
    void coreClientReadsTemplatesAndSubmitsBlocks() throws Exception {
        node = new CoreRpcStandIn(chain, "u", "p");
        HttpBitcoindRpc rpc = client("p");
        assertEquals(chain.getBlockTemplate(), rpc.getBlockTemplate());
        assertEquals(chain.tipHash(), rpc.getBestBlockHash());
        assertEquals(chain.getBlockchainInfo().blocks(), rpc.getBlockchainInfo().blocks());

        BlockingQueue<BlockNotification> seen = new ArrayBlockingQueue<>(4);
        try (ZmqBlockListener zmq = new ZmqBlockListener("tcp://127.0.0.1:" + node.zmqPort())) {
            zmq.start(seen::add);
            // a SUB socket drops what was published before its subscription reached the publisher (PUB/SUB slow joiner,
            // Core's ZMQ alike): a block every 100 ms until one is seen (a fixed 300 ms wait missed it on a loaded CI run)
            java.util.List<org.hyperhash.base.Hash256> published = new java.util.ArrayList<>();
            BlockNotification n = null;
            CkpoolBenchServer.Mined mined = null;
            for (int i = 0; i < 600 && n == null; i++) { // up to 60 s on a heavily loaded machine
                mined = CkpoolBenchServer.mine(chain, new TemplateFactory(CoinbaseStyle.CORE), 7);
                assertInstanceOf(SubmitResult.Accepted.class, rpc.submitBlock(mined.block()));
                published.add(chain.tipHash());
                n = seen.poll(100, TimeUnit.MILLISECONDS);
            }
            assertNotNull(n, "hashblock published");
            assertTrue(published.contains(n.blockHash()), "a hashblock of a submitted block: " + n.blockHash());
            assertEquals(new SubmitResult.Rejected("duplicate"), rpc.submitBlock(mined.block()));
            assertEquals(published.size(), chain.height());
        }
        assertEquals(chain.tipHash(), rpc.getBestBlockHash());
    }

    @Test
    void templateHasCoreKeysAndTheSegwitRuleIsRequired() throws Exception {
        node = new CoreRpcStandIn(chain, "u", "p");
        JsonNode core = Vectors.fixture("getblocktemplate-empty-mempool.json").get("result");
        Reply r = ckpoolStyle("p", "{\"method\": \"getblocktemplate\", \"params\": [{\"capabilities\": [\"coinbasetxn\", "
                + "\"workid\", \"coinbase/append\"], \"rules\" : [\"segwit\"]}]}\n");
        assertEquals(200, r.status);
        JsonNode ours = JSON.readTree(r.body).get("result");
        assertEquals(names(core.fieldNames()), names(ours.fieldNames()));
        assertTrue(r.body.endsWith("\n") && r.body.indexOf('\n') == r.body.length() - 1, "one JSON line (ckpool reads lines)");
        JsonNode tx = ours.get("transactions").get(0);
        assertEquals(names(Vectors.fixture("getblocktemplate-with-transactions.json").get("result").get("transactions").get(0)
                .fieldNames()), names(tx.fieldNames()));

        Reply noSegwit = ckpoolStyle("p", "{\"method\": \"getblocktemplate\", \"params\": [{}]}\n");
        assertEquals(500, noSegwit.status);
        assertEquals(-8, JSON.readTree(noSegwit.body).get("error").get("code").asInt());
        Reply unknown = ckpoolStyle("p", "{\"method\": \"nosuchmethod\"}\n");
        assertEquals(404, unknown.status);
        assertEquals(Vectors.fixture("error-method-not-found.json").get("error"), JSON.readTree(unknown.body).get("error"));
        Reply wrong = ckpoolStyle("nope", "{\"method\": \"getbestblockhash\"}\n");
        assertEquals(401, wrong.status);
        assertEquals("", wrong.body);
    }

    @Test
    void addressesAndTransactionsAreDecoded() throws Exception {
        node = new CoreRpcStandIn(chain, "u", "p");
        JsonNode ok = result(ckpoolStyle("p", "{\"method\": \"validateaddress\", \"params\": [\"" + CkpoolBenchServer.ADDRESS + "\"]}\n"));
        assertTrue(ok.get("isvalid").asBoolean());
        assertFalse(ok.get("isscript").asBoolean());
        assertTrue(ok.get("iswitness").asBoolean());
        assertEquals("0014" + "3425cf0f88b63f4109797b4ad091446f8f72b7ab", ok.get("scriptPubKey").asText());
        JsonNode mainnet = result(ckpoolStyle("p", "{\"method\": \"validateaddress\", \"params\": [\"bc1q28kkr5hk4gnqe3evma6runjrd2pvqyp8fpwfzu\"]}\n"));
        assertFalse(mainnet.get("isvalid").asBoolean(), "a mainnet address on a regtest node");
        JsonNode bad = result(ckpoolStyle("p", "{\"method\": \"validateaddress\", \"params\": [\"bcrt1qxsju7rugkcl5zzte0d9dpy2yd78h9dat7janyw\"]}\n"));
        assertFalse(bad.get("isvalid").asBoolean(), "bad checksum");

        var mined = CkpoolBenchServer.mine(chain, new TemplateFactory(CoinbaseStyle.CORE), 9);
        Transaction coinbase = org.hyperhash.base.Block.parse(mined.block().unsafeArray()).transactions().getFirst();
        JsonNode d = result(ckpoolStyle("p", "{\"method\": \"decoderawtransaction\", \"params\": [\"" + coinbase.serialize().toHex() + "\"]}"));
        assertEquals(coinbase.txid().toDisplayHex(), d.get("txid").asText());
        assertEquals(coinbase.wtxid().toDisplayHex(), d.get("hash").asText());
        assertTrue(d.get("vin").get(0).has("coinbase"));
        assertEquals(coinbase.outputs().size(), d.get("vout").size());
        Reply junk = ckpoolStyle("p", "{\"method\": \"decoderawtransaction\", \"params\": [\"00\"]}");
        assertEquals(-22, JSON.readTree(junk.body).get("error").get("code").asInt());
    }

    private record Reply(int status, String body) {
    }

    private static JsonNode result(Reply r) throws IOException {
        assertEquals(200, r.status, r.body);
        return JSON.readTree(r.body).get("result");
    }

    private static List<String> names(Iterator<String> it) {
        List<String> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        l.sort(null);
        return l;
    }

    /** A request exactly as ckpool's _json_rpc_call writes it: bare LF line ends, new connection, read to close. */
    private Reply ckpoolStyle(String password, String body) throws IOException {
        String auth = Base64.getEncoder().encodeToString(("u:" + password).getBytes(StandardCharsets.UTF_8));
        try (Socket s = new Socket("127.0.0.1", node.rpcPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST / HTTP/1.1\nAuthorization: Basic " + auth + "\nHost: 127.0.0.1:" + node.rpcPort()
                    + "\nContent-type: application/json\nContent-Length: " + body.length() + "\n\n" + body)
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String status = line(in);
            int length = 0;
            for (String h; !(h = line(in)).isEmpty(); ) {
                if (h.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            return new Reply(Integer.parseInt(status.split(" ")[1]), new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
            b.write(c);
        }
        String s = b.toString(StandardCharsets.US_ASCII);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
