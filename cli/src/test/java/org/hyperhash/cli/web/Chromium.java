package org.hyperhash.cli.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Debian's headless chromium driven over the Chrome DevTools Protocol (JDK HttpClient WebSocket; no driver binary
 * or browser download): navigate, evaluate, screenshot, and the URL of every request the page made.
 */
final class Chromium implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path profile;
    private final WebSocket ws;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<String> requested = new CopyOnWriteArrayList<>();

    private Chromium(Process process, Path profile, WebSocket ws) {
        this.process = process;
        this.profile = profile;
        this.ws = ws;
    }

    /** Starts chromium with a fresh profile; its stderr goes to {@code log}. */
    static Chromium start(Path log) throws Exception {
        Path profile = Files.createTempDirectory("hh-chromium-");
        Process p = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--user-data-dir=" + profile, "--remote-debugging-port=0",
                "--window-size=1280,900", "about:blank")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Path portFile = profile.resolve("DevToolsActivePort");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("chromium did not open its DevTools port (exit " + (p.isAlive() ? "none" : p.exitValue())
                            + "); see " + log);
                }
                Thread.sleep(100);
            }
            int port = Integer.parseInt(Files.readAllLines(portFile).get(0).strip());
            HttpClient http = HttpClient.newHttpClient();
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            String pageWs = null;
            for (JsonNode t : JSON.readTree(list)) {
                if (t.get("type").asText().equals("page")) {
                    pageWs = t.get("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (pageWs == null) {
                throw new IllegalStateException("chromium has no page target: " + list);
            }
            Chromium[] self = new Chromium[1];
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(URI.create(pageWs), new WebSocket.Listener() {
                        private final StringBuilder buf = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                            buf.append(data);
                            if (last) {
                                String msg = buf.toString();
                                buf.setLength(0);
                                while (self[0] == null) {
                                    Thread.onSpinWait();
                                }
                                self[0].onMessage(msg);
                            }
                            w.request(1);
                            return null;
                        }
                    }).get(30, TimeUnit.SECONDS);
            Chromium c = new Chromium(p, profile, ws);
            self[0] = c;
            c.call("Page.enable", Map.of());
            c.call("Network.enable", Map.of());
            return c;
        } catch (Exception | Error e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private void onMessage(String msg) {
        try {
            JsonNode m = JSON.readTree(msg);
            if (m.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                if (f != null) {
                    if (m.has("error")) {
                        f.completeExceptionally(new IllegalStateException("CDP error: " + m.get("error")));
                    } else {
                        f.complete(m.get("result"));
                    }
                }
            } else if ("Network.requestWillBeSent".equals(m.path("method").asText())) {
                requested.add(m.at("/params/request/url").asText());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = JSON.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", JSON.valueToTree(params));
        ws.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        return f.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Opens {@code url} and waits until the document has loaded. */
    void open(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            JsonNode r = eval("document.readyState === 'complete' && location.href");
            if (r.isTextual() && r.asText().startsWith(url.replaceAll("#.*", ""))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("page did not load: " + url);
            }
            Thread.sleep(100);
        }
    }

    /** The value of a JavaScript expression evaluated in the page (CDP; the page itself runs no script). */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("evaluation failed: " + r.get("exceptionDetails"));
        }
        return r.at("/result/value");
    }

    /** Text of the element with this id, or null. */
    String text(String id) throws Exception {
        JsonNode v = eval("(function(){var e=document.getElementById('" + id + "');return e?e.textContent:null;})()");
        return v.isNull() || v.isMissingNode() ? null : v.asText();
    }

    /** Emulates a viewport (mobile = phone layout with touch and a device scale factor of 2). */
    void viewport(int width, int height, boolean mobile) throws Exception {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", mobile ? 2 : 1,
                "mobile", mobile));
    }

    /** A PNG of the whole page. */
    void screenshot(Path png) throws Exception {
        JsonNode r = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(r.get("data").asText()));
    }

    List<String> requestedUrls() {
        return new ArrayList<>(requested);
    }

    @Override
    public void close() throws Exception {
        try {
            ws.abort();
        } finally {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
