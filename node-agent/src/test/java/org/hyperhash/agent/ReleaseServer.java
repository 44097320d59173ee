package org.hyperhash.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A local HTTPS release server with a self-signed certificate made by the JDK's keytool: serves files by
 * path, honours {@code Range: bytes=N-}, can drop a connection half way once, stall half way once (the
 * connection stays open and silent until {@link #close()}) or drip-feed a body once (a few bytes at a time with
 * pauses, until the client gives up), and records requests.
 */
final class ReleaseServer implements AutoCloseable {
    private final HttpsServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Set<String> dropOnce = ConcurrentHashMap.newKeySet();
    private final Set<String> stallOnce = ConcurrentHashMap.newKeySet();
    private final Map<String, Drip> dripOnce = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<String> requests = new ArrayList<>();
    final Path caPem;

    /** @param dir where the key store and CA certificate are made (reused if present) */
    ReleaseServer(Path dir) throws Exception {
        Path ks = dir.resolve("server.p12");
        caPem = dir.resolve("ca.pem");
        if (!Files.exists(ks)) {
            // generated once per directory: keytool is two JVM starts
            keytool("-genkeypair", "-alias", "srv", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                    "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12",
                    "-storepass", "changeit", "-keypass", "changeit");
            keytool("-exportcert", "-rfc", "-alias", "srv", "-keystore", ks.toString(), "-storepass", "changeit", "-file", caPem.toString());
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", this::handle);
        // handlers off the dispatcher thread: a stalled exchange must not block the others
        server.setExecutor(executor);
        server.start();
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }

    URI uri(String path) {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    void put(String path, byte[] content) {
        files.put(path, content);
    }

    void remove(String path) {
        files.remove(path);
    }

    void dropOnce(String path) {
        dropOnce.add(path);
    }

    void stallOnce(String path) {
        stallOnce.add(path);
    }

    /** Drip-feed settings: {@code bytes} per write, {@code pauseMillis} between writes. */
    record Drip(int bytes, long pauseMillis) {
    }

    /** The next GET of {@code path} sends its body {@code bytes} at a time, pausing {@code pauseMillis} after each write. */
    void dripOnce(String path, int bytes, long pauseMillis) {
        dripOnce.put(path, new Drip(bytes, pauseMillis));
    }

    synchronized List<String> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String range = ex.getRequestHeaders().getFirst("Range");
            synchronized (this) {
                requests.add(ex.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
            }
            byte[] body = files.get(path);
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            int from = 0;
            if (range != null && range.matches("bytes=\\d+-")) {
                from = Integer.parseInt(range.substring(6, range.length() - 1));
                if (from >= body.length) {
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                ex.sendResponseHeaders(206, body.length - from);
            } else {
                ex.sendResponseHeaders(200, body.length);
            }
            OutputStream out = ex.getResponseBody();
            boolean drop = dropOnce.remove(path);
            boolean stall = !drop && stallOnce.remove(path);
            Drip drip = drop || stall ? null : dripOnce.remove(path);
            if (drip != null) {
                // until the body is sent, the client drops the connection (a write fails) or the server closes
                for (int i = from; i < body.length && closed.getCount() > 0; i += drip.bytes()) {
                    out.write(body, i, Math.min(drip.bytes(), body.length - i));
                    out.flush();
                    sleep(drip.pauseMillis());
                }
                out.close();
                return;
            }
            if (drop || stall) {
                out.write(body, from, (body.length - from) / 2);
                out.flush();
                if (stall) {
                    awaitClose();
                }
                // Closing a fixed-length body short only marks the exchange closed: the JDK server keeps the
                // connection open. An exception out of the handler is what makes it close the connection.
                throw new IOException("test server: dropping the connection half way through " + path);
            }
            out.write(body, from, body.length - from);
            out.close();
        }
    }

    private void sleep(long millis) {
        try {
            closed.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitClose() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
