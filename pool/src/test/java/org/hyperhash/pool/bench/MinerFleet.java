package org.hyperhash.pool.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.hyperhash.base.Target;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.message.mining.NewExtendedMiningJob;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannel;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.OpenStandardMiningChannelSuccess;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.netty.NoiseDrivers;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.NoiseInitiator;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;

/**
 * Load generator (not a test): N lightweight SV2 miners on ONE shared event loop group, each on its
 * own connection from one of several 127.0.0.x source addresses. Driven by {@link PoolLoadProbe}
 * over stdin/stdout, one command per line:
 * <pre>
 * CONNECT             connect all, print "READY ms retries" once every miner has a job
 * WAIT round t0       print fan-out latencies of every miner for that round, relative to t0 (nanoTime)
 * STORM               close all, reconnect all at once, print "STORM closeMs backMs retries ready p50 p90 p99
 *                     fleetCpuMs prepareCpuMs esPrepared certVerifies fleetJitCpuMs" (per-miner back-on-job times in ms
 *                     from the reconnect start; prepareCpuMs, esPrepared and certVerifies are 0 unless fleet.prepare;
 *                     fleetJitCpuMs is the part of fleetCpuMs on this JVM's JIT compiler threads)
 * SHARES seconds w    each miner keeps w standard shares in flight; print "SHARES sent acked errors"
 * QUIT
 * </pre>
 * args: host port authorityKeyBase58|plain miners standard|extended|mixed perSourceIp loopThreads
 *
 * <p>{@code -Dfleet.prepare=true} (default false; Noise only) makes the fleet stand in more faithfully for miners
 * on their own machines, whose crypto does not share the pool's cores: before each storm (after the closes,
 * outside the storm's CPU window; its CPU is reported as prepareCpuMs) every miner makes the handshake work that
 * does not depend on the pool's reply ({@link NoiseInitiator#prepare}: its ephemeral EllSwift key pair and the
 * {@code es} ECDH against the pool's static encoding learned at the first connection), and a certificate
 * byte-identical to one already verified is verified once ({@link VerifyOnce}: keyed by the exact signature,
 * message and key bytes; the validity window is still checked on every handshake). Online per miner: the
 * {@code ee} ECDH, the Noise symmetric work, SetupConnection/OpenChannel and TCP. The pool's work is unchanged.
 */
public final class MinerFleet {
    /** Source addresses are this prefix + 2, 3, ...: 127.0.0.x on loopback, the namespace's addresses behind a veth. */
    private static final String SOURCE_PREFIX = System.getProperty("fleet.sourcePrefix", "127.0.0.");
    /** IP_BIND_ADDRESS_NO_PORT on the miners' sockets (epoll only; -Dfleet.bindNoPort=false for the old bind). */
    private static final boolean BIND_NO_PORT = Sv2Transport.name().equals("epoll")
            && Boolean.parseBoolean(System.getProperty("fleet.bindNoPort", "true"));
    private final InetSocketAddress pool;
    private final AuthorityPublicKey key;
    private final int n;
    private final String kind;
    private final int perIp;
    private final EventLoopGroup group;
    private final Secp256k1Provider crypto = Secp256k1Providers.best();
    private final boolean prepare = Boolean.getBoolean("fleet.prepare");
    private final VerifyOnce verifyOnce = new VerifyOnce(crypto);
    /** The pool's static key encoding as presented at a handshake (prepare mode). */
    private volatile byte[] poolStatic;
    private final LongAdder esPrepared = new LongAdder();
    private final Miner[] miners;
    private final AtomicInteger ready = new AtomicInteger();
    private final LongAdder retries = new LongAdder();
    private final ConcurrentHashMap<Integer, Round> rounds = new ConcurrentHashMap<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Semaphore connecting;
    private volatile boolean storming;
    private volatile int window;
    private volatile boolean shooting;
    /** nanoTime each miner became ready in the current storm (0 = not yet); null outside a storm. */
    private volatile AtomicLongArray stormReady;

