package org.hyperhash.pool.downstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.Targets;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.admin.PoolMetrics.ChannelKind;
import org.hyperhash.pool.admin.PoolMetrics.Drop;
import org.hyperhash.pool.identity.MinerIdentity;
import org.hyperhash.pool.identity.UserIdentityParser.InvalidIdentityException;
import org.hyperhash.pool.share.ShareLog;
import org.hyperhash.pool.upstream.BitcoindBlockSubmitter;
import org.hyperhash.pool.work.JobDispatcher;
import org.hyperhash.pool.work.JobDispatcher.NewJob;
import org.hyperhash.pool.work.JobDispatcher.NewTip;
import org.hyperhash.pool.work.JobDispatcher.TemplateJob;
import org.hyperhash.pool.work.JobDispatcher.Work;
import org.hyperhash.sv2.channel.ChainTip;
import org.hyperhash.sv2.channel.ChannelOpenException;
import org.hyperhash.sv2.channel.ExtendedChannel;
import org.hyperhash.sv2.channel.GroupChannel;
import org.hyperhash.sv2.channel.JobTemplate;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.sv2.channel.ServerChannel;
import org.hyperhash.sv2.channel.ShareResult;
import org.hyperhash.sv2.channel.StandardChannel;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.Tlv;
import org.hyperhash.sv2.message.common.Reconnect;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.extensions.ExtensionNegotiation;
import org.hyperhash.sv2.message.extensions.RequestExtensions;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.CloseChannel;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.SetCustomMiningJob;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobError;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.message.mining.UpdateChannel;
import org.hyperhash.sv2.message.mining.UpdateChannelError;
import org.hyperhash.sv2.netty.IdleSweeper;
import org.hyperhash.sv2.netty.NonUtf8Message;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.UnknownFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One miner connection: SetupConnection, channels, share validation and acks. Every field is
 * confined to the connection's event loop (no locks on the share path); the share itself is
 * validated by the channel module, this class only routes results. Outbound messages are encoded
 * into one per-connection frame buffer and written once per {@link #flush()} (one pipeline pass,
 * one outbound entry and, with Noise, one encryption buffer per batch).
 */
