package org.hyperhash.pool.jds;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Transport;

/**
 * The JD listener: the mining port's transport security (Noise responder with the pool's authority key), an idle
 * timer, {@code jds.max-connections}, and one {@link JdsHandler} per connection. Frames up to
 * {@code jds.max-provided-bytes} + 64 KiB (ProvideMissingTransactions.Success carries whole transactions).
 */
final class JdsServer implements AutoCloseable {
    private final JobDeclarator jds;
    private final MiningServer.Security security;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ChannelGroup all = new DefaultChannelGroup("pool-jds", GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    private final Sv2Limits limits;

    JdsServer(JobDeclarator jds, MiningServer.Security security) {
        this.jds = jds;
        this.security = security;
        long frame = Math.min(Sv2Limits.MAX_POSSIBLE_FRAME_BYTES, (long) jds.config().maxProvidedBytes() + 65_536);
        this.limits = new Sv2Limits((int) frame, Duration.ofSeconds(10));
        this.boss = Sv2Transport.newEventLoopGroup(1, "jds-accept");
        this.workers = Sv2Transport.newEventLoopGroup(2, "jds-io");
    }

    List<InetSocketAddress> bind(List<InetSocketAddress> addresses) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(Sv2Transport.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (all.size() >= jds.config().maxConnections()) {
                            jds.metrics().refused(JdsMetrics.Refusal.MAX_CONNECTIONS);
                            ch.close();
                            return;
                        }
                        all.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("idle", new IdleStateHandler(jds.config().idleTimeout().toMillis(), 0, 0,
                                TimeUnit.MILLISECONDS));
                        security.install(p, limits);
                        p.addLast("jds", new JdsHandler(jds, ch.remoteAddress().getAddress()));
                    }
                });
        List<InetSocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress addr : addresses) {
            Channel ch = b.bind(addr).sync().channel();
            listeners.add(ch);
            bound.add((InetSocketAddress) ch.localAddress());
        }
        return bound;
    }

    @Override
    public void close() {
        for (Channel l : listeners) {
            l.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        all.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
