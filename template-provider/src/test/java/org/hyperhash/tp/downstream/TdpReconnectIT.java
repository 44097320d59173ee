package org.hyperhash.tp.downstream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.hyperhash.sv2.message.common.Reconnect;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.sv2.noise.StaticKeyPair;
import org.hyperhash.sv2.tdp.TdpClient;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.tp.support.TdpRecorder;
import org.hyperhash.tp.support.TpTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 20: the pool's TDP client follows a Reconnect from its TP (sv2 common 0x04) instead of calling it a violation. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TdpReconnectIT {
    private final AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    /** A TP front that sets up a session and then redirects it to {@code port} on the same host (new_host empty). */
    private InetSocketAddress redirectingTp(int port, AtomicInteger sessions) throws InterruptedException {
        EventLoopGroup group = Sv2Transport.newEventLoopGroup(1, "redirecting-tp");
        toClose.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000));
        ServerIdentity id = ServerIdentity.signedPerHandshake(StaticKeyPair.generate(new SecureRandom()), authority,
                Duration.ofDays(1));
        Channel server = new ServerBootstrap().group(group).channel(Sv2Transport.serverChannelClass())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Sv2Pipeline.server(ch.pipeline(), Secp256k1Providers.best(), id, InstantSource.system(), Sv2Limits.DEFAULT);
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof SetupConnection) {
                                    sessions.incrementAndGet();
                                    ctx.writeAndFlush(new SetupConnectionSuccess(2, 0));
                                } else if (msg instanceof CoinbaseOutputConstraints) {
                                    ctx.writeAndFlush(new Reconnect("", port));
                                }
                                ReferenceCountUtil.release(msg);
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        toClose.add(() -> server.close().awaitUninterruptibly(2_000));
        return (InetSocketAddress) server.localAddress();
    }

    @Test
    void followsReconnectToTheNewPortWithTheSamePinnedKey() throws Exception {
        TpDaemon real = TpTestSupport.startDevnet(authority.secretToBase58(), 0);
        toClose.add(real);
        AtomicInteger frontSessions = new AtomicInteger();
        InetSocketAddress front = redirectingTp(real.tdpAddresses().getFirst().getPort(), frontSessions);
        TdpEndpoint configured = new TdpEndpoint("127.0.0.1", front.getPort(), authority.publicKey().toBase58());
        TdpRecorder rec = new TdpRecorder();
        TdpClient client = new TdpClient(TpTestSupport.clientConfig(List.of(configured), Duration.ofSeconds(30)),
                Secp256k1Providers.best(), InstantSource.system(), null, rec);
        toClose.add(client);
        client.start();

        assertEquals(new TdpRecorder.Connected(configured), rec.next());
        TdpRecorder.Disconnected d = rec.next(TdpRecorder.Disconnected.class);
        assertTrue(d.reason().contains("asked to reconnect"), d.reason());
        assertFalse(d.reason().contains("violation"), d.reason());
        TdpRecorder.Connected c = rec.next(TdpRecorder.Connected.class);
        assertEquals(real.tdpAddresses().getFirst().getPort(), c.endpoint().port());
        NewTemplate t = rec.next(NewTemplate.class);
        assertEquals(t.templateId(), rec.next(SetNewPrevHash.class).templateId());
        assertEquals(TdpClient.State.CONNECTED, client.state());
        assertEquals(1, client.reconnectsFollowed());
        assertEquals(2, client.sessionsEstablished());
        assertEquals(1, frontSessions.get(), "followed at once, not retried against the front");
    }

    @Test
    void aTpThatKeepsRedirectingIsBackedOff() throws Exception {
        AtomicInteger sessions = new AtomicInteger();
        // redirects to itself forever: after MAX_REDIRECTS_IN_ROW follows the client treats it as failing
        InetSocketAddress self = redirectingTp(0, sessions); // new_port 0 = same port
        TdpRecorder rec = new TdpRecorder();
        TdpClient client = new TdpClient(TpTestSupport.clientConfig(
                List.of(new TdpEndpoint("127.0.0.1", self.getPort(), authority.publicKey().toBase58())), Duration.ofSeconds(30)),
                Secp256k1Providers.best(), InstantSource.system(), null, rec);
        toClose.add(client);
        client.start();
        // three followed at once, the fourth is a failure (back-off, then the list from the top again)
        TdpRecorder.Disconnected d;
        do {
            d = rec.nextOf(TdpRecorder.Disconnected.class);
        } while (!d.reason().contains("too many Reconnect"));
        assertTrue(client.reconnectsFollowed() >= 3);
        assertTrue(sessions.get() >= 4);
    }
}
