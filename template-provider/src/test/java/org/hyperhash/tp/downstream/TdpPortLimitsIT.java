package org.hyperhash.tp.downstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.netty.UnknownFrame;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.tp.support.TpTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.hyperhash.tp.support.TpTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Issue 20 part 3: the TDP port's limits over real loopback sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TdpPortLimitsIT {
    private final AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private TpDaemon tp(String... sets) throws Exception {
        TpDaemon d = TpTestSupport.startDevnet(authority.secretToBase58(), 0, sets);
        toClose.add(d);
        return d;
    }

    private Socket raw(TpDaemon tp) throws Exception {
        Socket s = new Socket();
        toClose.add(s);
        s.connect(tp.tdpAddresses().getFirst(), 5_000);
        s.setSoTimeout(15_000);
        return s;
    }

    /** Reads until the TP closes the connection; returns the bytes it sent. */
    private static int readUntilClosed(Socket s) throws Exception {
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int total = 0;
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        } catch (java.net.SocketException e) {
            // reset: closed too (the TP closed with our unread bytes pending)
        }
        return total;
    }

    private static double counter(TpDaemon d, String name, String tag, String value) {
        var c = d.metrics().registry().find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void aClientThatStopsAfterAct1IsClosedBySetupTimeoutAndRepeatedOffendersAreBanned() throws Exception {
        TpDaemon tp = tp("sv2.limits.setup-timeout=300ms", "sv2.limits.ban.violations=2");
        for (int i = 0; i < 2; i++) {
            Socket s = raw(tp);
            byte[] act1 = new byte[64]; // any 64 bytes are a valid ElligatorSwift key: the TP answers with act 2
            new SecureRandom().nextBytes(act1);
            s.getOutputStream().write(act1);
            s.getOutputStream().flush();
            assertTrue(readUntilClosed(s) > 0, "act 2 then close");
        }
        assertEquals(2.0, counter(tp, "hh_tp_session_limits_total", "limit", "setup_timeout"));
        await("closed as setup-timeout", () -> counter(tp, "hh_tp_sessions_closed_total", "reason", "setup_timeout") == 2);
        assertEquals(1.0, tp.metrics().bansIssued());
        // banned: the next connection is closed at once, without act 2
        Socket s = raw(tp);
        s.getOutputStream().write(new byte[64]);
        assertEquals(0, readUntilClosed(s));
        assertEquals(1.0, counter(tp, "hh_tp_connections_refused_total", "reason", "banned"));
    }

    @Test
    void perIpAndTotalConnectionCaps() throws Exception {
        TpDaemon tp = tp("sv2.limits.max-connections-per-ip=2");
        Socket a = raw(tp);
        Socket b = raw(tp);
        await("two admitted", () -> tp.metrics().connectedPools() == 2);
        Socket c = raw(tp);
        assertEquals(0, readUntilClosed(c));
        assertEquals(1.0, counter(tp, "hh_tp_connections_refused_total", "reason", "max_connections_per_ip"));
        a.close();
        await("a released", () -> tp.metrics().connectedPools() == 1);
        Socket d = raw(tp);
        await("d admitted", () -> tp.metrics().connectedPools() == 2);
        assertFalse(d.isClosed());
        b.close();
    }

    @Test
    void anAllowlistRefusesOtherClients() throws Exception {
        TpDaemon tp = tp("sv2.limits.allow=[\"192.0.2.0/24\"]");
        Socket s = raw(tp);
        assertEquals(0, readUntilClosed(s));
        assertEquals(1.0, counter(tp, "hh_tp_connections_refused_total", "reason", "not_allowed"));
    }

    /**
     * A 2 MB frame of a type a TDP client never sends large (SetupConnection) is refused on its header: the TP closes
     * the connection before buffering the payload.
     */
    @Test
    void aLargeFrameBeforeSetupIsRefusedOnItsHeader() throws Exception {
        TpDaemon tp = tp();
        EventLoopGroup group = Sv2Transport.newEventLoopGroup(1, "big-frame");
        toClose.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000));
        CompletableFuture<Void> closed = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        Sv2Pipeline.client(c.pipeline(), Secp256k1Providers.best(), authority.publicKey(),
                                InstantSource.system(), Sv2Limits.DEFAULT);
                        c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof NoiseHandshakeEvent.Completed) {
                                    ctx.writeAndFlush(new UnknownFrame(0, 0x00, OptionalInt.empty(),
                                            Bytes.wrap(new byte[2_000_000])));
                                }
                            }

                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                closed.complete(null);
                            }
                        });
                    }
                }).connect(tp.tdpAddresses().getFirst()).sync().channel();
        closed.get(20, TimeUnit.SECONDS);
        assertFalse(ch.isActive());
        await("frame-size counted", () -> counter(tp, "hh_tp_session_limits_total", "limit", "frame_size") == 1);
        await("closed as decode-error", () -> counter(tp, "hh_tp_sessions_closed_total", "reason", "decode_error") == 1);
    }

    @Test
    void inboundLimitsPerMessageType() {
        Sv2Limits l = TdpServer.inboundLimits(new Sv2Limits(65_563, java.time.Duration.ofSeconds(10)));
        assertEquals(TdpServer.SMALL_MESSAGE_BYTES, l.maxPayloadBytes(0x00)); // SetupConnection
        assertEquals(6, l.maxPayloadBytes(0x70));
        assertEquals(8, l.maxPayloadBytes(0x73));
        assertEquals(65_557, l.maxPayloadBytes(0x76)); // SubmitSolution: a coinbase of up to 64 KiB
        assertEquals(TdpServer.SMALL_MESSAGE_BYTES, l.maxPayloadBytes(0x71)); // server-to-client types
    }

    @Test
    void readinessIncludesTheCryptoProvider() throws Exception {
        TpDaemon tp = tp();
        assertTrue(tp.readinessChecks().get("crypto_provider_works"));
        assertTrue(tp.ready());
    }
}
