package org.hyperhash.bitcoind.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The one bitcoind JSON-RPC client of the project (TP, treasury, the pool's submitblock fallback), over the
 * JDK {@link HttpClient}, speaking JSON-RPC 1.0 the way {@code bitcoin-cli} does (Core answers RPC errors with HTTP
 * 500/404 and a JSON body, and with HTTP 401 and an empty body for bad credentials). Transient failures
 * (unreachable, timeout, -28 warming up, HTTP 503 work queue full) are retried with exponential backoff; a 401 with
 * a cookie file re-reads the cookie once (Core rewrites it on restart). Credentials never appear in an exception:
 * messages name the URL and the kind of credentials ({@link RpcAuth#describe()}) only. Thread-safe; blocking.
 */
public final class JsonRpcClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RpcEndpoint endpoint;
    private final HttpClient http;
    private final BiConsumer<String, RpcException> errorListener;
    private volatile String authHeader;

    /**
     * @param endpoint where and how
     * @param errorListener called once per failed call (after retries) with the method and error (null: none)
     */
    public JsonRpcClient(RpcEndpoint endpoint, BiConsumer<String, RpcException> errorListener) {
        this.endpoint = endpoint;
        this.errorListener = errorListener == null ? (m, e) -> { } : errorListener;
        this.http = HttpClient.newBuilder()
                .connectTimeout(endpoint.connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }

    public RpcEndpoint endpoint() {
        return endpoint;
    }

    /** Closes the HTTP client (waits for calls in progress). */
    @Override
    public void close() {
        http.close();
    }

    /** {@link #call(String, List, Duration)} with the endpoint's request timeout. */
    public JsonNode call(String method, List<?> params) throws RpcException {
        return call(method, params, endpoint.requestTimeout());
    }

    /**
     * Performs one JSON-RPC call with retries; returns the {@code result} node.
     *
     * @param params positional parameters (String, Number, Boolean or JsonNode)
     */
    public JsonNode call(String method, List<?> params, Duration timeout) throws RpcException {
        Duration backoff = endpoint.initialBackoff();
        boolean cookieReloaded = false;
        for (int attempt = 0; ; attempt++) {
            try {
                return callOnce(method, params, timeout);
            } catch (RpcException e) {
                if (e.kind() == RpcException.Kind.UNAUTHORIZED && endpoint.auth() instanceof RpcAuth.Cookie
                        && !cookieReloaded) {
                    cookieReloaded = true;
                    authHeader = null; // re-read the cookie: the node may have restarted
                    attempt--;
                    continue;
                }
                if (!e.kind().isTransient() || attempt >= endpoint.maxRetries()) {
                    errorListener.accept(method, e);
                    throw e;
                }
                LOG.debug("{} failed ({}), retry {} of {} in {} ms", method, e.getMessage(), attempt + 1,
                        endpoint.maxRetries(), backoff.toMillis());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    RpcException ex = new RpcException(RpcException.Kind.UNREACHABLE, method, 0, "interrupted", ie);
                    errorListener.accept(method, ex);
                    throw ex;
                }
                Duration next = backoff.multipliedBy(2);
                backoff = next.compareTo(endpoint.maxBackoff()) > 0 ? endpoint.maxBackoff() : next;
            }
        }
    }

    private JsonNode callOnce(String method, List<?> params, Duration timeout) throws RpcException {
        ObjectNode body = JSON.createObjectNode();
        body.put("jsonrpc", "1.0");
        body.put("id", "hh");
        body.put("method", method);
        ArrayNode p = body.putArray("params");
        for (Object o : params) {
            p.add((JsonNode) JSON.valueToTree(o));
        }
        String auth;
        try {
            auth = authorization();
        } catch (IOException e) {
            throw new RpcException(RpcException.Kind.UNAUTHORIZED, method, 0,
                    "cannot read RPC credentials (" + endpoint.auth().describe() + "): " + e.getMessage());
        }
        HttpRequest req = HttpRequest.newBuilder(endpoint.url())
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpConnectTimeoutException e) {
            throw new RpcException(RpcException.Kind.UNREACHABLE, method, 0,
                    "connect to " + endpoint.url() + " timed out", e);
        } catch (HttpTimeoutException e) {
            throw new RpcException(RpcException.Kind.TIMEOUT, method, 0,
                    "no answer from " + endpoint.url() + " within " + timeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            throw new RpcException(RpcException.Kind.UNREACHABLE, method, 0,
                    "cannot connect to " + endpoint.url() + " (is bitcoind running with -server?)", e);
        } catch (IOException e) {
            throw new RpcException(RpcException.Kind.UNREACHABLE, method, 0,
                    "I/O error talking to " + endpoint.url() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RpcException(RpcException.Kind.UNREACHABLE, method, 0, "interrupted", e);
        }
        return parseResponse(method, resp.statusCode(), resp.body());
    }

    private String authorization() throws IOException {
        String h = authHeader;
        if (h == null) {
            h = endpoint.auth().authorizationHeader();
            authHeader = h;
        }
        return h;
    }

    /** Interprets one HTTP response body as Core writes it. */
    public static JsonNode parseResponse(String method, int status, byte[] body) throws RpcException {
        if (status == 401) {
            throw new RpcException(RpcException.Kind.UNAUTHORIZED, method, 0,
                    "HTTP 401: the node rejected the RPC credentials");
        }
        if (status == 503) {
            throw new RpcException(RpcException.Kind.UNREACHABLE, method, 0, "HTTP 503: node RPC work queue is full");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new RpcException(RpcException.Kind.BAD_RESPONSE, method, 0,
                    "HTTP " + status + " with a body that is not JSON (" + body.length + " bytes)");
        }
        if (root == null || !root.isObject()) {
            throw new RpcException(RpcException.Kind.BAD_RESPONSE, method, 0,
                    "HTTP " + status + " with a JSON body that is not an object");
        }
        JsonNode error = root.get("error");
        if (error != null && !error.isNull()) {
            int code = error.path("code").asInt(0);
            String message = error.path("message").asText("");
            throw new RpcException(RpcException.kindOfCode(code), method, code, "RPC error " + code + ": " + message);
        }
        if (status != 200) {
            throw new RpcException(RpcException.Kind.BAD_RESPONSE, method, 0, "HTTP " + status + " without an error object");
        }
        if (!root.has("result")) {
            throw new RpcException(RpcException.Kind.BAD_RESPONSE, method, 0, "response has no 'result' field");
        }
        return root.get("result");
    }

}
