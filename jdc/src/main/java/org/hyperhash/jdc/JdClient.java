package org.hyperhash.jdc;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
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
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.jd.AllocateMiningJobToken;
import org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess;
import org.hyperhash.sv2.message.jd.DeclareMiningJob;
import org.hyperhash.sv2.message.jd.DeclareMiningJobError;
import org.hyperhash.sv2.message.jd.DeclareMiningJobSuccess;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactions;
import org.hyperhash.sv2.message.jd.ProvideMissingTransactionsSuccess;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Providers;
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

    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final Duration timeout;
    private final AtomicInteger requestIds = new AtomicInteger();
    private final CompletableFuture<SetupConnectionSuccess> setup = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    /** requestId -> future; event loop only. */
    private final Map<Integer, CompletableFuture<?>> pending = new LinkedHashMap<>();
    /** requestId -> declared job (for ProvideMissingTransactions); event loop only. */
    private final Map<Integer, DeclareMiningJob> declaring = new LinkedHashMap<>();
    private final Map<Integer, List<Bytes>> declaringTxs = new LinkedHashMap<>();
    private volatile Channel channel;

    private JdClient(EventLoopGroup group, boolean ownGroup, Duration timeout) {
        this.group = group;
        this.ownGroup = ownGroup;
        this.timeout = timeout;
    }

    /**
     * Connects and sets up; the future completes with the client once SetupConnection.Success arrived.
     *
     * @param pinned the pool's authority public key (Noise), or null for plaintext
     * @param group event loop group to use, or null for a private one-thread group closed with the client
     */
    public static CompletableFuture<JdClient> connect(InetSocketAddress jds, AuthorityPublicKey pinned, Duration timeout,
            EventLoopGroup group) {
        boolean own = group == null;
        EventLoopGroup g = own ? Sv2Transport.newEventLoopGroup(1, "jdc-jd") : group;
        JdClient c = new JdClient(g, own, timeout);
        Sv2Limits limits = new Sv2Limits(Sv2Limits.MAX_POSSIBLE_FRAME_BYTES, timeout);
        Bootstrap b = new Bootstrap().group(g).channel(Sv2Transport.socketChannelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (pinned != null) {
                            Sv2Pipeline.client(ch.pipeline(), Secp256k1Providers.best(), pinned, InstantSource.system(),
                                    limits);
                        } else {
                            Sv2Pipeline.plaintext(ch.pipeline(), limits);
                        }
                        ch.pipeline().addLast("jdc", c.new Handler(pinned == null));
                    }
                });
        b.connect(jds).addListener(f -> {
            if (!f.isSuccess()) {
                c.setup.completeExceptionally(new JdException("connect", f.cause().toString()));
                c.closeGroup();
            }
        });
        g.schedule(() -> c.setup.completeExceptionally(new JdException("timeout", "no SetupConnection.Success within "
                + timeout)), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return c.setup.thenApply(s -> c).whenComplete((x, err) -> {
            if (err != null) {
                c.close();
            }
        });
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
        Channel ch = channel;
        if (ch != null) {
            ch.writeAndFlush(p, ch.voidPromise());
        }
    }

    public boolean connected() {
        Channel ch = channel;
        return ch != null && ch.isActive() && setup.isDone() && !setup.isCompletedExceptionally();
    }

    /** Completes when the connection closed. */
    public CompletableFuture<Void> closed() {
        return closedFuture;
    }

    private <T> CompletableFuture<T> request(int id, Sv2Message m, DeclareMiningJob d, List<Bytes> txs) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Channel ch = channel;
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

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final boolean plaintext;

        Handler(boolean plaintext) {
            this.plaintext = plaintext;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            super.channelActive(ctx); // plaintext too: the frame decoder fires Completed.PLAINTEXT -> setup

        }

        private void setup(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new SetupConnection(PROTOCOL_JOB_DECLARATION, 2, 2, DECLARE_TX_DATA, "", 0, "hyperhash",
                    "", "hh-jdc", ""));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                setup(ctx);
                return;
            }
            if (evt instanceof Sv2ErrorEvent e) {
                LOG.debug("jd connection: {} {}", e.kind().label(), e.detail());
                setup.completeExceptionally(new JdException(e.kind().label(), e.detail()));
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            switch (msg) {
                case SetupConnectionSuccess s -> setup.complete(s);
                case SetupConnectionError e -> {
                    setup.completeExceptionally(new JdException(e.errorCode(), "SetupConnection refused by the JDS"));
                    ctx.close();
                }
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
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            JdException closedEx = new JdException("closed", "JDS connection closed");
            setup.completeExceptionally(closedEx);
            for (Integer id : List.copyOf(pending.keySet())) {
                fail(id, closedEx);
            }
            closedFuture.complete(null);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("jd connection: {}", cause.toString());
            ctx.close();
        }
    }

    private void closeGroup() {
        if (ownGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        closeGroup();
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
