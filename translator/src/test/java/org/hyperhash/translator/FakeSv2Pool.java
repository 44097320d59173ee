package org.hyperhash.translator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.base.Targets;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;

import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.sv2.noise.StaticKeyPair;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal SV2 mining server for translator ITs, built from the protocol library (plaintext
 * pipeline, or Noise after {@link #noise}): SetupConnection, one extended channel per OpenExtendedMiningChannel (SRI layout:
 * 4-byte prefix, extranonce_size 16), a future job + SetNewPrevHash, and independent share
 * validation (rebuilds coinbase, merkle root and header from the SubmitSharesExtended bytes).
 */
final class FakeSv2Pool implements AutoCloseable {
    static final int VERSION = 0x20000000;
    static final int NBITS_HARD = 0x1d00ffff;
    static final Bytes COINBASE_PREFIX = Bytes.fromHex(
            "02000000010000000000000000000000000000000000000000000000000000000000000000ffffffff1e5200065376322f2f2f14");
    static final Bytes COINBASE_SUFFIX = Bytes.fromHex(
            "ffffffff0100f2052a01000000160014ebe1b7dcc293ccaa0ee743a86f89df8258c208fc00000000");
    static final List<Hash256> PATH = List.of(Hash256.fromWireHex("11".repeat(32)), Hash256.fromWireHex("22".repeat(32)));

    final List<SubmitSharesExtended> accepted = new CopyOnWriteArrayList<>();
    final List<String> rejected = new CopyOnWriteArrayList<>();
    final List<OpenExtendedMiningChannel> opens = new CopyOnWriteArrayList<>();
    final List<UpdateChannel> updates = new CopyOnWriteArrayList<>();
    final List<Integer> closes = new CopyOnWriteArrayList<>();
    final Bytes prefix;
    volatile Target channelTarget;
    volatile int extranonceSize = 16;
    private final EventLoopGroup group;
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ConcurrentHashMap<Channel, List<Integer>> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, Integer> currentJob = new ConcurrentHashMap<>();
    private final AtomicInteger nextJob = new AtomicInteger(1);
    private final AtomicInteger nextChannel = new AtomicInteger(1);
    private volatile Hash256 prevHash = Hash256.fromWireHex("ab".repeat(32));
    private volatile int minNtime;
    private Channel server;
    /** TCP connections accepted (every attempt, including ones whose handshake fails). */
    final AtomicInteger accepts = new AtomicInteger();
    private volatile ServerIdentity identity;
    private volatile InstantSource noiseClock = InstantSource.system();

    FakeSv2Pool(Bytes prefix, double channelDifficulty, int minNtime) {
        this.prefix = prefix;
        this.channelTarget = Targets.fromDifficulty(channelDifficulty);
        this.minNtime = minNtime;
        this.group = Sv2Transport.newEventLoopGroup(1, "fake-pool");
    }

    /** Serve Noise with {@code id} (certificates dated by {@code clock}) on connections accepted from now on. */
    FakeSv2Pool noise(ServerIdentity id, InstantSource clock) {
        this.noiseClock = clock;
        this.identity = id;
        return this;
    }

    /** A Noise identity whose certificates are signed per handshake by {@code authority}. */
    static ServerIdentity identity(AuthorityKeyPair authority, Duration validity) {
        return ServerIdentity.signedPerHandshake(StaticKeyPair.generate(new SecureRandom()), authority, validity);
    }

    InetSocketAddress start(int port) throws InterruptedException {
        server = new ServerBootstrap().group(group, group).channel(Sv2Transport.serverChannelClass())
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepts.incrementAndGet();
                        ServerIdentity id = identity;
                        if (id == null) {
                            Sv2Pipeline.plaintext(ch.pipeline(), Sv2Limits.MINING);
                        } else {
                            Sv2Pipeline.server(ch.pipeline(), Secp256k1Providers.best(), id, noiseClock, Sv2Limits.MINING);
                        }
                        ch.pipeline().addLast(new Handler());
                        children.add(ch);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    int connections() {
        return channels.size();
    }

    /** A new block: new future job + SetNewPrevHash to every open channel. */
    void newBlock() {
        prevHash = Sha256d.of(prevHash.toWireBytes());
        minNtime++;
        for (var e : channels.entrySet()) {
            for (int id : e.getValue()) {
                e.getKey().eventLoop().execute(() -> sendJob(e.getKey(), id));
            }
        }
    }

    /** SV2 Reconnect to every connection with an open channel. */
    void sendReconnect(String host, int port) {
        for (Channel ch : channels.keySet()) {
            ch.writeAndFlush(new org.hyperhash.sv2.message.common.Reconnect(host, port));
        }
    }

    void setTarget(double difficulty) {
        channelTarget = Targets.fromDifficulty(difficulty);
        for (var e : channels.entrySet()) {
            for (int id : e.getValue()) {
                e.getKey().writeAndFlush(new SetTarget(id, channelTarget));
            }
        }
    }

    private void sendJob(Channel ch, int channelId) {
        int job = nextJob.getAndIncrement();
        currentJob.put(channelId, job);
        ch.write(new NewExtendedMiningJob(channelId, job, OptionalInt.empty(), VERSION, true, PATH, COINBASE_PREFIX,
                COINBASE_SUFFIX));
        ch.writeAndFlush(new SetNewPrevHash(channelId, job, prevHash, minNtime, NBITS_HARD));
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
                    opens.add(o);
                    if (o.minExtranonceSize() > extranonceSize) {
                        ctx.writeAndFlush(new OpenMiningChannelError(o.requestId(), "min-extranonce-size-too-large"));
                        return;
                    }
                    int id = nextChannel.getAndIncrement();
                    channels.computeIfAbsent(ctx.channel(), c -> new CopyOnWriteArrayList<>()).add(id);
                    ctx.write(new OpenExtendedMiningChannelSuccess(o.requestId(), id, channelTarget, extranonceSize, prefix, 0));
                    sendJob(ctx.channel(), id);
                }
                case SubmitSharesExtended s -> validate(ctx, s);
                case UpdateChannel u -> updates.add(u);
                case org.hyperhash.sv2.message.mining.CloseChannel c -> {
                    closes.add(c.channelId());
                    List<Integer> ids = channels.get(ctx.channel());
                    if (ids != null) {
                        ids.remove(Integer.valueOf(c.channelId()));
                    }
                }
                default -> {
                }
            }
        }

        private void validate(ChannelHandlerContext ctx, SubmitSharesExtended s) {
            String error = null;
            if (currentJob.get(s.channelId()) == null || s.jobId() != currentJob.get(s.channelId())) {
                error = "stale-share";
            } else if (s.extranonce().length() != extranonceSize) {
                error = "bad-extranonce-size";
            } else if (((s.version() ^ VERSION) & ~0x1FFFFFE0) != 0) {
                error = "invalid-non-rollable-version-bit";
            } else {
                Bytes coinbase = COINBASE_PREFIX.concat(prefix).concat(s.extranonce()).concat(COINBASE_SUFFIX);
                Hash256 root = MerkleBranch.root(Sha256d.of(coinbase), PATH);
                Hash256 h = new BlockHeader80(s.version(), prevHash, root, s.ntime(), NBITS_HARD, s.nonce()).hash();
                if (!channelTarget.isMetBy(h.toWireBytes())) {
                    error = "difficulty-too-low";
                }
            }
            if (error == null) {
                accepted.add(s);
                ctx.writeAndFlush(new SubmitSharesSuccess(s.channelId(), s.sequenceNumber(), 1, 0));
            } else {
                rejected.add(error);
                ctx.writeAndFlush(new SubmitSharesError(s.channelId(), s.sequenceNumber(), error));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            // plaintext: NoiseHandshakeEvent.Completed.PLAINTEXT arrives; the client speaks first
            if (!(evt instanceof NoiseHandshakeEvent)) {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            channels.remove(ctx.channel());
        }
    }

    /** Kills the pool: listener and every connection. */
    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        children.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
