package org.hyperhash.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sv1.idle-timeout} over real sockets (IdleSweeper, not a handler per connection): with a 1 s timeout a client
 * that sends nothing is closed, never before the timeout; one that sends a request every 300 ms is still served three
 * timeouts later; one that trickles a line without its newline is not idle either (every socket read counts, as with
 * the IdleStateHandler this replaced); and the active one is closed too once it falls silent.
 */
@Timeout(60)
class Sv1IdleTimeoutIT {
    /** A request every connection may send any number of times; answered {@code true}. */
    private static byte[] request(int id) {
        return ("{\"id\":" + id + ",\"method\":\"mining.extranonce.subscribe\",\"params\":[]}\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aSilentMinerIsClosedAfterTheTimeoutAnActiveOneIsNot() throws Exception {
        // two I/O loops: the clients land on both, each loop's sweep sees its own connections
        try (Sv1ServerFixture f = new Sv1ServerFixture("idle", 2, 64, Duration.ofSeconds(1), null)) {
            InetSocketAddress addr = f.address;
            long t0 = System.nanoTime();
            try (Socket silent = new Socket(addr.getAddress(), addr.getPort());
                    Socket active = new Socket(addr.getAddress(), addr.getPort());
                    Socket trickle = new Socket(addr.getAddress(), addr.getPort())) {
                silent.setSoTimeout(20_000);
                active.setSoTimeout(20_000);
                trickle.setSoTimeout(20_000);
                OutputStream activeOut = active.getOutputStream();
                BufferedReader activeIn = new BufferedReader(new InputStreamReader(active.getInputStream(),
                        StandardCharsets.US_ASCII));
                OutputStream trickleOut = trickle.getOutputStream();
                byte[] longLine = request(1);
                // the silent client's EOF, timed where it arrives (its close cannot come before t0 + 1 s: the server
                // counts from accepting it, after t0)
                CompletableFuture<Long> silentClosed = CompletableFuture.supplyAsync(() -> {
                    try {
                        int b = silent.getInputStream().read();
                        return b == -1 ? System.nanoTime() : -1L;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                int id = 1;
                // 3.3 s of activity: the active client sends a request every 300 ms and reads its answer; the trickling
                // one sends one byte of a line every 300 ms
                for (int i = 0; i < 11; i++) {
                    activeOut.write(request(++id));
                    activeOut.flush();
                    String reply = activeIn.readLine();
                    assertTrue(reply != null && reply.contains("\"id\":" + id) && reply.contains("true"),
                            "request " + id + " answered: " + reply);
                    trickleOut.write(longLine[i]);
                    trickleOut.flush();
                    Thread.sleep(300);
                }
                // the silent one was closed meanwhile (EOF), and not before its timeout
                long closedAt = silentClosed.get(20, TimeUnit.SECONDS);
                assertTrue(closedAt != -1L, "silent client sent something");
                long closedAfterMs = TimeUnit.NANOSECONDS.toMillis(closedAt - t0);
                assertTrue(closedAfterMs >= 1000, "closed after " + closedAfterMs + " ms, before the 1 s timeout");
                // the active and the trickling ones are still served: the rest of the line, then an answer
                trickleOut.write(longLine, 11, longLine.length - 11);
                trickleOut.flush();
                String trickled = new BufferedReader(new InputStreamReader(trickle.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertTrue(trickled != null && trickled.contains("\"id\":1") && trickled.contains("true"),
                        "trickled line answered: " + trickled);
                long silentFrom = System.nanoTime(); // before the server reads this last request
                activeOut.write(request(++id));
                activeOut.flush();
                String last = activeIn.readLine();
                assertTrue(last != null && last.contains("\"id\":" + id), "active client still served: " + last);
                // silent from now on: closed as well
                try {
                    assertEquals(null, activeIn.readLine(), "active client closed once silent");
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("active client not closed 20 s after it fell silent", e);
                }
                assertTrue(System.nanoTime() - silentFrom >= TimeUnit.MILLISECONDS.toNanos(1000),
                        "closed before the timeout");
            }
        }
    }
    /** Reads lines until the reply to request {@code id} (notifications and other replies may come first). */
    private static String replyTo(BufferedReader in, int id) throws IOException {
        for (String l; (l = in.readLine()) != null; ) {
            if (l.contains("\"id\":" + id + ",") || l.contains("\"id\":" + id + "}")) {
                return l;
            }
        }
        return null;
    }

    /**
     * {@code sv1.setup-timeout} (1 s here, idle timeout 3 s) through the same sweep: a client that keeps sending requests
     * but never mining.subscribe and mining.authorize is closed and counted as a setup timeout, although it is never
     * idle; one that sent both is still served after the setup timeout and is closed as idle only once it falls silent.
     */
    @Test
    void aClientThatNeverSetsUpIsClosedAfterTheSetupTimeout() throws Exception {
        org.hyperhash.translator.sv1.Sv1Guard guard = new org.hyperhash.translator.sv1.Sv1Guard(
                new org.hyperhash.translator.sv1.Sv1Guard.Limits(1000, 0, Duration.ofMinutes(1), Duration.ofMinutes(10),
                        Duration.ofSeconds(1)), InstantSource.system());
        try (Sv1ServerFixture f = new Sv1ServerFixture("setup", 2, 64, Duration.ofSeconds(3), guard)) {
            InetSocketAddress addr = f.address;
            try (Socket lurker = new Socket(addr.getAddress(), addr.getPort());
                    Socket miner = new Socket(addr.getAddress(), addr.getPort())) {
                long t0 = System.nanoTime();
                lurker.setSoTimeout(20_000);
                miner.setSoTimeout(20_000);
                OutputStream lurkerOut = lurker.getOutputStream();
                BufferedReader lurkerIn = new BufferedReader(new InputStreamReader(lurker.getInputStream(),
                        StandardCharsets.US_ASCII));
                OutputStream minerOut = miner.getOutputStream();
                BufferedReader minerIn = new BufferedReader(new InputStreamReader(miner.getInputStream(),
                        StandardCharsets.US_ASCII));
                // the miner sets up (answered with errors here: no upstream pool; what counts is that it asked)
                minerOut.write(("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"test/1\"]}\n"
                        + "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"w.1\",\"x\"]}\n")
                        .getBytes(StandardCharsets.US_ASCII));
                minerOut.flush();
                assertTrue(replyTo(minerIn, 2) != null, "authorize answered");
                // both send a request every 300 ms: neither is idle; the lurker never sets up
                long lurkerClosed = -1;
                int id = 10;
                for (int i = 0; i < 8; i++) { // 2.4 s: past the setup timeout, short of the idle timeout
                    ++id;
                    minerOut.write(request(id));
                    minerOut.flush();
                    String r = replyTo(minerIn, id);
                    assertTrue(r != null && r.contains("true"), "miner served at request " + id + ": " + r);
                    if (lurkerClosed < 0) {
                        try {
                            lurkerOut.write(request(id));
                            lurkerOut.flush();
                            if (replyTo(lurkerIn, id) == null) {
                                lurkerClosed = System.nanoTime();
                            }
                        } catch (IOException reset) {
                            lurkerClosed = System.nanoTime();
                        }
                    }
                    Thread.sleep(300);
                }
                assertTrue(lurkerClosed > 0, "a client that never set up was not closed");
                assertTrue(lurkerClosed - t0 >= TimeUnit.MILLISECONDS.toNanos(1000), "closed before the setup timeout");
                assertEquals(1.0, f.errors("setup_timeout"));
                assertEquals(0.0, f.errors("idle_timeout"));
                // the miner falls silent: closed as idle
                try {
                    for (String l; (l = minerIn.readLine()) != null; ) {
                        // notifications or late replies until the close
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("set-up miner not closed 20 s after it fell silent", e);
                }
                assertEquals(1.0, f.errors("idle_timeout"));
                assertEquals(1.0, f.errors("setup_timeout"));
            }
        }
    }
}
