package org.hyperhash.agent;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A fake hh-* daemon's admin port. Like a real restart, {@link #restarted()} re-reads the release that
 * {@code current} points to: {@code /v1/ready} answers 503 when that release's {@code health-mode} file says "fail".
 */
final class FakeService implements AutoCloseable {
    private final HttpServer server;
    private final Path currentLink;
    private volatile boolean ready = true;
    private volatile String version = "none";

    FakeService(Path currentLink) throws IOException {
        this.currentLink = currentLink;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/v1/health", ex -> reply(ex, 200, "ok"));
        server.createContext("/v1/ready", ex -> reply(ex, ready ? 200 : 503, ready ? "ready" : "not ready"));
        server.createContext("/v1/status", ex -> reply(ex, 200, "{\"version\":\"" + version + "\"}"));
        server.start();
        restarted();
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int code, String body) throws IOException {
        try (ex) {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(code, b.length);
            ex.getResponseBody().write(b);
        }
    }

    void restarted() {
        try {
            Path mode = currentLink.resolve("health-mode");
            ready = !(Files.exists(mode) && Files.readString(mode).strip().equals("fail"));
            version = currentLink.toRealPath().getFileName().toString();
        } catch (IOException e) {
            ready = false;
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
