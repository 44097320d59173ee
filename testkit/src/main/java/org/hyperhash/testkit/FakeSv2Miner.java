package org.hyperhash.testkit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Sha256d;
import org.hyperhash.base.Target;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionError;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetExtranoncePrefix;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SetTarget;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesExtended;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;

/**
 * A real SV2 mining client for tests, the demo and load generation: connects (Noise or plaintext,
 * see {@link Security}), sends SetupConnection, opens one standard or extended channel, tracks jobs,
 * SetNewPrevHash, SetTarget and SetExtranoncePrefix (also when addressed to its group channel), and
 * optionally mines real SHA-256d on a CPU thread ({@link Options#hashrateLimitHps()}), submitting
 * shares that meet the channel target and counting the pool's acks. Every message received is kept
 * (bounded) for assertions; {@link #send} writes arbitrary messages (abuse tests).
 */
public final class FakeSv2Miner implements AutoCloseable {

    /** Installs transport security on the client pipeline. */
    @FunctionalInterface
    public interface Security {
        void install(ChannelPipeline p, Sv2Limits limits);

        Security PLAINTEXT = Sv2Pipeline::plaintext;

        /**
         * Noise NX initiator on the best secp256k1 provider and the system clock, verifying the pool's
         * certificate against {@code pinned} (null = accept any authority key; trusted links only).
         */
        static Security noise(AuthorityPublicKey pinned) {
            return noise(Secp256k1Providers.best(), pinned, InstantSource.system());
        }

        /** Noise NX initiator with an explicit provider and clock (certificate validity is checked against it). */
        static Security noise(Secp256k1Provider crypto, AuthorityPublicKey pinnedOrNull, InstantSource clock) {
            Objects.requireNonNull(crypto, "crypto");
            Objects.requireNonNull(clock, "clock");
            return (p, limits) -> Sv2Pipeline.client(p, crypto, pinnedOrNull, clock, limits);
        }
    }

    /** Channel kind to open. */
    public enum Kind { STANDARD, EXTENDED }

    /**
     * @param pool pool address
     * @param kind channel kind
     * @param userIdentity e.g. {@code bcrt1q....worker1}
     * @param nominalHashRate advertised H/s (also the initial target)
     * @param hashrateLimitHps CPU mining throttle in H/s; 0 = do not mine (manual shares only)
     * @param setupFlags SetupConnection flags (e.g. 1 = REQUIRES_STANDARD_JOBS)
     * @param security transport security
     * @param setup the first message to send instead of the default SetupConnection (protocol 0, version 2,
     *              {@code setupFlags}), or null; SetupConnection.Error and protocol-violation tests use it
     */
    public record Options(InetSocketAddress pool, Kind kind, String userIdentity, float nominalHashRate,
            double hashrateLimitHps, int setupFlags, Security security, Sv2Message setup) {
        public Options {
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(userIdentity, "userIdentity");
            Objects.requireNonNull(security, "security");
        }

        /** Without a SetupConnection override (the original constructor). */
        public Options(InetSocketAddress pool, Kind kind, String userIdentity, float nominalHashRate,
                double hashrateLimitHps, int setupFlags, Security security) {
            this(pool, kind, userIdentity, nominalHashRate, hashrateLimitHps, setupFlags, security, null);
        }

        /** Plaintext, 1000 H/s advertised, not mining; standard channels set REQUIRES_STANDARD_JOBS. */
        public static Options of(InetSocketAddress pool, Kind kind, String userIdentity) {
            return new Options(pool, kind, userIdentity, 1000f, 0, kind == Kind.STANDARD ? 1 : 0, Security.PLAINTEXT);
        }

        public Options mining(double hps) {
            return new Options(pool, kind, userIdentity, (float) hps, hps, setupFlags, security, setup);
        }

        public Options withSecurity(Security s) {
            return new Options(pool, kind, userIdentity, nominalHashRate, hashrateLimitHps, setupFlags, s, setup);
        }

        /** Noise with the pool's authority public key pinned ({@link Security#noise(AuthorityPublicKey)}). */
        public Options withNoise(AuthorityPublicKey pinned) {
            return withSecurity(Security.noise(pinned));
        }

        public Options withSetupFlags(int flags) {
            return new Options(pool, kind, userIdentity, nominalHashRate, hashrateLimitHps, flags, security, setup);
        }

        public Options withSetup(Sv2Message s) {
            return new Options(pool, kind, userIdentity, nominalHashRate, hashrateLimitHps, setupFlags, security, s);
        }
    }

