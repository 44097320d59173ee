package org.hyperhash.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.translator.bridge.Bridge;
import org.hyperhash.translator.sv1.Sv1Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sv1.max-pending-requests} over a real socket: while the bridge's loop is held, a miner's requests pile up on
 * it; one past the limit gets a JSON-RPC error, the connection is closed and the {@code overflow} problem is counted
 * once, however many more lines were in flight.
 */
@Timeout(30)
class Sv1PendingLimitIT {
    @Test
    void aMinerWithTooManyRequestsWaitingIsToldAndClosedOnce() throws Exception {
        TranslatorConfig cfg = Harness.config(1e-5, Duration.ofSeconds(30), 1);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TranslatorMetrics metrics = new TranslatorMetrics(registry);
        EventLoopGroup io = Sv2Transport.newEventLoopGroup(1, "limit-io");
        EventLoopGroup bridgeGroup = Sv2Transport.newEventLoopGroup(1, "limit-bridge");
        EventLoop bridgeLoop = bridgeGroup.next();
        CountDownLatch release = new CountDownLatch(1);
        Sv1Server server = new Sv1Server(io, bridgeLoop, new Bridge(cfg.bridge(), InstantSource.system(), metrics,
                cfg.openRetry()), metrics, 4096, 4, Duration.ofMinutes(1));
        try {
            InetSocketAddress addr = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            bridgeLoop.execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try (Socket s = new Socket(addr.getAddress(), addr.getPort())) {
                s.setSoTimeout(10_000);
                StringBuilder lines = new StringBuilder();
                for (int i = 1; i <= 20; i++) {
                    lines.append("{\"id\":").append(i).append(",\"method\":\"mining.subscribe\",\"params\":[]}\n");
                }
                OutputStream out = s.getOutputStream();
                out.write(lines.toString().getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                String reply = in.readLine();
                assertTrue(reply != null && reply.contains("Too many pending requests"), "reply: " + reply);
                assertEquals(null, in.readLine(), "closed after the error, nothing else sent");
            }
            assertEquals(1.0, registry.get("hh.translator.sv1.errors").tag("kind", "overflow").counter().count());
        } finally {
            release.countDown();
            server.close();
            io.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
            bridgeGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }
}
