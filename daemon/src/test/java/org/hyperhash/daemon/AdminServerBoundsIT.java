package org.hyperhash.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin port's bounds: slow request headers are cut off, connections are capped, query strings parsed. */
class AdminServerBoundsIT {
    private static AdminServer start() throws Exception {
        PrometheusMeterRegistry reg = Metrics.newRegistry("testd");
        return AdminServer.start(new InetSocketAddress("127.0.0.1", 0), reg, new HealthSource() {
            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public Map<String, Object> status() {
                return Map.of();
            }
        });
    }

    /** Reads until EOF or reset; false when the server kept the connection open for {@code seconds}. */
    private static boolean closedWithin(Socket s, int seconds) throws Exception {
        s.setSoTimeout(seconds * 1000);
        InputStream in = s.getInputStream();
        try {
            while (in.read() >= 0) {
                // a response would be a bug here; keep reading until the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true; // reset
        }
    }

    @Test
    void slowRequestHeadersAreCutOff() throws Exception {
        try (AdminServer a = start(); Socket s = new Socket("127.0.0.1", a.address().getPort())) {
            s.getOutputStream().write("GET /v1/health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush(); // and never the blank line
            // hang guard well above REQUEST_TIMEOUT_SECONDS (the JDK's timer checks about once a second)
            assertTrue(closedWithin(s, AdminServer.REQUEST_TIMEOUT_SECONDS + 20), "slow-header client still connected");
        }
    }

    @Test
    void connectionsAreCapped() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (AdminServer a = start()) {
            int port = a.address().getPort();
            for (int i = 0; i < AdminServer.MAX_CONNECTIONS; i++) {
                held.add(new Socket("127.0.0.1", port));
            }
            // once the server has accepted the held connections, one more is closed without an answer
            boolean refused = false;
            for (int attempt = 0; attempt < 50 && !refused; attempt++) {
                try (Socket extra = new Socket("127.0.0.1", port)) {
                    extra.getOutputStream().write("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    extra.setSoTimeout(5_000);
                    int first;
                    try {
                        first = extra.getInputStream().read();
                    } catch (java.net.SocketException e) {
                        first = -1;
                    }
                    refused = first < 0;
                }
            }
            assertTrue(refused, "connection " + (AdminServer.MAX_CONNECTIONS + 1) + " was served");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void queryParameters() {
        assertEquals(Map.of("offset", "5", "limit", "x y"), AdminServer.query("offset=5&limit=x+y&offset=7"));
        assertEquals(5, AdminServer.intParam(AdminServer.query("offset=5"), "offset", 0));
        assertEquals(3, AdminServer.intParam(AdminServer.query("offset=abc"), "offset", 3));
    }
}
