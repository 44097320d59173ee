package org.hyperhash.daemon;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * The per-daemon admin HTTP surface (cold path, JDK HttpServer on virtual threads):
 * {@code /v1/health} (alive), {@code /v1/ready} (dependencies up; 503 otherwise), {@code /v1/status}
 * (JSON summary), {@code /metrics} (Prometheus text). One schema for every daemon (and the node agent):
 * {@code {"service", "version", "status": "up"|"down"}} for health, {@code {"service", "version",
 * "status": "ready"|"not_ready", "checks": {name: bool}}} for ready, {@code {"service", "version", "ready", ...}}
 * for status, snake_case keys throughout, plus JSON routes a daemon adds, such as
 * {@code /v1/miners/{address}}. Bind it to localhost unless a scraper needs it elsewhere.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .findAndRegisterModules();

    private final HttpServer server;
    private final ExecutorService executor;
    private final Counter errors;

    private AdminServer(HttpServer server, ExecutorService executor, Counter errors) {
        this.server = server;
        this.executor = executor;
        this.errors = errors;
    }

    public static AdminServer start(InetSocketAddress bind, PrometheusMeterRegistry registry, HealthSource health) throws IOException {
        HttpServer server = HttpServer.create(bind, 64);
        ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(ex);
        Counter errors = Counter.builder("hh.admin.http.errors").description("admin HTTP requests that failed with 5xx")
                .register(registry);
        AdminServer a = new AdminServer(server, ex, errors);
        String service = Metrics.service(registry);
        a.route("/v1/health", path -> {
            boolean live = health.live();
            Map<String, Object> body = header(service);
            body.put("status", live ? "up" : "down");
            return new Response(live ? 200 : 503, body);
        });
        a.route("/v1/ready", path -> {
            Map<String, Boolean> checks = health.readinessChecks();
            boolean ready = health.ready();
            Map<String, Object> body = header(service);
            body.put("status", ready ? "ready" : "not_ready");
            body.put("checks", checks);
            return new Response(ready ? 200 : 503, body);
        });
        a.route("/v1/status", path -> {
            Map<String, Object> body = header(service);
            body.put("ready", health.ready());
            body.putAll(health.status());
            return new Response(200, body);
        });
        server.createContext("/metrics", exchange -> {
            try (exchange) {
                byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        server.start();
        Banner.listening(LOG, "http", a.address());
        return a;
    }

    /**
     * The fields every daemon's /v1/health, /v1/ready and /v1/status start with (the node agent's status server
     * writes the same): {@code service}, {@code version}. Keys are snake_case everywhere.
     */
    static Map<String, Object> header(String service) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service", service);
        m.put("version", Version.version());
        return m;
    }

    /** A JSON route: the function gets the request path and returns a body, or null for 404. */
    public void addJsonRoute(String prefix, Function<String, Object> handler) {
        route(prefix, path -> {
            Object body = handler.apply(path);
            return body == null ? new Response(404, Map.of("error", "not found", "path", path)) : new Response(200, body);
        });
    }

    private void route(String prefix, Function<String, Response> fn) {
        server.createContext(prefix, exchange -> {
            try (exchange) {
                if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                    send(exchange, 405, Map.of("error", "method not allowed"));
                    return;
                }
                Response r;
                try {
                    r = fn.apply(exchange.getRequestURI().getPath());
                } catch (RuntimeException e) {
                    errors.increment();
                    LOG.warn("admin request {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
                    r = new Response(500, Map.of("error", "internal error"));
                }
                send(exchange, r.status, r.body);
            }
        });
    }

    private static void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private record Response(int status, Object body) {
    }
}
