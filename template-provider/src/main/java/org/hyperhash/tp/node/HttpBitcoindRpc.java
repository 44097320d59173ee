package org.hyperhash.tp.node;

import org.hyperhash.bitcoind.rpc.JsonRpcClient;
import org.hyperhash.bitcoind.rpc.RpcEndpoint;
import org.hyperhash.bitcoind.rpc.RpcException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Hex;
import org.hyperhash.base.Target;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * {@link BitcoindRpc}: the TP's typed calls and their parsing over the shared {@link JsonRpcClient} (module
 * bitcoind-rpc: auth, timeouts, retries, error mapping). Thread-safe; blocking.
 */
public final class HttpBitcoindRpc implements BitcoindRpc {
    private static final Logger LOG = LoggerFactory.getLogger(HttpBitcoindRpc.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The RPC methods this client's typed calls use (metrics register these up front). */
    public static final List<String> METHODS =
            List.of("getblocktemplate", "submitblock", "getblockchaininfo", "getbestblockhash", "getblock");

    private final RpcEndpoint endpoint;
    private final JsonRpcClient client;

    /**
     * @param endpoint where and how
     * @param errorListener called once per failed call (after retries) with the method and error;
     *     used for the "RPC errors by method" metric
     */
    public HttpBitcoindRpc(RpcEndpoint endpoint, BiConsumer<String, RpcException> errorListener) {
        this.endpoint = endpoint;
        this.client = new JsonRpcClient(endpoint, errorListener);
    }

    public HttpBitcoindRpc(RpcEndpoint endpoint) {
        this(endpoint, null);
    }

    public RpcEndpoint endpoint() {
        return endpoint;
    }

    @Override
    public BlockTemplate getBlockTemplate() throws RpcException {
        return parseBlockTemplate(call("getblocktemplate", List.of(gbtRequest(null)), endpoint.requestTimeout()));
    }

    @Override
    public BlockTemplate getBlockTemplateLongPoll(String longPollId) throws RpcException {
        return parseBlockTemplate(call("getblocktemplate", List.of(gbtRequest(longPollId)), endpoint.longPollTimeout()));
    }

    private static ObjectNode gbtRequest(String longPollId) {
        ObjectNode req = JSON.createObjectNode();
        req.putArray("rules").add("segwit");
        if (longPollId != null) {
            req.put("longpollid", longPollId);
        }
        return req;
    }

    @Override
    public SubmitResult submitBlock(Bytes block) throws RpcException {
        JsonNode r = call("submitblock", List.of(block.toHex()), endpoint.requestTimeout());
        return parseSubmitResult(r);
    }

    @Override
    public ChainInfo getBlockchainInfo() throws RpcException {
        return parseChainInfo(call("getblockchaininfo", List.of(), endpoint.requestTimeout()));
    }

    @Override
    public Hash256 getBestBlockHash() throws RpcException {
        JsonNode r = call("getbestblockhash", List.of(), endpoint.requestTimeout());
        return Parse.hash("getbestblockhash", "result", r);
    }

    @Override
    public Bytes getBlockRaw(Hash256 hash) throws RpcException {
        JsonNode r = call("getblock", List.of(hash.toDisplayHex(), 0), endpoint.requestTimeout());
        return Parse.hex("getblock", "result", r);
    }

    @Override
    public BlockSummary getBlock(Hash256 hash) throws RpcException {
        return parseBlockSummary(call("getblock", List.of(hash.toDisplayHex(), 1), endpoint.requestTimeout()));
    }

    /**
     * Performs one JSON-RPC call with retries; returns the {@code result} node (the shared client, {@link JsonRpcClient}).
     *
     * @param params positional parameters (String, Number, Boolean or JsonNode)
     */
    public JsonNode call(String method, List<?> params, Duration timeout) throws RpcException {
        return client.call(method, params, timeout);
    }

    /** Interprets one HTTP response body as Core writes it. Package-private for tests. */
    static JsonNode parseResponse(String method, int status, byte[] body) throws RpcException {
        return JsonRpcClient.parseResponse(method, status, body);
    }

    /** Parses a {@code getblocktemplate} result. */
    public static BlockTemplate parseBlockTemplate(JsonNode r) throws RpcException {
        String m = "getblocktemplate";
        Parse.object(m, "result", r);
        List<BlockTemplate.TemplateTransaction> txs = new ArrayList<>();
        JsonNode arr = Parse.field(m, r, "transactions");
        if (!arr.isArray()) {
            throw Parse.bad(m, "transactions", "not an array");
        }
        for (int i = 0; i < arr.size(); i++) {
            JsonNode t = arr.get(i);
            String f = "transactions[" + i + "]";
            List<Integer> depends = new ArrayList<>();
            for (JsonNode d : t.path("depends")) {
                depends.add(d.asInt());
            }
            txs.add(new BlockTemplate.TemplateTransaction(
                    Parse.hex(m, f + ".data", Parse.field(m, t, "data")),
                    Parse.hash(m, f + ".txid", Parse.field(m, t, "txid")),
                    Parse.hash(m, f + ".hash", Parse.field(m, t, "hash")),
                    Parse.longValue(m, f + ".fee", Parse.field(m, t, "fee")),
                    (int) Parse.longValue(m, f + ".sigops", t.has("sigops") ? t.get("sigops") : JSON.getNodeFactory().numberNode(0)),
                    (int) Parse.longValue(m, f + ".weight", Parse.field(m, t, "weight")),
                    depends));
        }
        JsonNode dwc = r.get("default_witness_commitment");
        return new BlockTemplate(
                (int) Parse.longValue(m, "version", Parse.field(m, r, "version")),
                Parse.hash(m, "previousblockhash", Parse.field(m, r, "previousblockhash")),
                txs,
                Parse.longValue(m, "coinbasevalue", Parse.field(m, r, "coinbasevalue")),
                r.path("longpollid").asText(""),
                Parse.target(m, "target", Parse.field(m, r, "target")),
                Parse.longValue(m, "mintime", Parse.field(m, r, "mintime")),
                Parse.longValue(m, "curtime", Parse.field(m, r, "curtime")),
                Parse.bits(m, "bits", Parse.field(m, r, "bits")),
                Parse.longValue(m, "height", Parse.field(m, r, "height")),
                dwc == null || dwc.isNull() ? Bytes.EMPTY : Parse.hex(m, "default_witness_commitment", dwc),
                r.path("sigoplimit").asLong(80_000),
                r.path("weightlimit").asLong(4_000_000));
    }

    /** Parses a {@code submitblock} result: null = accepted, a string = Core's reject reason. */
    public static SubmitResult parseSubmitResult(JsonNode r) throws RpcException {
        if (r == null || r.isNull()) {
            return SubmitResult.accepted();
        }
        if (!r.isTextual()) {
            throw Parse.bad("submitblock", "result", "neither null nor a string");
        }
        return SubmitResult.rejected(r.asText());
    }

    /** Parses a {@code getblockchaininfo} result. */
    public static ChainInfo parseChainInfo(JsonNode r) throws RpcException {
        String m = "getblockchaininfo";
        Parse.object(m, "result", r);
        return new ChainInfo(
                Parse.field(m, r, "chain").asText(),
                Parse.longValue(m, "blocks", Parse.field(m, r, "blocks")),
                Parse.longValue(m, "headers", Parse.field(m, r, "headers")),
                Parse.hash(m, "bestblockhash", Parse.field(m, r, "bestblockhash")),
                r.has("bits") ? Parse.bits(m, "bits", r.get("bits")) : 0,
                r.path("verificationprogress").asDouble(0),
                Parse.field(m, r, "initialblockdownload").asBoolean());
    }

    /** Parses a {@code getblock [hash, 1]} result. */
    public static BlockSummary parseBlockSummary(JsonNode r) throws RpcException {
        String m = "getblock";
        Parse.object(m, "result", r);
        List<Hash256> txids = new ArrayList<>();
        JsonNode tx = Parse.field(m, r, "tx");
        for (int i = 0; i < tx.size(); i++) {
            txids.add(Parse.hash(m, "tx[" + i + "]", tx.get(i)));
        }
        JsonNode prev = r.get("previousblockhash");
        return new BlockSummary(
                Parse.hash(m, "hash", Parse.field(m, r, "hash")),
                Parse.longValue(m, "height", Parse.field(m, r, "height")),
                Parse.longValue(m, "confirmations", Parse.field(m, r, "confirmations")),
                prev == null || prev.isNull() ? null : Parse.hash(m, "previousblockhash", prev),
                Parse.longValue(m, "time", Parse.field(m, r, "time")),
                Parse.bits(m, "bits", Parse.field(m, r, "bits")),
                txids);
    }

    /** Field readers producing {@link RpcException.Kind#BAD_RESPONSE} errors that name the field. */
    static final class Parse {
        private Parse() {
        }

        static RpcException bad(String method, String field, String what) {
            return new RpcException(RpcException.Kind.BAD_RESPONSE, method, 0, "field '" + field + "' " + what);
        }

        static void object(String method, String field, JsonNode n) throws RpcException {
            if (n == null || !n.isObject()) {
                throw bad(method, field, "is not a JSON object");
            }
        }

        static JsonNode field(String method, JsonNode parent, String name) throws RpcException {
            JsonNode n = parent.get(name);
            if (n == null || n.isNull()) {
                throw bad(method, name, "is missing");
            }
            return n;
        }

        static long longValue(String method, String field, JsonNode n) throws RpcException {
            if (n == null || !n.isIntegralNumber()) {
                throw bad(method, field, "is not an integer");
            }
            return n.asLong();
        }

        static Bytes hex(String method, String field, JsonNode n) throws RpcException {
            if (n == null || !n.isTextual()) {
                throw bad(method, field, "is not a hex string");
            }
            try {
                return Bytes.wrap(Hex.decode(n.asText()));
            } catch (IllegalArgumentException e) {
                throw bad(method, field, "is not valid hex: " + e.getMessage());
            }
        }

        static Hash256 hash(String method, String field, JsonNode n) throws RpcException {
            if (n == null || !n.isTextual() || n.asText().length() != 64) {
                throw bad(method, field, "is not a 64-digit hash");
            }
            try {
                return Hash256.fromDisplayHex(n.asText());
            } catch (IllegalArgumentException e) {
                throw bad(method, field, "is not a valid hash: " + e.getMessage());
            }
        }

        static Target target(String method, String field, JsonNode n) throws RpcException {
            if (n == null || !n.isTextual() || n.asText().length() != 64) {
                throw bad(method, field, "is not a 64-digit target");
            }
            try {
                return Target.fromBeHex(n.asText());
            } catch (IllegalArgumentException e) {
                throw bad(method, field, "is not a valid target: " + e.getMessage());
            }
        }

        static int bits(String method, String field, JsonNode n) throws RpcException {
            if (n == null || !n.isTextual() || n.asText().length() != 8) {
                throw bad(method, field, "is not 8 hex digits");
            }
            try {
                return (int) Long.parseLong(n.asText(), 16);
            } catch (NumberFormatException e) {
                throw bad(method, field, "is not hex");
            }
        }
    }
}
