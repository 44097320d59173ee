package org.hyperhash.tp.node;

import org.hyperhash.bitcoind.rpc.RpcAuth;
import org.hyperhash.bitcoind.rpc.RpcEndpoint;
import org.hyperhash.bitcoind.rpc.RpcException;

import com.sun.net.httpserver.HttpServer;
import org.hyperhash.base.Bytes;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP client against a local server that replays Core's recorded bodies byte for byte. */
class HttpBitcoindRpcIT {
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Response> replies = new ConcurrentHashMap<>();
    private final AtomicInteger warmingUpRemaining = new AtomicInteger();
    private volatile String expectedAuth = basic("user", "pass");

    record Response(int status, String body) {
    }

    private static String basic(String u, String p) {
        return "Basic " + Base64.getEncoder().encodeToString((u + ":" + p).getBytes(StandardCharsets.UTF_8));
    }

    private URI start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(body);
            Response r;
            if (!expectedAuth.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                r = new Response(401, "");
            } else if (warmingUpRemaining.getAndDecrement() > 0) {
                r = new Response(500, "{\"result\":null,\"error\":{\"code\":-28,\"message\":\"Loading block index…\"},\"id\":\"hh\"}\n");
            } else {
                String method = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("method").asText();
                String key = method + " " + new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).get("params");
                r = replies.getOrDefault(key, replies.getOrDefault(method,
                        new Response(404, Vectors.fixtureText("error-method-not-found.json"))));
            }
            byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static RpcEndpoint endpoint(URI url, RpcAuth auth, int retries) {
        return new RpcEndpoint(url, auth, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(5), retries,
                Duration.ofMillis(5), Duration.ofMillis(20));
    }

    @Test
    void replaysFixturesThroughEveryMethod() throws Exception {
        URI url = start();
        replies.put("getblocktemplate", new Response(200, Vectors.fixtureText("getblocktemplate-with-transactions.json")));
        replies.put("getblockchaininfo", new Response(200, Vectors.fixtureText("getblockchaininfo.json")));
        replies.put("getbestblockhash", new Response(200, Vectors.fixtureText("getbestblockhash.json")));
        String hash = "5cd8fecc7b55f4f2b07159b62ceb751b26ae898a96b0357aaa7231e9093e2573";
        replies.put("getblock [\"" + hash + "\",0]", new Response(200, Vectors.fixtureText("getblock-verbosity0.json")));
        replies.put("getblock [\"" + hash + "\",1]", new Response(200, Vectors.fixtureText("getblock-verbosity1.json")));
        String blockHex = Vectors.fixture("generateblock-unsubmitted.json").get("hex").asText();
        replies.put("submitblock [\"" + blockHex + "\"]", new Response(200, Vectors.fixtureText("submitblock-accepted.json")));
        replies.put("submitblock [\"00\"]", new Response(500, Vectors.fixtureText("submitblock-decode-failed.json")));
        replies.put("submitblock", new Response(200, Vectors.fixtureText("submitblock-high-hash.json")));

        List<String> errors = new ArrayList<>();
        HttpBitcoindRpc rpc = new HttpBitcoindRpc(endpoint(url, new RpcAuth.UserPassword("user", "pass"), 0),
                (m, e) -> errors.add(m + ":" + e.kind()));
        BlockTemplate t = rpc.getBlockTemplate();
        assertEquals(121, t.height());
        assertTrue(requests.getLast().contains("\"rules\":[\"segwit\"]"), requests.getLast());
        assertTrue(requests.getLast().contains("\"jsonrpc\":\"1.0\""));
        rpc.getBlockTemplateLongPoll(t.longPollId());
        assertTrue(requests.getLast().contains("\"longpollid\":\"" + t.longPollId() + "\""));
        assertEquals("regtest", rpc.checkReady("regtest").chain());
        RpcException wrong = assertThrows(RpcException.class, () -> rpc.checkReady("main"));
        assertEquals(RpcException.Kind.WRONG_CHAIN, wrong.kind());
        assertEquals(hash, rpc.getBestBlockHash().toDisplayHex());
        assertEquals(121, rpc.getBlock(rpc.getBestBlockHash()).height());
        assertEquals(blockHex.substring(0, 160), rpc.getBlockRaw(rpc.getBestBlockHash()).toHex().substring(0, 160));
        assertInstanceOf(SubmitResult.Accepted.class, rpc.submitBlock(Bytes.fromHex(blockHex)));
        assertEquals(new SubmitResult.Rejected("high-hash"), rpc.submitBlock(Bytes.fromHex("0000")));
        RpcException decode = assertThrows(RpcException.class, () -> rpc.submitBlock(Bytes.fromHex("00")));
        assertEquals(-22, decode.code());
        RpcException nf = assertThrows(RpcException.class, () -> rpc.call("nosuchmethod", List.of(), Duration.ofSeconds(1)));
        assertEquals(-32601, nf.code());
        assertEquals(List.of("submitblock:RPC_ERROR", "nosuchmethod:RPC_ERROR"), errors);
    }

    @Test
    void wrongPasswordIsUnauthorizedAndNeverLeaksThePassword() throws Exception {
        URI url = start();
        HttpBitcoindRpc rpc = new HttpBitcoindRpc(endpoint(url, new RpcAuth.UserPassword("user", "s3cret-pw"), 3));
        RpcException e = assertThrows(RpcException.class, rpc::getBlockchainInfo);
        assertEquals(RpcException.Kind.UNAUTHORIZED, e.kind());
        assertEquals(1, requests.size()); // not retried
        assertTrue(!e.getMessage().contains("s3cret-pw") && !rpc.endpoint().toString().contains("s3cret-pw"));
    }

    @Test
    void cookieIsReReadAfter401(@TempDir Path dir) throws Exception {
        URI url = start();
        replies.put("getblockchaininfo", new Response(200, Vectors.fixtureText("getblockchaininfo.json")));
        Path cookie = dir.resolve(".cookie");
        Files.writeString(cookie, "__cookie__:old");
        expectedAuth = basic("__cookie__", "old");
        HttpBitcoindRpc rpc = new HttpBitcoindRpc(endpoint(url, new RpcAuth.Cookie(cookie), 0));
        assertEquals("regtest", rpc.getBlockchainInfo().chain());
        // node restarted: new cookie
        Files.writeString(cookie, "__cookie__:new");
        expectedAuth = basic("__cookie__", "new");
        assertEquals("regtest", rpc.getBlockchainInfo().chain());
        assertEquals(3, requests.size());
    }

    @Test
    void warmingUpIsRetriedWithBackoffThenSucceeds() throws Exception {
        URI url = start();
        replies.put("getblockchaininfo", new Response(200, Vectors.fixtureText("getblockchaininfo.json")));
        warmingUpRemaining.set(2);
        HttpBitcoindRpc rpc = new HttpBitcoindRpc(endpoint(url, new RpcAuth.UserPassword("user", "pass"), 3));
        assertEquals(120, rpc.getBlockchainInfo().blocks());
        assertEquals(3, requests.size());
        warmingUpRemaining.set(10);
        RpcException e = assertThrows(RpcException.class, rpc::getBlockchainInfo);
        assertEquals(RpcException.Kind.WARMING_UP, e.kind());
        assertEquals(-28, e.code());
    }

    @Test
    void unreachableNodeIsTypedAfterRetries() throws Exception {
        URI url = start();
        server.stop(0);
        server = null;
        HttpBitcoindRpc rpc = new HttpBitcoindRpc(endpoint(url, new RpcAuth.UserPassword("user", "pass"), 2));
        RpcException e = assertThrows(RpcException.class, rpc::getBestBlockHash);
        assertEquals(RpcException.Kind.UNREACHABLE, e.kind());
    }

    @Test
    void slowNodeTimesOut() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        URI url = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        HttpBitcoindRpc rpc = new HttpBitcoindRpc(new RpcEndpoint(url, new RpcAuth.UserPassword("u", "p"), Duration.ofSeconds(1),
                Duration.ofMillis(200), Duration.ofSeconds(1), 0, Duration.ofMillis(5), Duration.ofMillis(5)));
        assertEquals(RpcException.Kind.TIMEOUT, assertThrows(RpcException.class, rpc::getBestBlockHash).kind());
    }
}
