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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Target;
import org.hyperhash.jdc.JdClient.JdException;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobError;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hyper Node's mining connection to a pool (sv2-spec 05): Noise initiator with the pool's authority key pinned
 * (plaintext only for trusted links), SetupConnection(protocol 0) with REQUIRES_WORK_SELECTION | REQUIRES_VERSION_ROLLING
 * (0b110, as SRI's jd-client), then ONE extended channel. Custom jobs are set with {@link #setCustomJob} (a future per
 * request, with a deadline); shares go out with {@link #submit}; acknowledgements and rejections are counted. The
 * pool's own jobs on the channel (NewExtendedMiningJob, SetNewPrevHash) are ignored: a work-selecting client mines
 * its own. SetTarget and SetExtranoncePrefix are followed. The connection closing fails what is pending.
 */
public final class MiningUpstream implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MiningUpstream.class);
    public static final int REQUIRES_WORK_SELECTION = 0b10;
    public static final int REQUIRES_VERSION_ROLLING = 0b100;
    static final int MAX_PENDING = 64;

    /** The open extended channel as the pool granted it. */
    public record ChannelInfo(int channelId, Bytes extranoncePrefix, int extranonceSize, Target target) {
        public int fullExtranonceSize() {
            return extranoncePrefix.length() + extranonceSize;
        }
    }

    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final Duration timeout;
    private final AtomicInteger requestIds = new AtomicInteger(1);
    private final AtomicInteger sequence = new AtomicInteger();
    private final CompletableFuture<ChannelInfo> opened = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private final Map<Integer, CompletableFuture<SetCustomMiningJobSuccess>> pending = new LinkedHashMap<>();
    private final AtomicLong sharesAcked = new AtomicLong();
    private final AtomicLong sharesRejected = new AtomicLong();
    private final AtomicLong sharesSent = new AtomicLong();
    private volatile ChannelInfo channelInfo;
    private volatile ShareListener shareListener;

    /** Sees the pool's answers to shares (on the connection's event loop; must not block). */
    public interface ShareListener {
        void acknowledged(long count);

        void rejected(String errorCode);
    }

    public void setShareListener(ShareListener l) {
        this.shareListener = l;
    }
    private volatile String lastRejection = "";
    private volatile Channel channel;

    private MiningUpstream(EventLoopGroup group, boolean ownGroup, Duration timeout) {
        this.group = group;
        this.ownGroup = ownGroup;
        this.timeout = timeout;
    }

    /**
     * Connects, sets up and opens the extended channel; completes once OpenExtendedMiningChannel.Success arrived.
     *
     * @param pinned the pool's authority public key, or null for plaintext
     * @param userIdentity the channel's user identity at the pool (payout address[.worker])
     * @param nominalHashRate the channel's nominal_hash_rate (the pool's initial target follows from it)
     * @param minExtranonceSize rollable extranonce bytes the Hyper Node needs
     * @param group event loop group, or null for a private one closed with the client
     */
    public static CompletableFuture<MiningUpstream> connect(InetSocketAddress pool, AuthorityPublicKey pinned,
            String userIdentity, float nominalHashRate, int minExtranonceSize, Duration timeout, EventLoopGroup group) {
        boolean own = group == null;
        EventLoopGroup g = own ? Sv2Transport.newEventLoopGroup(1, "jdc-up") : group;
        MiningUpstream c = new MiningUpstream(g, own, timeout);
        Sv2Limits limits = new Sv2Limits(Sv2Limits.MAX_POSSIBLE_FRAME_BYTES, timeout);
        Bootstrap b = new Bootstrap().group(g).channel(Sv2Transport.socketChannelClass())
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
                        ch.pipeline().addLast("jdc-mining", c.new Handler(pinned == null, userIdentity,
                                nominalHashRate, minExtranonceSize));
                    }
                });
        b.connect(pool).addListener(f -> {
            if (!f.isSuccess()) {
                c.opened.completeExceptionally(new JdException("connect", f.cause().toString()));
                c.closeGroup();
            }
        });
        g.schedule(() -> c.opened.completeExceptionally(new JdException("timeout",
                "no OpenExtendedMiningChannel.Success within " + timeout)), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return c.opened.thenApply(s -> c).whenComplete((x, err) -> {
            if (err != null) {
                c.close();
            }
        });
    }

    /** The channel as granted (extranonce prefix, target follow SetExtranoncePrefix / SetTarget). */
    public ChannelInfo channelInfo() {
        return channelInfo;
    }

    /** Sends SetCustomMiningJob (its channel_id and request_id are replaced); completes with the .Success. */
    public CompletableFuture<SetCustomMiningJobSuccess> setCustomJob(SetCustomMiningJob j) {
        CompletableFuture<SetCustomMiningJobSuccess> f = new CompletableFuture<>();
        Channel ch = channel;
        ChannelInfo info = channelInfo;
        if (ch == null || !ch.isActive() || info == null) {
            f.completeExceptionally(new JdException("closed", "not connected to the pool"));
            return f;
        }
        int id = requestIds.incrementAndGet();
        SetCustomMiningJob m = new SetCustomMiningJob(info.channelId(), id, j.miningJobToken(), j.version(), j.prevHash(),
                j.minNtime(), j.nbits(), j.coinbaseTxVersion(), j.coinbasePrefix(), j.coinbaseTxInputNSequence(),
                j.coinbaseTxOutputs(), j.coinbaseTxLocktime(), j.merklePath());
        ch.eventLoop().execute(() -> {
            if (pending.size() >= MAX_PENDING) {
                f.completeExceptionally(new JdException("busy", MAX_PENDING + " requests in flight"));
                return;
            }
            pending.put(id, f);
            ch.writeAndFlush(m, ch.voidPromise());
            ch.eventLoop().schedule(() -> {
                if (pending.remove(id) != null) {
                    f.completeExceptionally(new JdException("timeout", "no SetCustomMiningJob answer within " + timeout));
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        });
        return f;
    }

    /**
     * Sends one share on the channel (sequence numbers assigned here). False when not connected, or when the
     * connection's outbound buffer is above its high-water mark (a pool that stopped reading: the share is dropped
     * rather than queued without bound).
     *
     * @param extranonce the rollable part (extranonce_size bytes)
     */
    public boolean submit(int jobId, int nonce, int ntime, int version, Bytes extranonce) {
        Channel ch = channel;
        ChannelInfo info = channelInfo;
        if (ch == null || !ch.isActive() || info == null || !ch.isWritable()) {
            return false;
        }
        sharesSent.incrementAndGet();
        ch.writeAndFlush(new SubmitSharesExtended(info.channelId(), sequence.incrementAndGet(), jobId, nonce, ntime,
                version, extranonce, List.of()), ch.voidPromise());
        return true;
    }

    public long sharesSent() {
        return sharesSent.get();
    }

    /** Shares the pool acknowledged (sum of SubmitShares.Success new_submits_accepted_count). */
    public long sharesAcked() {
        return sharesAcked.get();
    }

    public long sharesRejected() {
        return sharesRejected.get();
    }

    /** The last SubmitShares.Error code, or empty. */
    public String lastRejection() {
        return lastRejection;
    }

    public boolean connected() {
        Channel ch = channel;
        return ch != null && ch.isActive() && channelInfo != null;
    }

    /** Completes when the connection closed. */
    public CompletableFuture<Void> closed() {
        return closedFuture;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final boolean plaintext;
        private final String user;
        private final int minExtranonce;
        private final float hashRate;

        Handler(boolean plaintext, String user, float hashRate, int minExtranonce) {
            this.plaintext = plaintext;
            this.hashRate = hashRate;
            this.user = user;
            this.minExtranonce = minExtranonce;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            super.channelActive(ctx); // plaintext too: the frame decoder fires Completed.PLAINTEXT -> setup

        }

        private void setup(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new SetupConnection(0, 2, 2, REQUIRES_WORK_SELECTION | REQUIRES_VERSION_ROLLING, "", 0,
                    "hyperhash", "", "hh-jdc", ""));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) {
                setup(ctx);
                return;
            }
            if (evt instanceof Sv2ErrorEvent e) {
                LOG.debug("pool connection: {} {}", e.kind().label(), e.detail());
                opened.completeExceptionally(new JdException(e.kind().label(), e.detail()));
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            switch (msg) {
                case SetupConnectionSuccess s -> ctx.writeAndFlush(new OpenExtendedMiningChannel(1, user, hashRate,
                        Target.MAX, minExtranonce), ctx.voidPromise());
                case SetupConnectionError e -> {
                    opened.completeExceptionally(new JdException(e.errorCode(), "SetupConnection refused by the pool"));
                    ctx.close();
                }
                case OpenExtendedMiningChannelSuccess s -> {
                    if (s.extranonceSize() < minExtranonce) {
                        opened.completeExceptionally(new JdException("extranonce-too-small", "the pool granted "
                                + s.extranonceSize() + " rollable extranonce bytes, " + minExtranonce + " needed"));
                        ctx.close();
                        return;
                    }
                    channelInfo = new ChannelInfo(s.channelId(), s.extranoncePrefix(), s.extranonceSize(), s.target());
                    opened.complete(channelInfo);
                }
                case OpenMiningChannelError e -> {
                    opened.completeExceptionally(new JdException(e.errorCode(), "OpenExtendedMiningChannel refused"));
                    ctx.close();
                }
                case SetTarget t -> {
                    ChannelInfo i = channelInfo;
                    if (i != null && t.channelId() == i.channelId()) {
                        channelInfo = new ChannelInfo(i.channelId(), i.extranoncePrefix(), i.extranonceSize(),
                                t.maximumTarget());
                    }
                }
                case SetExtranoncePrefix p -> {
                    ChannelInfo i = channelInfo;
                    if (i != null && p.channelId() == i.channelId()) {
                        channelInfo = new ChannelInfo(i.channelId(), p.extranoncePrefix(), i.extranonceSize(), i.target());
                    }
                }
                case SetCustomMiningJobSuccess s -> {
                    CompletableFuture<SetCustomMiningJobSuccess> f = pending.remove(s.requestId());
                    if (f != null) {
                        f.complete(s);
                    }
                }
                case SetCustomMiningJobError e -> {
                    CompletableFuture<SetCustomMiningJobSuccess> f = pending.remove(e.requestId());
                    if (f != null) {
                        f.completeExceptionally(new JdException(e.errorCode(), "SetCustomMiningJob refused"));
                    }
                }
                case SubmitSharesSuccess s -> {
                    long n = s.newSubmitsAcceptedCount() & 0xffffffffL;
                    sharesAcked.addAndGet(n);
                    ShareListener l = shareListener;
                    if (l != null) {
                        l.acknowledged(n);
                    }
                }
                case SubmitSharesError e -> {
                    sharesRejected.incrementAndGet();
                    lastRejection = e.errorCode();
                    ShareListener l = shareListener;
                    if (l != null) {
                        l.rejected(e.errorCode());
                    }
                }
                default -> LOG.trace("ignored {}", msg.getClass().getSimpleName());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            JdException closedEx = new JdException("closed", "pool connection closed");
            opened.completeExceptionally(closedEx);
            for (CompletableFuture<SetCustomMiningJobSuccess> f : List.copyOf(pending.values())) {
                f.completeExceptionally(closedEx);
            }
            pending.clear();
            closedFuture.complete(null);
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("pool connection: {}", cause.toString());
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
