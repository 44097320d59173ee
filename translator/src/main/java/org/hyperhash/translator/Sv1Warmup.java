package org.hyperhash.translator;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Targets;
import org.hyperhash.sv1.SubscribeResult;
import org.hyperhash.sv1.Sv1Json;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.sv1.Sv1ParseException;
import org.hyperhash.sv1.Sv1Pipeline;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.netty.LoopbackWarmup;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.translator.bridge.Bridge;
import org.hyperhash.translator.bridge.UpstreamLink;
import org.hyperhash.translator.sv1.Sv1Guard;
import org.hyperhash.translator.sv1.Sv1Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the SV1 connection path through the JIT before the translator accepts miners (issue 19, the cold connect storm:
 * after a restart every miner of a farm reconnects at once, and a JVM that has just started spent 0.4-1.1 s of CPU per
 * 1,000 first connections compiling the accept/pipeline/JSON/bridge code while they waited).
 *
 * <p>Loopback SV1 sessions (mining.configure, mining.subscribe, mining.authorize, then read set_difficulty and the
 * first mining.notify, then close) against a second, private {@link Sv1Server} on 127.0.0.1 with an ephemeral port.
 * That server runs the same classes on the translator's own SV1 event loops and bridge loop, so the code the JIT
 * compiles and the type profiles it gathers are those of the real path, but its state is throw-away: its own
 * {@link Bridge} fed one in-memory job (no upstream traffic, the real bridge and its extranonce space untouched), its
 * own meter registry (the daemon's metrics count no warm-up session), its own {@link Sv1Guard}. The real SV1 port is
 * bound (or adopted) with accepting paused meanwhile: miners that connect wait in its backlog, and are accepted when
 * this returns. Bounded ({@link LoopbackWarmup}, shared with the pool's warm-up): at most {@code sessions} sessions and
 * {@code maxTime} of wall clock, {@value #CONCURRENCY} in
 * flight (below any per-IP cap of 32 or more), and it ends as soon as a connection waits in the real port's backlog
 * (the port then starts accepting at once: {@link Sv1Server#acceptWhenWaiting()}): it only uses time in which no miner
 * is there, so a storm that arrives while the JVM starts (a restart with a
 * socket-activated port) is not delayed by it (nor warmed: it then meets a cold JVM, as without the warm-up).
 */
public final class Sv1Warmup {
    private static final Logger LOG = LoggerFactory.getLogger(Sv1Warmup.class);
    static final int CONCURRENCY = 32;

    private Sv1Warmup() {
    }

    /**
     * @param stop true when the daemon is closing (checked between sessions)
     * @param minersArrived true once the real port accepts (a miner waited in its backlog): the warm-up then ends at
     *     once, so it only uses time in which no miner is there
     */
    static LoopbackWarmup.Result run(TranslatorConfig cfg, EventLoopGroup io, EventLoop bridgeLoop, int sessions,
            boolean untilJitIdle, Duration maxTime, BooleanSupplier stop, BooleanSupplier minersArrived) throws Exception {
        long t0 = System.nanoTime();
        long cpu0 = LoopbackWarmup.processCpuNanos();
        if (minersArrived.getAsBoolean() || stop.getAsBoolean()) {
            return new LoopbackWarmup.Result(0, 0, 0, 0, "miners waiting before it started");
        }
        TranslatorMetrics metrics = new TranslatorMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        Bridge bridge = new Bridge(cfg.bridge(), InstantSource.system(), metrics, cfg.openRetry());
        Sv1Server server = TranslatorDaemon.sv1Server(cfg, io, bridgeLoop, bridge, metrics, 1024);
        if (!bridgeLoop.submit(() -> feedJob(cfg, bridge)).get(5, TimeUnit.SECONDS)) {
            server.close();
            LOG.info("sv1 warm-up skipped: upstream.mode = per-miner (not warmed yet); accepting miners now");
            return new LoopbackWarmup.Result(0, 0, 0, 0, "per-miner upstream mode (not warmed)");
        }
        int jsonRounds = warmJson(JSON_ROUNDS, stop, minersArrived);
        LOG.debug("sv1 warm-up: {} rounds of SV1 JSON lines parsed and written in {} ms", jsonRounds,
                (System.nanoTime() - t0) / 1_000_000);
        int concurrency = Math.min(CONCURRENCY, cfg.sv1Limits().maxPerIp());
        EventLoopGroup clients = Sv2Transport.newEventLoopGroup(1, "hh-translator-warmup");
        LoopbackWarmup.Result done;
        try {
            InetSocketAddress addr = server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Bootstrap b = new Bootstrap().group(clients).channel(Sv2Transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
            done = LoopbackWarmup.run(sessions, untilJitIdle, maxTime, concurrency, stop, minersArrived, (i, outcome) -> {
                Client c = new Client(i, outcome);
                b.clone().handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(cfg.maxLineBytes()), c);
                    }
                }).connect(addr).addListener(f -> {
                    if (!f.isSuccess()) {
                        outcome.done(false);
                    }
                });
            });
        } finally {
            clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            server.close();
        }
        LoopbackWarmup.Result r = new LoopbackWarmup.Result(done.sessions(), done.failed(),
                (System.nanoTime() - t0) / 1_000_000, (LoopbackWarmup.processCpuNanos() - cpu0) / 1_000_000, done.stop());
        LOG.info("sv1 warm-up: {} loopback sessions ({} failed) in {} ms, {} ms CPU ({}); accepting miners now", r.sessions(),
                r.failed(), r.wallMillis(), r.cpuMillis(), r.stop());
        return r;
    }

    /**
     * Rounds of {@link #warmJson}: 8 lines parsed per round, 64,000 parses, past HotSpot's tier-4 threshold for the
     * JSON-RPC parse (5,000 calls) even when it scales it up 4-6x for a deep C2 queue; about 0.25 s of one core at
     * C1/C2 speed (30,000 rounds cost 0.9 s; bench/README.md "Storm C2 per connection").
     */
    static final int JSON_ROUNDS = 8_000;
    /** 512-byte draws from a {@code SecureRandom} at the end of {@link #warmJson} (at most one per round done). */
    static final int RANDOM_DRAWS = 400;

    /**
     * Parses the lines a miner sends on connect and while mining (configure, subscribe, authorize, submit,
     * suggest_difficulty, extranonce.subscribe) and encodes the replies and notifications a new miner gets (subscribe
     * result, authorize reply, set_difficulty, configure result, a notify line) as the session does
     * ({@link Sv1Pipeline#encode}, into the channels' allocator's buffers), {@code rounds} times, in a loop on this
     * thread: the same methods and receiver types as the real path ({@link Sv1Json#parse}, Jackson's tree model, the
     * plain writer), without a socket. The loopback
     * sessions call them once per line, too few times for C2 while its queue is deep (it raises the thresholds), so
     * without this the JSON code was compiled by C2 during the first connect storm after the warm-up. Ends early when
     * miners arrive or the daemon closes. Returns the rounds done.
     */
    static int warmJson(int rounds, BooleanSupplier stop, BooleanSupplier minersArrived) {
        String[] lines = {
            "{\"id\":1,\"method\":\"mining.configure\",\"params\":[[\"version-rolling\"],"
                    + "{\"version-rolling.mask\":\"1fffe000\",\"version-rolling.min-bit-count\":2}]}",
            "{\"id\":2,\"method\":\"mining.subscribe\",\"params\":[\"bmminer/2.0.0\"]}",
            "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"cgminer/4.12.0\",\"0123456789abcdef\"]}",
            "{\"id\":3,\"method\":\"mining.authorize\",\"params\":[\"bc1qaddress.worker1\",\"x\"]}",
            "{\"id\":4,\"method\":\"mining.extranonce.subscribe\",\"params\":[]}",
            "{\"id\":5,\"method\":\"mining.suggest_difficulty\",\"params\":[1024]}",
            "{\"params\":[\"bc1qaddress.worker1\",\"1a\",\"0000000000000001\",\"6571f3a0\",\"1c2ae7f3\"],"
                    + "\"id\":9,\"method\":\"mining.submit\"}",
            "{\"id\":10,\"method\":\"mining.submit\",\"params\":[\"bc1qaddress.worker1\",\"1b\",\"0000000000000002\","
                    + "\"6571f3a1\",\"1c2ae7f4\",\"00a02000\"]}",
        };
        Object[] replies = {
            Sv1Message.Response.ok(IntNode.valueOf(2), new SubscribeResult("0123456789abcdef", "0123456789abcdef",
                    Bytes.fromHex("0100000200000001"), 8).toJson()),
            Sv1Message.Request.notification("mining.set_difficulty", JsonNodeFactory.instance.arrayNode().add(65536.0)),
            Sv1Message.Response.ok(IntNode.valueOf(1), JsonNodeFactory.instance.objectNode().put("version-rolling", true)
                    .put("version-rolling.mask", "1fffe000")),
            Sv1Message.Response.ok(IntNode.valueOf(3), com.fasterxml.jackson.databind.node.BooleanNode.TRUE),
            "{\"params\":[\"1\",\"" + "ab".repeat(32) + "\",\"02000000\",\"ffffffff\",[],\"20000000\",\"1d00ffff\","
                    + "\"6571f3a0\",true],\"id\":null,\"method\":\"mining.notify\"}",
        };
        long sink = 0;
        int r = 0;
        for (; r < rounds; r++) {
            if ((r & 255) == 0 && (stop.getAsBoolean() || minersArrived.getAsBoolean())) {
                break;
            }
            for (String l : lines) {
                try {
                    sink += Sv1Json.parse(l) instanceof Sv1Message.Request q ? q.params().size() : 0;
                } catch (Sv1ParseException e) {
                    throw new IllegalStateException("warm-up line does not parse: " + l, e);
                }
            }
            for (Object m : replies) {
                // encoded as the session does (Sv1Pipeline.encode: the plain writer, the set_difficulty line, Jackson
                // for the rest), into a buffer of the channels' allocator
                io.netty.buffer.ByteBuf b = Sv1Pipeline.encode(io.netty.buffer.ByteBufAllocator.DEFAULT, m);
                sink += b.readableBytes();
                b.release();
            }
        }
        // the subscription ids' random source: NativePRNG instances share one generator (its /dev/urandom buffer and
        // SHA-1 mixing), so drawing here compiles the code the bridge's batch refills run (Bridge.newSubscriptionId)
        java.security.SecureRandom random = new java.security.SecureRandom();
        byte[] batch = new byte[512];
        for (int i = 0; i < Math.min(r, RANDOM_DRAWS); i++) {
            random.nextBytes(batch);
            sink += batch[0];
        }
        java.util.Arrays.fill(batch, (byte) 0);
        if (sink == 42) { // keeps the results live; never true in practice, harmless if it is
            LOG.trace("sv1 warm-up JSON sink {}", sink);
        }
        return r;
    }

    /** Opens the throw-away bridge's aggregated channel with one job (bridge loop). False in per-miner mode. */
    private static boolean feedJob(TranslatorConfig cfg, Bridge bridge) {
        List<Sv2Message> sent = new ArrayList<>();
        UpstreamLink up = new UpstreamLink() {
            @Override
            public void send(Sv2Message message) {
                if (sent.size() < 16) {
                    sent.add(message);
                }
            }

            @Override
            public void close(String reason) {
            }

            @Override
            public String poolName() {
                return "sv1-warmup (in-process, no pool)";
            }
        };
        bridge.onUpstreamUp(up);
        OpenExtendedMiningChannel open = null;
        for (Sv2Message m : sent) {
            if (m instanceof OpenExtendedMiningChannel o) {
                open = o;
            }
        }
        if (open == null || cfg.bridge().perMinerChannels()) {
            return false;
        }
        // a pool's usual answer: 4-byte prefix, 16 bytes for the proxy; a job with a 12-level merkle path
        bridge.onUpstreamMessage(up, new OpenExtendedMiningChannelSuccess(open.requestId(), 1,
                Targets.fromDifficulty(Math.max(cfg.bridge().startDifficulty(), 1e-9)), 16, Bytes.fromHex("01000002"), 0));
        List<Hash256> path = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            path.add(Hash256.fromWireHex(String.format("%064x", i + 1)));
        }
        bridge.onUpstreamMessage(up, new NewExtendedMiningJob(1, 1, OptionalInt.empty(), 0x20000000, true, path,
                Bytes.fromHex("02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff1e5200065376322f2f2f14"),
                Bytes.fromHex("ffffffff0100f2052a01000000160014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc00000000")));
        bridge.onUpstreamMessage(up, new SetNewPrevHash(1, 1, Hash256.fromWireHex("ab".repeat(32)),
                (int) (System.currentTimeMillis() / 1000), 0x1d00ffff));
        return bridge.upstreamReady();
    }

    /** One loopback session: what a miner's firmware sends on connect, until its first mining.notify. */
    private static final class Client extends SimpleChannelInboundHandler<ByteBuf> {
        private final int n;
        private final LoopbackWarmup.Outcome outcome;

        Client(int n, LoopbackWarmup.Outcome outcome) {
            this.n = n;
            this.outcome = outcome;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.write(line(ctx, "{\"id\":1,\"method\":\"mining.configure\",\"params\":[[\"version-rolling\"],"
                    + "{\"version-rolling.mask\":\"1fffe000\",\"version-rolling.min-bit-count\":2}]}"));
            ctx.write(line(ctx, "{\"id\":2,\"method\":\"mining.subscribe\",\"params\":[\"hh-warmup/1.0\"]}"));
            ctx.writeAndFlush(line(ctx, "{\"id\":3,\"method\":\"mining.authorize\",\"params\":[\"warmup.w" + n + "\",\"x\"]}"));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            if (msg.toString(StandardCharsets.US_ASCII).contains("\"mining.notify\"")) {
                outcome.done(true);
                ctx.close();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            outcome.done(false);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            outcome.done(false);
            ctx.close();
        }

        private static ByteBuf line(ChannelHandlerContext ctx, String s) {
            ByteBuf b = ctx.alloc().buffer(s.length() + 1);
            b.writeCharSequence(s, StandardCharsets.US_ASCII);
            b.writeByte('\n');
            return b;
        }
    }
}