    private final class Round {
        final AtomicLongArray at = new AtomicLongArray(n);
        final AtomicInteger count = new AtomicInteger();
    }

    private MinerFleet(String[] a) {
        pool = new InetSocketAddress(a[0], Integer.parseInt(a[1]));
        key = a[2].equals("plain") ? null : AuthorityPublicKey.fromBase58(a[2]);
        n = Integer.parseInt(a[3]);
        kind = a[4];
        perIp = Integer.parseInt(a[5]);
        group = Sv2Transport.newEventLoopGroup(Integer.parseInt(a[6]), "fleet");
        connecting = new Semaphore(Integer.parseInt(System.getProperty("fleet.concurrentConnects", "200")));
        miners = new Miner[n];
        for (int i = 0; i < n; i++) {
            boolean ext = kind.equals("extended") || (kind.equals("mixed") && i % 2 == 1);
            miners[i] = new Miner(i, ext);
        }
    }

    /**
     * Bench-only provider wrapper for the prepare mode: a positive Schnorr verification and an EllSwift decode are
     * remembered by their exact input bytes, so a byte-identical certificate (the pool signs one per second) and
     * the pool's static encoding cost one verification / decode each. Everything else goes to the real provider.
     */
    static final class VerifyOnce implements Secp256k1Provider {
        private final Secp256k1Provider p;
        private final ConcurrentHashMap<java.nio.ByteBuffer, Boolean> verified = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<java.nio.ByteBuffer, byte[]> decoded = new ConcurrentHashMap<>();
        final LongAdder verifications = new LongAdder();

        VerifyOnce(Secp256k1Provider p) {
            this.p = p;
        }

        private static java.nio.ByteBuffer key(byte[]... parts) {
            int n = 0;
            for (byte[] b : parts) {
                n += b.length + 1;
            }
            java.nio.ByteBuffer k = java.nio.ByteBuffer.allocate(n);
            for (byte[] b : parts) {
                k.put((byte) b.length).put(b); // lengths included: no ambiguity between parts
            }
            return k.flip();
        }

        @Override
        public String name() {
            return p.name() + " (verify once)";
        }

        @Override
        public byte[] ellswiftCreate(byte[] secretKey32, byte[] auxRand32) {
            return p.ellswiftCreate(secretKey32, auxRand32);
        }

        @Override
        public byte[] ellswiftDecode(byte[] ellswift64) {
            if (decoded.size() > 1024) {
                decoded.clear();
            }
            return decoded.computeIfAbsent(key(ellswift64), k -> p.ellswiftDecode(ellswift64)).clone();
        }

        @Override
        public byte[] ellswiftXdh(byte[] i, byte[] r, byte[] secretKey32, boolean initiating) {
            return p.ellswiftXdh(i, r, secretKey32, initiating);
        }

        @Override
        public byte[] xonlyPublicKey(byte[] secretKey32) {
            return p.xonlyPublicKey(secretKey32);
        }

        @Override
        public byte[] signSchnorr(byte[] message, byte[] secretKey32, byte[] auxRand32) {
            return p.signSchnorr(message, secretKey32, auxRand32);
        }

        @Override
        public boolean verifySchnorr(byte[] signature64, byte[] message, byte[] xonlyPublicKey32) {
            java.nio.ByteBuffer k = key(signature64, message, xonlyPublicKey32);
            if (verified.containsKey(k)) {
                return true;
            }
            verifications.increment();
            boolean ok = p.verifySchnorr(signature64, message, xonlyPublicKey32);
            if (ok) {
                if (verified.size() > 1024) {
                    verified.clear();
                }
                verified.put(k, Boolean.TRUE);
            }
            return ok;
        }
    }

