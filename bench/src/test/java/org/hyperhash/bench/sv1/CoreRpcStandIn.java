package org.hyperhash.bench.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bitcoinj.base.Address;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.LegacyAddress;
import org.bitcoinj.base.SegwitAddress;
import org.bitcoinj.script.ScriptBuilder;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Transaction;
import org.hyperhash.base.TxIn;
import org.hyperhash.base.TxOut;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.node.BlockNotification;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.node.ChainInfo;
import org.hyperhash.tp.node.SubmitResult;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A stand-in for Bitcoin Core's JSON-RPC (HTTP/1.1, basic auth, one request per connection or kept alive) and its ZMQ
 * {@code hashblock} publisher, serving the project's embedded {@link DevnetChain}, so that a C pool written against
 * Core (ckpool) can mine the same kind of chain as Hyperhash's template provider in a benchmark on a machine without
 * {@code bitcoind}. Response shapes follow the Core regtest recordings in the shared fixtures
 * ({@code getblocktemplate}, {@code submitblock} result strings, error objects with HTTP 500/404, 401 without a body on
 * a wrong password; ZMQ: topic, 32-byte hash in display order, 4-byte little-endian sequence).
 *
 * <p>Methods: getblocktemplate (the segwit rule required, as Core: error -8 otherwise), getbestblockhash,
 * getblockcount, getblockhash, submitblock (the devnet's own checks and Core's reject strings), validateaddress
 * (regtest addresses, decoded with bitcoinj), getblockchaininfo, getnetworkinfo. Others: -32601 "Method not found".
 *
 * <p>Hand-rolled HTTP rather than {@code com.sun.net.httpserver}: ckpool (and other C clients of Core) end request
 * lines with a bare LF, which Core's libevent server accepts and the JDK server does not promise to.
 */
