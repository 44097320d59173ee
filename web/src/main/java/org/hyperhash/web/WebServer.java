package org.hyperhash.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.bitcoinj.base.AddressParser;
import org.bitcoinj.base.exceptions.AddressFormatException;
import org.hyperhash.web.LedgerView.BadRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public HTTP port: pages ({@code /}, {@code /blocks}, {@code /address/<addr>}), static assets and the read-only
 * JSON API {@code /api/v1/...} (described by {@code /api/v1/openapi.json}). JDK HttpServer on virtual threads, as the
 * admin ports (a cold, read-only path: a second HTTP stack would buy nothing here).
 *
 * <p>Per request: URI length cap (414), GET/HEAD/OPTIONS only (405), per-IP token bucket (429 + Retry-After), at most
 * {@code max-concurrent} requests at work (503 after 2 s), strict path and query validation (400/404, never a stack
 * trace), and one response cache ({@code cache-ttl}) so a burst costs one ledger read. Pool-wide numbers come from a
 * snapshot the daemon refreshes in the background.
 */
final class WebServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebServer.class);
    static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private static final Pattern ADDRESS_CHARS = Pattern.compile("[A-Za-z0-9]{1,100}");
    private static final Pattern PARAM_NAME = Pattern.compile("[a-z_]{1,32}");
    private static final int MAX_PARAMS = 8;
    private static final int MAX_PARAM_CHARS = 2000;
    static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
            + "frame-ancestors 'none'";
    private static final Map<String, String[]> STATIC = Map.of(
            "/static/style.css", new String[] {"style.css", "text/css; charset=utf-8"},
            "/static/favicon.svg", new String[] {"favicon.svg", "image/svg+xml"},
            "/api/v1/openapi.json", new String[] {"openapi.json", "application/json"});

    private final WebConfig cfg;
    private final LedgerView ledger;
    private final Supplier<LedgerView.PoolSnapshot> snapshot;
    private final InstantSource clock;
    private final Pages pages;
    private final RateLimiter limiter;
    private final ResponseCache cache;
    private final Semaphore slots;
    private final Map<String, byte[]> assets = new LinkedHashMap<>();
    private final HttpServer server;
    private final ExecutorService executor;
    private final Counter rateLimited;
    private final Counter serverErrors;
    private final Counter clientErrors;
    private final Counter requests;

    WebServer(WebConfig cfg, LedgerView ledger, Supplier<LedgerView.PoolSnapshot> snapshot, InstantSource clock,
            MeterRegistry registry) throws IOException {
        this.cfg = cfg;
        this.ledger = ledger;
        this.snapshot = snapshot;
        this.clock = clock;
        this.pages = new Pages(cfg);
        this.limiter = new RateLimiter(cfg.http().ratePerSecond(), cfg.http().rateBurst(), cfg.http().maxTrackedIps());
        this.cache = new ResponseCache(cfg.http().cacheTtl(), 10_000);
        this.slots = new Semaphore(cfg.http().maxConcurrent());
        for (String[] a : STATIC.values()) {
            try (InputStream in = WebServer.class.getResourceAsStream("static/" + a[0])) {
                if (in == null) {
                    throw new IllegalStateException("missing web asset " + a[0]);
                }
                assets.put(a[0], in.readAllBytes());
            }
        }
        this.requests = Counter.builder("hh.web.requests").description("requests on the public web port").register(registry);
        this.rateLimited = Counter.builder("hh.web.rate.limited").description("requests refused with 429 (per-IP rate limit)")
                .register(registry);
        this.clientErrors = Counter.builder("hh.web.client.errors").description("requests answered 4xx other than 429")
                .register(registry);
        this.serverErrors = Counter.builder("hh.web.server.errors").description("requests answered 5xx").register(registry);
        // strongly held and described (a weakly held gauge reads NaN after GC; promtool wants HELP on every family)
        io.micrometer.core.instrument.Gauge.builder("hh.web.rate.limit.tracked.ips", limiter, RateLimiter::tracked)
                .description("client IPs tracked by the per-IP rate limiter").strongReference(true).register(registry);
        io.micrometer.core.instrument.Gauge.builder("hh.web.cache.entries", cache, ResponseCache::size)
                .description("responses held in the response cache").strongReference(true).register(registry);
        this.server = HttpServer.create(cfg.listen(), 256);
        this.executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    void start() {
        server.start();
    }

    InetSocketAddress address() {
        return server.getAddress();
    }

    /** The page URL to print (a wildcard bind shows as 127.0.0.1). */
    String url() {
        InetSocketAddress a = address();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** A response: status, content type, body (null body = none, e.g. 204). */
    record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Reply html(int status, String html) {
            return new Reply(status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), Map.of());
        }

        static Reply json(int status, Object body) {
            try {
                return new Reply(status, "application/json", JSON.writeValueAsBytes(body), Map.of());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** An HTTP error with a message for the client (4xx). */
    static final class HttpError extends RuntimeException {
        final int status;

        HttpError(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void handle(HttpExchange ex) {
        try (ex) {
            requests.increment();
            String rawPath = ex.getRequestURI().getRawPath();
            boolean api = rawPath != null && rawPath.startsWith("/api/");
            Reply r;
            try {
                r = route(ex, api);
            } catch (HttpError e) {
                r = error(api, e.status, e.getMessage());
            } catch (BadRequest e) {
                r = error(api, 400, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("web request {} failed: {}", safePath(rawPath), e.toString());
                r = error(api, 500, "internal error; try again shortly");
            }
            if (r.status() == 429) {
                rateLimited.increment();
            } else if (r.status() >= 500) {
                serverErrors.increment();
            } else if (r.status() >= 400) {
                clientErrors.increment();
            }
            send(ex, r, api);
        } catch (IOException e) {
            // the client went away
        }
    }

    private Reply route(HttpExchange ex, boolean api) {
        String rawUri = ex.getRequestURI().toString();
        if (rawUri.length() > cfg.http().maxUriLength()) {
            throw new HttpError(414, "request URI longer than " + cfg.http().maxUriLength() + " characters");
        }
        String method = ex.getRequestMethod();
        if (method.equals("OPTIONS") && api) {
            return new Reply(204, null, null, Map.of("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS",
                    "Access-Control-Allow-Headers", "Accept, Content-Type", "Access-Control-Max-Age", "86400"));
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return new Reply(405, "text/plain; charset=utf-8", "read-only: GET, HEAD (and OPTIONS on /api)\n"
                    .getBytes(StandardCharsets.UTF_8), Map.of("Allow", api ? "GET, HEAD, OPTIONS" : "GET, HEAD"));
        }
        long wait = limiter.acquire(clientIp(ex), System.nanoTime());
        if (wait > 0) {
            Reply r = error(api, 429, "too many requests from your address; retry in " + wait + " s");
            return new Reply(r.status(), r.contentType(), r.body(), Map.of("Retry-After", Long.toString(wait)));
        }
        String path = checkedPath(ex.getRequestURI().getRawPath());
        Map<String, String> query = query(ex.getRequestURI().getRawQuery());
        String[] a = STATIC.get(path);
        if (a != null) {
            allow(query);
            return new Reply(200, a[1], assets.get(a[0]), Map.of());
        }
        if (!acquireSlot()) {
            throw new HttpError(503, "busy; try again shortly");
        }
        try {
            return dispatch(path, query, api);
        } finally {
            slots.release();
        }
    }

    private boolean acquireSlot() {
        try {
            return slots.tryAcquire(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Reply dispatch(String path, Map<String, String> q, boolean api) {
        String key = path + "?" + q;
        long nowNanos = System.nanoTime();
        if (path.equals("/")) {
            allow(q);
            return cached(key, nowNanos, () -> Reply.html(200, pages.home(snapshot.get(), clock.millis())));
        }
        if (path.equals("/blocks")) {
            allow(q, "cursor");
            int limit = cfg.http().pageSize();
            return cached(key, nowNanos, () -> Reply.html(200, pages.blocks(ledger.blocks(q.get("cursor"), limit), clock.millis())));
        }
        if (path.equals("/address")) {
            allow(q, "a");
            String addr = q.getOrDefault("a", "").strip();
            validAddress(addr);
            return new Reply(303, "text/plain; charset=utf-8", new byte[0], Map.of("Location", "/address/" + addr));
        }
        if (path.startsWith("/address/")) {
            String addr = path.substring("/address/".length());
            allow(q, "payouts", "kind", "destination");
            validAddress(addr);
            Pages.Challenge challenge = q.containsKey("destination") || q.containsKey("kind")
                    ? Pages.Challenge.of(addr, q.getOrDefault("kind", ""), q.getOrDefault("destination", ""), clock.millis())
                    : null;
            if (challenge != null) {
                // the message carries the current time: not cached
                return addressPage(addr, q, challenge);
            }
            return cached(key, nowNanos, () -> addressPage(addr, q, null));
        }
        if (path.equals("/api/v1") || path.equals("/api/v1/")) {
            allow(q);
            return Reply.json(200, Map.of("openapi", "/api/v1/openapi.json", "pool", "/api/v1/pool", "blocks", "/api/v1/blocks",
                    "address", "/api/v1/addresses/{address}"));
        }
        if (path.equals("/api/v1/pool")) {
            allow(q);
            return cached(key, nowNanos, () -> Reply.json(200, poolJson(snapshot.get())));
        }
        if (path.equals("/api/v1/blocks")) {
            allow(q, "cursor", "limit");
            int limit = limit(q);
            return cached(key, nowNanos, () -> Reply.json(200, ledger.blocks(q.get("cursor"), limit)));
        }
        if (path.startsWith("/api/v1/addresses/")) {
            String rest = path.substring("/api/v1/addresses/".length());
            int slash = rest.indexOf('/');
            String addr = slash < 0 ? rest : rest.substring(0, slash);
            String sub = slash < 0 ? "" : rest.substring(slash + 1);
            validAddress(addr);
            switch (sub) {
                case "" -> {
                    allow(q);
                    return cached(key, nowNanos, () -> {
                        requireKnown(addr);
                        return Reply.json(200, ledger.address(addr, clock.millis(), offlineMs(), snapshot.get()));
                    });
                }
                case "workers" -> {
                    allow(q, "cursor", "limit");
                    int limit = limit(q);
                    String after = q.get("cursor");
                    if (after != null && after.length() > 200) {
                        throw new BadRequest("cursor must be the 'next' value of a previous page");
                    }
                    return cached(key, nowNanos, () -> {
                        requireKnown(addr);
                        return Reply.json(200, ledger.workerPage(addr, clock.millis(), offlineMs(), after, limit));
                    });
                }
                case "payouts" -> {
                    allow(q, "cursor", "limit");
                    int limit = limit(q);
                    return cached(key, nowNanos, () -> {
                        requireKnown(addr);
                        return Reply.json(200, ledger.payouts(addr, q.get("cursor"), limit));
                    });
                }
                case "destination-message" -> {
                    allow(q, "kind", "destination");
                    requireKnown(addr);
                    Pages.Challenge c = Pages.Challenge.of(addr, q.getOrDefault("kind", ""), q.getOrDefault("destination", ""),
                            clock.millis());
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("address", addr);
                    body.put("kind", c.kind());
                    body.put("destination", c.destination());
                    body.put("timestamp", c.timestampS());
                    body.put("message", c.message());
                    return Reply.json(200, body);
                }
                default -> throw new HttpError(404, "no such resource: /api/v1/addresses/{address}/" + sub);
            }
        }
        throw new HttpError(404, "no such page");
    }

    private Reply addressPage(String addr, Map<String, String> q, Pages.Challenge challenge) {
        requireKnown(addr);
        long now = clock.millis();
        LedgerView.PoolSnapshot pool = snapshot.get();
        LedgerView.AddressView v = ledger.addressView(addr, now, offlineMs(), pool);
        LedgerView.Page<LedgerView.Payout> payouts = ledger.payouts(addr, q.get("payouts"), cfg.http().pageSize());
        return Reply.html(200, pages.address(v.summary(), v.workers(), payouts, challenge, now));
    }

    private long offlineMs() {
        return cfg.workerOfflineAfter().toMillis();
    }

    private void requireKnown(String addr) {
        if (!ledger.known(addr)) {
            throw new HttpError(404, "the pool has no shares, balance or payouts for " + addr + " yet");
        }
    }

    private void validAddress(String addr) {
        if (addr.isEmpty()) {
            throw new BadRequest("give a " + networkName() + " payout address");
        }
        if (!ADDRESS_CHARS.matcher(addr).matches()) {
            throw new BadRequest("malformed address: a " + networkName() + " address has 1..100 letters and digits");
        }
        try {
            AddressParser.getDefault(cfg.network()).parseAddress(addr);
        } catch (AddressFormatException e) {
            throw new BadRequest("'" + addr + "' is not a valid " + networkName() + " address");
        }
    }

    private String networkName() {
        return cfg.network().name().toLowerCase(java.util.Locale.ROOT);
    }

    private int limit(Map<String, String> q) {
        String s = q.get("limit");
        if (s == null) {
            return cfg.http().pageSize();
        }
        try {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= cfg.http().maxPageSize()) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new BadRequest("limit must be 1.." + cfg.http().maxPageSize());
    }

    private Reply cached(String key, long nowNanos, Supplier<Reply> compute) {
        ResponseCache.Entry e = cache.get(key, nowNanos, () -> {
            Reply r;
            try {
                r = compute.get();
            } catch (HttpError ex) {
                r = error(key.startsWith("/api/"), ex.status, ex.getMessage());
            } catch (BadRequest ex) {
                r = error(key.startsWith("/api/"), 400, ex.getMessage());
            }
            return new ResponseCache.Entry(r.status(), r.contentType(), r.body(), System.nanoTime() + cache.ttlNanos());
        });
        return new Reply(e.status(), e.contentType(), e.body(), Map.of());
    }

    private Map<String, Object> poolJson(LedgerView.PoolSnapshot s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", cfg.pool().name());
        m.put("network", networkName());
        m.put("computed_at_ms", s.computedAtMs());
        m.put("hashrate", s.hashrate());
        m.put("miners_online", s.minersOnline());
        m.put("workers_online", s.workersOnline());
        m.put("blocks_found", s.blocksFound());
        m.put("recent_blocks", s.recentBlocks());
        m.put("pplns", s.pplns());
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("sv2_url", cfg.pool().sv2Url());
        c.put("authority_key", cfg.pool().authorityKey());
        c.put("sv1_url", cfg.pool().sv1Url());
        c.put("user_identity", "<payout address>.<worker name>");
        c.put("min_difficulty", cfg.pool().minDifficulty());
        c.put("payout_threshold_sats", cfg.pool().payoutThresholdSats());
        m.put("connect", c);
        m.put("chart", s.chart());
        return m;
    }

    private Reply error(boolean api, int status, String message) {
        if (api) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", status);
            m.put("error", message);
            return Reply.json(status, m);
        }
        return Reply.html(status, pages.error(status, message));
    }

    private void send(HttpExchange ex, Reply r, boolean api) throws IOException {
        Headers h = ex.getResponseHeaders();
        if (r.contentType() != null) {
            h.set("Content-Type", r.contentType());
        }
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        if (api) {
            h.set("Access-Control-Allow-Origin", "*");
        } else {
            h.set("Content-Security-Policy", CSP);
            h.set("X-Frame-Options", "DENY");
        }
        long ttl = cfg.http().cacheTtl().toSeconds();
        h.set("Cache-Control", r.status() == 200 ? (ex.getRequestURI().getPath().startsWith("/static/")
                ? "public, max-age=3600" : "public, max-age=" + ttl) : "no-store");
        r.headers().forEach(h::set);
        boolean noBody = r.body() == null || ex.getRequestMethod().equals("HEAD") || r.status() == 204;
        if (noBody) {
            if (r.body() != null && r.status() != 204) {
                h.set("Content-Length", Integer.toString(r.body().length));
            }
            ex.sendResponseHeaders(r.status(), -1);
            return;
        }
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(r.body());
            }
        }
    }

    private String clientIp(HttpExchange ex) {
        if (cfg.http().trustForwardedFor()) {
            String xff = ex.getRequestHeaders().getFirst("X-Forwarded-For");
            if (xff != null && !xff.isBlank()) {
                String[] parts = xff.split(",");
                String last = parts[parts.length - 1].strip();
                if (!last.isEmpty() && last.length() <= 64) {
                    return last;
                }
            }
        }
        return ex.getRemoteAddress().getAddress().getHostAddress();
    }

    /** The decoded path, refusing traversal, encoded separators and control characters (400). */
    static String checkedPath(String raw) {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            throw new BadRequest("invalid path");
        }
        String lower = raw.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e") || lower.contains("%00") || raw.contains("\\")
                || raw.contains("//")) {
            throw new BadRequest("invalid path");
        }
        String path;
        try {
            path = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest("invalid percent-encoding in the path");
        }
        for (String seg : path.split("/")) {
            if (seg.equals("..") || seg.equals(".")) {
                throw new BadRequest("invalid path");
            }
        }
        for (int i = 0; i < path.length(); i++) {
            // printable ASCII only: no page has another character, and overlong or odd encodings stop here
            if (path.charAt(i) < 0x20 || path.charAt(i) > 0x7e) {
                throw new BadRequest("invalid path");
            }
        }
        return path.length() > 1 && path.endsWith("/") && !path.equals("/api/v1/") ? path.substring(0, path.length() - 1) : path;
    }

    /** Query parameters (sorted, so cache keys are canonical); bounded count and sizes; no repeats. */
    static Map<String, String> query(String raw) {
        Map<String, String> out = new TreeMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        String[] parts = raw.split("&", MAX_PARAMS + 2);
        if (parts.length > MAX_PARAMS) {
            throw new BadRequest("too many query parameters (at most " + MAX_PARAMS + ")");
        }
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String k;
            String v;
            try {
                k = URLDecoder.decode(eq < 0 ? p : p.substring(0, eq), StandardCharsets.UTF_8);
                v = eq < 0 ? "" : URLDecoder.decode(p.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new BadRequest("invalid percent-encoding in the query");
            }
            if (!PARAM_NAME.matcher(k).matches()) {
                throw new BadRequest("invalid query parameter name");
            }
            if (v.length() > MAX_PARAM_CHARS) {
                throw new BadRequest("query parameter " + k + " longer than " + MAX_PARAM_CHARS + " characters");
            }
            if (out.put(k, v) != null) {
                throw new BadRequest("query parameter " + k + " given twice");
            }
        }
        return out;
    }

    private static void allow(Map<String, String> q, String... names) {
        Set<String> ok = Set.of(names);
        for (String k : q.keySet()) {
            if (!ok.contains(k)) {
                throw new BadRequest("unknown query parameter '" + k + "'" + (names.length == 0 ? ": this page takes none"
                        : ": this page takes " + String.join(", ", names)));
            }
        }
    }

    private static String safePath(String p) {
        if (p == null) {
            return "";
        }
        String s = p.length() > 120 ? p.substring(0, 120) + "..." : p;
        return s.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
