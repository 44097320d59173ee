package org.hyperhash.agent.fetch;

import org.hyperhash.agent.manifest.Reason;
import org.hyperhash.agent.manifest.RefusedException;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP(S) client of the agent: small capped fetches (manifests, roots) and streamed, size-capped,
 * resumable artifact downloads (HTTP Range). With a CA file, only that CA is trusted (a private PKI
 * for the release server); without one, the JDK's default trust store. Every body is read through
 * {@link TimedBody}: a server that goes silent for the read timeout fails the request instead of hanging the agent,
 * and every body has an overall deadline, so a server that drip-feeds cannot hold it either.
 */
public final class HttpFetcher implements AutoCloseable {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private final HttpClient client;
    private final Duration requestTimeout;
    private final Duration readTimeout;
    private final Duration downloadTimeout;

    /**
     * @param requestTimeout  until the response headers; for metadata and POSTs also the deadline of the whole body
     * @param readTimeout     longest silence while a body is being received (downloads included)
     * @param downloadTimeout deadline of one {@link #download} call (all its requests and bodies)
     */
    public HttpFetcher(Path caFile, Duration connectTimeout, Duration requestTimeout, Duration readTimeout,
                       Duration downloadTimeout) throws IOException {
        if (downloadTimeout.isNegative() || downloadTimeout.isZero()) {
            throw new IllegalArgumentException("download timeout must be > 0");
        }
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (caFile != null) {
            b.sslContext(sslContextFor(caFile));
        }
        this.client = b.build();
        this.requestTimeout = requestTimeout;
        this.readTimeout = readTimeout;
        this.downloadTimeout = downloadTimeout;
    }

