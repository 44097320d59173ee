package org.hyperhash.bitcoind.rpc;

import com.sun.net.httpserver.HttpServer;
import org.hyperhash.testkit.Vectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The shared client against a local HTTP stand-in answering with recorded Core responses. */
class JsonRpcClientTest {
    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicReference<String> expectedAuth = new AtomicReference<>();
    private final List<String> seenAuth = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            synchronized (seenAuth) {
                seenAuth.add(auth);
            }
            byte[] out;
            int status;
            if (!String.valueOf(expectedAuth.get()).equals(auth)) {
                status = 401;
                out = new byte[0];
            } else if (body.contains("\"getblockheader\"")) {
                status = 200;
                out = Vectors.fixtureText("getblockheader.json").getBytes(StandardCharsets.UTF_8);
            } else {
                status = 404;
                out = Vectors.fixtureText("error-method-not-found.json").getBytes(StandardCharsets.UTF_8);
            }
            ex.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
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

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private static String basic(String s) {
        return "Basic " + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private JsonRpcClient client(RpcAuth auth) {
        return new JsonRpcClient(new RpcEndpoint(url(), auth, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10),
                0, Duration.ofMillis(10), Duration.ofMillis(10)), null);
    }

    @Test
    void userPasswordResultAndErrorMapping() throws Exception {
        expectedAuth.set(basic("alice:s3cret-pw"));
        JsonRpcClient c = client(new RpcAuth.UserPassword("alice", "s3cret-pw"));
        assertEquals(121, c.call("getblockheader", List.of("00".repeat(32), true)).get("height").asInt());
        RpcException e = assertThrows(RpcException.class, () -> c.call("nosuchmethod", List.of()));
        assertEquals(-32601, e.code());
        assertEquals(RpcException.Kind.RPC_ERROR, e.kind());
    }

    @Test
    void wrongPasswordNeverShowsTheSecret() {
        expectedAuth.set(basic("alice:right"));
        JsonRpcClient c = client(new RpcAuth.UserPassword("alice", "planted-secret-123"));
        RpcException e = assertThrows(RpcException.class, () -> c.call("getblockheader", List.of()));
        assertEquals(RpcException.Kind.UNAUTHORIZED, e.kind());
        assertFalse(e.getMessage().contains("planted-secret-123"), e.getMessage());
        assertFalse(String.valueOf(new RpcAuth.UserPassword("alice", "planted-secret-123")).contains("planted-secret-123"));
    }

    @Test
    void cookieIsReReadOnceAfterA401() throws Exception {
        Path cookie = dir.resolve(".cookie");
        Files.writeString(cookie, "__cookie__:old");
        expectedAuth.set(basic("__cookie__:old"));
        JsonRpcClient c = client(new RpcAuth.Cookie(cookie));
        c.call("getblockheader", List.of());
        // bitcoind restarted: a new cookie
        Files.writeString(cookie, "__cookie__:new-planted-cookie");
        expectedAuth.set(basic("__cookie__:new-planted-cookie"));
        assertEquals(121, c.call("getblockheader", List.of()).get("height").asInt());
        synchronized (seenAuth) {
            assertEquals(List.of(basic("__cookie__:old"), basic("__cookie__:old"), basic("__cookie__:new-planted-cookie")), seenAuth);
        }
        Files.delete(cookie);
        expectedAuth.set("nothing matches");
        RpcException e = assertThrows(RpcException.class, () -> c.call("getblockheader", List.of()));
        assertFalse(e.getMessage().contains("new-planted-cookie"), e.getMessage());
    }
}