    /**
     * One simulated miner; all fields touched on its channel's event loop except {@link #channel}. What a miner keeps
     * in its configuration (source address, user and device strings) is made once here, not on every (re)connect: a
     * real miner does not re-derive its payout address per connection, so that work is the generator's, not a
     * remote miner's (it was ~1% of the fleet's storm CPU: a bech32 encoding per OpenChannel).
     */
    private final class Miner extends ChannelInboundHandlerAdapter {
        final int index;
        final boolean extended;
        final InetSocketAddress source;
        final String user;
        final String deviceId;
        volatile Channel channel;
        /** Prepare mode: the handshake key made before the storm (taken by the next connect), and the live initiator. */
        volatile NoiseInitiator.Prepared next;
        volatile NoiseInitiator initiator;
        boolean isReady;
        boolean holdsPermit;
        int channelId;
        int jobId = -1;
        int futureJobId = -1;
        int futureVersion;
        int version;
        int ntime;
        int nonce;
        int seq;
        int inFlight;

        Miner(int index, boolean extended) {
            this.index = index;
            this.extended = extended;
            this.source = new InetSocketAddress(SOURCE_PREFIX + (2 + index / perIp), 0);
            this.user = PoolHarness.address(1 + index % 200) + ".w" + index;
            this.deviceId = "m" + index;
        }

