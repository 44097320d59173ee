package org.hyperhash.daemon;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminServerIT {
    @Test
    void servesHealthReadyStatusMetricsAndRoutes() throws Exception {
        PrometheusMeterRegistry reg = Metrics.newRegistry("testd");
        Counter.builder("hh.test.things").register(reg).increment(3);
        AtomicBoolean ready = new AtomicBoolean(false);
        HealthSource hs = new HealthSource() {
            @Override
            public boolean ready() {
                return ready.get();
            }

            @Override
            public Map<String, Object> status() {
                return Map.of("listen", "127.0.0.1:3333");
            }
        };
        try (AdminServer a = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), reg, hs)) {
            a.addJsonRoute("/v1/miners/", p -> p.endsWith("/known") ? Map.of("workers", 2) : null);
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + a.address().getPort();
            assertEquals(200, get(c, base + "/v1/health").statusCode());
            assertEquals(503, get(c, base + "/v1/ready").statusCode());
            ready.set(true);
            assertEquals(200, get(c, base + "/v1/ready").statusCode());
            assertTrue(get(c, base + "/v1/status").body().contains("127.0.0.1:3333"));
            String metrics = get(c, base + "/metrics").body();
            assertTrue(metrics.contains("hh_test_things_total{service=\"testd\"} 3.0"), metrics);
            assertTrue(metrics.contains("jvm_memory_used_bytes"));
            assertTrue(metrics.contains("disk_free_bytes") && metrics.contains("disk_total_bytes") && metrics.contains("process_cpu_usage"), "metrics the alert rules use");
            assertEquals(200, get(c, base + "/v1/miners/known").statusCode());
            assertEquals(404, get(c, base + "/v1/miners/unknown").statusCode());
        }
    }

    private static HttpResponse<String> get(HttpClient c, String url) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