    /** An SSL context trusting only the certificates in a PEM (or DER) file. */
    public static SSLContext sslContextFor(Path caFile) throws IOException {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IOException(caFile + ": no certificate found (tls.ca-file)");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException(caFile + ": cannot load CA certificates (tls.ca-file): " + e.getMessage(), e);
        }
    }

    /** GETs {@code uri} fully; refuses bodies above {@code maxBytes}. Non-200 is an IOException. */
    public byte[] fetch(URI uri, long maxBytes) throws IOException {
        return fetchOptional(uri, maxBytes).orElseThrow(() -> new IOException("GET " + uri + ": 404 not found"));
    }

    /** Like {@link #fetch} but 404 is an empty result (used to probe for the next root version). */
    public Optional<byte[]> fetchOptional(URI uri, long maxBytes) throws IOException {
        HttpResponse<InputStream> r = send(HttpRequest.newBuilder(uri).timeout(requestTimeout).GET().build(), requestTimeout);
        try (InputStream in = r.body()) {
            if (r.statusCode() == 404) {
                return Optional.empty();
            }
            if (r.statusCode() != 200) {
                throw new IOException("GET " + uri + ": HTTP " + r.statusCode());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > maxBytes) {
                    throw new IOException("GET " + uri + ": body larger than " + maxBytes + " bytes");
                }
                out.write(buf, 0, n);
            }
            return Optional.of(out.toByteArray());
        }
    }

    /** POSTs a JSON body and returns the 200 response body (capped at {@code maxBytes}). */
    public byte[] postJson(URI uri, byte[] body, long maxBytes) throws IOException {
        HttpResponse<InputStream> r = send(HttpRequest.newBuilder(uri).timeout(requestTimeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), requestTimeout);
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (b.length > maxBytes) {
                throw new IOException("POST " + uri + ": response larger than " + maxBytes + " bytes");
            }
            if (r.statusCode() != 200) {
                throw new IOException("POST " + uri + ": HTTP " + r.statusCode());
            }
            return b;
        }
    }

    /** Sends; the body must arrive with no gap above the read timeout and within {@code bodyDeadline}. */
    private HttpResponse<InputStream> send(HttpRequest req, Duration bodyDeadline) throws IOException {
        return send(req, () -> bodyDeadline);
    }

    /** Like {@link #send(HttpRequest, Duration)}, the body deadline asked for when the response headers arrive. */
    private HttpResponse<InputStream> send(HttpRequest req, Supplier<Duration> bodyDeadline) throws IOException {
        try {
            return client.send(req, info -> TimedBody.handler(readTimeout, bodyDeadline.get()).apply(info));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Downloads {@code uri} into {@code part}, resuming from its current size with a Range request.
     * Stops (and refuses with {@link Reason#WRONG_LENGTH}) as soon as the body would exceed
     * {@code expectedLength}, or when the server's complete body is shorter. A dropped connection or a
     * server silent for the read timeout is an IOException and leaves the partial file for the next attempt.
     * Not complete within the download timeout (a server drip-feeding data, or a link too slow for the artifact):
     * refused with {@link Reason#SLOW_RETRIEVAL}; the partial file is kept too, so a slow link still gets there
     * over several checks while no single check is held longer than the timeout.
     *
     * @param counter receives every chunk size (download metric)
     */
    public void download(URI uri, Path part, long expectedLength, LongConsumer counter) throws IOException, RefusedException {
        long start = System.nanoTime();
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > expectedLength) {
            Files.delete(part);
            have = 0;
        }
        if (have == expectedLength && Files.exists(part)) {
            return;
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            Duration left = left(start);
            if (left.isZero()) {
                throw slowRetrieval(uri, part, expectedLength);
            }
            // the headers of a resumed request count against the deadline too
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(left.compareTo(requestTimeout) < 0 ? left : requestTimeout).GET();
            if (have > 0) {
                rb.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<InputStream> r;
            try {
                r = send(rb.build(), () -> left(start));
            } catch (HttpTimeoutException e) {
                if (left(start).isZero()) {
                    throw slowRetrieval(uri, part, expectedLength);
                }
                throw e;
            }
            try (InputStream in = r.body()) {
                boolean append;
                if (r.statusCode() == 206 && have > 0) {
                    Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
                    append = m.matches() && Long.parseLong(m.group(1)) == have;
                    if (!append) {
                        // a range we did not ask for: start over without trusting it
                        Files.deleteIfExists(part);
                        have = 0;
                        continue;
                    }
                } else if (r.statusCode() == 200) {
                    append = false;
                    have = 0;
                } else if (r.statusCode() == 416 && have > 0) {
                    Files.deleteIfExists(part);
                    have = 0;
                    continue;
                } else {
                    throw new IOException("GET " + uri + ": HTTP " + r.statusCode());
                }
                try {
                    stream(in, part, append, have, expectedLength, uri, counter);
                } catch (IOException e) {
                    if (deadlineExceeded(e)) {
                        throw slowRetrieval(uri, part, expectedLength);
                    }
                    throw e;
                }
                return;
            }
        }
        throw new IOException("GET " + uri + ": server does not honour Range requests consistently");
    }

    /** What is left of the download timeout of a download started at {@code start} (zero when expired). */
    private Duration left(long start) {
        long budget;
        try {
            budget = downloadTimeout.toNanos();
        } catch (ArithmeticException e) {
            budget = Long.MAX_VALUE;
        }
        return Duration.ofNanos(Math.max(0, budget - (System.nanoTime() - start)));
    }

    private static boolean deadlineExceeded(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimedBody.DeadlineExceeded) {
                return true;
            }
        }
        return false;
    }

    private RefusedException slowRetrieval(URI uri, Path part, long expected) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        return new RefusedException(Reason.SLOW_RETRIEVAL, "artifact " + uri + " not downloaded within "
                + downloadTimeout.toSeconds() + " s (download.timeout-seconds): " + have + " of " + expected
                + " bytes received; the partial file is kept and resumed at the next check");
    }

    private static void stream(InputStream in, Path part, boolean append, long have, long expected, URI uri,
                               LongConsumer counter) throws IOException, RefusedException {
        long total = have;
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (total + n > expected) {
                    out.close();
                    Files.deleteIfExists(part);
                    throw new RefusedException(Reason.WRONG_LENGTH, "artifact " + uri + " is longer than the "
                            + expected + " bytes the manifest states (download stopped)");
                }
                out.write(buf, 0, n);
                total += n;
                counter.accept(n);
            }
        }
        if (total < expected) {
            Files.deleteIfExists(part);
            throw new RefusedException(Reason.WRONG_LENGTH, "artifact " + uri + " is " + total + " bytes, the manifest states "
                    + expected);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
