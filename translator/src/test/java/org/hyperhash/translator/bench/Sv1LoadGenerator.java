package org.hyperhash.translator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import org.hyperhash.sv2.netty.Sv2Transport;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.hyperhash.translator.bench.BenchArgs.intArg;
import static org.hyperhash.translator.bench.BenchArgs.strArg;

/**
 * SV1 load generator for the translator socket benchmark (manual {@code main}, not a test). Starts
 * {@link TranslatorBenchServer} (translator + pool) as a child JVM on the same classpath, then drives N simulated
 * SV1 miners from this JVM over Netty: heap per miner, notify fan-out after new blocks, shares/s at saturation
 * with the translator's CPU per 1k shares. Prints a result block; see translator/BENCH.md for usage.
 */
public final class Sv1LoadGenerator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile boolean submitting;
    private static final AtomicLong OK = new AtomicLong();
    private static final AtomicLong ERR = new AtomicLong();
    private static final ConcurrentLinkedQueue<String> ERR_SAMPLES = new ConcurrentLinkedQueue<>();

    private Sv1LoadGenerator() {
    }

    public static void main(String[] args) throws Exception {
        int miners = intArg(args, "--miners", 1000);
        int blocks = intArg(args, "--blocks", 20);
        int warmBlocks = intArg(args, "--warmup-blocks", 5);
        int shareSeconds = intArg(args, "--share-seconds", 20);
        int shareWarmup = intArg(args, "--share-warmup", 5);
        window = intArg(args, "--window", 2);
        int sources = intArg(args, "--sources", 4);
        int threads = intArg(args, "--threads", 2);
        String serverJvm = strArg(args, "--server-jvm", "-Xmx1g");

        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(Arrays.asList(serverJvm.trim().split("\\s+")));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TranslatorBenchServer.class.getName(),
                Integer.toString(Math.max(miners + 16, 1000))));
        Process server = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    if (l.matches("^(READY|BLOCK|STATS|HEAP|BYE|ERR) .*|^BYE$")) {
                        replies.add(l);
                    }
                }
            } catch (IOException e) {
                replies.add("ERR server stdout: " + e);
            }
        });
        Writer ctl = new OutputStreamWriter(server.getOutputStream(), StandardCharsets.US_ASCII);
        EventLoopGroup group = Sv2Transport.newEventLoopGroup(threads, "sv1-load");
        try {
            String ready = reply(replies, "READY", 60);
            int port = Integer.parseInt(ready.split(" ")[1]);
            System.out.printf(Locale.ROOT, "server pid %d, sv1 port %d, transport %s, miners %d%n", server.pid(), port,
                    Sv2Transport.name(), miners);

            long[] heap0 = heap(ctl, replies);
            List<Miner> ms = connect(group, port, miners, sources);
            Thread.sleep(2000);
            long[] heap1 = heap(ctl, replies);

            // notify fan-out: pool new block -> every miner has the clean mining.notify
            List<Long> lat = new ArrayList<>();
            List<Long> lastPerBlock = new ArrayList<>();
            for (int b = 0; b < blocks; b++) {
                long[] before = new long[ms.size()];
                for (int i = 0; i < ms.size(); i++) {
                    before[i] = ms.get(i).cleanCount;
                }
                long t0 = Long.parseLong(command(ctl, replies, "BLOCK").split(" ")[1]);
                long deadline = System.nanoTime() + 60_000_000_000L;
                for (int i = 0; i < ms.size(); i++) {
                    while (ms.get(i).cleanCount == before[i]) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("block " + b + ": miner " + i + " got no notify in 60 s");
                        }
                        Thread.sleep(1);
                    }
                }
                if (b >= warmBlocks) {
                    long last = 0;
                    for (Miner m : ms) {
                        long d = m.firstCleanNanos - t0;
                        lat.add(d);
                        last = Math.max(last, d);
                    }
                    lastPerBlock.add(last);
                }
                Thread.sleep(300);
            }

            // shares at saturation: each miner keeps `window` submits in flight
            submitting = true;
            for (Miner m : ms) {
                m.ch.eventLoop().execute(m::fill);
            }
            Thread.sleep(shareWarmup * 1000L);
            String[] s0 = command(ctl, replies, "STATS").split(" ");
            long g0 = selfCpu();
            long ok0 = OK.get(), err0 = ERR.get(), w0 = System.nanoTime();
            Thread.sleep(shareSeconds * 1000L);
            String[] s1 = command(ctl, replies, "STATS").split(" ");
            long g1 = selfCpu();
            long ok1 = OK.get(), err1 = ERR.get(), w1 = System.nanoTime();
            submitting = false;
            Thread.sleep(1000);

            double secs = (w1 - w0) / 1e9;
            long cpu = Long.parseLong(s1[1]) - Long.parseLong(s0[1]);
            long poolCpu = Long.parseLong(s1[2]) - Long.parseLong(s0[2]);
            long accepted = Long.parseLong(s1[3]) - Long.parseLong(s0[3]);
            long forwarded = Long.parseLong(s1[4]) - Long.parseLong(s0[4]);
            long poolGot = Long.parseLong(s1[5]) - Long.parseLong(s0[5]);

            long[] a = lat.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] lb = lastPerBlock.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "RESULT miners=%d%n", miners);
            System.out.printf(Locale.ROOT, "  heap after GC: 0 miners %.1f MiB, %d miners %.1f MiB (%d connected) -> %.0f B/miner;"
                    + " netty direct %.1f -> %.1f MiB; RSS %.0f -> %.0f MiB%n", heap0[0] / 1048576.0, miners,
                    heap1[0] / 1048576.0, heap1[3], (heap1[0] - heap0[0]) / (double) miners, heap0[1] / 1048576.0,
                    heap1[1] / 1048576.0, heap0[2] / 1048576.0, heap1[2] / 1048576.0);
            System.out.printf(Locale.ROOT, "  notify fan-out (%d blocks after %d warm-up, %d samples): p50 %.2f ms, p99 %.2f ms,"
                    + " max %.2f ms; last miner per block: median %.2f ms%n", lb.length, warmBlocks, a.length, pct(a, 50),
                    pct(a, 99), a[a.length - 1] / 1e6, pct(lb, 50));
            System.out.printf(Locale.ROOT, "  shares (%d s after %d s warm-up, window %d/miner): translator accepted %.0f/s,"
                    + " forwarded %.0f/s, pool got %.0f/s; miners saw %.0f ok/s, %.0f err/s%n", shareSeconds, shareWarmup,
                    window, accepted / secs, forwarded / secs, poolGot / secs, (ok1 - ok0) / secs, (err1 - err0) / secs);
            System.out.printf(Locale.ROOT, "  translator process CPU %.2f cores (pool thread %.2f); per 1k shares: %.1f ms"
                    + " excluding the pool thread (%.1f ms incl.); load generator CPU %.2f cores%n", cpu / 1e9 / secs,
                    poolCpu / 1e9 / secs, (cpu - poolCpu) / 1e6 / Math.max(1, accepted) * 1000,
                    cpu / 1e6 / Math.max(1, accepted) * 1000, (g1 - g0) / 1e9 / secs);
            if (!ERR_SAMPLES.isEmpty()) {
                System.out.println("  error samples: " + ERR_SAMPLES);
            }
            for (Miner m : ms) {
                m.ch.close();
            }
            command(ctl, replies, "QUIT");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroy();
            }
            reader.interrupt();
        }
    }

    private static List<Miner> connect(EventLoopGroup group, int port, int n, int sources) throws Exception {
        Bootstrap b = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
        List<Miner> ms = new ArrayList<>();
        Semaphore inFlight = new Semaphore(100); // handshakes in progress (keeps the accept backlog short)
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Miner m = new Miner(i, inFlight);
            if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("miner handshakes stuck (60 s) at miner " + i);
            }
            InetSocketAddress local = new InetSocketAddress("127.0.0." + (1 + i % sources), 0);
            ChannelFuture f = b.clone().handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new LineBasedFrameDecoder(16384), m);
                }
            }).connect(remote, local);
            f.addListener(x -> {
                if (!x.isSuccess()) {
                    System.err.println("connect " + m.index + " failed: " + x.cause());
                    inFlight.release();
                }
            });
            ms.add(m);
        }
        if (!inFlight.tryAcquire(100, 60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("miner handshakes did not finish in 60 s");
        }
        inFlight.release(100);
        for (Miner m : ms) {
            if (!m.ready || !m.ch.isActive()) {
                throw new IllegalStateException("miner " + m.index + " not ready");
            }
        }
        System.out.printf(Locale.ROOT, "%d miners subscribed, authorized and have a job in %.1f s%n", n,
                (System.nanoTime() - t0) / 1e9);
        return ms;
    }

    /** One simulated SV1 miner (subscribe, authorize, then notify / submit). */
    private static final class Miner extends SimpleChannelInboundHandler<ByteBuf> {
        final int index;
        final String worker;
        private final Semaphore handshakes;
        volatile Channel ch;
        volatile boolean ready;
        volatile long cleanCount;
        volatile long firstCleanNanos;
        private boolean subscribed;
        private boolean authorized;
        private String jobId;
        private String ntime;
        private String extranonce2 = "00000000";
        private long nonce;
        private long nextId = 10;
        private int inflight;

        Miner(int index, Semaphore handshakes) {
            this.index = index;
            this.worker = "bcrt1qbench.w" + index;
            this.handshakes = handshakes;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ch = ctx.channel();
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.write(line("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"hh-bench/1.0\"]}"));
            ctx.writeAndFlush(line("{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"" + worker + "\",\"x\"]}"));
        }

        private ByteBuf line(String s) {
            return sv1Line(ch.alloc(), s);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) throws Exception {
            long now = System.nanoTime();
            String l = frame.toString(StandardCharsets.US_ASCII);
            if (ready && !l.contains("\"method\"")) { // fast path for share replies
                inflight--;
                if (l.contains("\"result\":true")) {
                    OK.incrementAndGet();
                } else {
                    ERR.incrementAndGet();
                    if (ERR_SAMPLES.size() < 5) {
                        ERR_SAMPLES.add(l);
                    }
                }
                fill();
                return;
            }
            JsonNode j = JSON.readTree(l);
            String method = j.path("method").asText("");
            switch (method) {
                case "mining.notify" -> {
                    JsonNode p = j.get("params");
                    jobId = p.get(0).asText();
                    ntime = p.get(7).asText();
                    if (p.get(8).asBoolean()) {
                        firstCleanNanos = now;
                        cleanCount++;
                    }
                }
                case "" -> {
                    long id = j.path("id").asLong();
                    if (id == 1) {
                        int en2 = j.get("result").get(2).asInt();
                        extranonce2 = "00".repeat(en2);
                        subscribed = true;
                    } else if (id == 2) {
                        authorized = j.path("result").asBoolean(false);
                        if (!authorized) {
                            throw new IllegalStateException("authorize failed: " + l);
                        }
                    } else {
                        inflight--;
                        ERR.incrementAndGet();
                    }
                }
                default -> {
                }
            }
            if (!ready && subscribed && authorized && jobId != null) {
                ready = true;
                handshakes.release();
            }
        }

        /** Tops up submits in flight to the window (event loop only). */
        void fill() {
            boolean wrote = false;
            while (submitting && inflight < window) {
                String n = String.format("%08x", (int) nonce++);
                ch.write(line("{\"id\":" + nextId++ + ",\"method\":\"mining.submit\",\"params\":[\"" + worker + "\",\""
                        + jobId + "\",\"" + extranonce2 + "\",\"" + ntime + "\",\"" + n + "\"]}"));
                inflight++;
                wrote = true;
            }
            if (wrote) {
                ch.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println("miner " + index + ": " + cause);
            ctx.close();
            if (!ready) {
                ready = true; // releases the handshake slot; the connect phase then fails on the closed channel
                handshakes.release();
            }
        }
    }

    private static volatile int window = 2;

    private static long[] heap(Writer ctl, BlockingQueue<String> replies) throws Exception {
        String[] h = command(ctl, replies, "HEAP").split(" ");
        return new long[] {Long.parseLong(h[1]), Long.parseLong(h[2]), Long.parseLong(h[3]), Long.parseLong(h[4])};
    }

    private static String command(Writer ctl, BlockingQueue<String> replies, String c) throws Exception {
        ctl.write(c + "\n");
        ctl.flush();
        return reply(replies, c.equals("QUIT") ? "BYE" : c, 60);
    }

    private static String reply(BlockingQueue<String> replies, String prefix, int seconds) throws InterruptedException {
        String r = replies.poll(seconds, TimeUnit.SECONDS);
        if (r == null || !r.startsWith(prefix)) {
            throw new IllegalStateException("expected " + prefix + " from the server, got " + r);
        }
        return r;
    }

    private static long selfCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }

    /** Parks the calling thread until {@code System.nanoTime()} reaches {@code dueNanos} (paced connects). */
    static void parkUntil(long dueNanos) {
        long wait;
        while ((wait = dueNanos - System.nanoTime()) > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
        }
    }

    /** One SV1 JSON-RPC line (ASCII + newline) in a buffer from {@code alloc}; shared by the SV1 load generators. */
    static ByteBuf sv1Line(io.netty.buffer.ByteBufAllocator alloc, String s) {
        ByteBuf b = alloc.buffer(s.length() + 1);
        b.writeCharSequence(s, StandardCharsets.US_ASCII);
        b.writeByte('\n');
        return b;
    }

}
