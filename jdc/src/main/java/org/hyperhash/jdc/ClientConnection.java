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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hyperhash.jdc.JdClient.JdException;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.slf4j.Logger;

/**
 * The connection half that {@link JdClient} and {@link MiningUpstream} share: an SV2 client connection (Noise
 * initiator with the peer's authority key pinned, or plaintext for trusted links) that sends the protocol's
 * SetupConnection once the handshake completed, and a {@link #ready} future that the protocol completes and that
 * fails here on a connect error, a transport error, SetupConnection.Error, the connection closing or the deadline.
 * Every other inbound message goes to the {@link Protocol}, on the connection's event loop.
 *
 * @param <R> what {@link #ready} completes with
 */
final class ClientConnection<R> implements AutoCloseable {

    /** What runs on the connection; every call is on its event loop and must not block. */
    interface Protocol {
        /** The SetupConnection to send once the Noise handshake (or the plaintext start) completed. */
        SetupConnection setupConnection();

        /** An inbound message other than SetupConnection.Error (that one fails {@link #ready} here). */
        void read(ChannelHandlerContext ctx, Object msg);

        /** The connection closed: fail what is pending with {@code closed}. */
        void closed(JdException closed);
    }

    private final Logger log;
    private final String peer;
    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final Duration timeout;
    private final Protocol protocol;
    /** Completed by the protocol; failed here. */
    final CompletableFuture<R> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private volatile Channel channel;

    /**
     * @param log the owner's logger (connection errors are logged at debug)
     * @param peer how messages name the other side ("JDS", "pool")
     * @param group event loop group, or null for a private one-thread group named {@code threadName} closed with
     *     the connection
     */
    ClientConnection(Logger log, String peer, EventLoopGroup group, String threadName, Duration timeout,
            Protocol protocol) {
        this.log = log;
        this.peer = peer;
        this.ownGroup = group == null;
        this.group = ownGroup ? Sv2Transport.newEventLoopGroup(1, threadName) : group;
        this.timeout = timeout;
        this.protocol = protocol;
    }

    /**
     * Connects; the result completes with {@code owner} once {@link #ready} completed, or fails (and closes this
     * connection) when {@link #ready} failed, or when it did not complete within the timeout.
     *
     * @param pinned the peer's authority public key (Noise), or null for plaintext
     * @param handlerName the protocol handler's name in the pipeline
     * @param awaited what the deadline's error message says did not arrive
     */
    <C> CompletableFuture<C> connect(InetSocketAddress address, AuthorityPublicKey pinned, String handlerName,
            String awaited, C owner) {
        Sv2Limits limits = new Sv2Limits(Sv2Limits.MAX_POSSIBLE_FRAME_BYTES, timeout);
        Bootstrap b = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
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
                        ch.pipeline().addLast(handlerName, new Handler());
                    }
                });
        b.connect(address).addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(new JdException("connect", f.cause().toString()));
                closeGroup();
            }
        });
        group.schedule(() -> ready.completeExceptionally(new JdException("timeout", "no " + awaited + " within "
                + timeout)), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return ready.thenApply(r -> owner).whenComplete((x, err) -> {
            if (err != null) {
                close();
            }
        });
    }

    /** The connection once active, else null. */
    Channel channel() {
        return channel;
    }

    /** True while the connection is active. */
    boolean active() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    /** Completes when the connection closed. */
    CompletableFuture<Void> closed() {
        return closedFuture;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            super.channelActive(ctx); // plaintext too: the frame decoder fires Completed.PLAINTEXT -> setup
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                ctx.writeAndFlush(protocol.setupConnection());
                return;
            }
            if (evt instanceof Sv2ErrorEvent e) {
                log.debug("{} connection: {} {}", peer, e.kind().label(), e.detail());
                ready.completeExceptionally(new JdException(e.kind().label(), e.detail()));
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof SetupConnectionError e) {
                ready.completeExceptionally(new JdException(e.errorCode(), "SetupConnection refused by the " + peer));
                ctx.close();
                return;
            }
            protocol.read(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            JdException closedEx = new JdException("closed", peer + " connection closed");
            ready.completeExceptionally(closedEx);
            protocol.closed(closedEx);
            closedFuture.complete(null);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("{} connection: {}", peer, cause.toString());
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
}
