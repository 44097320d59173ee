package org.hyperhash.translator.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lean plaintext SV2 pool for the translator benchmark: like the ITs' FakeSv2Pool (same job layout, 12-level
 * merkle path) but it only counts shares and acks each one, so the pool costs little and keeps no per-share
 * state. Runs on one event loop thread named {@value #THREAD_PREFIX}-*, whose CPU time the bench subtracts.
 */
final class BenchSv2Pool implements AutoCloseable {
    static final String THREAD_PREFIX = "bench-pool";
    static final int VERSION = 0x20000000;
    static final int NBITS = 0x1d00ffff;
    static final Bytes COINBASE_PREFIX = Bytes.fromHex(
            "02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff1e5200065376322f2f2f14");
    static final Bytes COINBASE_SUFFIX = Bytes.fromHex(
            "ffffffff0100f2052a01000000160014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc00000000");
    static final List<Hash256> PATH;

    static {
        List<Hash256> p = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            p.add(Hash256.fromWireHex(String.format("%064x", i + 1)));
        }
        PATH = List.copyOf(p);
    }

    final AtomicLong submits = new AtomicLong();
    private final Target channelTarget;
    private final EventLoopGroup group = Sv2Transport.newEventLoopGroup(1, THREAD_PREFIX);
    private final ConcurrentHashMap<Channel, List<Integer>> channels = new ConcurrentHashMap<>();
    private final AtomicInteger nextJob = new AtomicInteger(1);
    private final AtomicInteger nextChannel = new AtomicInteger(1);
    private volatile Hash256 prevHash = Hash256.fromWireHex("ab".repeat(32));
    private volatile int ntime = (int) (System.currentTimeMillis() / 1000);
    private Channel server;

    BenchSv2Pool(double channelDifficulty) {
        this.channelTarget = Targets.fromDifficulty(channelDifficulty);
    }

    int start() throws InterruptedException {
        server = new ServerBootstrap().group(group, group).channel(Sv2Transport.serverChannelClass())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        Sv2Pipeline.plaintext(ch.pipeline(), Sv2Limits.MINING);
                        ch.pipeline().addLast(new Handler());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** A new block: a future job and SetNewPrevHash on every open channel. */
    void newBlock() {
        prevHash = Sha256d.of(prevHash.toWireBytes());
        ntime = (int) (System.currentTimeMillis() / 1000);
        for (var e : channels.entrySet()) {
            for (int id : e.getValue()) {
                e.getKey().eventLoop().execute(() -> sendJob(e.getKey(), id));
            }
        }
    }

    private void sendJob(Channel ch, int channelId) {
        int job = nextJob.getAndIncrement();
        ch.write(new NewExtendedMiningJob(channelId, job, OptionalInt.empty(), VERSION, true, PATH, COINBASE_PREFIX,
                COINBASE_SUFFIX));
        ch.writeAndFlush(new SetNewPrevHash(channelId, job, prevHash, ntime, NBITS));
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof Sv2Message m)) {
                return;
            }
            switch (m) {
                case SetupConnection s -> ctx.writeAndFlush(new SetupConnectionSuccess(2, 0));
                case OpenExtendedMiningChannel o -> {
                    int id = nextChannel.getAndIncrement();
                    channels.computeIfAbsent(ctx.channel(), c -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(id);
                    ctx.write(new OpenExtendedMiningChannelSuccess(o.requestId(), id, channelTarget, 16,
                            Bytes.fromHex("01000002"), 0));
                    sendJob(ctx.channel(), id);
                }
                case SubmitSharesExtended s -> {
                    submits.incrementAndGet();
                    ctx.writeAndFlush(new SubmitSharesSuccess(s.channelId(), s.sequenceNumber(), 1, 0));
                }
                default -> {
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (!(evt instanceof NoiseHandshakeEvent)) {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            channels.remove(ctx.channel());
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