    /** What the miner mines right now (immutable snapshot handed to the mining thread). */
    public record Job(int channelId, int jobId, int version, boolean versionRolling, Hash256 prevHash, int nbits,
            int ntime, Target target, Hash256 merkleRoot, NewExtendedMiningJob extended, Bytes extranoncePrefix,
            int extranonceSize) {
    }

    private static final int MAX_RECEIVED = 10_000;

    private final Options options;
    private final EventLoopGroup group;
    private volatile Channel channel;
    private final ArrayDeque<Sv2Message> received = new ArrayDeque<>();
    private final Object lock = new Object();
    // channel state, event loop only
    private int channelId = -1;
    private int groupChannelId;
    private int extranonceSize;
    private Bytes extranoncePrefix = Bytes.EMPTY;
    private Target target = Target.MAX;
    private final Map<Integer, Object[]> futureJobs = new LinkedHashMap<>(); // jobId -> {job msg, target}
    private final Map<Integer, Object[]> currentJobs = new HashMap<>();
    private SetNewPrevHash tip;
    private volatile Job job;
    /** Target the mining loop checks hashes against: the active job's, or a later SetTarget's for a future job. */
    private volatile Target jobTarget = Target.MAX;
    private volatile boolean closed;
    private volatile String openError;
    private volatile String setupError;
    private volatile Sv2ErrorEvent transportError;
    private volatile boolean handshakeDone;
    private volatile boolean encrypted;
    /** TLV fields appended to every SubmitSharesExtended (e.g. extension 0x0002's user_identity). */
    private volatile List<org.hyperhash.sv2.message.Tlv> shareTlvs = List.of();
    private Thread miner;
    private final AtomicLong sequence = new AtomicLong();
    private final LongAdder submitted = new LongAdder();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder blocks = new LongAdder();
    private final LongAdder hashes = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errors = new ConcurrentHashMap<>();

    private FakeSv2Miner(Options options, EventLoopGroup group) {
        this.options = options;
        this.group = group;
    }

    /** Connects, sets up and opens the channel (returns once connected; the rest is asynchronous). */
    public static FakeSv2Miner connect(Options options) throws InterruptedException {
        return connect(options, null);
    }

    /**
     * As {@link #connect(Options)}, from {@code localAddress} (e.g. 127.0.0.2: another source IP on loopback, for
     * per-IP limits and bans), or the default when null.
     */
    public static FakeSv2Miner connect(Options options, java.net.InetAddress localAddress) throws InterruptedException {
        FakeSv2Miner m = new FakeSv2Miner(options, Sv2Transport.newEventLoopGroup(1, "fake-miner"));
        m.open(localAddress);
        return m;
    }

