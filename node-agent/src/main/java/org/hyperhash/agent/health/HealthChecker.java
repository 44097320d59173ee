package org.hyperhash.agent.health;

import org.hyperhash.agent.fetch.TimedBody;
import org.hyperhash.agent.systemd.Systemctl;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Waits until every unit is {@code active} and answers 200 on {@code /v1/health} and {@code /v1/ready} of its
 * admin URL, or the deadline passes. Units without an admin URL are judged by their systemd state only.
 */
public final class HealthChecker {
    /** The outcome: healthy, or which unit failed and why. */
    public sealed interface Outcome {
        record Healthy() implements Outcome {
        }

        record Unhealthy(String unit, String detail) implements Outcome {
        }
    }

    private static final long MIN_PROBE_MILLIS = 1000;
    private final Systemctl systemctl;
    private final Map<String, URI> adminUrls;
    private final Duration interval;
    private final HttpClient client;

    public HealthChecker(Systemctl systemctl, Map<String, URI> adminUrls, Duration interval) {
        this.systemctl = systemctl;
        this.adminUrls = Map.copyOf(adminUrls);
        this.interval = interval;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    /** Polls until all {@code units} are healthy or {@code deadline} (from now, monotonic) passes. */
    public Outcome await(List<String> units, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        List<String> pending = new ArrayList<>(units);
        String lastDetail = "";
        String lastUnit = units.isEmpty() ? "" : units.getFirst();
        while (true) {
            for (var it = pending.iterator(); it.hasNext(); ) {
                String u = it.next();
                // a floor, so that a probe started just before the deadline can still get an answer (at most that overshoot)
                String problem = probe(u, Math.max(MIN_PROBE_MILLIS, (end - System.nanoTime()) / 1_000_000));
                if (problem == null) {
                    it.remove();
                } else {
                    lastUnit = u;
                    lastDetail = problem;
                }
            }
            if (pending.isEmpty()) {
                return new Outcome.Healthy();
            }
            long left = end - System.nanoTime();
            if (left <= 0) {
                return new Outcome.Unhealthy(lastUnit, lastDetail + " (deadline " + deadline.toSeconds() + " s)");
            }
            try {
                Thread.sleep(Math.min(interval.toMillis(), Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome.Unhealthy(lastUnit, "interrupted");
            }
        }
    }

    /** Null when healthy, else what is wrong. */
    private String probe(String unit, long budgetMillis) {
        String state = systemctl.activeState(unit);
        if (!"active".equals(state)) {
            return unit + " is " + state;
        }
        URI base = adminUrls.get(unit);
        if (base == null) {
            return null;
        }
        for (String path : List.of("/v1/health", "/v1/ready")) {
            int code = get(base.resolve(path), Math.min(budgetMillis, 5000));
            if (code != 200) {
                return unit + " " + path + " -> " + (code < 0 ? "unreachable" : "HTTP " + code);
            }
        }
        return null;
    }

    /** The unit's systemd ActiveState. */
    public String activeStateOf(String unit) {
        return systemctl.activeState(unit);
    }

    /** A single GET of a health URL; -1 when unreachable. Exposed for the status page. */
    public int get(URI uri, long timeoutMillis) {
        try {
            Duration t = Duration.ofMillis(Math.max(1, timeoutMillis));
            // the request timeout ends at the headers; TimedBody bounds the body too
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).timeout(t).GET().build(),
                    TimedBody.handler(t, t));
            try (InputStream in = r.body()) {
                in.readNBytes(64 * 1024);
            }
            return r.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Fetches a small body (e.g. a service's /v1/status); null on any failure. */
    public String getBody(URI uri, long timeoutMillis) {
        try {
            Duration t = Duration.ofMillis(Math.max(1, timeoutMillis));
            // the request timeout ends at the headers; TimedBody bounds the body too
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).timeout(t).GET().build(),
                    TimedBody.handler(t, t));
            try (InputStream in = r.body()) {
                byte[] b = in.readNBytes(256 * 1024);
                return r.statusCode() == 200 ? new String(b, java.nio.charset.StandardCharsets.UTF_8) : null;
            }
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    public void close() {
        client.close();
    }
}