        void connect(boolean withPermit) {
            holdsPermit = withPermit;
            Bootstrap b = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000);
            if (BIND_NO_PORT) {
                // the source port is picked by connect() (4-tuple unique), not by bind(): a bind with port 0 searches
                // the source address's port space, thousands of TIME_WAIT sockets included (the fleet closes first)
                b.option(io.netty.channel.epoll.EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
            }
            b
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (key == null) {
                                Sv2Pipeline.plaintext(ch.pipeline(), Sv2Limits.MINING);
                            } else if (prepare) {
                                NoiseInitiator.Prepared p = next;
                                next = null;
                                NoiseInitiator ini = p == null
                                        ? new NoiseInitiator(verifyOnce, key, InstantSource.system(),
                                                Sv2Pipeline.CERTIFICATE_CLOCK_SKEW)
                                        : new NoiseInitiator(verifyOnce, key, InstantSource.system(),
                                                Sv2Pipeline.CERTIFICATE_CLOCK_SKEW, p);
                                initiator = ini;
                                Sv2Pipeline.noise(ch.pipeline(), NoiseDrivers.initiator(ini), Sv2Limits.MINING);
                            } else {
                                Sv2Pipeline.client(ch.pipeline(), crypto, key, InstantSource.system(),
                                        Sv2Limits.MINING);
                            }
                            ch.pipeline().addLast("miner", Miner.this);
                        }
                    });
            ChannelFuture f = b.connect(pool, source);
            channel = f.channel();
            f.addListener(r -> {
                if (!r.isSuccess()) {
                    retryLater(f.channel());
                }
            });
        }

        @Override
        public boolean isSharable() {
            return true; // re-added to each new connection of this miner (never two at once)
        }

        void retryLater(Channel ch) {
            retries.increment();
            release();
            ch.eventLoop().schedule(() -> connect(false), 200 + ThreadLocalRandom.current().nextInt(300), TimeUnit.MILLISECONDS);
        }

        void release() {
            if (holdsPermit) {
                holdsPermit = false;
                connecting.release();
            }
        }

        private void sendSetup(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(new SetupConnection(0, 2, 2, extended ? 0 : 1, "127.0.0.1", pool.getPort(),
                    "hyperhash-bench", "sim", "0.1", deviceId));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof NoiseHandshakeEvent.Completed) { // plaintext pipelines fire it too
                NoiseInitiator ini = initiator;
                if (ini != null) {
                    // the latest handshake's: the pool computes its static encoding once, but the first handshakes
                    // may race (ServerIdentity: any valid encoding works) and present another one
                    poolStatic = ini.peerStaticEllSwift();
                    if (ini.preparedEsUsed()) {
                        esPrepared.increment();
                    }
                    initiator = null;
                }
                sendSetup(ctx);
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long now = System.nanoTime();
            switch (msg) {
                case SetupConnectionSuccess s -> {
                    if (extended) {
                        ctx.writeAndFlush(new OpenExtendedMiningChannel(1, user, 1.0f, Target.MAX, 8));
                    } else {
                        ctx.writeAndFlush(new OpenStandardMiningChannel(1, user, 1.0f, Target.MAX));
                    }
                }
                case OpenStandardMiningChannelSuccess s -> channelId = s.channelId();
                case OpenExtendedMiningChannelSuccess s -> channelId = s.channelId();
                case NewMiningJob j -> {
                    if (j.minNtime().isEmpty()) {
                        futureJobId = j.jobId();
                        futureVersion = j.version();
                    } else {
                        jobId = j.jobId();
                        version = j.version();
                        ntime = j.minNtime().getAsInt();
                        becameReady();
                    }
                }
                case NewExtendedMiningJob j -> {
                    if (j.minNtime().isPresent()) {
                        becameReady();
                    }
                }
                case SetNewPrevHash p -> {
                    int r = org.hyperhash.pool.bench.BenchTemplateSource.roundOf(p.prevHash());
                    Round round = rounds.computeIfAbsent(r, k -> new Round());
                    if (round.at.compareAndSet(index, 0, now)) {
                        round.count.incrementAndGet();
                    }
                    if (p.jobId() == futureJobId) {
                        version = futureVersion;
                    }
                    jobId = p.jobId();
                    ntime = p.minNtime();
                    becameReady();
                }
                case SubmitSharesSuccess s -> {
                    acked.add(s.newSubmitsAcceptedCount());
                    inFlight -= s.newSubmitsAcceptedCount();
                    topUp(ctx);
                }
                case SubmitSharesError e -> {
                    errors.increment();
                    inFlight--;
                    topUp(ctx);
                }
                default -> {
                }
            }
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        void becameReady() {
            if (!isReady && jobId >= 0) {
                isReady = true;
                release();
                AtomicLongArray sr = stormReady;
                if (sr != null) {
                    sr.compareAndSet(index, 0, System.nanoTime());
                }
                ready.incrementAndGet();
            }
        }

        void topUp(ChannelHandlerContext ctx) {
            if (!shooting || extended || jobId < 0) {
                return;
            }
            boolean wrote = false;
            while (inFlight < window) {
                ctx.write(new SubmitSharesStandard(channelId, seq++, jobId, nonce++, ntime, version), ctx.voidPromise());
                inFlight++;
                sent.increment();
                wrote = true;
            }
            if (wrote) {
                ctx.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            boolean wasReady = isReady;
            isReady = false;
            jobId = -1;
            futureJobId = -1;
            inFlight = 0;
            if (wasReady) {
                ready.decrementAndGet();
            }
            if (!storming && !wasReady) {
                retryLater(ctx.channel()); // refused before getting work (limits, backlog): back off and retry
            } else if (!storming) {
                System.err.println("miner " + index + " lost its connection");
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void acquire() {
        connecting.acquireUninterruptibly();
    }

    private long connectAll(boolean bounded) throws InterruptedException {
        long t0 = System.nanoTime();
        for (Miner m : miners) {
            if (bounded) {
                acquire();
            }
            m.connect(bounded);
        }
        while (ready.get() < n) {
            Thread.sleep(2);
            if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(300)) {
                break;
            }
        }
        return System.nanoTime() - t0;
    }

    private void waitRound(int r, long t0) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Round round = rounds.computeIfAbsent(r, k -> new Round());
        while (round.count.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        long[] lat = new long[round.count.get()];
        int k = 0;
        for (int i = 0; i < n && k < lat.length; i++) {
            long v = round.at.get(i);
            if (v != 0) {
                lat[k++] = v - t0;
            }
        }
        Arrays.sort(lat, 0, k);
        rounds.remove(r);
        System.out.printf(Locale.ROOT, "ROUND %d %d %d %d %d %d%n", r, k, pct(lat, k, 0.0), pct(lat, k, 0.5),
                pct(lat, k, 0.99), k == 0 ? -1 : lat[k - 1]);
    }

    private static long pct(long[] a, int k, double p) {
        if (k == 0) {
            return -1;
        }
        return a[Math.min(k - 1, (int) Math.ceil(p * k) - (p == 0 ? 0 : 1))];
    }

    private void storm() throws InterruptedException {
        storming = true;
        long t0 = System.nanoTime();
        List<ChannelFuture> closes = new ArrayList<>(n);
        for (Miner m : miners) {
            closes.add(m.channel.close());
        }
        for (ChannelFuture f : closes) {
            f.await(10, TimeUnit.SECONDS);
        }
        long closed = System.nanoTime() - t0;
        while (ready.get() > 0) {
            Thread.sleep(1);
        }
        storming = false;
        long prepareCpu = 0;
        long es0 = esPrepared.sum();
        long v0 = verifyOnce.verifications.sum();
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (prepare && key != null) {
            // each miner's reply-independent handshake work, as on its own hardware before it reconnects
            long p0 = os.getProcessCpuTime();
            byte[] known = poolStatic;
            for (Miner m : miners) {
                m.next = NoiseInitiator.prepare(crypto, known);
            }
            prepareCpu = os.getProcessCpuTime() - p0;
        }
        long before = retries.sum();
        AtomicLongArray sr = new AtomicLongArray(n);
        stormReady = sr;
        long cpu0 = os.getProcessCpuTime();
        long jit0 = ThreadCpu.procNanos("C1 Compiler", "C2 Compiler");
        long r0 = System.nanoTime();
        long back = connectAll(false); // everyone at once
        long cpu = os.getProcessCpuTime() - cpu0;
        long jit = ThreadCpu.procNanos("C1 Compiler", "C2 Compiler") - jit0;
        stormReady = null;
        long[] lat = new long[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            long v = sr.get(i);
            if (v != 0) {
                lat[k++] = v - r0;
            }
        }
        Arrays.sort(lat, 0, k);
        System.out.printf(Locale.ROOT, "STORM %d %d %d %d %d %d %d %d %d %d %d %d%n", closed / 1_000_000, back / 1_000_000,
                retries.sum() - before, ready.get(), pct(lat, k, 0.5) / 1_000_000, pct(lat, k, 0.9) / 1_000_000,
                pct(lat, k, 0.99) / 1_000_000, cpu / 1_000_000, prepareCpu / 1_000_000, esPrepared.sum() - es0,
                verifyOnce.verifications.sum() - v0, jit / 1_000_000);
    }

    private void shares(int seconds, int w) throws InterruptedException {
        window = w;
        shooting = true;
        long s0 = sent.sum();
        long a0 = acked.sum();
        long e0 = errors.sum();
        for (Miner m : miners) {
            Channel ch = m.channel;
            ch.eventLoop().execute(() -> {
                ChannelHandlerContext ctx = ch.pipeline().context("miner");
                if (ctx != null) {
                    m.topUp(ctx);
                }
            });
        }
        Thread.sleep(seconds * 1000L);
        shooting = false;
        Thread.sleep(500);
        System.out.printf(Locale.ROOT, "SHARES %d %d %d%n", sent.sum() - s0, acked.sum() - a0, errors.sum() - e0);
    }

    public static void main(String[] args) throws Exception {
        MinerFleet f = new MinerFleet(args);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        while ((line = in.readLine()) != null) {
            String[] c = line.trim().split(" ");
            switch (c[0]) {
                case "CONNECT" -> {
                    long t = f.connectAll(true);
                    System.out.printf(Locale.ROOT, "READY %d %d %d%n", t / 1_000_000, f.retries.sum(), f.ready.get());
                }
                case "WAIT" -> f.waitRound(Integer.parseInt(c[1]), Long.parseLong(c[2]));
                case "STORM" -> f.storm();
                case "SHARES" -> f.shares(Integer.parseInt(c[1]), Integer.parseInt(c[2]));
                case "QUIT" -> {
                    f.storming = true; // closing: no retries, no "lost" lines
                    f.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
                    System.out.println("BYE");
                    return;
                }
                default -> System.out.println("ERR unknown command " + line);
            }
            System.out.flush();
        }
    }
}
