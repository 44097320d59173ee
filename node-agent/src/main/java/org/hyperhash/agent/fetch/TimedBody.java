package org.hyperhash.agent.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an InputStream whose reads give up after {@code idle} without data (and, optionally, at an
 * absolute deadline). The JDK client's request timeout stops at the response headers, so without this a server
 * that sends headers and then stalls would block a reader forever, and one that drip-feeds would keep it busy.
 * A timeout cancels the subscription, which closes the connection. Demand is one item at a time, so at most one
 * chunk list is buffered.
 */
public final class TimedBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {
    /** The body's overall deadline passed (as opposed to a read timeout: a silence longer than {@code idle}). */
    public static final class DeadlineExceeded extends HttpTimeoutException {
        DeadlineExceeded(String message) {
            super(message);
        }
    }

    private static final Object END = new Object();
    /** One item of demand plus a terminal signal, with one slot of slack. */
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(3);
    private final long idleNanos;
    private final boolean hasDeadline;
    private final long deadlineNanos;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private boolean finished;
    private IOException failure;
    private Iterator<ByteBuffer> chunks;
    private ByteBuffer current;

    private TimedBody(Duration idle, Duration total) {
        this.idleNanos = idle.toNanos();
        this.hasDeadline = total != null;
        this.deadlineNanos = total == null ? 0 : System.nanoTime() + total.toNanos();
    }

    /**
     * A body handler producing a {@link TimedBody}.
     *
     * @param idle  longest silence tolerated between two chunks
     * @param total deadline for the whole body counted from the response headers, or null for none
     */
    public static HttpResponse.BodyHandler<InputStream> handler(Duration idle, Duration total) {
        Objects.requireNonNull(idle);
        return info -> new TimedBody(idle, total);
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedStage(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null) {
            s.cancel();
            return;
        }
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        if (!queue.offer(item)) {
            // more than we asked for: the publisher broke the contract
            cancel();
            queue.clear();
            queue.offer(new IOException("response body publisher exceeded demand"));
        }
    }

    @Override
    public void onError(Throwable t) {
        queue.offer(t);
    }

    @Override
    public void onComplete() {
        queue.offer(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (chunks != null && chunks.hasNext()) {
                current = chunks.next();
                continue;
            }
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            if (closed) {
                throw new IOException("response body closed");
            }
            if (finished) {
                return -1;
            }
            if (chunks != null) {
                chunks = null;
                subscription.request(1);
            }
            Object o = take();
            if (o == END) {
                finished = true;
                return -1;
            }
            if (o instanceof Throwable t) {
                failure = t instanceof IOException io ? io : new IOException(t.getMessage(), t);
                throw failure;
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> list = (List<ByteBuffer>) o;
            chunks = list.iterator();
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    private Object take() throws IOException {
        // nanoTime differences, never comparisons of absolute values (they may be negative or wrap)
        long left = hasDeadline ? deadlineNanos - System.nanoTime() : Long.MAX_VALUE;
        if (left <= 0) {
            // strict: data that keeps arriving (a drip-feed) must not carry the body past its deadline
            throw abort(deadlineExceeded());
        }
        long wait = Math.min(idleNanos, left);
        Object o;
        try {
            o = queue.poll(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw abort(new IOException("interrupted while reading the response body", e));
        }
        if (o == null) {
            throw abort(left < idleNanos ? deadlineExceeded()
                    : new HttpTimeoutException("no response data for " + Duration.ofNanos(idleNanos).toMillis() + " ms (read timeout)"));
        }
        return o;
    }

    private static DeadlineExceeded deadlineExceeded() {
        return new DeadlineExceeded("response body not complete before its deadline");
    }

    /** Gives up: later reads fail with {@code e}, the connection is dropped. */
    private IOException abort(IOException e) {
        failure = e;
        closed = true;
        cancel();
        return e;
    }

    private void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public int available() {
        return current == null ? 0 : current.remaining();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!finished && failure == null) {
            cancel();
        }
    }
}
