package org.hyperhash.pool.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.mining.NewMiningJob;
import org.hyperhash.sv2.message.mining.SetNewPrevHash;
import org.hyperhash.sv2.netty.NoiseHandshakeEvent;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.sv2.noise.StaticKeyPair;

/**
 * The baseline of the pool's job fan-out (a main, not a test): the same shape as {@link PoolLoadProbe}'s
 * fan-out round with no pool in it. This JVM runs a bare Netty server with as many event loops as the
 * pool's default (2 x cores); a child JVM opens N loopback connections (1000 per 127.0.0.x source
 * address, 2 event-loop threads, like {@link MinerFleet}). Each round every loop writes one
 * {@code size}-byte message to each of its connections and then flushes each one ({@code flush=all}, the
 * default: write all, flush all, as the pool's drain does), or writes and flushes one connection after the other
 * ({@code flush=each}), and the child records when each connection has read the whole message.
 *
 * <p>So "last connection written" here is the floor any server has on this machine for a fan-out to N
 * sockets: kernel send (on loopback that includes the receiver's TCP input), Netty's write path, and the
 * receiver's wake-up, but no job building, no encoding and no SV2 decoding. Bench/README.md quotes the
 * pool's fan-out as a ratio to this, from runs in the same minutes.
 *
 * <p>The message is what a standard channel gets on a new block, encoded once: a NewMiningJob (future) frame and a
 * SetNewPrevHash frame (105 bytes). With {@code security=noise} both sides run the project's Noise pipeline
 * ({@link Sv2Pipeline#server} / {@link Sv2Pipeline#client}, NX handshake first): the server encrypts the frames once
 * per connection per round and the receiver decrypts and decodes them, the same AEAD work as the pool and its miners;
 * with plaintext the receiver counts bytes ({@code receiver=bytes}, the default) or decodes them as the pool's miners
 * do ({@code receiver=decode}).
 *
 * <p>Options (system properties): miners (10000), rounds (40), security (plaintext|noise), net (loopback|veth: the
 * receiver in its own network namespace behind a veth pair, {@link VethPair}; falls back to loopback), threads
 * (2 x cores), perIp (1000), pause (300 ms between rounds), warmup (5 uncounted rounds first, as in
 * {@link PoolLoadProbe}), perRound (false: one attribution line per round, {@link RoundStats}, as the probe prints).
 */
public final class LoopbackWriteFloor {
    private LoopbackWriteFloor() {
    }

    private static int intProp(String k, int d) {
        return Integer.parseInt(System.getProperty(k, Integer.toString(d)));
    }