@HotPath
public final class DownstreamHandler extends ChannelInboundHandlerAdapter
        implements JobDispatcher.Session, IdleSweeper.Member, SharedBatch.Writer {
    private static final Logger LOG = LoggerFactory.getLogger(DownstreamHandler.class);
    /**
     * Pool-wide, one line per second for found blocks: a mainnet pool finds a block every few days or years, so every
     * one is logged, while regtest or devnet (every share can be a block) would otherwise write a line per share from
     * the event loops; the next line says how many were held back. Every block is still submitted, counted
     * ({@code hh_pool_blocks_found_total}) and recorded in the ledger (ShareLog logs each batch).
     */
    private static final org.hyperhash.daemon.LogLimiter BLOCK_LOG =
            new org.hyperhash.daemon.LogLimiter(LOG, java.time.Duration.ofSeconds(1));
    /** SetupConnection flag bits (client, mining protocol). */
    static final int REQUIRES_STANDARD_JOBS = 1;
    static final int REQUIRES_WORK_SELECTION = 1 << 1;
    static final int REQUIRES_VERSION_ROLLING = 1 << 2;
    static final int KNOWN_FLAGS = REQUIRES_STANDARD_JOBS | REQUIRES_WORK_SELECTION | REQUIRES_VERSION_ROLLING;
    static final int PROTOCOL_VERSION = 2;
    /** OpenMiningChannel.Error while the pool has no template provider. */
    static final String NO_WORK = "no-work-available";
    static final String TOO_MANY_CHANNELS = "too-many-channels";
    /** Extensions the pool implements besides 0x0001 itself. */
    static final java.util.Set<Integer> SUPPORTED_EXTENSIONS = java.util.Set.of(ExtensionNegotiation.WORKER_HASHRATE_TRACKING);
    /** Distinct user_identity TLV worker names per connection; further names credit the channel's worker. */
    static final int MAX_TLV_WORKERS_PER_CONNECTION = 1024;

    private final PoolContext px;
    private final PoolMetrics metrics;
    private final InetAddress ip;
    private final IdleSweeper idle;
    /** For {@link IdleSweeper}: when the last read completed, and this connection's slot in its loop's sweep. */
    private long lastReadNanos;
    private int idleSlot = -1;
    private Channel channel;
    /**
     * Where {@link #flush()} writes a plaintext batch: the codec's context, so the (already encoded) frames start at
     * the head. A write on the channel walks the tail, this handler's context and MessageCodecHandler, which passes a
     * ByteBuf through untouched: three more per-connection objects touched per session per block on the fan-out
     * (the context write's self time fell from 0.84 to 0.15 us per miner, bench/README.md, stdjob). Null (write on
     * the channel) for Noise connections and pipelines without a codec.
     */
    private ChannelHandlerContext out;
    private boolean setupDone;
    private boolean standardJobsOnly;
    /** Extension 0x0002 negotiated: SubmitSharesExtended may carry a user_identity TLV naming the worker. */
    private boolean workerTracking;
    /** Worker names seen in user_identity TLVs on this connection (at most MAX_TLV_WORKERS_PER_CONNECTION). */
    private java.util.HashSet<String> tlvWorkers;
    /** REQUIRES_WORK_SELECTION negotiated: SetCustomMiningJob allowed (extended channels only, never grouped). */
    private boolean workSelection;
    private boolean closed;
    private boolean dirty;
    private int nextChannelId = 1;
    private GroupChannel group;
    /**
     * The open channels by id, only once there are {@link #MAP_FROM} or more (a proxy's connection; up to
     * limits.max-channels-per-connection): below that {@link #chans} is searched, which saves the map's
     * ~180 bytes on every single-channel miner connection.
     */
    private HashMap<Integer, ChannelState> channels;
    static final int MAP_FROM = 8;
    /**
     * Every open channel's state ({@link #nChans} of them, in opening order), for allocation-free iteration on the
     * fan-out path. An array rather than an ArrayList: the fan-out reaches a connection's channels through one object
     * less per block (the list and its array were ~5% of the pass's samples in a profile at 10k miners, bench/README.md
     * plainbatch), and a connection has no list object.
     */
    private ChannelState[] chans = NO_CHANNELS;
    private int nChans;
    private static final ChannelState[] NO_CHANNELS = new ChannelState[0];
    private ByteBuf batch;
    /**
     * Fan-out: while >= 0, {@link #batch} is the event loop's shared chunk ({@link SharedBatch}) and this
     * connection's frames are its bytes from here to {@link #batchTo}, or to its writer index while this connection is
     * the chunk's last writer ({@code batchTo < 0}); the connection holds one reference to the chunk for them.
     */
    private int batchFrom = -1;
    private int batchTo = -1;
    /** Inside {@link #onWork}: a batch opened now goes into the loop's shared chunk ({@link #shared()}). */
    private boolean fanOut;
    private boolean heapBatch;
    private Work view;
    private ScheduledFuture<?> setupTimer;
    private long invalidWindowStartMs;
    private int invalidInWindow;
    /** Shares the share log refused (back-pressure), allocated at the first one. */
    private ArrayDeque<ShareLog.Share> held;
    private boolean retryScheduled;

    /** Per channel: the channel, who it credits, its vardiff. */
    static final class ChannelState {
        final ServerChannel ch;
        final MinerIdentity id;
        final ChannelKind kind;
        final boolean grouped;
        final ChannelDifficulty vardiff;
        /** {@code id.solo()}, kept here: the fan-out reads it per channel per block, and the identity is one more object. */
        final boolean solo;

        ChannelState(ServerChannel ch, MinerIdentity id, ChannelKind kind, boolean grouped, ChannelDifficulty vardiff) {
            this.ch = ch;
            this.id = id;
            this.solo = id.solo();
            this.kind = kind;
            this.grouped = grouped;
            this.vardiff = vardiff;
        }
    }

    DownstreamHandler(PoolContext px, InetAddress ip, IdleSweeper idle) {
        this.px = px;
        this.metrics = px.metrics();
        this.ip = ip;
        this.idle = idle;
    }

    // ---- read-idle timeout (IdleSweeper) ----

    @Override
    public long lastReadNanos() {
        return lastReadNanos;
    }

    @Override
    public int idleSlot() {
        return idleSlot;
    }

    @Override
    public void idleSlot(int slot) {
        idleSlot = slot;
    }

    @Override
    public void idleTimeout() {
        if (channel.isActive()) {
            metrics.dropped(Drop.IDLE_TIMEOUT);
            channel.close();
        }
    }

    /** The channel with {@code id}, or null. */
    private ChannelState channel(int id) {
        if (channels != null) {
            return channels.get(id);
        }
        for (int i = 0, n = nChans; i < n; i++) {
            ChannelState s = chans[i];
            if (s.ch.channelId() == id) {
                return s;
            }
        }
        return null;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        lastReadNanos = idle.nanoTime();
        idle.add(ctx.executor(), this);
        heapBatch = ctx.pipeline().get(Sv2Pipeline.NOISE) != null; // NoiseHandler encrypts from the backing array
        // plaintext only: with Noise the write cost is NoiseHandler's and the shortcut showed no gain in the profile
        // (2.76 vs 2.70 us per miner), while that A/B's last miner came later in every Noise rep (not explained at
        // load 8-13, bench/README.md stdjob): Noise connections keep the channel write
        out = heapBatch ? null : ctx.pipeline().context(Sv2Pipeline.CODEC);
        metrics.connections.incrementAndGet();
        metrics.handshakes.increment();
        long ms = px.config().sv2().handshakeTimeout().toMillis();
        setupTimer = ctx.executor().schedule(() -> {
            if (!setupDone) {
                metrics.dropped(Drop.SETUP_TIMEOUT);
                ctx.close();
            }
        }, ms, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        idle.remove(ctx.executor(), this);
        releaseBatch();
        metrics.connections.decrementAndGet();
        if (!setupDone) {
            metrics.handshakeFailures.increment();
        }
        if (setupTimer != null) {
            setupTimer.cancel(false);
            setupTimer = null;
        }
        if (setupDone) {
            px.dispatcher().unregister(ctx.channel().eventLoop(), this);
        }
        for (int i = 0, n = nChans; i < n; i++) {
            ChannelState s = chans[i];
            s.ch.close();
            metrics.channels(s.kind).decrementAndGet();
        }
        channels = null;
        java.util.Arrays.fill(chans, 0, nChans, null);
        nChans = 0;
        if (group != null) {
            metrics.channels(ChannelKind.GROUP).decrementAndGet();
            group = null;
        }
        px.guard().release(ip);
        if (held != null && !held.isEmpty()) {
            px.shareLog().handOff(new ArrayList<>(held));
            held.clear();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long readNanos = System.nanoTime();
        if (closed) {
            return; // after SetupConnection.Error: pipelined messages are not violations
        }
        try {
            if (!setupDone && !(msg instanceof SetupConnection)
                    && !(msg instanceof NonUtf8Message n && n.message() instanceof SetupConnection)) {
                violation(ctx, "first message " + msg.getClass().getSimpleName() + " is not SetupConnection");
                return;
            }
            switch (msg) {
                case SubmitSharesStandard s -> onSubmitStandard(s, readNanos);
                case SubmitSharesExtended s -> onSubmitExtended(s, readNanos);
                case SetupConnection s -> onSetupConnection(s);
                case OpenStandardMiningChannel o -> onOpenStandard(o);
                case OpenExtendedMiningChannel o -> onOpenExtended(o);
                case UpdateChannel u -> onUpdateChannel(u);
                case CloseChannel c -> onCloseChannel(c);
                case SetCustomMiningJob j -> onSetCustomMiningJob(j);
                case RequestExtensions r -> onRequestExtensions(r);
                case NonUtf8Message n -> onNonUtf8(ctx, n);
                case UnknownFrame u -> {
                    // unknown extension or message: ignored (spec); not a violation
                }
                default -> violation(ctx, "unexpected " + msg.getClass().getSimpleName());
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: closing after internal error handling {}: {}", ip.getHostAddress(),
                    msg.getClass().getSimpleName(), e.toString());
            metrics.protocolError(Sv2ErrorEvent.Kind.INTERNAL_ERROR);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // every socket read ends here (the Noise and codec handlers pass it on, also mid-frame and during the
        // handshake), as IdleStateHandler counted reads
        lastReadNanos = idle.nanoTime();
        flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof Sv2ErrorEvent e) {
            metrics.protocolError(e.kind());
            if (e.kind() != Sv2ErrorEvent.Kind.HANDSHAKE_TIMEOUT && e.kind() != Sv2ErrorEvent.Kind.INTERNAL_ERROR) {
                px.guard().violation(ip);
            }
            LOG.debug("{}: {} {}", ip.getHostAddress(), e.kind().label(), e.detail());
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (!ctx.channel().isWritable() && !closed) {
            // outbound buffer above the high-water mark: this miner does not read; it must not hold others back
            metrics.dropped(Drop.SLOW_CONSUMER);
            LOG.info("{}: slow consumer disconnected ({} bytes queued)", ip.getHostAddress(),
                    ctx.channel().unsafe().outboundBuffer() == null ? -1
                            : ctx.channel().unsafe().outboundBuffer().totalPendingWriteBytes());
            ctx.close();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{}: {}", ip.getHostAddress(), cause.toString());
        ctx.close();
    }

    // ---- setup and channels (cold path) ----

    private void violation(ChannelHandlerContext ctx, String what) {
        closed = true;
        metrics.dropped(Drop.PROTOCOL_VIOLATION);
        LOG.debug("{}: protocol violation: {}", ip.getHostAddress(), what);
        px.guard().violation(ip);
        ctx.close();
    }

    private void onSetupConnection(SetupConnection s) {
        if (setupDone) {
            violation(channel.pipeline().lastContext(), "second SetupConnection");
            return;
        }
        String error = null;
        int badFlags = 0;
        if (s.protocol() != 0) {
            error = "unsupported-protocol";
        } else if (s.minVersion() > PROTOCOL_VERSION || s.maxVersion() < PROTOCOL_VERSION) {
            error = "protocol-version-mismatch";
        } else {
            badFlags = s.flags() & ~KNOWN_FLAGS;
            if ((s.flags() & REQUIRES_WORK_SELECTION) != 0 && (!px.config().sv2().allowWorkSelection() || px.jds() == null)) {
                badFlags |= REQUIRES_WORK_SELECTION;
            }
            if (badFlags != 0) {
                error = "unsupported-feature-flags";
            }
        }
        if (error != null) {
            metrics.dropped(Drop.SETUP_ERROR);
            channel.writeAndFlush(new SetupConnectionError(badFlags, error))
                    .addListener(f -> channel.close());
            closed = true;
            return;
        }
        setupDone = true;
        standardJobsOnly = (s.flags() & REQUIRES_STANDARD_JOBS) != 0;
        workSelection = (s.flags() & REQUIRES_WORK_SELECTION) != 0;
        setupTimer.cancel(false);
        setupTimer = null; // the cancelled task (and its lambda) would otherwise stay reachable for the connection's life
        write(new SetupConnectionSuccess(PROTOCOL_VERSION, 0));
        px.dispatcher().register(channel.eventLoop(), this);
        view = px.dispatcher().work();
    }

    /** Extension 0x0001: answered (Success with what the pool supports, or Error), never a violation. */
    private void onRequestExtensions(RequestExtensions r) {
        Sv2Message answer = ExtensionNegotiation.answer(r, SUPPORTED_EXTENSIONS);
        workerTracking = ExtensionNegotiation.agreed(answer).contains(ExtensionNegotiation.WORKER_HASHRATE_TRACKING);
        LOG.debug("{}: RequestExtensions {} -> {}", ip.getHostAddress(), r.requestedExtensions(), answer);
        write(answer);
    }

    /**
     * A message with a STR0_255 that is not UTF-8 (SRI carries raw bytes): answered with its own error, the
     * connection stays. SetupConnection's strings are informational: it is processed as decoded.
     */
    private void onNonUtf8(ChannelHandlerContext ctx, NonUtf8Message n) {
        metrics.nonUtf8Messages.increment();
        LOG.debug("{}: {} field {} is not UTF-8", ip.getHostAddress(), n.message().type().specName(), n.field());
        switch (n.message()) {
            case OpenStandardMiningChannel o when setupDone -> openError(o.requestId(),
                    org.hyperhash.pool.identity.UserIdentityParser.INVALID_USER_IDENTITY);
            case OpenExtendedMiningChannel o when setupDone -> openError(o.requestId(),
                    org.hyperhash.pool.identity.UserIdentityParser.INVALID_USER_IDENTITY);
            case SetupConnection s -> onSetupConnection(s);
            default -> violation(ctx, "unexpected " + n.message().type().specName());
        }
    }

    private boolean checkCanOpen(int requestId) {
        if (!setupDone) {
            violation(channel.pipeline().lastContext(), "OpenMiningChannel before SetupConnection");
            return false;
        }
        if (nChans >= px.config().limits().maxChannelsPerConnection()) {
            openError(requestId, TOO_MANY_CHANNELS);
            return false;
        }
        if (!px.dispatcher().upstreamConnected() || view == null || !view.usable()) {
            openError(requestId, NO_WORK);
            return false;
        }
        return true;
    }

    private void openError(int requestId, String code) {
        metrics.openChannelErrors.increment();
        write(new OpenMiningChannelError(requestId, code));
    }

    private MinerIdentity identity(int requestId, String userIdentity) {
        try {
            return px.identities().parse(userIdentity);
        } catch (InvalidIdentityException e) {
            LOG.debug("{}: {}", ip.getHostAddress(), e.getMessage());
            openError(requestId, e.errorCode());
            return null;
        }
    }

    private GroupChannel groupFor(MinerIdentity id) {
        if (standardJobsOnly || workSelection || id.solo()) {
            return null; // solo channels have their own coinbase: they cannot share group jobs
        }
        if (group == null) {
            group = new GroupChannel(nextChannelId++, px.channelConfig());
            metrics.channels(ChannelKind.GROUP).incrementAndGet();
        }
        return group;
    }

    private void onOpenStandard(OpenStandardMiningChannel o) {
        if (!checkCanOpen(o.requestId())) {
            return;
        }
        if (workSelection) {
            openError(o.requestId(), "standard-channels-not-supported-for-custom-work");
            return;
        }
        MinerIdentity id = identity(o.requestId(), o.userIdentity());
        if (id == null) {
            return;
        }
        GroupChannel g = groupFor(id);
        StandardChannel ch;
        try {
            ch = StandardChannel.open(o, nextChannelId, px.allocator(), px.channelConfig(), g);
        } catch (ChannelOpenException e) {
            openError(o.requestId(), e.errorCode());
            return;
        }
        nextChannelId++;
        write(ch.openSuccess(o.requestId()));
        started(ch, id, ChannelKind.STANDARD, g != null);
    }

    private void onOpenExtended(OpenExtendedMiningChannel o) {
        if (!checkCanOpen(o.requestId())) {
            return;
        }
        if (standardJobsOnly) {
            openError(o.requestId(), "extended-channels-not-supported-for-standard-jobs");
            return;
        }
        MinerIdentity id = identity(o.requestId(), o.userIdentity());
        if (id == null) {
            return;
        }
        GroupChannel g = groupFor(id);
        ExtendedChannel ch;
        try {
            ch = ExtendedChannel.open(o, nextChannelId, px.allocator(), px.channelConfig(), g);
        } catch (ChannelOpenException e) {
            openError(o.requestId(), e.errorCode());
            return;
        }
        nextChannelId++;
        write(ch.openSuccess(o.requestId()));
        started(ch, id, ChannelKind.EXTENDED, g != null);
    }

    private void started(ServerChannel ch, MinerIdentity id, ChannelKind kind, boolean grouped) {
        ChannelDifficulty vd = px.vardiff() == null ? null : new ChannelDifficulty(px.vardiff(), px.clock(), ch);
        ChannelState st = new ChannelState(ch, id, kind, grouped, vd);
        if (nChans == chans.length) {
            chans = java.util.Arrays.copyOf(chans, Math.max(1, 2 * nChans));
        }
        chans[nChans++] = st;
        if (channels != null) {
            channels.put(ch.channelId(), st);
        } else if (nChans >= MAP_FROM) {
            channels = new HashMap<>(MAP_FROM * 4);
            for (int i = 0, n = nChans; i < n; i++) {
                channels.put(chans[i].ch.channelId(), chans[i]);
            }
        }
        metrics.channels(kind).incrementAndGet();
        JobTemplate active = px.dispatcher().jobFor(view.active(), id);
        writeAll(ch.start(active, view.tip()), active);
        for (TemplateJob f : view.futures()) {
            JobTemplate jt = px.dispatcher().jobFor(f, id);
            ch.onNewTemplate(jt).ifPresent(m -> writeJob(m, jt));
        }
        if (vd != null) {
            vd.initial().ifPresent(this::write); // initial target clamped into the vardiff range
        }
    }

    /** SetCustomMiningJob: checked against its declared job and the pool's chain tip (CustomJobs), then mined on. */
    private void onSetCustomMiningJob(SetCustomMiningJob j) {
        org.hyperhash.pool.jds.JobDeclarator jds = px.jds();
        if (!workSelection || jds == null) {
            customJobError(j, org.hyperhash.pool.jds.JdsMetrics.CustomJob.JD_NOT_SUPPORTED, "work selection not negotiated");
            return;
        }
        ChannelState st = channel(j.channelId());
        if (st == null || !(st.ch instanceof ExtendedChannel ec)) {
            customJobError(j, org.hyperhash.pool.jds.JdsMetrics.CustomJob.INVALID_CHANNEL_ID, "no extended channel");
            return;
        }
        ChainTip tip = view == null ? null : view.tip();
        switch (org.hyperhash.pool.jds.CustomJobs.check(j, jds.tokens(), tip, ec.fullExtranonceSize(),
                px.clock().instant(), px.channelConfig().maxNtimeAheadSeconds())) {
            case org.hyperhash.pool.jds.CustomJobs.Refused r -> customJobError(j, r.reason(), r.detail());
            case org.hyperhash.pool.jds.CustomJobs.Accepted a -> {
                int jobId = ec.addCustomJob(a.template(), a.tip());
                jds.metrics().customJob(org.hyperhash.pool.jds.JdsMetrics.CustomJob.ACCEPTED);
                write(new org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess(j.channelId(), j.requestId(), jobId));
            }
        }
    }

    private void customJobError(SetCustomMiningJob j, org.hyperhash.pool.jds.JdsMetrics.CustomJob reason, String detail) {
        if (px.jds() != null) {
            px.jds().metrics().customJob(reason);
        }
        LOG.debug("{}: SetCustomMiningJob refused: {} ({})", ip.getHostAddress(), reason.code(), detail);
        write(new SetCustomMiningJobError(j.channelId(), j.requestId(), reason.code()));
    }

    private void onUpdateChannel(UpdateChannel u) {
        ChannelState st = channel(u.channelId());
        if (st == null) {
            write(new UpdateChannelError(u.channelId(), "invalid-channel-id"));
            return;
        }
        Optional<Sv2Message> r = st.ch.onUpdateChannel(u);
        if (r.isPresent()) {
            write(r.get());
            if (st.vardiff != null && !(r.get() instanceof UpdateChannelError)) {
                st.vardiff.restart();
            }
        }
    }

    private void onCloseChannel(CloseChannel c) {
        if (group != null && c.channelId() == group.groupChannelId()) {
            for (ServerChannel m : List.copyOf(group.members())) {
                closeChannel(m.channelId());
            }
            return;
        }
        closeChannel(c.channelId());
    }

    private void closeChannel(int channelId) {
        ChannelState st = channel(channelId);
        if (st == null) {
            return; // closing an unknown channel is harmless
        }
        if (channels != null) {
            channels.remove(channelId);
        }
        for (int i = 0; i < nChans; i++) {
            if (chans[i] == st) {
                System.arraycopy(chans, i + 1, chans, i, nChans - i - 1);
                chans[--nChans] = null;
                break;
            }
        }
        if (st.grouped && group != null) {
            group.remove(st.ch);
        }
        st.ch.close();
        metrics.channels(st.kind).decrementAndGet();
    }

    // ---- shares (hot path) ----

    private void onSubmitStandard(SubmitSharesStandard s, long readNanos) {
        ChannelState st = channel(s.channelId());
        if (st == null || !(st.ch instanceof StandardChannel sc)) {
            rejected(st, s.channelId(), s.sequenceNumber(), RejectReason.INVALID_CHANNEL_ID.result());
            return;
        }
        ShareResult r = sc.onShare(s, px.clock().instant());
        handle(st, r, s.channelId(), s.sequenceNumber(), readNanos);
        observe(st, r, s.version(), s.ntime(), s.nonce());
    }

    private void onSubmitExtended(SubmitSharesExtended s, long readNanos) {
        ChannelState st = channel(s.channelId());
        if (st == null || !(st.ch instanceof ExtendedChannel ec)) {
            rejected(st, s.channelId(), s.sequenceNumber(), RejectReason.INVALID_CHANNEL_ID.result());
            return;
        }
        String worker = s.tlvs().isEmpty() ? st.id.worker() : tlvWorker(st, s.tlvs());
        ShareResult r = ec.onShare(s, px.clock().instant());
        handle(st, r, s.channelId(), s.sequenceNumber(), readNanos, worker);
        observe(st, r, s.version(), s.ntime(), s.nonce());
    }

    /**
     * Extension 0x0002: the worker named by the share's user_identity TLV (credited under the channel's address),
     * or the channel's own worker when the extension was not negotiated, the TLV is absent, oversized (> 32 bytes),
     * not UTF-8, not a valid worker name, or the connection already named {@link #MAX_TLV_WORKERS_PER_CONNECTION}
     * workers. Unexpected TLVs are ignored (spec), counted in hh_pool_tlv_ignored_total; never fatal.
     */
    private String tlvWorker(ChannelState st, List<Tlv> tlvs) {
        String found = null;
        for (int i = 0, n = tlvs.size(); i < n; i++) {
            Tlv t = tlvs.get(i);
            if (!workerTracking || t.extensionType() != Tlv.EXT_WORKER_HASHRATE || t.fieldType() != Tlv.FIELD_USER_IDENTITY
                    || found != null) {
                metrics.tlvIgnored.increment();
                continue;
            }
            String name = org.hyperhash.pool.identity.WorkerNames.fromTlv(t.value());
            if (name == null) {
                metrics.tlvIgnored.increment();
                continue;
            }
            if (tlvWorkers == null) {
                tlvWorkers = new java.util.HashSet<>();
            }
            if (!tlvWorkers.contains(name)) {
                if (tlvWorkers.size() >= MAX_TLV_WORKERS_PER_CONNECTION) {
                    metrics.workersRefused.increment();
                    continue;
                }
                tlvWorkers.add(name);
            }
            found = name;
        }
        return found != null ? found : st.id.worker();
    }

    /** A Hyper Node's share observer (forwarding upstream) sees accepted shares and blocks. */
    private void observe(ChannelState st, ShareResult r, int version, int ntime, int nonce) {
        JobDispatcher.ShareObserver o = px.dispatcher().shareObserver();
        if (o != null && !(r instanceof ShareResult.Rejected)) {
            o.onAccepted(st.ch, version, ntime, nonce);
        }
    }

    private void handle(ChannelState st, ShareResult r, int channelId, int seq, long readNanos) {
        handle(st, r, channelId, seq, readNanos, st.id.worker());
    }

    private void handle(ChannelState st, ShareResult r, int channelId, int seq, long readNanos, String worker) {
        switch (r) {
            case ShareResult.Accepted a -> accepted(st, a.difficulty(), a.ack(), worker, a.hashDifficulty());
            case ShareResult.BlockFound b -> {
                blockFound(st, b, readNanos);
                accepted(st, b.difficulty(), b.ack(), worker, Targets.hashDifficulty(b.blockHash().unsafeWireBytes()));
            }
            case ShareResult.Rejected rej -> rejected(st, channelId, seq, rej, worker);
        }
    }

    private void accepted(ChannelState st, double difficulty, SubmitSharesSuccess ack, String worker, double hashDifficulty) {
        metrics.sharesAccepted.increment();
        metrics.workAccepted.increment(difficulty);
        px.stats().accepted(st.id.address(), worker, difficulty);
        if ((held != null && !held.isEmpty()) || !px.shareLog().offerShare(st.id.address(), worker, difficulty, hashDifficulty)) {
            hold(new ShareLog.Share(st.id.address(), worker, difficulty, px.clock().millis(), hashDifficulty));
        }
        if (ack != null) {
            write(ack);
        }
        if (st.vardiff != null) {
            Optional<SetTarget> t = st.vardiff.onAccepted(difficulty);
            if (t.isPresent()) {
                write(t.get());
                if (st.vardiff.lastChangeRateLimited()) {
                    metrics.shareRateLimited.increment();
                }
            }
        }
    }

    private void rejected(ChannelState st, int channelId, int seq, ShareResult.Rejected r) {
        rejected(st, channelId, seq, r, st == null ? null : st.id.worker());
    }

    private void rejected(ChannelState st, int channelId, int seq, ShareResult.Rejected r, String worker) {
        metrics.rejected(r.reason());
        if (st != null) {
            px.stats().rejected(st.id.address(), st.id.worker());
            // per-worker statistics in the ledger (web page); the reason set is the bounded RejectReason enum
            px.shareLog().offerReject(st.id.address(), worker, PoolMetrics.reasonLabel(r.reason()));
        }
        write(new SubmitSharesError(channelId, seq, r.errorCode()));
        if (r.reason() != RejectReason.STALE_SHARE) {
            long now = px.clock().millis();
            if (now - invalidWindowStartMs > px.config().limits().banWindow().toMillis()) {
                invalidWindowStartMs = now;
                invalidInWindow = 0;
            }
            if (++invalidInWindow >= px.config().limits().banInvalidShares()) {
                LOG.debug("{}: banned after {} invalid shares", ip.getHostAddress(), invalidInWindow); // AbuseGuard logs the ban at INFO (rate-limited)
                px.guard().ban(ip);
                metrics.dropped(Drop.PROTOCOL_VIOLATION);
                flush();
                closed = true; // shares pipelined behind this one are not processed (nor banned again)
                channel.close();
            }
        }
    }

    private void blockFound(ChannelState st, ShareResult.BlockFound b, long readNanos) {
        metrics.blocksFound.increment();
        org.hyperhash.pool.jds.JobTokens.Declared declared = px.jds() == null ? null
                : px.jds().tokens().byTemplateId(b.templateId());
        if (declared != null) {
            customBlockFound(st, b, declared, readNanos);
            return;
        }
        TemplateJob tj = px.dispatcher().template(b.templateId());
        String hash = b.blockHash().toDisplayHex();
        if (px.blockSubmitter() != null) {
            // before SubmitSolution: its RequestTransactionData must reach the TP while the template is current
            px.blockSubmitter().submit(new BitcoindBlockSubmitter.Found(hash, b.header(), b.coinbaseTx(), b.templateId(),
                    tj == null || !tj.template().merklePath().isEmpty(), readNanos), px.upstream());
        }
        boolean sent = px.upstream().submitSolution(b.toSubmitSolution());
        long latency = System.nanoTime() - readNanos;
        metrics.blockFoundLatency.record(latency, TimeUnit.NANOSECONDS);
        if (!sent) {
            metrics.blocksSubmitFailed.increment();
        }
        long height = tj == null ? 0 : tj.height();
        long reward = tj == null ? 0 : tj.template().coinbaseTxValueRemaining();
        double netDiff = Math.max(Double.MIN_VALUE, Targets.toDifficulty(CompactBits.toTarget(b.nbits())));
        BLOCK_LOG.info("block-found", "BLOCK FOUND {} height {} by {}{} ({}): SubmitSolution {} after {} us", hash, height,
                st.id.solo() ? "solo " : "", st.id.address(), st.id.worker(), sent ? "sent" : "NOT SENT (no TP)",
                latency / 1000);
        long now = px.clock().millis();
        px.shareLog().recordBlock(new FoundBlock(hash, height, now, px.config().instanceName(), st.id.address(),
                st.id.worker(), reward, netDiff, BlockStatus.SUBMITTED,
                sent ? "sent to template provider " + px.upstream().describe() : "no template provider connected", now));
    }

    /**
     * A block on a custom job: its template is the client's, so it is not the TP's to submit by template id; the pool
     * rebuilds it from the declared transactions and submits it to bitcoind when configured (the client's own node
     * publishes it too). Recorded in found_blocks like any block.
     */
    private void customBlockFound(ChannelState st, ShareResult.BlockFound b, org.hyperhash.pool.jds.JobTokens.Declared d,
            long readNanos) {
        String hash = b.blockHash().toDisplayHex();
        boolean submitted = px.blockSubmitter() != null;
        if (submitted) {
            px.blockSubmitter().submitWithTransactions(new BitcoindBlockSubmitter.Found(hash, b.header(), b.coinbaseTx(),
                    b.templateId(), false, readNanos), d.transactions());
        }
        long reward = d.coinbase().outputs().stream().mapToLong(o -> o.valueSats()).sum();
        double netDiff = Math.max(Double.MIN_VALUE, Targets.toDifficulty(CompactBits.toTarget(b.nbits())));
        BLOCK_LOG.info("block-found-custom", "BLOCK FOUND {} height {} on a custom job declared by {} (credited to {}{}): {}", hash,
                JobDispatcher.bip34Height(d.coinbase().scriptSigPrefix()), d.userIdentifier(),
                st.id.address(), st.id.worker(), submitted ? "submitblock to bitcoind" : "published by the client's node");
        long now = px.clock().millis();
        long height = JobDispatcher.bip34Height(d.coinbase().scriptSigPrefix());
        px.shareLog().recordBlock(new FoundBlock(hash, height, now, px.config().instanceName(), st.id.address(),
                st.id.worker(), reward, netDiff, BlockStatus.SUBMITTED,
                submitted ? "custom job; submitblock to bitcoind" : "custom job; published by the declaring client", now));
    }

    /** Back-pressure: keep the share, stop reading this connection, retry from the event loop. */
    private void hold(ShareLog.Share h) {
        if (held == null) {
            held = new ArrayDeque<>();
        }
        held.addLast(h);
        channel.config().setAutoRead(false);
        if (!retryScheduled) {
            retryScheduled = true;
            channel.eventLoop().schedule(this::retryHeld, 5, TimeUnit.MILLISECONDS);
        }
    }

    private void retryHeld() {
        retryScheduled = false;
        if (closed) {
            return;
        }
        while (held != null && !held.isEmpty()) {
            ShareLog.Share h = held.peekFirst();
            if (!px.shareLog().offer(h)) {
                retryScheduled = true;
                channel.eventLoop().schedule(this::retryHeld, 5, TimeUnit.MILLISECONDS);
                return;
            }
            held.pollFirst();
        }
        channel.config().setAutoRead(true);
    }

    // ---- work fan-out (on this loop, from JobDispatcher) ----

    @Override
    public void onWork(JobDispatcher.WorkUpdate u) {
        if (closed || view == null || u.seq() <= view.seq()) {
            return;
        }
        fanOut = true; // the drain flushes every session it gave work to, right after the pass
        try {
            switch (u) {
                case NewJob nj -> onNewJob(nj);
                case NewTip nt -> onNewTip(nt);
            }
        } finally {
            fanOut = false;
        }
    }

    private void onNewJob(NewJob nj) {
        TemplateJob tj = nj.job();
        view = nj.work(); // the dispatcher's snapshot after this update: nothing to copy per session
        if (group != null) {
            group.onNewTemplate(tj.pooled()).ifPresent(m -> writeJob(m, tj.pooled()));
        }
        for (int i = 0, n = nChans; i < n; i++) {
            ChannelState st = chans[i];
            if (!st.grouped) {
                JobTemplate jt = st.solo ? px.dispatcher().jobFor(tj, st.id) : tj.pooled(); // as jobFor
                ByteBuf b = batchForWrite();
                int mark = b.writerIndex();
                try {
                    // the frame goes straight into the batch: no message, Optional or lambda per channel per block
                    dirty |= st.ch.onNewTemplate(jt, b);
                } catch (RuntimeException e) {
                    b.writerIndex(mark); // keep the batch a sequence of whole frames
                    throw e;
                }
            }
        }
        releaseIfUnused();
    }

    private void onNewTip(NewTip nt) {
        view = nt.work();
        ChainTip tip = nt.tip();
        if (workSelection) {
            for (int i = 0, n = nChans; i < n; i++) {
                if (chans[i].ch instanceof ExtendedChannel ec) {
                    ec.dropCustomJobsNotOn(tip.prevHash()); // shares on the old chain are stale
                }
            }
        }
        if (group != null) {
            group.onSetNewPrevHash(tip).forEach(this::write);
        }
        for (int i = 0, n = nChans; i < n; i++) {
            ChannelState st = chans[i];
            if (!st.grouped) {
                ByteBuf b = batchForWrite();
                int mark = b.writerIndex();
                boolean written;
                try {
                    written = st.ch.onSetNewPrevHash(tip, b);
                } catch (RuntimeException e) {
                    b.writerIndex(mark);
                    throw e;
                }
                if (written) {
                    dirty = true;
                    continue;
                }
            } else if (st.ch.jobs().active() != null) {
                continue; // told by the group's SetNewPrevHash or its own (GroupChannel.onSetNewPrevHash)
            }
            // no future job for this tip on the channel: start it on the activated template
            JobTemplate jt = px.dispatcher().jobFor(nt.activated(), st.id);
            writeAll(st.ch.start(jt, tip), jt);
        }
        releaseIfUnused();
    }

    /**
     * The batch to append frames to (allocated if there is none); set {@link #dirty} when something is written. On the
     * plaintext fan-out a new batch is a region of the loop's shared chunk; a region that another connection has
     * appended after since is copied into a batch of its own first, so a batch is always one run of whole frames.
     */
    private ByteBuf batchForWrite() {
        if (batch == null) {
            if (fanOut) {
                batch = shared().open(this, channel);
                batchFrom = batch.writerIndex();
                batchTo = -1;
            } else {
                batch = newBatch();
            }
        } else if (batchTo >= 0) {
            ByteBuf own = newBatch();
            own.writeBytes(batch, batchFrom, batchTo - batchFrom);
            closeRegion();
            batch = own;
        }
        return batch;
    }

    /** This loop's shared fan-out chunks: heap ones for Noise (NoiseHandler seals from the array), else direct. */
    private SharedBatch shared() {
        return heapBatch ? SharedBatch.localHeap() : SharedBatch.local();
    }

    @Override
    public void sealBatch(int end) {
        batchTo = end;
    }

    /** Bytes in the batch ({@link #batch} non-null). */
    private int batchBytes() {
        return batchFrom < 0 ? batch.writerIndex() : (batchTo >= 0 ? batchTo : batch.writerIndex()) - batchFrom;
    }

    /** Gives up the shared chunk's region: releases its reference and clears {@link #batch}. */
    private void closeRegion() {
        ByteBuf c = batch;
        batch = null;
        batchFrom = batchTo = -1;
        shared().closed(this);
        c.release();
    }

    /**
     * A batch allocated by {@link #batchForWrite()} that got no frame (a non-future template before this connection's
     * first tip): release it rather than keep an empty buffer per idle connection until its next write.
     */
    private void releaseIfUnused() {
        if (!dirty && batch != null && batchBytes() == 0) {
            releaseBatch();
        }
    }

    @Override
    public void tick() {
        if (closed) {
            return;
        }
        for (int i = 0, n = nChans; i < n; i++) {
            ChannelState st = chans[i];
            SubmitSharesSuccess ack = st.ch.flushAcks();
            if (ack != null) {
                write(ack);
            }
            if (st.vardiff != null) {
                st.vardiff.onTick().ifPresent(this::write);
            }
        }
        flush();
    }

    @Override
    public void flush() {
        if (dirty && channel != null) {
            dirty = false;
            ByteBuf b = batch;
            if (b != null) {
                if (closed) {
                    releaseBatch();
                    return;
                }
                if (batchFrom >= 0) {
                    int len = batchBytes();
                    ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
                    if (queued != null && !queued.isEmpty()) {
                        // an earlier write is still queued (the peer is not reading): a copy, so that the connection
                        // holds at most the one chunk of that write (SharedBatch)
                        ByteBuf own = newBatch();
                        own.writeBytes(b, batchFrom, len);
                        closeRegion();
                        b = own;
                    } else {
                        // this connection's part of the shared chunk; the slice carries the region's reference
                        b = b.slice(batchFrom, len);
                        batchFrom = batchTo = -1;
                        shared().closed(this);
                    }
                }
                batch = null;
                // one pipeline pass for write + flush (the fan-out does this once per session per block)
                ChannelHandlerContext o = out;
                if (o != null) {
                    o.writeAndFlush(b, o.voidPromise());
                } else {
                    channel.writeAndFlush(b, channel.voidPromise());
                }
                return;
            }
            channel.flush();
        }
    }

    /**
     * The pool is restarting on a socket that outlives it (socket activation): a set-up connection is told to
     * Reconnect to the same endpoint (empty new_host, new_port 0), sent ahead of the close, so the miner comes back at
     * once (to the next process, its connection waiting in the socket's backlog) instead of treating the close as a
     * failure and backing off. Event loop only. Returns whether the Reconnect was written.
     */
    boolean sendReconnect() {
        if (!setupDone || closed || channel == null) {
            return false;
        }
        write(new Reconnect("", 0));
        flush();
        return true;
    }

    /** Encodes {@code m} as one frame at the end of the connection's batch (sent on {@link #flush()}). */
    private void write(Sv2Message m) {
        if (closed) {
            return;
        }
        ByteBuf b = batchForWrite();
        int mark = b.writerIndex();
        try {
            Sv2Codec.encodeFrame(m, b);
        } catch (RuntimeException e) {
            b.writerIndex(mark); // keep the batch a sequence of whole frames
            throw e;
        }
        dirty = true;
    }

    /**
     * A frame batch. Plaintext: the allocator's I/O buffer, which the socket writes as it is. Noise: a plain heap
     * buffer on a GC-managed array, because it only lives until NoiseHandler has sealed it into its own direct buffer
     * in the same pipeline pass; a pooled one cost an allocator round trip and, at Netty's default leak-detection
     * level, a sampled stack trace per 128 allocations, a second time per session per block next to the ciphertext
     * buffer (0.25 us per miner in the 10k fan-out profile, bench/README.md "Noise fan-out against the floor").
     */
    private ByteBuf newBatch() {
        return heapBatch ? new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, 256, Integer.MAX_VALUE)
                : channel.alloc().ioBuffer(256);
    }

    private void releaseBatch() {
        if (batchFrom >= 0) {
            closeRegion();
        } else if (batch != null) {
            batch.release();
            batch = null;
        }
    }

    /** Like {@link #write} for a job message built from {@code t}: extended jobs reuse the template's frame. */
    private void writeJob(Sv2Message m, JobTemplate t) {
        if (closed) {
            return;
        }
        if (!(m instanceof NewExtendedMiningJob j)) {
            write(m);
            return;
        }
        ByteBuf b = batchForWrite();
        int mark = b.writerIndex();
        try {
            t.writeExtendedJobFrame(j, b);
        } catch (RuntimeException e) {
            b.writerIndex(mark);
            throw e;
        }
        dirty = true;
    }

    private void writeAll(List<? extends Sv2Message> ms, JobTemplate t) {
        for (Sv2Message m : ms) {
            writeJob(m, t);
        }
    }

    /** Open channels (tests, status). Loop-confined. */
    int channelCount() {
        return nChans;
    }
}
