package org.hyperhash.agent.fetch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TimedBody driven by hand as the HTTP client would (no sockets). */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimedBodyTest {
    static final class Sub implements Flow.Subscription {
        final AtomicLong demand = new AtomicLong();
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void request(long n) {
            demand.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }

    static HttpResponse.BodySubscriber<InputStream> body(Duration idle, Duration total) {
        return TimedBody.handler(idle, total).apply(null);
    }

    static List<ByteBuffer> chunk(String s) {
        return List.of(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void deliversChunksInOrderWithDemandOfOne() throws Exception {
        var b = body(Duration.ofSeconds(10), null);
        Sub sub = new Sub();
        b.onSubscribe(sub);
        assertEquals(1, sub.demand.get());
        b.onNext(List.of(ByteBuffer.wrap("ab".getBytes(StandardCharsets.UTF_8)), ByteBuffer.wrap("c".getBytes(StandardCharsets.UTF_8))));
        InputStream in = b.getBody().toCompletableFuture().get();
        byte[] buf = new byte[8];
        assertEquals(2, in.read(buf));
        assertEquals(1, in.read(buf, 2, 6));
        assertEquals(1, sub.demand.get(), "no more demand until the list is consumed");
        b.onNext(chunk("de"));
        b.onComplete();
        assertEquals(2, in.read(buf, 3, 5));
        assertEquals(2, sub.demand.get());
        assertEquals(-1, in.read(buf));
        assertArrayEquals("abcde".getBytes(StandardCharsets.UTF_8), java.util.Arrays.copyOf(buf, 5));
        in.close();
        assertTrue(!sub.cancelled.get(), "a finished body is not cancelled");
    }

    @Test
    void silenceIsAReadTimeoutThatCancelsAndSticks() throws Exception {
        var b = body(Duration.ofMillis(50), null);
        Sub sub = new Sub();
        b.onSubscribe(sub);
        b.onNext(chunk("x"));
        InputStream in = b.getBody().toCompletableFuture().get();
        assertEquals('x', in.read());
        HttpTimeoutException e = assertThrows(HttpTimeoutException.class, in::read);
        assertTrue(e.getMessage().contains("read timeout"), e.getMessage());
        assertFalse(e instanceof TimedBody.DeadlineExceeded, "a read timeout is not the deadline");
        assertTrue(sub.cancelled.get(), "the connection is dropped");
        b.onComplete();
        assertThrows(IOException.class, in::read, "never an EOF after a timeout (a short body must not look complete)");
    }

    @Test
    void overallDeadline() throws Exception {
        var b = body(Duration.ofSeconds(10), Duration.ofMillis(50));
        Sub sub = new Sub();
        b.onSubscribe(sub);
        InputStream in = b.getBody().toCompletableFuture().get();
        HttpTimeoutException e = assertThrows(TimedBody.DeadlineExceeded.class, in::read);
        assertTrue(e.getMessage().contains("deadline"), e.getMessage());
        assertTrue(sub.cancelled.get());
    }

    @Test
    void dataArrivingAfterTheDeadlineDoesNotExtendIt() throws Exception {
        var b = body(Duration.ofSeconds(10), Duration.ofMillis(100));
        Sub sub = new Sub();
        b.onSubscribe(sub);
        InputStream in = b.getBody().toCompletableFuture().get();
        b.onNext(chunk("a"));
        assertEquals('a', in.read());
        Thread.sleep(150);
        // a drip-feeding server: the next chunk is already there when the reader asks, but the deadline has passed
        b.onNext(chunk("b"));
        assertThrows(TimedBody.DeadlineExceeded.class, in::read);
        assertTrue(sub.cancelled.get(), "the connection is dropped");
        IOException again = assertThrows(IOException.class, in::read);
        assertInstanceOf(TimedBody.DeadlineExceeded.class, again.getCause(), "later reads keep the cause");
    }

    @Test
    void upstreamErrorSurfacesAfterTheDataBeforeIt() throws Exception {
        var b = body(Duration.ofSeconds(10), null);
        Sub sub = new Sub();
        b.onSubscribe(sub);
        b.onNext(chunk("half"));
        InputStream in = b.getBody().toCompletableFuture().get();
        assertEquals(4, in.readNBytes(4).length);
        b.onError(new IOException("connection reset"));
        IOException e = assertThrows(IOException.class, in::read);
        assertEquals("connection reset", e.getMessage());
    }

    @Test
    void closeBeforeTheEndCancels() throws Exception {
        var b = body(Duration.ofSeconds(10), null);
        Sub sub = new Sub();
        b.onSubscribe(sub);
        b.getBody().toCompletableFuture().get().close();
        assertTrue(sub.cancelled.get());
        Sub late = new Sub();
        b.onSubscribe(late);
        assertTrue(late.cancelled.get(), "a second subscription is refused");
    }
}
