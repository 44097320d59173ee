package org.hyperhash.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
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
        CountDownLatch release = new CountDownLatch(1);
        try (Sv1ServerFixture f = new Sv1ServerFixture("limit", 1, 4, Duration.ofMinutes(1), null)) {
            InetSocketAddress addr = f.address;
            EventLoop bridgeLoop = f.bridgeLoop;
            try { // the bridge loop is released before the fixture closes (its shutdown waits for the loop)
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
                assertEquals(1.0, f.errors("overflow"));
            } finally {
                release.countDown();
            }
        }
    }
}
