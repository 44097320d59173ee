package org.hyperhash.agent.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import org.hyperhash.agent.json.Json;

/**
 * Node status HTTP (JDK {@code com.sun.net.httpserver}): {@code GET /v1/status} (JSON), {@code /v1/health}
 * (alive), {@code /v1/ready} (state readable and a trusted root loaded), {@code /metrics} (Prometheus text).
 * Handlers only read cached data, so they run on the server's single dispatcher thread.
 */
public final class StatusServer implements AutoCloseable {
    private final HttpServer server;

    /** The {@code service} field of the agent's health, ready and status documents. */
    public static final String SERVICE = "node-agent";

    /**
     * @param readiness named checks; ready when all pass. Health and ready answer the daemons' schema:
     *                  {@code {"service","version","status"}} (+ {@code "checks"} on ready), JSON, snake_case.
     */
    public StatusServer(InetSocketAddress listen, String version, Supplier<String> statusJson,
                        Supplier<Map<String, Boolean>> readiness, Supplier<String> metrics) throws IOException {
        server = HttpServer.create(listen, 32);
        server.createContext("/v1/status", ex -> respond(ex, 200, JSON, statusJson.get()));
        server.createContext("/v1/health", ex -> {
            Map<String, Object> body = header(version);
            body.put("status", "up");
            respond(ex, 200, JSON, Json.pretty(body));
        });
        server.createContext("/v1/ready", ex -> {
            Map<String, Boolean> checks = readiness.get();
            boolean r = checks.values().stream().allMatch(Boolean::booleanValue);
            Map<String, Object> body = header(version);
            body.put("status", r ? "ready" : "not_ready");
            body.put("checks", new LinkedHashMap<>(checks));
            respond(ex, r ? 200 : 503, JSON, Json.pretty(body));
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.createContext("/", ex -> respond(ex, 404, "text/plain; charset=utf-8", "not found\n"));
        server.start();
    }

    private static final String JSON = "application/json";

    /** {@code service} and {@code version}, the first fields of every health, ready and status document. */
    public static Map<String, Object> header(String version) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", SERVICE);
        m.put("version", version);
        return m;
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                code = 405;
                body = "method not allowed\n";
            } else if (code == 200 && !isExact(ex)) {
                code = 404;
                body = "not found\n";
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            boolean head = "HEAD".equals(ex.getRequestMethod());
            ex.sendResponseHeaders(code, head ? -1 : b.length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(b);
                }
            }
        } catch (RuntimeException e) {
            System.getLogger("org.hyperhash.agent").log(System.Logger.Level.ERROR, "status handler failed: " + e);
        }
    }

    private static boolean isExact(HttpExchange ex) {
        return ex.getRequestURI().getPath().equals(ex.getHttpContext().getPath());
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
