package org.hyperhash.jdc;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.jd.AllocateMiningJobToken;
import org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess;
import org.hyperhash.sv2.message.jd.DeclareMiningJob;
import org.hyperhash.sv2.message.jd.DeclareMiningJobError;
import org.hyperhash.sv2.message.jd.DeclareMiningJobSuccess;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactions;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactionsSuccess;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job declaration client connection to a pool's JDS (sv2-spec 06, Full-Template mode): Noise initiator with the
 * pool's authority key pinned (or plaintext for trusted links), SetupConnection(protocol 1, DECLARE_TX_DATA), then
 * AllocateMiningJobToken / DeclareMiningJob as futures. A ProvideMissingTransactions for the declaration in flight is
 * answered from that declaration's own transactions. Every request has a deadline; the connection closing fails
 * what is pending. Bounded: {@link #MAX_PENDING} requests in flight.
 */
public final class JdClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JdClient.class);
    public static final int PROTOCOL_JOB_DECLARATION = 1;
    public static final int DECLARE_TX_DATA = 1;
    static final int MAX_PENDING = 64;

    /** The JDS answered DeclareMiningJob with an error, or the connection failed. */
    public static final class JdException extends Exception {
        private final String code;

        public JdException(String code, String message) {
            super(code + ": " + message);
            this.code = code;
        }

        /** The SV2 error code, or a local reason (timeout, closed, setup). */
        public String code() {
            return code;
        }
    }

    private final Duration timeout;
    private final AtomicInteger requestIds = new AtomicInteger();
    private final ClientConnection<SetupConnectionSuccess> conn;
    /** requestId -> future; event loop only. */
    private final Map<Integer, CompletableFuture<?>> pending = new LinkedHashMap<>();
    /** requestId -> declared job (for ProvideMissingTransactions); event loop only. */
    private final Map<Integer, DeclareMiningJob> declaring = new LinkedHashMap<>();
    private final Map<Integer, List<Bytes>> declaringTxs = new LinkedHashMap<>();

    private JdClient(EventLoopGroup group, Duration timeout) {
        this.timeout = timeout;
        this.conn = new ClientConnection<>(LOG, "JDS", group, "jdc-jd", timeout, new JobDeclaration());
    }

    /**
     * Connects and sets up; the future completes with the client once SetupConnection.Success arrived.
     *
     * @param pinned the pool's authority public key (Noise), or null for plaintext
     * @param group event loop group to use, or null for a private one-thread group closed with the client
     */
    public static CompletableFuture<JdClient> connect(InetSocketAddress jds, AuthorityPublicKey pinned, Duration timeout,
            EventLoopGroup group) {
        JdClient c = new JdClient(group, timeout);
        return c.conn.connect(jds, pinned, "jdc", "SetupConnection.Success", c);
    }

    /** AllocateMiningJobToken; completes with the .Success. */
    public CompletableFuture<AllocateMiningJobTokenSuccess> allocateToken(String userIdentifier) {
        int id = requestIds.incrementAndGet();
        return request(id, new AllocateMiningJobToken(userIdentifier, id), null, null);
    }

    /**
     * DeclareMiningJob for {@code job} with {@code token}; completes with the .Success (exceptionally with a
     * {@link JdException} carrying the error code for .Error).
     */
    public CompletableFuture<DeclareMiningJobSuccess> declare(CustomJob job, Bytes token) {
        int id = requestIds.incrementAndGet();
        DeclareMiningJob d = job.declare(id, token);
        return request(id, d, d, job.transactions());
    }

    /** PushSolution (no answer in the protocol). */
    public void pushSolution(PushSolution p) {
        Channel ch = conn.channel();
        if (ch != null) {
            ch.writeAndFlush(p, ch.voidPromise());
        }
    }

    public boolean connected() {
        return conn.active() && conn.ready.isDone() && !conn.ready.isCompletedExceptionally();
    }

    /** Completes when the connection closed. */
    public CompletableFuture<Void> closed() {
        return conn.closed();
    }

    private <T> CompletableFuture<T> request(int id, Sv2Message m, DeclareMiningJob d, List<Bytes> txs) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Channel ch = conn.channel();
        if (ch == null || !ch.isActive()) {
            f.completeExceptionally(new JdException("closed", "not connected to the JDS"));
            return f;
        }
        ch.eventLoop().execute(() -> {
            if (pending.size() >= MAX_PENDING) {
                f.completeExceptionally(new JdException("busy", MAX_PENDING + " requests in flight"));
                return;
            }
            pending.put(id, f);
            if (d != null) {
                declaring.put(id, d);
                declaringTxs.put(id, txs);
            }
            ch.writeAndFlush(m, ch.voidPromise());
            ch.eventLoop().schedule(() -> {
                if (pending.remove(id) != null) {
                    declaring.remove(id);
                    declaringTxs.remove(id);
                    f.completeExceptionally(new JdException("timeout", "no answer within " + timeout));
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        });
        return f;
    }

    @SuppressWarnings("unchecked")
    private <T> void complete(int id, T value) {
        CompletableFuture<T> f = (CompletableFuture<T>) pending.remove(id);
        declaring.remove(id);
        declaringTxs.remove(id);
        if (f != null) {
            f.complete(value);
        }
    }

    private void fail(int id, Throwable t) {
        CompletableFuture<?> f = pending.remove(id);
        declaring.remove(id);
        declaringTxs.remove(id);
        if (f != null) {
            f.completeExceptionally(t);
        }
    }

    /** SetupConnection(protocol 1, DECLARE_TX_DATA), then the answers to the requests in flight. */
    private final class JobDeclaration implements ClientConnection.Protocol {
        @Override
        public SetupConnection setupConnection() {
            return new SetupConnection(PROTOCOL_JOB_DECLARATION, 2, 2, DECLARE_TX_DATA, "", 0, "hyperhash", "",
                    "hh-jdc", "");
        }

        @Override
        public void read(ChannelHandlerContext ctx, Object msg) {
            switch (msg) {
                case SetupConnectionSuccess s -> conn.ready.complete(s);
                case AllocateMiningJobTokenSuccess s -> complete(s.requestId(), s);
                case DeclareMiningJobSuccess s -> complete(s.requestId(), s);
                case DeclareMiningJobError e -> fail(e.requestId(), new JdException(e.errorCode(),
                        new String(e.errorDetails().toArray(), java.nio.charset.StandardCharsets.UTF_8)));
                case ProvideMissingTransactions p -> {
                    List<Bytes> txs = declaringTxs.get(p.requestId());
                    if (txs == null) {
                        LOG.debug("ProvideMissingTransactions for unknown request {}", p.requestId());
                        return;
                    }
                    List<Bytes> out = new ArrayList<>(p.unknownTxPositionList().size());
                    for (int pos : p.unknownTxPositionList()) {
                        if (pos >= txs.size()) {
                            fail(p.requestId(), new JdException("invalid-position", "JDS asked position " + pos));
                            return;
                        }
                        out.add(txs.get(pos));
                    }
                    ctx.writeAndFlush(new ProvideMissingTransactionsSuccess(p.requestId(), out), ctx.voidPromise());
                }
                default -> LOG.debug("ignored {}", msg.getClass().getSimpleName());
            }
        }

        @Override
        public void closed(JdException closed) {
            for (Integer id : List.copyOf(pending.keySet())) {
                fail(id, closed);
            }
        }
    }

    @Override
    public void close() {
        conn.close();
    }

    /** Blocks for {@code f} (tests, CLI). */
    public static <T> T await(CompletableFuture<T> f, Duration timeout) throws JdException, InterruptedException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof JdException j) {
                throw j;
            }
            throw new JdException("error", String.valueOf(e.getCause()));
        } catch (TimeoutException e) {
            throw new JdException("timeout", "no answer within " + timeout);
        }
    }
}
