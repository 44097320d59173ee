package org.hyperhash.translator.sv1;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import org.hyperhash.sv1.MiningSubmit;
import org.hyperhash.sv1.Sv1Error;
import org.hyperhash.sv1.Sv1Malformed;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.sv1.Sv1Pipeline;
import org.hyperhash.sv2.netty.AcceptGate;
import org.hyperhash.sv2.netty.IdleSweeper;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.translator.TranslatorMetrics;
import org.hyperhash.translator.TranslatorMetrics.Sv1Problem;
import org.hyperhash.translator.bridge.Bridge;
import org.hyperhash.translator.bridge.MinerLink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SV1 listener: a thin Netty shell that frames lines, parses JSON-RPC and posts each request to
 * the {@link Bridge} on its loop. Work posted per connection is bounded ({@code maxPendingPerMiner};
 * overflow closes that miner and is counted); a miner that stops reading (outbound buffer above the
 * high water mark) is closed too.
 */
public final class Sv1Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Sv1Server.class);

    private final EventLoopGroup workers;
    private final EventLoop bridgeLoop;
    private final Bridge bridge;
    private final TranslatorMetrics metrics;
    private final int maxLineBytes;
    private final int maxPendingPerMiner;
    /**
     * {@code sv1.idle-timeout}: one sweep per event loop ({@link IdleSweeper}) instead of an {@code IdleStateHandler} in
     * every connection's pipeline (its context, the handler and a re-created timer task per connection, and one more
     * handler to set up per connection in a connect storm). Null for a zero timeout (a server built in code: tests);
     * TranslatorConfig requires at least 1 s.
     */
    private final IdleSweeper idle;
    /**
     * sv1.setup-timeout ({@link Sv1Guard.Limits#setupTimeout}) through the same sweep: idle-timeout minus setup-timeout,
     * how far before its connect a not yet set-up session dates its last read; -1: no setup timeout (no sweep, or a
     * server built in code with one not shorter than the idle timeout; TranslatorConfig requires it shorter).
     */
    private final long setupLeadNanos;
    private final Sv1Guard guard;
    private final int acceptBacklog;
    private EventLoopGroup acceptGroup;
    private Channel serverChannel;

    public Sv1Server(EventLoopGroup workers, EventLoop bridgeLoop, Bridge bridge, TranslatorMetrics metrics, int maxLineBytes,
            int maxPendingPerMiner, Duration idleTimeout) {
        this(workers, bridgeLoop, bridge, metrics, maxLineBytes, maxPendingPerMiner, idleTimeout,
                new Sv1Guard(Sv1Guard.Limits.defaults(), java.time.InstantSource.system()), DEFAULT_ACCEPT_BACKLOG);
    }

    /** Listen backlog when none is configured (the reference.conf default of {@code sv1.accept-backlog}). */
    public static final int DEFAULT_ACCEPT_BACKLOG = 16_384;
    /**
     * Connections the accept loop takes per wake-up. Netty's default for a server channel is 16; the accept loop has
     * its own thread here, so taking the whole queue at once only costs that thread's time.
     */
    static final int ACCEPTS_PER_WAKEUP = 256;

    /**
     * With per-IP caps and bans ({@link Sv1Guard}) and the listen backlog. Connections are accepted on a loop of their
     * own ("hh-translator-accept"), not on an I/O loop that is also reading and writing miners: in a connect storm the
     * accept queue is drained at once instead of 16 connections per turn of a busy loop (issue 19: with the 1024
     * backlog and the shared loop a 5,000-client storm overflowed the queue and clients waited for SYN retransmits).
     */
    public Sv1Server(EventLoopGroup workers, EventLoop bridgeLoop, Bridge bridge, TranslatorMetrics metrics, int maxLineBytes,
            int maxPendingPerMiner, Duration idleTimeout, Sv1Guard guard, int acceptBacklog) {
        if (acceptBacklog < 1 || acceptBacklog > 65_535) {
            throw new IllegalArgumentException("accept backlog must be 1..65535, got " + acceptBacklog);
        }
        this.acceptBacklog = acceptBacklog;
        this.guard = guard;
        this.workers = workers;
        this.bridgeLoop = bridgeLoop;
        this.bridge = bridge;
        this.metrics = metrics;
        this.maxLineBytes = maxLineBytes;
        this.maxPendingPerMiner = maxPendingPerMiner;
        this.idle = idleTimeout.isZero() || idleTimeout.isNegative() ? null : new IdleSweeper(idleTimeout);
        long setup = guard.limits().setupTimeout().toNanos();
        this.setupLeadNanos = idle != null && setup < idleTimeout.toNanos() ? idleTimeout.toNanos() - setup : -1;
    }

    /** Binds and returns the bound address (port 0 picks a free one). */
    public InetSocketAddress bind(InetSocketAddress address) throws InterruptedException {
        return bind(address, true);
    }

    /**
     * Binds; with {@code accept} false the port listens (the kernel queues connections in its backlog) but nothing is
     * accepted until {@link #startAccepting()} (the daemon's JIT warm-up runs meanwhile).
     */
    public InetSocketAddress bind(InetSocketAddress address, boolean accept) throws InterruptedException {
        int cap = somaxconn();
        if (cap > 0 && cap < acceptBacklog) {
            LOG.warn("sv1.accept-backlog = {} but the kernel caps it at net.core.somaxconn = {}: a connect storm of more"
                    + " miners than that can overflow it (SYN retransmits of 1 s and more); raise it, e.g. with"
                    + " systemd/sysctl-hyperhash.conf (docs/operations.md)", acceptBacklog, cap);
        }
        serverChannel = bootstrap().channel(Sv2Transport.serverChannelClass()).option(ChannelOption.AUTO_READ, accept)
                .bind(address).sync().channel();
        gate = new AcceptGate(List.of(serverChannel), accept);
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Starts accepting on a port bound or adopted with {@code accept} false (idempotent). */
    public void startAccepting() {
        AcceptGate g = gate;
        if (g != null) {
            g.startAccepting();
        }
    }

    /** Whether the port accepts (bound or adopted with {@code accept} true, or {@link #startAccepting()} called). */
    public boolean accepting() {
        AcceptGate g = gate;
        return g != null && g.accepting();
    }

    /**
     * While accepting is paused: starts it as soon as a connection waits in the backlog, checked every
     * {@value AcceptGate#WATCH_MILLIS} ms on the accept thread ({@link AcceptGate}: a {@code poll(2)}, NIO: never; then
     * only {@link #startAccepting()} does). The start-up warm-up never holds a miner back longer than that.
     */
    public void acceptWhenWaiting() {
        AcceptGate g = gate;
        if (g != null) {
            g.acceptWhenWaiting(() -> true,
                    () -> LOG.info("sv1: miners waiting in the backlog: accepting now (start-up warm-up cut short)"));
        }
    }

    /** Accepting on the port (shared with the pool's start-up warm-up); null before bind/adopt. */
    private volatile AcceptGate gate;

    /**
     * Serves on a listening socket this process inherited (systemd socket activation, hh-translator.socket): miners
     * that reconnected while the previous process restarted waited in its backlog and are accepted now. Auto-read is
     * switched on by a task queued behind the bootstrap's set-up, so the acceptor is in the pipeline first. The
     * backlog of an inherited socket is the socket unit's {@code Backlog=}, not {@code sv1.accept-backlog}.
     */
    public InetSocketAddress adopt(int fd) throws InterruptedException {
        return adopt(fd, true);
    }

    /** {@link #adopt(int)}; with {@code accept} false nothing is accepted until {@link #startAccepting()}. */
    public InetSocketAddress adopt(int fd, boolean accept) throws InterruptedException {
        org.hyperhash.daemon.SocketActivation.makeNonBlocking(fd);
        Channel ch = bootstrap().channelFactory(() -> Sv2Transport.inheritedServerChannel(fd))
                .option(ChannelOption.AUTO_READ, false).register().sync().channel();
        if (!ch.isActive()) {
            ch.close();
            throw new IllegalStateException("inherited fd " + fd + " is not a listening socket");
        }
        serverChannel = ch;
        gate = new AcceptGate(List.of(ch), false);
        if (accept) {
            startAccepting();
        }
        return (InetSocketAddress) ch.localAddress();
    }

    private ServerBootstrap bootstrap() {
        if (acceptGroup == null) {
            acceptGroup = Sv2Transport.newEventLoopGroup(1, "hh-translator-accept");
        }
        return new ServerBootstrap().group(acceptGroup, workers)
                .option(ChannelOption.SO_BACKLOG, acceptBacklog)
                .option(ChannelOption.MAX_MESSAGES_PER_READ, ACCEPTS_PER_WAKEUP)
                .option(ChannelOption.SO_REUSEADDR, true) // rebind at once after a restart (TIME_WAIT on the port)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // no idle handler (Session is an IdleSweeper member) and no encoder handler: Session encodes
                        // its lines (Sv1Pipeline.encode), one handler fewer per connection and one hop fewer per write
                        Sv1Pipeline.installDecoder(ch.pipeline(), maxLineBytes);
                        ch.pipeline().addLast("sv1-session", new Session());
                    }
                });
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * {@link org.hyperhash.translator.bridge.LineFanOut} for this server's connections (bridge loop): the line is encoded
     * to bytes once, and each I/O loop gets one task that copies those bytes into a pooled buffer per connection and
     * writes it (no per-miner JSON/UTF-8 encoding and no per-miner task; the kernel write per socket remains). A pooled
     * copy rather than a duplicate of one shared buffer: the write path then sees the same buffer class as every other
     * write, where duplicates made the JIT deoptimise and recompile the hot I/O methods at each of the first blocks.
     * Each loop's task queue is FIFO, so a connection's lines stay in the order the bridge sent them. Links that are not
     * this server's connections take their own {@code send}.
     */
    public void broadcast(List<MinerLink> links, String line) {
        Map<EventLoop, List<Session>> byLoop = new IdentityHashMap<>(4);
        for (MinerLink l : links) {
            Channel ch = l instanceof Session s ? s.channel : null;
            if (ch == null) {
                l.send(line);
            } else {
                byLoop.computeIfAbsent(ch.eventLoop(), k -> new ArrayList<>()).add((Session) l);
            }
        }
        if (byLoop.isEmpty()) {
            return;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<EventLoop, List<Session>> e : byLoop.entrySet()) {
            List<Session> group = e.getValue();
            try {
                e.getKey().execute(() -> {
                    for (Session s : group) {
                        s.writeLine(bytes);
                    }
                });
            } catch (RejectedExecutionException shutDown) {
                return; // the server is stopping
            }
        }
    }

    /** Linux's listen backlog cap, or -1 where unknown. */
    static int somaxconn() {
        try {
            // readAllLines, not Files.readString: procfs files report size 0 (see the pool's MiningServer)
            java.util.List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/core/somaxconn"));
            return lines.isEmpty() ? -1 : Integer.parseInt(lines.get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** One SV1 connection's Netty side. {@link #miner} is only touched on the bridge loop. */
    private final class Session extends ChannelInboundHandlerAdapter implements MinerLink, IdleSweeper.Member {
        private final AtomicInteger pending = new AtomicInteger();
        private Channel channel;
        private Bridge.Miner miner;
        private volatile boolean overflowed;

        private java.net.InetAddress ip;
        private boolean admitted;
        /** This connection is on the bridge's own loop (its requests run inline there). */
        private boolean onBridgeLoop;
        /**
         * Off the bridge's loop: tasks of this connection posted to the bridge that have not finished running there. The
         * bridge counts a task down after it ran, i.e. after every reply it sent was counted in {@link #queuedWrites}: so
         * when this loop reads zero here, and then zero there, no reply of the bridge is still to come or to be written,
         * and a share answered on this loop cannot overtake one. An atomic count instead of an acknowledgement task back
         * to this loop: that task was a second cross-thread wake-up for every request the bridge answers, credited
         * shares among them (1,000 clients, every share credited: 1.15-1.54x old main's CPU per share with the task,
         * 1.04-1.16x with the count; bench/README.md "Third session's end").
         */
        private final AtomicInteger owed = new AtomicInteger();
        /** Lines {@link #send} queued on this loop from another thread and not yet written (off the bridge's loop). */
        private final AtomicInteger queuedWrites = new AtomicInteger();
        /** For {@link IdleSweeper} (this loop only): when the last read completed, and the slot in the loop's sweep. */
        private long lastReadNanos;
        private int idleSlot = -1;
        /**
         * sv1.setup-timeout without a second timer (this loop only): until this connection has sent mining.subscribe
         * ({@link #SUBSCRIBE_SEEN}) and mining.authorize ({@link #AUTHORIZE_SEEN}), the sweep is shown a last read of
         * {@code connected + setup-timeout - idle-timeout}, so the same idle sweep closes it setup-timeout after it
         * connected, whatever else it sends.
         */
        private long setupDeadlineAsLastRead;
        private byte setupSeen;
        private static final byte SUBSCRIBE_SEEN = 1;
        private static final byte AUTHORIZE_SEEN = 2;
        private static final byte SET_UP = SUBSCRIBE_SEEN | AUTHORIZE_SEEN;

        @Override
        public long lastReadNanos() {
            return setupSeen == SET_UP ? lastReadNanos : setupDeadlineAsLastRead;
        }

        @Override
        public int idleSlot() {
            return idleSlot;
        }

        @Override
        public void idleSlot(int slot) {
            idleSlot = slot;
        }

        /** Nothing read for {@code sv1.idle-timeout}, or not set up within {@code sv1.setup-timeout}: counted and closed. */
        @Override
        public void idleTimeout() {
            metrics.problem(setupSeen == SET_UP ? Sv1Problem.IDLE_TIMEOUT : Sv1Problem.SETUP_TIMEOUT);
            channel.close();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            channel = ctx.channel();
            ip = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
            Sv1Guard.Admission adm = ip == null ? Sv1Guard.Admission.OK : guard.admit(ip);
            if (adm != Sv1Guard.Admission.OK) {
                // refused before the bridge sees it: one source cannot take every slot, a banned one gets none
                metrics.problem(adm == Sv1Guard.Admission.BANNED ? Sv1Problem.BANNED : Sv1Problem.PER_IP_LIMIT);
                ctx.close();
                return;
            }
            admitted = ip != null;
            if (idle != null) {
                lastReadNanos = idle.nanoTime(); // idle from here, as the handler counted from channelActive
                if (setupLeadNanos < 0) {
                    setupSeen = SET_UP;
                } else {
                    setupDeadlineAsLastRead = lastReadNanos - setupLeadNanos;
                }
                idle.add(ctx.executor(), this);
            }
            onBridgeLoop = ctx.channel().eventLoop() == bridgeLoop;
            if (onBridgeLoop) {
                bridgeLoop.execute(() -> miner = bridge.onMinerConnected(this));
            } else {
                owed.incrementAndGet(); // `miner` is written before the count-down, read on this loop after it reads zero
                bridgeLoop.execute(() -> {
                    try {
                        miner = bridge.onMinerConnected(this);
                    } finally {
                        owed.decrementAndGet();
                    }
                });
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (idle != null) {
                idle.remove(ctx.executor(), this); // harmless for a refused connection (never added)
            }
            io.netty.buffer.ByteBuf unsent = readReplies;
            if (unsent != null) { // closed during a read: nobody to send them to
                readReplies = null;
                unsent.release();
            }
            if (admitted) {
                admitted = false;
                guard.release(ip);
            } else if (ip != null) {
                return; // refused: the bridge never saw it
            }
            bridgeLoop.execute(() -> bridge.onMinerDisconnected(miner));
            super.channelInactive(ctx);
        }

        /** A connection-level problem: counts towards a ban of the source. */
        private void problem() {
            if (ip != null && guard.problem(ip)) {
                flushAndClose(ctx());
            }
        }

        /** More work pending for this miner than {@code maxPendingPerMiner}: close it with an error, once. */
        private void overflow() {
            if (!overflowed) {
                overflowed = true;
                problem();
                metrics.problem(Sv1Problem.OVERFLOW);
                sendAndClose(Sv1Message.Response.error(null, Sv1Error.other("Too many pending requests")));
            }
        }

        private Channel ctx() {
            return channel;
        }

        /**
         * Between this connection's {@code channelRead} and its {@code channelReadComplete} (its loop only): lines sent to
         * it then are encoded into one buffer ({@link #readReplies}), which {@link #channelReadComplete} writes and
         * flushes once. A new miner's pipelined subscribe + authorize got four replies (subscribe, authorize,
         * set_difficulty, the first notify), each its own write through the pipeline, flush and {@code write(2)}: now one
         * of each. In a connect storm the per-write pipeline methods were among what C2 compiled during the storm.
         * Pipelined shares answered on this loop are batched likewise.
         */
        private boolean reading;
        /** Lines sent during this read, not written yet (this loop only); null when none. */
        private io.netty.buffer.ByteBuf readReplies;

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            reading = false;
            if (idle != null) {
                // every socket read ends here (the line decoder passes it on, also mid-line), as IdleStateHandler
                // counted reads: a miner trickling a long line is not idle
                lastReadNanos = idle.nanoTime();
            }
            writeReadReplies(true);
            super.channelReadComplete(ctx);
        }

        /** Writes (and with {@code flush} flushes) what this read sent so far; this channel's loop only. */
        private void writeReadReplies(boolean flush) {
            io.netty.buffer.ByteBuf b = readReplies;
            if (b == null) {
                return;
            }
            readReplies = null;
            Channel ch = channel;
            if (flush) {
                ch.writeAndFlush(b, ch.voidPromise());
            } else {
                ch.write(b, ch.voidPromise());
            }
        }

        /** Above this many bytes sent during one read, they are written (not flushed) and a new buffer begun. */
        static final int READ_REPLIES_CHUNK = 16 * 1024;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reading = true;
            switch (msg) {
                case Sv1Message.Request r -> {
                    if (setupSeen != SET_UP) {
                        setupSeen |= switch (r.method()) {
                            case "mining.subscribe" -> SUBSCRIBE_SEEN;
                            case "mining.authorize" -> AUTHORIZE_SEEN;
                            case null, default -> 0;
                        };
                    }
                    // A share is judged and answered here, on this connection's own loop, without a hand-over to the bridge's
                    // loop and back: rejected, or credited (duplicate check, vardiff, reply) with only its submission to the
                    // pool handed to the bridge (Bridge.submitOffBridge). The bridge takes it when its state changed while
                    // this loop read it.
                    if (!onBridgeLoop && owed.get() == 0 && queuedWrites.get() == 0 && miner != null
                            && MiningSubmit.METHOD.equals(r.method())) {
                        if (bridge.submitOffBridge(miner, r).answered()) {
                            return;
                        }
                    }
                    post(() -> bridge.onMinerRequest(miner, r));
                }
                case Sv1Message.Response r -> post(() -> bridge.onMinerResponse(miner, r));
                case Sv1Malformed bad -> {
                    problem();
                    post(() -> bridge.onMinerMalformed(miner, bad.reason()));
                }
                default -> LOG.debug("unexpected inbound {}", msg.getClass().getSimpleName());
            }
        }

        private void post(Runnable task) {
            if (miner != null && pending.get() == 0 && bridgeLoop.inEventLoop()) {
                // This connection is on the bridge's loop and nothing of its own is queued there: run the request now,
                // in order, instead of a task on the same loop (no task queue offer/poll or pending count per
                // share; with io-threads = 1 that is every miner). A miner is set once its connect task ran, so a request can
                // never overtake it; its disconnect is posted after its last read.
                task.run();
                return;
            }
            if (pending.incrementAndGet() > maxPendingPerMiner) {
                overflow();
                return;
            }
            if (onBridgeLoop) {
                bridgeLoop.execute(() -> {
                    pending.decrementAndGet();
                    if (miner != null) {
                        task.run();
                    }
                });
                return;
            }
            owed.incrementAndGet();
            bridgeLoop.execute(() -> {
                pending.decrementAndGet();
                try {
                    if (miner != null) {
                        task.run();
                    }
                } finally {
                    owed.decrementAndGet();
                }
            });
        }

        @Override
        public void onLoop(Runnable task) {
            Channel ch = channel;
            if (ch == null || ch.eventLoop().inEventLoop()) {
                task.run();
                return;
            }
            // counted like a line from the bridge: this loop judges no share of the miner before it ran
            queuedWrites.incrementAndGet();
            try {
                ch.eventLoop().execute(() -> {
                    queuedWrites.decrementAndGet();
                    task.run();
                });
            } catch (RejectedExecutionException shutDown) {
                queuedWrites.decrementAndGet();
            }
        }

        @Override
        public java.util.concurrent.Executor loop() {
            Channel ch = channel;
            return ch == null ? Runnable::run : ch.eventLoop();
        }

        @Override
        public void onBridge(Runnable task) {
            if (bridgeLoop.inEventLoop()) {
                task.run();
                return;
            }
            // not an `owed` task: it sends the miner nothing the loop's next answer could overtake (a retarget's
            // set_difficulty is a line from the bridge, counted in queuedWrites when it is sent); bounded with the
            // connection's other work pending on the bridge
            if (pending.incrementAndGet() > maxPendingPerMiner) {
                pending.decrementAndGet();
                overflow();
                return;
            }
            try {
                bridgeLoop.execute(() -> {
                    pending.decrementAndGet();
                    task.run();
                });
            } catch (RejectedExecutionException shutDown) {
                pending.decrementAndGet();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
            if (c instanceof TooLongFrameException) {
                problem();
                metrics.problem(Sv1Problem.LINE_TOO_LONG);
                sendAndClose(Sv1Message.Response.error(null, Sv1Error.other("Line longer than " + maxLineBytes + " bytes")));
            } else if (c instanceof IOException) {
                ctx.close();
            } else {
                LOG.warn("SV1 connection {} failed: {}", ctx.channel().remoteAddress(), c.toString());
                flushAndClose(ctx.channel());
            }
        }

        @Override
        public void send(Object message) {
            Channel ch = writableChannel();
            if (ch == null) {
                return;
            }
            if (onBridgeLoop || ch.eventLoop().inEventLoop()) {
                if (reading && ch.eventLoop().inEventLoop()) {
                    // written with the rest of this read's replies, in order (channelReadComplete)
                    if (readReplies == null) {
                        readReplies = ch.alloc().ioBuffer();
                    }
                    Sv1Pipeline.encode(message, readReplies);
                    if (readReplies.readableBytes() > READ_REPLIES_CHUNK) {
                        writeReadReplies(false); // counted by the channel's water marks from here
                    }
                } else {
                    ch.writeAndFlush(Sv1Pipeline.encode(ch.alloc(), message), ch.voidPromise());
                }
                return;
            }
            // From the bridge to a connection on another loop: counted until written, so a share answered on this loop
            // never overtakes a line the bridge sent before it (a deferred authorize reply, a set_difficulty ...).
            queuedWrites.incrementAndGet();
            try {
                ch.eventLoop().execute(() -> {
                    queuedWrites.decrementAndGet();
                    ch.writeAndFlush(Sv1Pipeline.encode(ch.alloc(), message), ch.voidPromise());
                });
            } catch (RejectedExecutionException shutDown) {
                queuedWrites.decrementAndGet();
            }
        }

        /**
         * This connection's channel when it can take another write, else null; a slow consumer (not writable) is
         * counted and closed, so its outbound buffer never grows without bound.
         */
        private Channel writableChannel() {
            Channel ch = channel;
            if (ch == null || !ch.isActive()) {
                return null;
            }
            if (!ch.isWritable()) {
                metrics.problem(Sv1Problem.OVERFLOW);
                ch.close();
                return null;
            }
            return ch;
        }

        /** {@link #send} of one fanned-out line (its bytes with the newline), on this channel's loop. */
        void writeLine(byte[] line) {
            Channel ch = writableChannel();
            if (ch != null) {
                ch.writeAndFlush(ch.alloc().directBuffer(line.length).writeBytes(line), ch.voidPromise());
            }
        }

        @Override
        public void sendAndClose(Object message) {
            Channel ch = channel;
            if (ch != null && ch.isActive()) {
                if (ch.eventLoop().inEventLoop()) {
                    writeReadReplies(false); // what this read sent before it goes first
                }
                ch.writeAndFlush(Sv1Pipeline.encode(ch.alloc(), message)).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void close() {
            Channel ch = channel;
            if (ch != null) {
                flushAndClose(ch);
            }
        }

        /**
         * Closes after flushing what this read wrote (the bridge's last reply before it closes a miner, e.g. the error
         * for its last malformed line, is sent as when each line was flushed at once). From another thread the close is
         * a task on the loop, which runs after the read's flush anyway.
         */
        private void flushAndClose(Channel ch) {
            if (ch.eventLoop().inEventLoop()) {
                writeReadReplies(true);
            }
            ch.close();
        }

        @Override
        public SocketAddress remoteAddress() {
            Channel ch = channel;
            return ch == null ? null : ch.remoteAddress();
        }
    }
}
