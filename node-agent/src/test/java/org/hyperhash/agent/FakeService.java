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
 * With a ledger URL it also plays a ledger-using daemon of that release: it opens the ledger with this build's
 * migrations plus the release's own {@code ledger/} directory (Flyway {@code filesystem:} location), so each release
 * migrates the ledger as its binary would, records one found block named after the release, and closes it; a ledger
 * the release cannot run on (a contract migration it predates) makes it unready, like a daemon that fails to start.
 */
final class FakeService implements AutoCloseable {
    private final HttpServer server;
    private final Path currentLink;
    private volatile boolean ready = true;
    private volatile String version = "none";
    private final String ledgerUrl;
    private final java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
    /** The error of the last ledger open, or null when it succeeded. */
    volatile String ledgerError;

    FakeService(Path currentLink) throws IOException {
        this(currentLink, null);
    }

    FakeService(Path currentLink, String ledgerUrl) throws IOException {
        this.currentLink = currentLink;
        this.ledgerUrl = ledgerUrl;
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
        if (ledgerUrl != null) {
            ready &= runOnLedger();
        }
    }

    private boolean runOnLedger() {
        try {
            Path release = currentLink.toRealPath();
            java.util.List<String> extra = Files.isDirectory(release.resolve("ledger"))
                    ? java.util.List.of("filesystem:" + release.resolve("ledger")) : java.util.List.of();
            try (org.hyperhash.ledger.LedgerDatabase db = org.hyperhash.ledger.LedgerDatabase.open(ledgerUrl,
                    org.hyperhash.ledger.LedgerDatabase.Options.defaults(), java.time.InstantSource.system(), extra)) {
                int n = starts.incrementAndGet();
                new org.hyperhash.ledger.FoundBlockStore(db, java.time.InstantSource.system()).insertFound(
                        new org.hyperhash.ledger.FoundBlock(version + "#" + n, 100 + n, 1_000L * n, "i1", "bc1qnode", "w1",
                                312_500_000L, 1e13, org.hyperhash.ledger.BlockStatus.SUBMITTED, null, 1_000L * n));
            }
            ledgerError = null;
            return true;
        } catch (IOException | RuntimeException e) {
            ledgerError = String.valueOf(e.getMessage());
            return false;
        }
    }

    void stopped() {
        ready = false;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
