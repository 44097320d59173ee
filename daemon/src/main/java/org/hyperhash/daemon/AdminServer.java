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
 *
 * <p>Bounds: the JDK server reads its limits from system properties once per JVM, so they are set here,
 * before the first server is created, unless the operator set them ({@code -D...}): a request's headers and body
 * must arrive within {@link #REQUEST_TIMEOUT_SECONDS} (slow-header clients are closed), a response must be taken
 * within {@link #RESPONSE_TIMEOUT_SECONDS}, idle keep-alive connections close after
 * {@link #IDLE_SECONDS}, and at most {@link #MAX_CONNECTIONS} connections are open (further ones are closed on
 * accept). The JDK server is kept (rather than Netty) because these knobs cover what an admin port needs.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Seconds a client has to send a whole request (headers included). */
    public static final int REQUEST_TIMEOUT_SECONDS = 10;
    /** Seconds a response may take to be written. */
    public static final int RESPONSE_TIMEOUT_SECONDS = 30;
    /** Seconds an idle keep-alive connection is kept. */
    public static final int IDLE_SECONDS = 30;
    /** Open admin connections at most (JVM-wide, all admin servers of the process). */
    public static final int MAX_CONNECTIONS = 128;

    static {
        setIfAbsent("sun.net.httpserver.maxReqTime", REQUEST_TIMEOUT_SECONDS);
        setIfAbsent("sun.net.httpserver.maxRspTime", RESPONSE_TIMEOUT_SECONDS);
        setIfAbsent("sun.net.httpserver.idleInterval", IDLE_SECONDS);
        setIfAbsent("jdk.httpserver.maxConnections", MAX_CONNECTIONS);
    }

    private static void setIfAbsent(String key, int value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, Integer.toString(value));
        }
    }
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
        addJsonRoute(prefix, (path, query) -> handler.apply(path));
    }

    /** A JSON route that also reads the query string ({@code ?offset=0&limit=100}, decoded; first value wins). */
    public void addJsonRoute(String prefix, java.util.function.BiFunction<String, Map<String, String>, Object> handler) {
        server.createContext(prefix, exchange -> handle(exchange, path -> {
            Object body = handler.apply(path, query(exchange.getRequestURI().getRawQuery()));
            return body == null ? new Response(404, Map.of("error", "not found", "path", path)) : new Response(200, body);
        }));
    }

    /** Query parameters (at most 16, names and values URL-decoded). */
    static Map<String, String> query(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&", 17)) {
            if (m.size() >= 16) {
                break;
            }
            int eq = kv.indexOf('=');
            String k = java.net.URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            m.putIfAbsent(k, v);
        }
        return m;
    }

    /** An integer query parameter, or {@code dflt} when absent or not a number. */
    public static int intParam(Map<String, String> query, String name, int dflt) {
        String v = query.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private void route(String prefix, Function<String, Response> fn) {
        server.createContext(prefix, exchange -> handle(exchange, fn));
    }

    private void handle(HttpExchange exchange, Function<String, Response> fn) throws IOException {
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