    private void open(java.net.InetAddress localAddress) throws InterruptedException {
        Bootstrap b = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        options.security().install(ch.pipeline(), Sv2Limits.DEFAULT);
                        ch.pipeline().addLast("miner", new Handler());
                    }
                });
        channel = (localAddress == null ? b.connect(options.pool())
                : b.connect(options.pool(), new InetSocketAddress(localAddress, 0))).sync().channel();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed c) {
                encrypted = c.encrypted();
                handshakeDone = true;
                ctx.write(options.setup() != null ? options.setup() : new SetupConnection(0, 2, 2, options.setupFlags(),
                        "127.0.0.1", options.pool().getPort(), "hyperhash-testkit", "cpu", "0.1", "fake-miner"));
                ctx.flush();
            } else if (evt instanceof Sv2ErrorEvent e) {
                transportError = e;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Sv2Message m) {
                record(m);
                onMessage(ctx, m);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            job = null;
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void record(Sv2Message m) {
        synchronized (lock) {
            if (received.size() >= MAX_RECEIVED) {
                received.pollFirst();
            }
            received.addLast(m);
            lock.notifyAll();
        }
    }

    private boolean mine(int id) {
        return id == channelId || (groupChannelId != 0 && id == groupChannelId);
    }

    private void onMessage(ChannelHandlerContext ctx, Sv2Message m) {
        switch (m) {
            case SetupConnectionSuccess s -> {
                if (options.kind() == Kind.STANDARD) {
                    ctx.writeAndFlush(new OpenStandardMiningChannel(1, options.userIdentity(), options.nominalHashRate(),
                            Target.MAX));
                } else {
                    ctx.writeAndFlush(new OpenExtendedMiningChannel(1, options.userIdentity(), options.nominalHashRate(),
                            Target.MAX, 4));
                }
            }
            case SetupConnectionError e -> setupError = e.errorCode();
            case OpenMiningChannelError e -> openError = e.errorCode();
            case OpenStandardMiningChannelSuccess s -> {
                channelId = s.channelId();
                groupChannelId = s.groupChannelId();
                extranoncePrefix = s.extranoncePrefix();
                target = s.target();
            }
            case OpenExtendedMiningChannelSuccess s -> {
                channelId = s.channelId();
                groupChannelId = s.groupChannelId();
                extranoncePrefix = s.extranoncePrefix();
                extranonceSize = s.extranonceSize();
                target = s.target();
            }
            case NewMiningJob j when mine(j.channelId()) -> addJob(j.jobId(), j, j.minNtime().isPresent());
            case NewExtendedMiningJob j when mine(j.channelId()) -> addJob(j.jobId(), j, j.minNtime().isPresent());
            case SetNewPrevHash p when mine(p.channelId()) -> {
                tip = p;
                Object[] f = futureJobs.get(p.jobId());
                futureJobs.clear();
                currentJobs.clear();
                if (f != null) {
                    currentJobs.put(p.jobId(), f);
                    activate(p.jobId(), f);
                } else {
                    job = null;
                }
            }
            case SetTarget t when mine(t.channelId()) -> {
                // spec 5.3.16: the new target applies to jobs received later and to jobs received as future jobs
                // (empty min_ntime), activated or not; jobs received with a min_ntime keep theirs
                target = t.maximumTarget();
                futureJobs.replaceAll((k, v) -> new Object[] {v[0], target, v[2]});
                currentJobs.replaceAll((k, v) -> sentAsFuture(v[0]) ? new Object[] {v[0], target, v[2]} : v);
                Job cur = job;
                Object[] e = cur == null ? null : currentJobs.get(cur.jobId());
                if (e != null && sentAsFuture(e[0])) {
                    jobTarget = target; // the mining loop keeps its nonce range (restarting it would repeat hashes)
                }
            }
            case SetExtranoncePrefix p when mine(p.channelId()) -> extranoncePrefix = p.extranoncePrefix();
            case SubmitSharesSuccess s -> accepted.add(s.newSubmitsAcceptedCount());
            case SubmitSharesError e -> {
                rejected.increment();
                errors.computeIfAbsent(e.errorCode(), k -> new LongAdder()).increment();
            }
            default -> {
            }
        }
    }

    private static boolean sentAsFuture(Object m) {
        if (m instanceof NewMiningJob s) {
            return s.minNtime().isEmpty();
        }
        return m instanceof NewExtendedMiningJob e && e.minNtime().isEmpty();
    }

    private void addJob(int jobId, Sv2Message j, boolean active) {
        Object[] entry = {j, target, extranoncePrefix};
        if (!active) {
            futureJobs.put(jobId, entry);
            return;
        }
        currentJobs.put(jobId, entry);
        if (tip != null) {
            activate(jobId, entry);
        }
    }

    private void activate(int jobId, Object[] e) {
        Sv2Message m = (Sv2Message) e[0];
        Target t = (Target) e[1];
        Bytes prefix = (Bytes) e[2];
        jobTarget = t;
        if (m instanceof NewMiningJob j) {
            job = new Job(channelId, jobId, j.version(), true, tip.prevHash(), tip.nbits(), tip.minNtime(), t,
                    j.merkleRoot(), null, prefix, 0);
        } else if (m instanceof NewExtendedMiningJob j) {
            int ntime = j.minNtime().orElse(tip.minNtime());
            job = new Job(channelId, jobId, j.version(), j.versionRollingAllowed(), tip.prevHash(), tip.nbits(), ntime, t,
                    null, j, prefix, extranonceSize);
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Starts the CPU mining thread (no-op if the hashrate limit is 0). */
    public FakeSv2Miner startMining() {
        if (options.hashrateLimitHps() > 0 && miner == null) {
            miner = Thread.ofPlatform().name("fake-miner-cpu").daemon(true).start(this::mineLoop);
        }
        return this;
    }

    private void mineLoop() {
        Sha256d sha = new Sha256d();
        byte[] header = new byte[BlockHeader80.LENGTH];
        byte[] hash = new byte[32];
        byte[] root = new byte[32];
        long extranonceCounter = 0;
        long windowStart = System.nanoTime();
        long windowHashes = 0;
        while (!closed) {
            Job j = job;
            if (j == null) {
                synchronized (lock) {
                    try {
                        lock.wait(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                continue;
            }
            byte[] extranonce = new byte[j.extranonceSize()];
            if (j.extended() != null) {
                extranonceCounter++;
                for (int i = 0; i < Math.min(8, extranonce.length); i++) {
                    extranonce[extranonce.length - 1 - i] = (byte) (extranonceCounter >>> (8 * i));
                }
                sha.update(j.extended().coinbaseTxPrefix().unsafeArray()).update(j.extranoncePrefix().unsafeArray())
                        .update(extranonce).update(j.extended().coinbaseTxSuffix().unsafeArray()).digestInto(root, 0);
                MerkleBranch.rootInPlace(root, 0, j.extended().merklePath(), sha);
            } else {
                j.merkleRoot().copyTo(root, 0);
            }
            Target network = CompactBits.toTarget(j.nbits());
            int ntime = Math.max(j.ntime(), (int) (System.currentTimeMillis() / 1000));
            for (long nonce = 0; nonce <= 0xFFFFFFFFL && job == j && !closed; nonce++) {
                BlockHeader80.write(header, 0, j.version(), j.prevHash().unsafeWireBytes(), root, ntime, j.nbits(),
                        (int) nonce);
                sha.hash(header, 0, BlockHeader80.LENGTH, hash, 0);
                hashes.increment();
                if (jobTarget.isMetBy(hash) || network.isMetBy(hash)) {
                    if (network.isMetBy(hash)) {
                        blocks.increment();
                    }
                    submit(j, extranonce, (int) nonce, ntime, j.version());
                }
                if (++windowHashes >= 64) {
                    long expectedNanos = (long) (windowHashes * 1e9 / options.hashrateLimitHps());
                    long elapsed = System.nanoTime() - windowStart;
                    if (elapsed < expectedNanos) {
                        try {
                            Thread.sleep(Duration.ofNanos(expectedNanos - elapsed));
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    if (elapsed > 1_000_000_000L) {
                        windowStart = System.nanoTime();
                        windowHashes = 0;
                    }
                }
                if (j.extended() != null && (nonce & 0xFFFF) == 0xFFFF) {
                    break; // roll the extranonce now and then so the coinbase changes too
                }
            }
        }
    }

    private void submit(Job j, byte[] extranonce, int nonce, int ntime, int version) {
        Channel ch = channel;
        if (ch == null) {
            return;
        }
        int seq = (int) sequence.getAndIncrement();
        submitted.increment();
        if (j.extended() != null) {
            ch.writeAndFlush(new SubmitSharesExtended(j.channelId(), seq, j.jobId(), nonce, ntime, version,
                    Bytes.wrap(extranonce), shareTlvs));
        } else {
            ch.writeAndFlush(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), nonce, ntime, version));
        }
    }

    /** Queues a message without flushing (floods); {@link #flush()} sends what is queued. */
    /** Appends these TLVs to every extended share from now on. */
    public FakeSv2Miner tagShares(List<org.hyperhash.sv2.message.Tlv> tlvs) {
        this.shareTlvs = List.copyOf(tlvs);
        return this;
    }

    public void sendNoFlush(Sv2Message m) {
        Channel ch = channel;
        if (ch != null) {
            ch.write(m, ch.voidPromise());
        }
    }

    public void flush() {
        Channel ch = channel;
        if (ch != null) {
            ch.flush();
        }
    }

    /** Writes any message (abuse tests). */
    public void send(Sv2Message m) {
        Channel ch = channel;
        if (ch != null) {
            ch.writeAndFlush(m);
        }
    }

    /**
     * Writes raw bytes, bypassing the codec (garbage/oversized frame tests). Plaintext links send them as is;
     * Noise links encrypt them as plaintext frames, so there they must be complete frames.
     */
    public void sendRaw(byte[] bytes) {
        Channel ch = channel;
        if (ch != null) {
            ch.writeAndFlush(ch.alloc().buffer(bytes.length).writeBytes(bytes));
        }
    }

    /** Waits for a received message matching {@code p}; null on timeout. */
    public <T extends Sv2Message> T await(Class<T> type, Predicate<T> p, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (Sv2Message m : received) {
                    if (type.isInstance(m) && p.test(type.cast(m))) {
                        return type.cast(m);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
        }
    }

    /** Waits until {@code condition} holds; false on timeout. */
    public static boolean waitFor(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    public List<Sv2Message> received() {
        synchronized (lock) {
            return new ArrayList<>(received);
        }
    }

    /** The job being mined (null before the first SetNewPrevHash). */
    public Job currentJob() {
        return job;
    }

    /** Next share sequence number (for hand-built shares). */
    public int nextSequence() {
        return (int) sequence.getAndIncrement();
    }

    public boolean connected() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    public String openError() {
        return openError;
    }

    public String setupError() {
        return setupError;
    }

    /** The SV2 transport error that closed the link (e.g. CERTIFICATE_REJECTED for a wrong pinned key), or null. */
    public Sv2ErrorEvent transportError() {
        return transportError;
    }

    /** True once the Noise handshake completed (immediately on plaintext links). */
    public boolean handshakeCompleted() {
        return handshakeDone;
    }

    /** True when the link is Noise-encrypted (valid after {@link #handshakeCompleted()}). */
    public boolean encrypted() {
        return encrypted;
    }

    /** Stops reading from the pool (slow-consumer tests); the pool's writes pile up in the socket buffers. */
    public void pauseReading() {
        Channel ch = channel;
        if (ch != null) {
            ch.config().setAutoRead(false);
        }
    }

    public long submitted() {
        return submitted.sum();
    }

    public long accepted() {
        return accepted.sum();
    }

    public long rejected() {
        return rejected.sum();
    }

    /** Shares found that met the network target. */
    public long blocksFound() {
        return blocks.sum();
    }

    public long hashes() {
        return hashes.sum();
    }

    public long errors(String code) {
        LongAdder a = errors.get(code);
        return a == null ? 0 : a.sum();
    }

    /** Every error code the pool answered a share with, and how often (for a failure message that names them all). */
    public java.util.Map<String, Long> errorCounts() {
        java.util.Map<String, Long> m = new java.util.TreeMap<>();
        errors.forEach((code, n) -> m.put(code, n.sum()));
        return m;
    }

    public Options options() {
        return options;
    }

    @Override
    public void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (miner != null) {
            miner.interrupt();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
