package org.hyperhash.treasury;

import com.sun.net.httpserver.HttpServer;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The treasury's getblockheader over the shared bitcoind-rpc client, against recorded Core answers. */
class HttpBitcoindRpcTest {
    private HttpServer server;
    private final AtomicReference<String> answer = new AtomicReference<>();
    private final AtomicReference<Integer> status = new AtomicReference<>(200);

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] out = answer.get().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status.get(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpBitcoindRpc rpc(String user, String password) {
        return new HttpBitcoindRpc(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), null, user, password,
                Duration.ofSeconds(5));
    }

    @Test
    void headerUnknownBlockAndErrors() throws Exception {
        String hash = "5cd8fecc7b55f4f2b07159b62ceb751b26ae898a96b0357aaa7231e9093e2573";
        answer.set(Vectors.fixtureText("getblockheader.json"));
        assertEquals(Optional.of(new BitcoindRpc.BlockHeaderInfo(hash, 121, 1)), rpc("u", "p").getBlockHeader(hash));
        // Core answers an unknown block with RPC error -5 and HTTP 500
        status.set(500);
        answer.set("{\"result\":null,\"error\":{\"code\":-5,\"message\":\"Block not found\"},\"id\":\"hh\"}");
        assertEquals(Optional.empty(), rpc("u", "p").getBlockHeader(hash));
        status.set(404);
        answer.set(Vectors.fixtureText("error-method-not-found.json"));
        var e = assertThrows(BitcoindRpc.RpcException.class, () -> rpc("u", "p").getBlockHeader(hash));
        assertTrue(e.getMessage().contains("-32601"), e.getMessage());
        status.set(401);
        answer.set("");
        e = assertThrows(BitcoindRpc.RpcException.class, () -> rpc("u", "planted-rpc-password").getBlockHeader(hash));
        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertFalse(e.getMessage().contains("planted-rpc-password"), e.getMessage());
        e = assertThrows(BitcoindRpc.RpcException.class, () -> rpc("", null).getBlockHeader(hash));
        assertTrue(e.getMessage().contains("bitcoind.cookie-file"), e.getMessage());
        e = assertThrows(BitcoindRpc.RpcException.class, () -> rpc("u", "p").getBlockHeader("zz"));
        assertTrue(e.getMessage().contains("64 hex"), e.getMessage());
    }
}
