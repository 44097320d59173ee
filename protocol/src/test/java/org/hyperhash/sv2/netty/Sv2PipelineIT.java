package org.hyperhash.sv2.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.testkit.ManualClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our client and server pipelines over real loopback sockets (port 0), on the process transport (epoll or NIO). */
class Sv2PipelineIT {
    private static EventLoopGroup group;
    private static final SetupConnection SETUP = new SetupConnection(0, 2, 2, 4, "127.0.0.1", 0, "hyperhash", "it", "1", "d");

    @BeforeAll
    static void start() {
        group = Sv2Transport.newEventLoopGroup(2, "sv2-it");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Server app: answers SetupConnection with Success; records events. */
    static final class ServerApp extends ChannelInboundHandlerAdapter {
        final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg);
            if (msg instanceof SetupConnection) {
                ctx.writeAndFlush(new SetupConnectionSuccess(2, 0));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
        }
    }

    /** Client app: sends SetupConnection on handshake completion; records everything. */
    static final class ClientApp extends ChannelInboundHandlerAdapter {
        final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            seen.add(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                ctx.writeAndFlush(SETUP);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            seen.add("inactive");
        }
    }

    private static Channel bindServer(ServerIdentity id, InstantSource clock, ServerApp app) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(Sv2Transport.serverChannelClass())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Sv2Pipeline.server(ch.pipeline(), NoiseTestSupport.CRYPTO, id, clock, Sv2Limits.MINING);
                        ch.pipeline().addLast(app);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private static Channel connect(Channel server, AuthorityPublicKey pinned, InstantSource clock, ClientApp app)
            throws InterruptedException {
        return new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Sv2Pipeline.client(ch.pipeline(), NoiseTestSupport.CRYPTO, pinned, clock, Sv2Limits.MINING);
                        ch.pipeline().addLast(app);
                    }
                }).connect(server.localAddress()).sync().channel();
    }

    private static Object next(BlockingQueue<Object> q) throws InterruptedException {
        Object o = q.poll(20, TimeUnit.SECONDS);
        assertNotNull(o, "nothing received within 20 s");
        return o;
    }

    @Test
    void handshakeAndSetupConnectionExchange() throws InterruptedException {
        ServerApp sa = new ServerApp();
        Channel server = bindServer(NoiseTestSupport.identity(Duration.ofHours(1)), InstantSource.system(), sa);
        try {
            ClientApp ca = new ClientApp();
            Channel client = connect(server, NoiseTestSupport.REAL_AUTHORITY.publicKey(), InstantSource.system(), ca);
            NoiseHandshakeEvent.Completed done = assertInstanceOf(NoiseHandshakeEvent.Completed.class, next(ca.seen));
            assertNotNull(done.peerCertificate());
            assertInstanceOf(NoiseHandshakeEvent.Completed.class, next(sa.seen));
            assertEquals(SETUP, next(sa.seen));
            assertEquals(new SetupConnectionSuccess(2, 0), next(ca.seen));
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void wrongAuthorityKeyIsRefusedAndClosed() throws InterruptedException {
        ServerApp sa = new ServerApp();
        Channel server = bindServer(NoiseTestSupport.identity(Duration.ofHours(1)), InstantSource.system(), sa);
        try {
            ClientApp ca = new ClientApp();
            AuthorityPublicKey other = AuthorityKeyPair.generate(new SecureRandom()).publicKey();
            connect(server, other, InstantSource.system(), ca);
            Sv2ErrorEvent e = assertInstanceOf(Sv2ErrorEvent.class, next(ca.seen));
            assertEquals(Sv2ErrorEvent.Kind.CERTIFICATE_REJECTED, e.kind());
            assertEquals("inactive", next(ca.seen));
            assertTrue(sa.seen.stream().noneMatch(o -> o instanceof Sv2Message));
        } finally {
            server.close().sync();
        }
    }

    @Test
    void expiredCertificateIsRefusedAndClosed() throws InterruptedException {
        ServerApp sa = new ServerApp();
        ManualClock serverClock = ManualClock.ofEpochSecond(System.currentTimeMillis() / 1000 - 7200);
        Channel server = bindServer(NoiseTestSupport.identity(Duration.ofHours(1)), serverClock, sa);
        try {
            ClientApp ca = new ClientApp();
            connect(server, NoiseTestSupport.REAL_AUTHORITY.publicKey(), InstantSource.system(), ca);
            Sv2ErrorEvent e = assertInstanceOf(Sv2ErrorEvent.class, next(ca.seen));
            assertEquals(Sv2ErrorEvent.Kind.CERTIFICATE_REJECTED, e.kind());
            assertTrue(e.detail().contains("CERTIFICATE_EXPIRED"), e.detail());
            assertEquals("inactive", next(ca.seen));
        } finally {
            server.close().sync();
        }
    }
}