    private static long pct(long[] a, int k, double p) {
        return k == 0 ? -1 : a[Math.max(0, Math.min(k - 1, (int) Math.ceil(p * k) - 1))];
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    /** Next receiver line starting with {@code prefix}; its log lines are passed to stderr. */
    private static String expect(BufferedReader in, String prefix) throws java.io.IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.startsWith(prefix + " ")) {
                return line;
            }
            System.err.println("[receiver] " + line);
        }
        throw new java.io.EOFException("receiver exited while waiting for " + prefix);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("receiver")) {
            receiver(args);
            return;
        }
        int n = intProp("miners", 10_000);
        int rounds = intProp("rounds", 40);
        String security = System.getProperty("security", "plaintext");
        boolean noise = security.equals("noise");
        // plaintext receiver: "bytes" counts bytes (the floor up to 2026-12-02); "decode" runs the SV2 frame decoder
        // and codec like the pool's miners (MinerFleet), so the receiving side costs the same in both measurements
        String receiver = noise ? "decode" : System.getProperty("receiver", "bytes");
        ByteBuf frames = Unpooled.buffer();
        Sv2Codec.encodeFrame(new NewMiningJob(1, 2, java.util.OptionalInt.empty(), 0x20000000,
                Hash256.fromWireBytes(new byte[32])), frames);
        Sv2Codec.encodeFrame(new SetNewPrevHash(1, 2, Hash256.fromWireBytes(new byte[32]), 1_700_000_000, 0x1d00ffff),
                frames);
        int size = frames.readableBytes();
        int threads = intProp("threads", 2 * Runtime.getRuntime().availableProcessors());
        int perIp = intProp("perIp", 1000);
        long pause = intProp("pause", 300);
        int warmup = intProp("warmup", 5);
        // all: write to every connection of a loop, then flush each (the pool's drain); each: write and flush one
        // connection, then the next (tried in the pool on 2026-12-07: no measurable gain, bench/README.md)
        boolean flushEach = System.getProperty("flush", "all").equals("each");
        int groups = (n + perIp - 1) / perIp;
        VethPair veth = System.getProperty("net", "loopback").equals("veth") ? VethPair.create(groups) : null;
        String bindIp = veth == null ? "127.0.0.1" : veth.serverIp;
        String sourcePrefix = veth == null ? "127.0.0." : VethPair.clientPrefix();
        Secp256k1Provider crypto = Secp256k1Providers.best();
        java.security.SecureRandom rng = new java.security.SecureRandom();
        AuthorityKeyPair authority = AuthorityKeyPair.generate(rng);
        ServerIdentity identity = ServerIdentity.signedPerHandshake(StaticKeyPair.generate(rng), authority,
                java.time.Duration.ofDays(1));
        Map<EventLoop, List<Channel>> byLoop = new ConcurrentHashMap<>();
        EventLoopGroup boss = Sv2Transport.newEventLoopGroup(1, "floor-accept");
        EventLoopGroup io = Sv2Transport.newEventLoopGroup(threads, "floor-io");
        try {
            Channel server = new ServerBootstrap().group(boss, io).channel(Sv2Transport.serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            // on the channel's own loop: the list is only touched there
                            byLoop.computeIfAbsent(ch.eventLoop(), l -> new ArrayList<>()).add(ch);
                            if (noise) {
                                Sv2Pipeline.server(ch.pipeline(), crypto, identity, java.time.InstantSource.system(),
                                        Sv2Limits.MINING);
                            }
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ReferenceCountUtil.release(msg);
                                }
                            });
                        }
                    }).bind(bindIp, 0).sync().channel();
            InetSocketAddress addr = (InetSocketAddress) server.localAddress();
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules=jdk.incubator.vector", "-Xmx1g", // the same AEAD code as MinerFleet
                    "-XX:+UseParallelGC", "-Dio.netty.leakDetection.level=disabled", "-cp",
                    System.getProperty("java.class.path"), LoopbackWriteFloor.class.getName(), "receiver",
                    addr.getHostString(), Integer.toString(addr.getPort()), Integer.toString(n),
                    Integer.toString(perIp), Integer.toString(warmup + rounds), Integer.toString(size),
                    noise ? authority.publicKey().toBase58() : "plain", sourcePrefix, receiver);
            Process child = new ProcessBuilder(veth == null ? cmd : veth.wrap(cmd))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (PrintWriter out = new PrintWriter(child.getOutputStream(), true);
                 BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                System.out.println("floor " + expect(in, "CONNECTED").split(" ")[1] + " (connect ms); transport=" + Sv2Transport.name()
                        + " loops=" + byLoop.size() + " threads=" + threads + " size=" + size + " security=" + security
                        + " net=" + (veth == null ? "loopback" : "veth " + veth.namespace) + " receiver=" + receiver
                        + " flush=" + (flushEach ? "each" : "all"));
                // Noise encrypts from the backing array (as the pool's heap batches); plaintext goes out as it is
                ByteBuf msg = Unpooled.unreleasableBuffer((noise ? Unpooled.buffer(size) : Unpooled.directBuffer(size))
                        .writeBytes(frames));
                long[] written = new long[rounds];
                long[] lastRecv = new long[rounds];
                long[] medianRecv = new long[rounds];
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu = 0;
                long ioCpu = 0;
                RoundStats stats = new RoundStats("floor-io-", child.pid(), rounds);
                for (int r = 1; r <= warmup + rounds; r++) {
                    int ix = r - warmup - 1; // < 0: a warm-up round (JIT), not counted
                    Thread.sleep(pause);
                    stats.begin();
                    long c0 = os.getProcessCpuTime();
                    long io0 = ThreadCpu.nanos("floor-io-");
                    long t0 = System.nanoTime();
                    AtomicLongArray end = new AtomicLongArray(byLoop.size());
                    CountDownLatch done = new CountDownLatch(byLoop.size());
                    int li = 0;
                    for (Map.Entry<EventLoop, List<Channel>> e : byLoop.entrySet()) {
                        int slot = li++;
                        List<Channel> chs = e.getValue();
                        e.getKey().execute(() -> {
                            if (flushEach) {
                                for (int i = 0; i < chs.size(); i++) {
                                    chs.get(i).writeAndFlush(msg.duplicate(), chs.get(i).voidPromise());
                                }
                            } else {
                                for (int i = 0; i < chs.size(); i++) {
                                    chs.get(i).write(msg.duplicate(), chs.get(i).voidPromise());
                                }
                                for (int i = 0; i < chs.size(); i++) {
                                    chs.get(i).flush();
                                }
                            }
                            end.set(slot, System.nanoTime());
                            done.countDown();
                        });
                    }
                    out.println("WAIT " + r + " " + t0);
                    String[] f = expect(in, "ROUND").split(" ");
                    done.await(30, TimeUnit.SECONDS);
                    long c1 = os.getProcessCpuTime();
                    long io1 = ThreadCpu.nanos("floor-io-");
                    long lastEnd = 0;
                    for (int i = 0; i < end.length(); i++) {
                        lastEnd = Math.max(lastEnd, end.get(i) - t0);
                    }
                    stats.end(r, ix, Long.parseLong(f[4]), Long.parseLong(f[3]),
                            String.format(Locale.ROOT, "loopsDone(max)=%.1fms", lastEnd / 1e6));
                    if (ix < 0) {
                        continue;
                    }
                    cpu += c1 - c0;
                    ioCpu += io1 - io0;
                    long last = 0;
                    for (int i = 0; i < end.length(); i++) {
                        last = Math.max(last, end.get(i) - t0);
                    }
                    written[ix] = last;
                    if (Integer.parseInt(f[2]) != n) {
                        System.out.println("round " + r + ": only " + f[2] + " of " + n + " connections read it");
                    }
                    medianRecv[ix] = Long.parseLong(f[3]);
                    lastRecv[ix] = Long.parseLong(f[4]);
                }
                System.out.println("floor " + stats.summary(n) + "; " + org.hyperhash.testkit.ProcStats.loadavg());
                Arrays.sort(written);
                Arrays.sort(lastRecv);
                Arrays.sort(medianRecv);
                System.out.printf(Locale.ROOT, "floor connections=%d rounds=%d lastWritten(ms) p50=%s p99=%s; "
                                + "lastRead(ms) p50=%s p99=%s; perConnectionP50(ms) median=%s; server cpu per round=%s ms"
                                + " (%.2f us per connection); event-loop threads only %.2f us per connection%n", n, rounds, ms(pct(written, rounds, 0.5)),
                        ms(pct(written, rounds, 0.99)), ms(pct(lastRecv, rounds, 0.5)), ms(pct(lastRecv, rounds, 0.99)),
                        ms(pct(medianRecv, rounds, 0.5)), ms(cpu / rounds), cpu / (double) rounds / n / 1e3,
                        ioCpu / (double) rounds / n / 1e3);
                out.println("QUIT");
            } finally {
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        } finally {
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (veth != null) {
                veth.close();
            }
        }
    }

    /** Child JVM: N connections that record when each has read message k (k = 1..rounds). */
    private static void receiver(String[] a) throws Exception {
        String host = a[1];
        int port = Integer.parseInt(a[2]);
        int n = Integer.parseInt(a[3]);
        int perIp = Integer.parseInt(a[4]);
        int rounds = Integer.parseInt(a[5]);
        int size = Integer.parseInt(a[6]);
        AuthorityPublicKey key = a[7].equals("plain") ? null : AuthorityPublicKey.fromBase58(a[7]);
        String sourcePrefix = a[8];
        boolean decode = a[9].equals("decode");
        Secp256k1Provider crypto = Secp256k1Providers.best();
        java.util.concurrent.atomic.AtomicInteger handshakes = new java.util.concurrent.atomic.AtomicInteger();
        AtomicLongArray[] at = new AtomicLongArray[rounds + 1];
        for (int r = 1; r <= rounds; r++) {
            at[r] = new AtomicLongArray(n);
        }
        EventLoopGroup group = Sv2Transport.newEventLoopGroup(2, "floor-recv");
        long c0 = System.nanoTime();
        List<ChannelFuture> pending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int idx = i;
            Bootstrap b = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            if (key != null) {
                                Sv2Pipeline.client(ch.pipeline(), crypto, key, java.time.InstantSource.system(),
                                        Sv2Limits.MINING);
                            } else if (decode) {
                                Sv2Pipeline.plaintext(ch.pipeline(), Sv2Limits.MINING);
                            }
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                long bytes;
                                int seen;

                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    if (evt instanceof NoiseHandshakeEvent.Completed) {
                                        handshakes.incrementAndGet();
                                    }
                                }

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    long now = System.nanoTime();
                                    if (msg instanceof ByteBuf buf) { // plaintext: count bytes
                                        bytes += buf.readableBytes();
                                        buf.release();
                                        while (seen < rounds && bytes >= (long) (seen + 1) * size) {
                                            at[++seen].set(idx, now);
                                        }
                                    } else if (msg instanceof SetNewPrevHash && seen < rounds) { // Noise: decoded
                                        at[++seen].set(idx, now);
                                    }
                                }
                            });
                        }
                    });
            pending.add(b.connect(new InetSocketAddress(host, port), new InetSocketAddress(sourcePrefix + (2 + i / perIp), 0)));
            if (pending.size() == 200 || i == n - 1) {
                for (ChannelFuture f : pending) {
                    f.sync();
                }
                pending.clear();
            }
        }
        while (key != null && handshakes.get() < n && System.nanoTime() - c0 < TimeUnit.SECONDS.toNanos(300)) {
            Thread.sleep(5);
        }
        System.out.println("CONNECTED " + (System.nanoTime() - c0) / 1_000_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String line;
        long[] lat = new long[n];
        while ((line = in.readLine()) != null && line.startsWith("WAIT")) {
            String[] c = line.split(" ");
            int r = Integer.parseInt(c[1]);
            long t0 = Long.parseLong(c[2]);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int k;
            do {
                k = 0;
                for (int i = 0; i < n; i++) {
                    long v = at[r].get(i);
                    if (v != 0) {
                        lat[k++] = v - t0;
                    }
                }
                if (k < n) {
                    Thread.sleep(1);
                }
            } while (k < n && System.nanoTime() < deadline);
            Arrays.sort(lat, 0, k);
            System.out.printf(Locale.ROOT, "ROUND %d %d %d %d%n", r, k, pct(lat, k, 0.5), k == 0 ? -1 : lat[k - 1]);
            System.out.flush();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}