public final class CoreRpcStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final int MAX_BODY = 64 << 20;
    private static final int MAX_HEADERS = 16 << 10;

    private final DevnetChain chain;
    private final String expectedAuth;
    private final ServerSocket server;
    private final ZContext zmq;
    private final ZMQ.Socket pub;
    private final int zmqPort;
    private final Map<Long, Hash256> byHeight = new ConcurrentHashMap<>();
    private final AtomicLong zmqSequence = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong gbtNanos = new AtomicLong();
    private final AtomicLong gbtCount = new AtomicLong();
    private final AtomicLong gbtCached = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile LongConsumer beforePublish = t -> { };
    private final Object gbtCacheLock = new Object();
    private String gbtCacheKey = "";
    private byte[] gbtCache;
    private volatile boolean closed;

    /**
     * Starts serving on 127.0.0.1 (RPC and ZMQ ports chosen by the OS).
     *
     * @param user RPC user
     * @param password RPC password
     */
    public CoreRpcStandIn(DevnetChain chain, String user, String password) throws IOException {
        this.chain = chain;
        this.expectedAuth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        this.zmq = new ZContext();
        this.pub = zmq.createSocket(SocketType.PUB);
        this.zmqPort = pub.bindToRandomPort("tcp://127.0.0.1");
        byHeight.put(chain.height(), chain.tipHash());
        chain.notifier().start(this::onBlock);
        Thread.ofPlatform().daemon().name("core-rpc-accept").start(this::acceptLoop);
    }

    public int rpcPort() {
        return server.getLocalPort();
    }

    public int zmqPort() {
        return zmqPort;
    }

    /** Runs with {@code System.nanoTime()} on the notifying thread just before each hashblock is published. */
    public void beforePublish(LongConsumer hook) {
        this.beforePublish = hook;
    }

    /** "requests N, getblocktemplate N (mean us), submitblock accepted/rejected". */
    public String stats() {
        long n = gbtCount.get();
        return String.format(Locale.ROOT, "rpc requests %d, getblocktemplate %d (%d already encoded; mean %.0f us to serve), submitblock accepted %d"
                + " rejected %d", requests.get(), n, gbtCached.get(), n == 0 ? 0.0 : gbtNanos.get() / 1e3 / n, accepted.get(), rejected.get());
    }

    private void onBlock(BlockNotification n) {
        byHeight.put(chain.height(), n.blockHash());
        byte[] seq = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) zmqSequence.getAndIncrement()).array();
        try {
            templateBytes(F.nullNode()); // the next template encoded before the announcement, as a node has it ready
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        synchronized (pub) { // a ZMQ socket is single-threaded; blocks arrive from the RPC threads and the bench
            beforePublish.accept(System.nanoTime());
            pub.send("hashblock".getBytes(StandardCharsets.US_ASCII), ZMQ.SNDMORE);
            pub.send(java.util.HexFormat.of().parseHex(n.blockHash().toDisplayHex()), ZMQ.SNDMORE);
            pub.send(seq, 0);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("core stand-in: accept: " + e);
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 8192); OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                int length = -1;
                String auth = null;
                boolean close = false;
                int headerBytes = 0;
                for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
                    headerBytes += h.length();
                    if (headerBytes > MAX_HEADERS) {
                        return;
                    }
                    int colon = h.indexOf(':');
                    if (colon < 0) {
                        continue;
                    }
                    String k = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String v = h.substring(colon + 1).trim();
                    switch (k) {
                        case "content-length" -> length = Integer.parseInt(v);
                        case "authorization" -> auth = v.startsWith("Basic ") ? v.substring(6).trim() : v;
                        case "connection" -> close = v.equalsIgnoreCase("close");
                        default -> { }
                    }
                }
                if (length < 0 || length > MAX_BODY || !requestLine.startsWith("POST ")) {
                    write(out, 400, "Bad Request", new byte[0], true);
                    return;
                }
                byte[] body = in.readNBytes(length);
                if (body.length < length) {
                    return;
                }
                requests.incrementAndGet();
                if (!expectedAuth.equals(auth)) {
                    write(out, 401, "Unauthorized", new byte[0], true); // Core: 401, empty body
                    return;
                }
                Reply r = handle(body);
                write(out, r.status, r.status == 200 ? "OK" : r.status == 404 ? "Not Found" : "Internal Server Error", r.body, close);
                if (close) {
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            // client went away or sent garbage: drop the connection, keep serving others
        }
    }

    private record Reply(int status, byte[] body) {
    }

    private Reply handle(byte[] body) {
        JsonNode req;
        try {
            req = JSON.readTree(body);
        } catch (IOException e) {
            return error(500, -32700, "Parse error", F.nullNode());
        }
        JsonNode id = req.has("id") ? req.get("id") : F.nullNode();
        String method = req.path("method").asText("");
        JsonNode params = req.path("params");
        try {
            JsonNode result = switch (method) {
                case "getblocktemplate" -> null; // served from bytes below
                case "getbestblockhash" -> F.textNode(chain.getBestBlockHash().toDisplayHex());
                case "getblockcount" -> F.numberNode(chain.height());
                case "getblockhash" -> {
                    Hash256 h = byHeight.get(params.path(0).asLong(-1));
                    if (h == null) {
                        throw new Fault(-8, "Block height out of range");
                    }
                    yield F.textNode(h.toDisplayHex());
                }
                case "submitblock" -> submit(params.path(0).asText(""));
                case "validateaddress" -> validateAddress(params.path(0).asText(""));
                case "decoderawtransaction" -> decodeTransaction(params.path(0).asText(""));
                case "getblockchaininfo" -> blockchainInfo();
                case "getnetworkinfo" -> F.objectNode().put("version", 319900).put("subversion", "/Satoshi:31.99.0/")
                        .put("protocolversion", 70017).put("networkactive", true).put("connections", 0);
                default -> null;
            };
            if (method.equals("getblocktemplate")) {
                boolean segwit = false;
                for (JsonNode r : params.path(0).path("rules")) {
                    segwit |= r.asText().equals("segwit");
                }
                if (!segwit) {
                    return error(500, -8, "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})", id);
                }
                long t0 = System.nanoTime();
                byte[] out = templateBytes(id);
                gbtNanos.addAndGet(System.nanoTime() - t0);
                gbtCount.incrementAndGet();
                return new Reply(200, out);
            }
            if (result == null && !method.equals("submitblock")) {
                return error(404, -32601, "Method not found", id);
            }
            ObjectNode o = F.objectNode();
            o.set("result", result == null ? F.nullNode() : result);
            o.putNull("error");
            o.set("id", id);
            return new Reply(200, (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (Fault e) {
            return error(500, e.code, e.getMessage(), id);
        } catch (IOException e) {
            return error(500, -1, "internal", id);
        }
    }

    /** A JSON-RPC error reply (HTTP 500, Core's code and message). */
    private static final class Fault extends Exception {
        final int code;

        Fault(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    private JsonNode submit(String hex) throws Fault {
        if (hex.isEmpty() || (hex.length() & 1) != 0 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new Fault(-22, "Block decode failed");
        }
        SubmitResult r;
        try {
            r = chain.submitBlock(Bytes.fromHex(hex));
        } catch (RpcException e) {
            throw new Fault(-22, "Block decode failed");
        }
        if (r instanceof SubmitResult.Rejected rej) {
            rejected.incrementAndGet();
            return F.textNode(rej.reason());
        }
        accepted.incrementAndGet();
        return null; // Core: result null when accepted
    }

    /** Core's decoded form (the fields a pool reads: ids, sizes, inputs, outputs); error -22 when it does not parse. */
    private static JsonNode decodeTransaction(String hex) throws Fault {
        Transaction tx;
        try {
            tx = Transaction.parse(Bytes.fromHex(hex));
        } catch (RuntimeException e) {
            throw new Fault(-22, "TX decode failed");
        }
        int size = tx.serialize().length();
        int base = tx.serializeWithoutWitness().length();
        int weight = base * 3 + size;
        ObjectNode o = F.objectNode();
        o.put("txid", tx.txid().toDisplayHex());
        o.put("hash", tx.wtxid().toDisplayHex());
        o.put("version", tx.version());
        o.put("size", size);
        o.put("vsize", (weight + 3) / 4);
        o.put("weight", weight);
        o.put("locktime", Integer.toUnsignedLong(tx.lockTime()));
        ArrayNode vin = o.putArray("vin");
        for (TxIn in : tx.inputs()) {
            ObjectNode i = vin.addObject();
            if (in.isCoinbase()) {
                i.put("coinbase", in.scriptSig().toHex());
            } else {
                i.put("txid", in.prevTxid().toDisplayHex());
                i.put("vout", Integer.toUnsignedLong(in.prevIndex()));
                i.set("scriptSig", F.objectNode().put("asm", "").put("hex", in.scriptSig().toHex()));
            }
            if (!in.witness().isEmpty()) {
                ArrayNode w = i.putArray("txinwitness");
                in.witness().forEach(b -> w.add(b.toHex()));
            }
            i.put("sequence", Integer.toUnsignedLong(in.sequence()));
        }
        ArrayNode vout = o.putArray("vout");
        int n = 0;
        for (TxOut out : tx.outputs()) {
            ObjectNode v = vout.addObject();
            v.put("value", java.math.BigDecimal.valueOf(out.valueSats(), 8));
            v.put("n", n++);
            v.set("scriptPubKey", F.objectNode().put("hex", out.scriptPubKey().toHex()));
        }
        return o;
    }

    private static JsonNode validateAddress(String address) {
        ObjectNode o = F.objectNode();
        Address a;
        try {
            a = AddressParser.getDefault(BitcoinNetwork.REGTEST).parseAddress(address);
        } catch (RuntimeException e) {
            o.put("isvalid", false);
            o.put("error", "Invalid or unsupported Segwit (Bech32) or Base58 encoding.");
            o.set("error_locations", F.arrayNode());
            return o;
        }
        o.put("isvalid", true);
        o.put("address", address);
        o.put("scriptPubKey", Bytes.wrap(ScriptBuilder.createOutputScript(a).program()).toHex());
        if (a instanceof SegwitAddress sw) {
            o.put("isscript", sw.getWitnessProgram().length == 32);
            o.put("iswitness", true);
            o.put("witness_version", sw.getWitnessVersion());
            o.put("witness_program", Bytes.wrap(sw.getWitnessProgram()).toHex());
        } else {
            o.put("isscript", ((LegacyAddress) a).p2sh);
            o.put("iswitness", false);
        }
        return o;
    }

    private JsonNode blockchainInfo() {
        ChainInfo c = chain.getBlockchainInfo();
        return F.objectNode().put("chain", "regtest").put("blocks", c.blocks()).put("headers", c.headers())
                .put("bestblockhash", c.bestBlockHash().toDisplayHex()).put("initialblockdownload", false)
                .put("verificationprogress", 1).put("pruned", false);
    }

    /** The getblocktemplate reply, encoded once per tip and mempool (Core also reuses its template between calls). */
    private byte[] templateBytes(JsonNode id) throws IOException {
        BlockTemplate t = chain.getBlockTemplate();
        String key = t.longPollId() + "/" + t.curTime() + "/" + id;
        synchronized (gbtCacheLock) {
            if (key.equals(gbtCacheKey)) {
                gbtCached.incrementAndGet();
                return gbtCache;
            }
        }
        ObjectNode r = F.objectNode();
        r.set("capabilities", F.arrayNode().add("proposal"));
        r.put("version", t.version());
        r.set("rules", F.arrayNode().add("csv").add("!segwit").add("taproot"));
        r.set("vbavailable", F.objectNode());
        r.put("vbrequired", 0);
        r.put("previousblockhash", t.previousBlockHash().toDisplayHex());
        ArrayNode txs = r.putArray("transactions");
        for (BlockTemplate.TemplateTransaction x : t.transactions()) {
            ObjectNode j = txs.addObject();
            j.put("data", x.data().toHex());
            j.put("txid", x.txid().toDisplayHex());
            j.put("hash", x.wtxid().toDisplayHex());
            ArrayNode deps = j.putArray("depends");
            x.depends().forEach(deps::add);
            j.put("fee", x.feeSats());
            j.put("sigops", x.sigops());
            j.put("weight", x.weight());
        }
        r.set("coinbaseaux", F.objectNode());
        r.put("coinbasevalue", t.coinbaseValueSats());
        r.put("longpollid", t.longPollId());
        r.put("target", t.target().toBeHex());
        r.put("mintime", t.minTime());
        r.set("mutable", F.arrayNode().add("time").add("transactions").add("prevblock"));
        r.put("noncerange", "00000000ffffffff");
        r.put("sigoplimit", t.sigopLimit());
        r.put("sizelimit", 4_000_000);
        r.put("weightlimit", t.weightLimit());
        r.put("curtime", t.curTime());
        r.put("bits", String.format(Locale.ROOT, "%08x", t.bits()));
        r.put("height", t.height());
        if (!t.defaultWitnessCommitment().isEmpty()) {
            r.put("default_witness_commitment", t.defaultWitnessCommitment().toHex());
        }
        ObjectNode o = F.objectNode();
        o.set("result", r);
        o.putNull("error");
        o.set("id", id);
        byte[] bytes = (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (gbtCacheLock) {
            gbtCacheKey = key;
            gbtCache = bytes;
        }
        return bytes;
    }

    private static Reply error(int status, int code, String message, JsonNode id) {
        ObjectNode o = F.objectNode();
        o.putNull("result");
        o.set("error", F.objectNode().put("code", code).put("message", message));
        o.set("id", id);
        try {
            return new Reply(status, (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void write(OutputStream out, int status, String reason, byte[] body, boolean close) throws IOException {
        String head = "HTTP/1.1 " + status + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
                + "\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        out.write(all);
        out.flush();
    }

    /** One header line without its CR LF or bare LF; null at end of stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (b.size() > MAX_HEADERS) {
                throw new IOException("header line too long");
            }
            b.write(c);
        }
        if (c < 0 && b.size() == 0) {
            return null;
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        zmq.close();
    }
}
