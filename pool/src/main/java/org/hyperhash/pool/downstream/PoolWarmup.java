package org.hyperhash.pool.downstream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.identity.UserIdentityParser;
import org.hyperhash.pool.share.MinerStats;
import org.hyperhash.pool.share.ShareLog;
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.pool.work.JobDispatcher;
import org.hyperhash.sv2.channel.ExtranonceAllocator;
import org.hyperhash.sv2.channel.JobFactory;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.netty.LoopbackWarmup;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.tdp.TdpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the mining port's connection path through the JIT before the pool accepts miners (issue 19: the first
 * reconnect storm after a start cost ~1 s more pool CPU than a warm one, on the C1/C2 compiler and GC threads,
 * compiling Netty's close path and the Noise handshake / SetupConnection / OpenMiningChannel path).
 *
 * <p>Loopback SV2 sessions: the configured transport (Noise with a pinned authority key, or plaintext), SetupConnection,
 * OpenStandardMiningChannel (every fourth session OpenExtendedMiningChannel), until the first job and its
 * SetNewPrevHash, then close; against a private listener of the same {@link MiningServer} on 127.0.0.1 (same
 * bootstrap, handlers, pipeline and I/O event loops, so the compiled code and type profiles are the real path's) whose
 * connections get a throw-away {@link PoolContext}: their own {@link JobDispatcher} fed one in-memory template, their
 * own meter registry (the daemon's metrics count no warm-up connection), {@link AbuseGuard} (the real per-IP limits
 * and bans never see 127.0.0.1 here), {@link MinerStats}, extranonce allocator, and a {@link ShareLog} that is never
 * started and gets no share (no session submits one: no ledger row); the Noise responder takes no key from the
 * reserve kept for miners ({@link MiningServer.Security#forWarmup()}). Bounded like {@link LoopbackWarmup}: sessions,
 * max-time, {@value #CONCURRENCY} in flight (whatever the pool's per-IP cap: the throw-away guard has room), ends when a miner waits in the real port's backlog.
 */
public final class PoolWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(PoolWarmup.class);
    static final int CONCURRENCY = 32;
    private static final int TEMPLATE_ID = 1;

    private PoolWarmup() {
    }

    /**
     * @param stop true when the daemon is closing
     * @param minersArrived true once the real port accepts (a miner waited in its backlog): the warm-up ends at once
     */
    public static LoopbackWarmup.Result run(PoolConfig config, MiningServer server, MiningServer.Security security,
            BooleanSupplier stop, BooleanSupplier minersArrived) throws Exception {
        long t0 = System.nanoTime();
        long cpu0 = LoopbackWarmup.processCpuNanos();
        MiningServer.Security serverSide = security.forWarmup();
        if (serverSide == null) {
            LOG.info("sv2 warm-up skipped: transport {} has no warm-up client; accepting miners now",
                    security.description());
            return new LoopbackWarmup.Result(0, 0, 0, 0, "transport not warmed");
        }
        if (stop.getAsBoolean() || minersArrived.getAsBoolean()) {
            return new LoopbackWarmup.Result(0, 0, 0, 0, "miners waiting before it started");
        }
        InstantSource clock = InstantSource.system();
        PoolMetrics metrics = new PoolMetrics(new SimpleMeterRegistry());
        Bytes poolScript = config.network().parse(config.payout().address());
        ExtranonceAllocator allocator = new ExtranonceAllocator(Bytes.of((byte) config.instanceId()),
                config.channel().extranonceIndexBytes(), config.channel().extranonceClientBytes());
        JobDispatcher dispatcher = new JobDispatcher(new JobFactory(config.payout().poolTag(), ""), poolScript,
                allocator.fullExtranonceSize(), config.channel().ackInterval(), metrics);
        Channel listener = null;
        EventLoopGroup clients = null;
        LoopbackWarmup.Result sessions;
        try {
            feed(dispatcher);
            PoolContext px = new PoolContext(config, config.channel().toChannelConfig(), config.vardiff(), allocator,
                    new UserIdentityParser(config.network(), config.payout().soloPrefix()), dispatcher, NO_UPSTREAM,
                    new ShareLog(null, null, "warmup", clock, config.ledger().window(), config.ledger().flushInterval(),
                            1, metrics),
                    new MinerStats(clock, CONCURRENCY * 4), new AbuseGuard(limits(config.limits()), clock, metrics), metrics,
                    clock, null, null);
            listener = server.bindWarmup(px, serverSide);
            InetSocketAddress addr = (InetSocketAddress) listener.localAddress();
            clients = Sv2Transport.newEventLoopGroup(1, "pool-warmup");
            Bootstrap b = new Bootstrap().group(clients).channel(Sv2Transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
            String user = config.payout().address() + ".warmup";
            sessions = LoopbackWarmup.run(config.sv2().warmupSessions(), config.sv2().warmupMaxTime(), CONCURRENCY, stop,
                    minersArrived, (n, outcome) -> {
                        Client c = new Client(addr, user, n % 4 == 3, outcome);
                        b.clone().handler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                security.installWarmupClient(ch.pipeline(), server.limits());
                                ch.pipeline().addLast(c);
                            }
                        }).connect(addr).addListener(f -> {
                            if (!f.isSuccess()) {
                                outcome.done(false);
                            }
                        });
                    });
        } finally {
            if (clients != null) {
                clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
            if (listener != null) {
                // bounded: when the daemon closes meanwhile, the listener's event loop may be shutting down
                listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            dispatcher.close();
        }
        LoopbackWarmup.Result r = new LoopbackWarmup.Result(sessions.sessions(), sessions.failed(),
                (System.nanoTime() - t0) / 1_000_000, (LoopbackWarmup.processCpuNanos() - cpu0) / 1_000_000,
                sessions.stop());
        LOG.info("sv2 warm-up: {} loopback sessions ({} failed) in {} ms, {} ms CPU ({}){}", r.sessions(), r.failed(),
                r.wallMillis(), r.cpuMillis(), r.stop(), stop.getAsBoolean() ? "" : "; accepting miners now");
        return r;
    }

    /**
     * The throw-away guard's limits: the pool's, with room for the warm-up's connections from 127.0.0.1 (a session's
     * slot is released when the server sees its close, which can be after the client started the next one; with the
     * pool's per-IP cap a low {@code limits.max-connections-per-ip} refused some). The same admission code runs.
     */
    private static PoolConfig.Limits limits(PoolConfig.Limits l) {
        int room = CONCURRENCY * 8;
        return new PoolConfig.Limits(Math.max(l.maxConnections(), room), Math.max(l.maxConnectionsPerIp(), room),
                l.maxChannelsPerConnection(), l.banInvalidShares(), l.banProtocolViolations(), l.banWindow(),
                l.banDuration(), l.ipv6PrefixLength());
    }

    /**
     * One in-memory template and its tip for the throw-away dispatcher: a coinbase with a BIP34 height, the witness
     * commitment output, a 12-level merkle path (a block with a few thousand transactions), difficulty-1 bits.
     */
    private static void feed(JobDispatcher dispatcher) throws InterruptedException {
        byte[] commitment = Bytes.fromHex("6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9")
                .toArray();
        byte[] outputs = new byte[8 + 1 + commitment.length];
        outputs[8] = (byte) commitment.length;
        System.arraycopy(commitment, 0, outputs, 9, commitment.length);
        List<Hash256> path = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            path.add(Hash256.fromWireHex(String.format("%064x", i + 1)));
        }
        int bits = 0x1d00ffff;
        dispatcher.setUpstreamConnected(true);
        dispatcher.onNewTemplate(new NewTemplate(TEMPLATE_ID, true, 0x20000000, 2, Bytes.fromHex("03a08601"), -1,
                312_500_000L, 1, Bytes.wrap(outputs), 0, path));
        dispatcher.onSetNewPrevHash(new org.hyperhash.sv2.message.template.SetNewPrevHash(TEMPLATE_ID,
                Hash256.fromWireHex("ab".repeat(32)), (int) (System.currentTimeMillis() / 1000), bits,
                CompactBits.toTarget(bits)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!dispatcher.work().usable()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the warm-up's template made no work: " + dispatcher.lastError());
            }
            Thread.sleep(2);
        }
    }

    /** The throw-away context's template source: nothing upstream (no session finds a block). */
    private static final TemplateSource NO_UPSTREAM = new TemplateSource() {
        @Override
        public void start(TdpListener listener, CoinbaseOutputConstraints constraints) {
        }

        @Override
        public boolean connected() {
            return false;
        }

        @Override
        public boolean submitSolution(SubmitSolution solution) {
            return false;
        }

        @Override
        public String describe() {
            return "sv2 warm-up (in-process, no template provider)";
        }

        @Override
        public void close() {
        }
    };

    /** One loopback session: what a miner sends on connect, until its first job is active (SetNewPrevHash). */
    private static final class Client extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress pool;
        private final String user;
        private final boolean extended;
        private final LoopbackWarmup.Outcome outcome;

        Client(InetSocketAddress pool, String user, boolean extended, LoopbackWarmup.Outcome outcome) {
            this.pool = pool;
            this.user = user;
            this.extended = extended;
            this.outcome = outcome;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                // flags: a header-only miner (REQUIRES_STANDARD_JOBS) on standard channels, none on extended ones
                ctx.writeAndFlush(new SetupConnection(0, 2, 2, extended ? 0 : 1, pool.getAddress().getHostAddress(),
                        pool.getPort(), "hyperhash", "warmup", "1", "pool-warmup"));
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Sv2Message m)) {
                return;
            }
            switch (m) {
                case SetupConnectionSuccess s -> ctx.writeAndFlush(extended
                        ? new OpenExtendedMiningChannel(1, user, 1e12f, Target.MAX, 4)
                        : new OpenStandardMiningChannel(1, user, 1e12f, Target.MAX));
                case SetNewPrevHash p -> {
                    outcome.done(true);
                    ctx.close();
                }
                default -> {
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            outcome.done(false);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            outcome.done(false);
            ctx.close();
        }
    }
}
