package org.hyperhash.tp.downstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.RequestTransactionData;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.tdp.TdpClient;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.tp.devnet.DevnetMiner;
import org.hyperhash.tp.support.TdpRecorder;
import org.hyperhash.tp.support.TpTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.hyperhash.tp.support.TpTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** TdpServer (inside a devnet TpDaemon) and TdpClient over real loopback sockets with Noise. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TdpServerIT {
    private static final Secp256k1Provider CRYPTO = Secp256k1Providers.best();
    private static final Bytes PAYOUT = Bytes.fromHex("0014" + "11".repeat(20));
    private final AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());
    private final String pin = authority.publicKey().toBase58();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
    }

    private TpDaemon tp(int port, String... sets) throws Exception {
        TpDaemon d = TpTestSupport.startDevnet(authority.secretToBase58(), port, sets);
        toClose.add(d);
        return d;
    }

    private TdpClient client(List<TdpEndpoint> endpoints, Duration cooldown, TdpRecorder rec) {
        return client(endpoints, cooldown, Duration.ofSeconds(1), rec);
    }

    private TdpClient client(List<TdpEndpoint> endpoints, Duration cooldown, Duration requestTimeout, TdpRecorder rec) {
        TdpClient c = new TdpClient(TpTestSupport.clientConfig(endpoints, cooldown, requestTimeout), CRYPTO,
                InstantSource.system(), null, rec);
        toClose.add(c);
        c.start();
        return c;
    }

    /** Pool connections a TP has seen so far: open ones plus closed ones (any reason). */
    private static double connectionsSeen(TpDaemon d) {
        double closed = d.metrics().registry().find("hh_tp_sessions_closed_total").counters().stream()
                .mapToDouble(c -> c.count()).sum();
        return d.metrics().connectedPools() + closed;
    }

    private static double counter(TpDaemon d, String name, String tag, String value) {
        var c = d.metrics().registry().find(name).tag(tag, value).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void setupTemplatesTransactionDataAndSolutions() throws Exception {
        TpDaemon tp = tp(0);
        TdpRecorder rec = new TdpRecorder();
        TdpEndpoint ep = TpTestSupport.endpoint(tp, pin);
        TdpClient client = client(List.of(ep), Duration.ofSeconds(5), rec);

        assertEquals(new TdpRecorder.Connected(ep), rec.next());
        // sv2-tp order after CoinbaseOutputConstraints: NewTemplate(future) then SetNewPrevHash naming it
        NewTemplate t = rec.next(NewTemplate.class);
        assertTrue(t.futureTemplate());
        SetNewPrevHash p = rec.next(SetNewPrevHash.class);
        assertEquals(t.templateId(), p.templateId());
        assertEquals(tp.devnetChain().tipHash(), p.prevHash());
        assertEquals(TdpClient.State.CONNECTED, client.state());
        assertEquals(ep, client.connectedEndpoint());
        assertEquals(1, tp.hub().subscriberCount());

        TransactionDataResult.Success txs = assertInstanceOf(TransactionDataResult.Success.class,
                client.requestTransactionData(t.templateId()).get(20, TimeUnit.SECONDS));
        assertEquals(tp.devnetChain().getBlockTemplate().transactions().size(), txs.transactions().size());
        assertFalse(txs.transactions().isEmpty());
        TransactionDataResult.Error unknown = assertInstanceOf(TransactionDataResult.Error.class,
                client.requestTransactionData(42).get(20, TimeUnit.SECONDS));
        assertEquals("template-id-not-found", unknown.errorCode());

        // an invalid solution (hash above the target) is rejected by the chain and counted
        assertTrue(client.submitSolution(DevnetMiner.solve(t, p, PAYOUT, 1, false)));
        await("high-hash counted", () -> counter(tp, "hh_tp_blocks_submitted_total", "result", "high-hash") == 1);
        // a garbage coinbase is rejected before submission and counted
        assertTrue(client.submitSolution(new SubmitSolution(t.templateId(), t.version(), p.headerTimestamp(), 0, Bytes.fromHex("00"))));
        await("bad coinbase counted", () -> counter(tp, "hh_tp_blocks_submitted_total", "result", "bad-coinbase-tx") == 1);
        assertEquals(0, tp.devnetChain().height());

        // a valid solution: the chain accepts the block and the TP announces the new tip
        assertTrue(client.submitSolution(DevnetMiner.solve(t, p, PAYOUT, 2, true)));
        NewTemplate t2 = rec.nextOf(NewTemplate.class);
        assertTrue(t2.futureTemplate());
        assertTrue(t2.templateId() > t.templateId(), "template ids strictly increase");
        SetNewPrevHash p2 = rec.next(SetNewPrevHash.class);
        assertEquals(t2.templateId(), p2.templateId());
        assertEquals(1, tp.devnetChain().height());
        assertEquals(tp.devnetChain().tipHash(), p2.prevHash());
        // counted after the chain took the block, which can be just after the new tip is announced
        await("accepted counted", () -> counter(tp, "hh_tp_blocks_submitted_total", "result", "accepted") == 1);

        // the old template is of the previous tip now: still answered for the 10 s grace (TemplateEvictionTest)
        assertInstanceOf(TransactionDataResult.Success.class,
                client.requestTransactionData(t.templateId()).get(20, TimeUnit.SECONDS));

        // fee rise on the same tip: a non-future template
        tp.devnetChain().addSyntheticTransaction(50_000);
        tp.hub().onFeeRise(tp.devnetChain().getBlockTemplate());
        NewTemplate t3 = rec.next(NewTemplate.class);
        assertFalse(t3.futureTemplate());
        assertTrue(t3.coinbaseTxValueRemaining() > t2.coinbaseTxValueRemaining());
    }

    /**
     * Issue 20, {@code template.empty-template-first}: on a new tip the client reads a coinbase-only NewTemplate(future),
     * the SetNewPrevHash naming it, then the full template (future=false) for the same tip; a block on the empty
     * template, submitted over TDP, is accepted.
     */
    @Test
    void coinbaseOnlyTemplateFirstOnTheWire() throws Exception {
        TpDaemon tp = tp(0, "template.empty-template-first=true");
        TdpRecorder rec = new TdpRecorder();
        TdpClient client = client(List.of(TpTestSupport.endpoint(tp, pin)), Duration.ofSeconds(5), rec);
        rec.next(TdpRecorder.Connected.class);
        NewTemplate first = rec.next(NewTemplate.class); // a new subscriber: the full template, as before
        assertFalse(first.merklePath().isEmpty());
        rec.next(SetNewPrevHash.class);

        DevnetMiner.generateUnchecked(tp.devnetChain()); // a block from elsewhere
        NewTemplate empty = rec.next(NewTemplate.class);
        SetNewPrevHash p = rec.next(SetNewPrevHash.class);
        NewTemplate full = rec.next(NewTemplate.class);
        assertTrue(empty.futureTemplate());
        assertTrue(empty.merklePath().isEmpty());
        assertEquals(tp.devnetChain().params().subsidySats(2), empty.coinbaseTxValueRemaining());
        assertEquals(empty.templateId(), p.templateId(), "SetNewPrevHash refers to the template the client has");
        assertEquals(tp.devnetChain().tipHash(), p.prevHash());
        assertFalse(full.futureTemplate());
        assertTrue(full.templateId() > empty.templateId());
        assertEquals(empty.coinbasePrefix(), full.coinbasePrefix(), "same height, same tip");
        assertFalse(full.merklePath().isEmpty());
        TransactionDataResult.Success none = assertInstanceOf(TransactionDataResult.Success.class,
                client.requestTransactionData(empty.templateId()).get(20, TimeUnit.SECONDS));
        assertTrue(none.transactions().isEmpty());
        assertEquals(tp.devnetChain().getBlockTemplate().transactions().size(), assertInstanceOf(
                TransactionDataResult.Success.class, client.requestTransactionData(full.templateId()).get(20, TimeUnit.SECONDS))
                .transactions().size());

        assertTrue(client.submitSolution(DevnetMiner.solve(empty, p, PAYOUT, 5, true)));
        await("block on the coinbase-only template accepted",
                () -> counter(tp, "hh_tp_blocks_submitted_total", "result", "accepted") == 1);
        assertEquals(2, tp.devnetChain().height());
        assertEquals(1, tp.devnetChain().getBlock(tp.devnetChain().tipHash()).txids().size());
    }

    @Test
    void wrongAuthorityKeyIsRefused() throws Exception {
        TpDaemon tp = tp(0);
        TdpRecorder rec = new TdpRecorder();
        String other = AuthorityKeyPair.generate(new SecureRandom()).publicKey().toBase58();
        TdpClient client = client(List.of(TpTestSupport.endpoint(tp, other)), Duration.ofSeconds(5), rec);
        TdpRecorder.Disconnected d = rec.next(TdpRecorder.Disconnected.class);
        assertTrue(d.reason().contains("certificate_rejected"), d.reason());
        assertNotEquals(TdpClient.State.CONNECTED, client.state());
        assertNull(client.connectedEndpoint());
        assertEquals(0, tp.hub().subscriberCount());
        assertFalse(client.submitSolution(new SubmitSolution(1, 0, 0, 0, Bytes.EMPTY)));
    }

    @Test
    void wrongProtocolGetsSetupConnectionError() throws Exception {
        TpDaemon tp = tp(0);
        RawPool raw = new RawPool(tp, new SetupConnection(0, 2, 2, 0, "127.0.0.1", 1, "x", "", "", ""), 0);
        SetupConnectionError e = assertInstanceOf(SetupConnectionError.class, raw.next());
        assertEquals("unsupported-protocol", e.errorCode());
        await("setup error counted", () -> counter(tp, "hh_tp_sessions_closed_total", "reason", "setup_error") == 1);
    }

    @Test
    void aPoolThatStopsReadingIsDroppedAndNeverDelaysTheOther() throws Exception {
        // one I/O thread: both pools share the event loop; small outbound bound; large transaction data
        TpDaemon tp = tp(0, "sv2.io-threads=1", "sv2.outbound-low-water-mark-bytes=16384",
                "sv2.limits.transaction-data-requests-per-minute=100000",
                "sv2.outbound-high-water-mark-bytes=32768", "devnet.synthetic-transactions-per-block=200");
        TdpRecorder rec = new TdpRecorder();
        TdpClient good = client(List.of(TpTestSupport.endpoint(tp, pin)), Duration.ofSeconds(5), rec);
        rec.next(TdpRecorder.Connected.class);
        NewTemplate t = rec.next(NewTemplate.class);
        SetNewPrevHash p = rec.next(SetNewPrevHash.class);

        // the stuck pool floods RequestTransactionData, then stops reading
        RawPool stuck = new RawPool(tp, setup(), 2000);
        await("stuck pool dropped as slow consumer",
                () -> counter(tp, "hh_tp_sessions_closed_total", "reason", "slow_consumer") == 1);
        assertTrue(tp.metrics().outboundDroppedCount() >= 1);
        await("one pool left", () -> tp.metrics().connectedPools() == 1 && tp.hub().subscriberCount() == 1);
        assertTrue(stuck.requestsSent >= 2000);

        // the other pool is unaffected: it mines a block and gets the next tip
        assertTrue(good.submitSolution(DevnetMiner.solve(t, p, PAYOUT, 7, true)));
        NewTemplate t2 = rec.nextOf(NewTemplate.class);
        SetNewPrevHash p2 = rec.next(SetNewPrevHash.class);
        assertEquals(t2.templateId(), p2.templateId());
        assertEquals(tp.devnetChain().tipHash(), p2.prevHash());
        assertEquals(TdpClient.State.CONNECTED, good.state());
        assertInstanceOf(TransactionDataResult.Success.class, good.requestTransactionData(t2.templateId()).get(20, TimeUnit.SECONDS));
    }

    @Test
    void twoPoolsGetTheSameTipAndEachCanSubmit() throws Exception {
        TpDaemon tp = tp(0);
        TdpRecorder a = new TdpRecorder();
        TdpRecorder b = new TdpRecorder();
        TdpClient ca = client(List.of(TpTestSupport.endpoint(tp, pin)), Duration.ofSeconds(5), a);
        client(List.of(TpTestSupport.endpoint(tp, pin)), Duration.ofSeconds(5), b);
        a.next(TdpRecorder.Connected.class);
        b.next(TdpRecorder.Connected.class);
        NewTemplate ta = a.next(NewTemplate.class);
        SetNewPrevHash pa = a.next(SetNewPrevHash.class);
        b.next(NewTemplate.class);
        SetNewPrevHash pb = b.next(SetNewPrevHash.class);
        assertEquals(pa.prevHash(), pb.prevHash());
        assertEquals(2, tp.hub().subscriberCount());
        assertTrue(ca.submitSolution(DevnetMiner.solve(ta, pa, PAYOUT, 3, true)));
        SetNewPrevHash na = a.nextOf(SetNewPrevHash.class);
        SetNewPrevHash nb = b.nextOf(SetNewPrevHash.class);
        assertEquals(na.prevHash(), nb.prevHash());
        assertEquals(tp.devnetChain().tipHash(), nb.prevHash());
    }

    @Test
    void failsOverToTheSecondProviderAndBackAfterCooldown() throws Exception {
        TpDaemon tp1 = tp(0);
        int port1 = tp1.tdpAddresses().getFirst().getPort();
        TpDaemon tp2 = tp(0);
        TdpEndpoint e1 = TpTestSupport.endpoint(tp1, pin);
        TdpEndpoint e2 = TpTestSupport.endpoint(tp2, pin);
        TdpRecorder rec = new TdpRecorder();
        // 5 s request timeout = how long the old session stays open after failing back
        TdpClient client = client(List.of(e1, e2), Duration.ofMillis(1500), Duration.ofSeconds(5), rec);
        assertEquals(new TdpRecorder.Connected(e1), rec.next());
        rec.next(NewTemplate.class);
        rec.next(SetNewPrevHash.class);

        tp1.close(); // primary goes away
        assertEquals(e1, rec.next(TdpRecorder.Disconnected.class).endpoint());
        assertEquals(new TdpRecorder.Connected(e2), rec.nextOf(TdpRecorder.Connected.class));
        NewTemplate from2 = rec.next(NewTemplate.class);
        SetNewPrevHash prev2 = rec.next(SetNewPrevHash.class);
        assertEquals(tp2.devnetChain().tipHash(), prev2.prevHash());
        assertEquals(e2, client.connectedEndpoint());

        TpDaemon tp1b = tp(port1); // primary back on the same port with the same authority key
        // after e1's cooldown the client probes it, switches back, and drops e2 after the grace period
        assertEquals(new TdpRecorder.Connected(e1), rec.nextOf(TdpRecorder.Connected.class));
        SetNewPrevHash prev1 = rec.nextOf(SetNewPrevHash.class);
        assertEquals(tp1b.devnetChain().tipHash(), prev1.prevHash());
        assertEquals(e1, client.connectedEndpoint());
        assertEquals(1, client.failbacks());
        // a late solution for e2's template is routed (by template id) to e2, which is kept open for the grace period
        assertTrue(client.submitSolution(DevnetMiner.solve(from2, prev2, PAYOUT, 9, true)));
        await("late solution accepted by the provider that issued the template", () -> tp2.devnetChain().height() == 1);
        assertEquals(0, tp1b.devnetChain().height());
        await("old session to e2 closed after the grace period", () -> tp2.hub().subscriberCount() == 0);
        assertTrue(rec.events.stream().noneMatch(o -> o instanceof TdpRecorder.Disconnected), "failback without a gap");
        assertEquals(e1, client.connectedEndpoint());
    }

    @Test
    void withFailbackOffStaysOnTheSecondProviderUntilItDrops() throws Exception {
        TpDaemon tp1 = tp(0);
        int port1 = tp1.tdpAddresses().getFirst().getPort();
        TpDaemon tp2 = tp(0);
        TdpEndpoint e1 = TpTestSupport.endpoint(tp1, pin);
        TdpEndpoint e2 = TpTestSupport.endpoint(tp2, pin);
        TdpRecorder rec = new TdpRecorder();
        Duration cooldown = Duration.ofMillis(1500);
        TdpClient client = new TdpClient(TpTestSupport.clientConfig(List.of(e1, e2), cooldown).withFailback(false), CRYPTO,
                InstantSource.system(), null, rec);
        toClose.add(client);
        client.start();
        assertEquals(new TdpRecorder.Connected(e1), rec.next());
        rec.next(NewTemplate.class);
        rec.next(SetNewPrevHash.class);

        tp1.close(); // primary goes away
        assertEquals(e1, rec.next(TdpRecorder.Disconnected.class).endpoint());
        assertEquals(new TdpRecorder.Connected(e2), rec.nextOf(TdpRecorder.Connected.class));
        assertEquals(e2, client.connectedEndpoint());

        TpDaemon tp1b = tp(port1); // primary back on the same port with the same authority key
        // with failback on, e1 would be probed (and taken) within ~cooldown; wait well past that
        long until = System.nanoTime() + cooldown.multipliedBy(4).toNanos();
        while (System.nanoTime() < until) {
            assertEquals(0.0, connectionsSeen(tp1b), "no probe connection to the preferred provider");
            assertEquals(e2, client.connectedEndpoint(), "stays on the second provider");
            Thread.sleep(100);
        }
        assertEquals(0, client.failbacks());
        assertEquals(2, client.sessionsEstablished());
        assertTrue(rec.events.stream().noneMatch(o -> o instanceof TdpRecorder.Connected || o instanceof TdpRecorder.Disconnected),
                "no switch while the second provider works");

        tp2.close(); // the secondary drops: reconnect starts from the top of the list again
        assertEquals(e2, rec.nextOf(TdpRecorder.Disconnected.class).endpoint());
        assertEquals(new TdpRecorder.Connected(e1), rec.nextOf(TdpRecorder.Connected.class));
        SetNewPrevHash prev1 = rec.nextOf(SetNewPrevHash.class);
        assertEquals(tp1b.devnetChain().tipHash(), prev1.prevHash());
        assertEquals(e1, client.connectedEndpoint());
        assertEquals(0, client.failbacks(), "a reconnect after a drop is not a failback");
    }

    private static SetupConnection setup() {
        return new SetupConnection(2, 2, 2, 0, "127.0.0.1", 1, "raw", "", "", "");
    }

    /** A hand-driven pool: Noise + SetupConnection; optionally floods RequestTransactionData then stops reading. */
    private final class RawPool implements AutoCloseable {
        final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        final EventLoopGroup group = Sv2Transport.newEventLoopGroup(1, "raw-pool");
        volatile int requestsSent;
        final Channel ch;

        RawPool(TpDaemon tp, SetupConnection setup, int flood) throws InterruptedException {
            toClose.add(this);
            ch = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                    .option(ChannelOption.SO_RCVBUF, 4096)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel c) {
                            Sv2Pipeline.client(c.pipeline(), CRYPTO, authority.publicKey(), InstantSource.system(), Sv2Limits.DEFAULT);
                            c.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    if (evt instanceof NoiseHandshakeEvent.Completed) {
                                        ctx.writeAndFlush(setup);
                                    }
                                }

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    seen.add(msg);
                                    if (msg instanceof org.hyperhash.sv2.message.common.SetupConnectionSuccess) {
                                        ctx.writeAndFlush(TpTestSupport.CONSTRAINTS);
                                    } else if (msg instanceof NewTemplate t && flood > 0 && requestsSent == 0) {
                                        ctx.channel().config().setAutoRead(false);
                                        for (int i = 0; i < flood; i++) {
                                            ctx.write(new RequestTransactionData(t.templateId()));
                                        }
                                        ctx.flush();
                                        requestsSent = flood;
                                    }
                                    ReferenceCountUtil.release(msg);
                                }
                            });
                        }
                    }).connect(tp.tdpAddresses().getFirst()).sync().channel();
        }

        Object next() throws InterruptedException {
            Object o = seen.poll(20, TimeUnit.SECONDS);
            assertNotNull(o, "nothing received within 20 s");
            return o;
        }

        @Override
        public void close() {
            ch.close().awaitUninterruptibly(2_000);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
        }
    }
}
