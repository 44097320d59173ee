package org.hyperhash.agent.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Node status HTTP (JDK {@code com.sun.net.httpserver}): {@code GET /v1/status} (JSON), {@code /v1/health}
 * (alive), {@code /v1/ready} (state readable and a trusted root loaded), {@code /metrics} (Prometheus text).
 * Handlers only read cached data, so they run on the server's single dispatcher thread.
 */
public final class StatusServer implements AutoCloseable {
    private final HttpServer server;

    public StatusServer(InetSocketAddress listen, Supplier<String> statusJson, BooleanSupplier ready,
                        Supplier<String> metrics) throws IOException {
        server = HttpServer.create(listen, 32);
        server.createContext("/v1/status", ex -> respond(ex, 200, "application/json", statusJson.get()));
        server.createContext("/v1/health", ex -> respond(ex, 200, "text/plain; charset=utf-8", "ok\n"));
        server.createContext("/v1/ready", ex -> {
            boolean r = ready.getAsBoolean();
            respond(ex, r ? 200 : 503, "text/plain; charset=utf-8", r ? "ready\n" : "not ready\n");
        });
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.createContext("/", ex -> respond(ex, 404, "text/plain; charset=utf-8", "not found\n"));
        server.start();
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
