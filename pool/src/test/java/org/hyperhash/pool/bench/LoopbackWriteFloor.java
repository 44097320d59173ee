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
import org.hyperhash.sv2.netty.Sv2Transport;

/**
 * The baseline of the pool's job fan-out (a main, not a test): the same shape as {@link PoolLoadProbe}'s
 * fan-out round with no pool in it. This JVM runs a bare Netty server with as many event loops as the
 * pool's default (2 x cores); a child JVM opens N loopback connections (1000 per 127.0.0.x source
 * address, 2 event-loop threads, like {@link MinerFleet}). Each round every loop writes one
 * {@code size}-byte message to each of its connections and then flushes each one (the pool's drain:
 * write all, flush all), and the child records when each connection has read the whole message.
 *
 * <p>So "last connection written" here is the floor any server has on this machine for a fan-out to N
 * sockets: kernel send (on loopback that includes the receiver's TCP input), Netty's write path, and the
 * receiver's wake-up, but no job building, no encoding and no SV2 decoding. Bench/README.md quotes the
 * pool's fan-out as a ratio to this, from runs in the same minutes.
 *
 * <p>Options (system properties): miners (10000), rounds (40), size (110 bytes: a standard channel's
 * NewMiningJob + SetNewPrevHash frames), threads (2 x cores), perIp (1000), pause (300 ms between rounds),
 * warmup (5 uncounted rounds first, as in {@link PoolLoadProbe}).
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

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("receiver")) {
            receiver(args);
            return;
        }
        int n = intProp("miners", 10_000);
        int rounds = intProp("rounds", 40);
        int size = intProp("size", 110);
        int threads = intProp("threads", 2 * Runtime.getRuntime().availableProcessors());
        int perIp = intProp("perIp", 1000);
        long pause = intProp("pause", 300);
        int warmup = intProp("warmup", 5);
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
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ((ByteBuf) msg).release();
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            InetSocketAddress addr = (InetSocketAddress) server.localAddress();
            List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                    "-XX:+UseParallelGC", "-Dio.netty.leakDetection.level=disabled", "-cp",
                    System.getProperty("java.class.path"), LoopbackWriteFloor.class.getName(), "receiver",
                    addr.getHostString(), Integer.toString(addr.getPort()), Integer.toString(n),
                    Integer.toString(perIp), Integer.toString(warmup + rounds), Integer.toString(size));
            Process child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (PrintWriter out = new PrintWriter(child.getOutputStream(), true);
                 BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                System.out.println("floor " + in.readLine() + " (connect ms); transport=" + Sv2Transport.name()
                        + " loops=" + byLoop.size() + " threads=" + threads + " size=" + size);
                ByteBuf msg = Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeZero(size));
                long[] written = new long[rounds];
                long[] lastRecv = new long[rounds];
                long[] medianRecv = new long[rounds];
                var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
                long cpu = 0;
                for (int r = 1; r <= warmup + rounds; r++) {
                    int ix = r - warmup - 1; // < 0: a warm-up round (JIT), not counted
                    Thread.sleep(pause);
                    long c0 = os.getProcessCpuTime();
                    long t0 = System.nanoTime();
                    AtomicLongArray end = new AtomicLongArray(byLoop.size());
                    CountDownLatch done = new CountDownLatch(byLoop.size());
                    int li = 0;
                    for (Map.Entry<EventLoop, List<Channel>> e : byLoop.entrySet()) {
                        int slot = li++;
                        List<Channel> chs = e.getValue();
                        e.getKey().execute(() -> {
                            for (int i = 0; i < chs.size(); i++) {
                                chs.get(i).write(msg.duplicate(), chs.get(i).voidPromise());
                            }
                            for (int i = 0; i < chs.size(); i++) {
                                chs.get(i).flush();
                            }
                            end.set(slot, System.nanoTime());
                            done.countDown();
                        });
                    }
                    out.println("WAIT " + r + " " + t0);
                    String[] f = in.readLine().split(" ");
                    done.await(30, TimeUnit.SECONDS);
                    if (ix < 0) {
                        continue;
                    }
                    cpu += os.getProcessCpuTime() - c0;
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
                Arrays.sort(written);
                Arrays.sort(lastRecv);
                Arrays.sort(medianRecv);
                System.out.printf(Locale.ROOT, "floor connections=%d rounds=%d lastWritten(ms) p50=%s p99=%s; "
                                + "lastRead(ms) p50=%s p99=%s; perConnectionP50(ms) median=%s; server cpu per round=%s ms"
                                + " (%.2f us per connection)%n", n, rounds, ms(pct(written, rounds, 0.5)),
                        ms(pct(written, rounds, 0.99)), ms(pct(lastRecv, rounds, 0.5)), ms(pct(lastRecv, rounds, 0.99)),
                        ms(pct(medianRecv, rounds, 0.5)), ms(cpu / rounds), cpu / (double) rounds / n / 1e3);
                out.println("QUIT");
            } finally {
                if (!child.waitFor(10, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        } finally {
            io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
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
                    .handler(new ChannelInboundHandlerAdapter() {
                        long bytes;
                        int seen;

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            bytes += buf.readableBytes();
                            buf.release();
                            long now = System.nanoTime();
                            while (seen < rounds && bytes >= (long) (seen + 1) * size) {
                                at[++seen].set(idx, now);
                            }
                        }
                    });
            pending.add(b.connect(new InetSocketAddress(host, port), new InetSocketAddress("127.0.0." + (2 + i / perIp), 0)));
            if (pending.size() == 200 || i == n - 1) {
                for (ChannelFuture f : pending) {
                    f.sync();
                }
                pending.clear();
            }
        }
        System.out.println((System.nanoTime() - c0) / 1_000_000);
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
