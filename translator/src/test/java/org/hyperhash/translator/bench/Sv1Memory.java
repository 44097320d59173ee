package org.hyperhash.translator.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import org.hyperhash.sv2.netty.Sv2Transport;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.hyperhash.testkit.ProcStats;

import static org.hyperhash.translator.bench.BenchArgs.intArg;
import static org.hyperhash.translator.bench.BenchArgs.strArg;

/**
 * Memory of a running SV1 server (manual {@code main}, not a test; bench/sv1-memory.sh runs it against three separate
 * daemons, {@code hh stack} and the C floor): the resident memory of the server processes ({@code --pids}) idle,
 * then after each step of SV1 clients ({@code --steps 1000,5000}, cumulative) has connected, subscribed, authorized,
 * got its first {@code mining.notify}, and submitted a share every {@code --submit-ms} for {@code --hold-seconds}
 * (random nonces: rejected as low difficulty, as in the runs; what counts is that each submit is answered).
 * Per step it prints, per process and summed, VmRSS, the peak VmHWM and the proportional set size (Pss from
 * /proc/PID/smaps_rollup: pages shared between processes, such as libjvm and the CDS archive of three JVMs, counted
 * once in the sum), and whether anything was lost: every client notified, still connected, every submit answered.
 */
public final class Sv1Memory {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Sv1Memory() {
    }

    public static void main(String[] args) throws Exception {
        int port = intArg(args, "--port", 3333);
        String label = strArg(args, "--label", "server");
        int sources = intArg(args, "--sources", 8);
        double connectSeconds = Double.parseDouble(strArg(args, "--connect-seconds", "5"));
        int holdSeconds = intArg(args, "--hold-seconds", 15);
        int submitMs = intArg(args, "--submit-ms", 3000);
        List<Long> pids = new ArrayList<>();
        for (String p : strArg(args, "--pids", "").split(",")) {
            if (!p.isBlank()) {
                pids.add(Long.parseLong(p.trim()));
            }
        }
        List<Integer> steps = new ArrayList<>();
        for (String s : strArg(args, "--steps", "1000,5000").split(",")) {
            steps.add(Integer.parseInt(s.trim()));
        }
        long[] cpu = {cpuMillis(pids)};
        report(label, 0, pids, "lost 0", 0);
        EventLoopGroup group = Sv2Transport.newEventLoopGroup(2, "sv1-memory");
        List<Client> all = new ArrayList<>();
        try {
            Bootstrap b = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 60_000);
            InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
            for (int target : steps) {
                int add = target - all.size();
                long spacing = add <= 0 ? 0 : (long) (connectSeconds * 1e9 / add);
                long t0 = System.nanoTime();
                for (int i = 0; i < add; i++) {
                    long due = t0 + i * spacing;
                    Sv1LoadGenerator.parkUntil(due);
                    Client c = new Client(all.size());
                    all.add(c);
                    int src = 1 + all.size() % sources;
                    b.clone().handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LineBasedFrameDecoder(16384), c);
                        }
                    }).connect(remote, new InetSocketAddress("127.0.0." + src, 0)).addListener(f -> {
                        if (!f.isSuccess()) {
                            c.failed = true;
                        }
                    });
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                for (Client c : all) {
                    while (c.notified == 0 && !c.failed && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                }
                long allNotified = (System.nanoTime() - t0) / 1_000_000;
                // hold: every client submits every submitMs (staggered), the servers answer
                long holdEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds);
                int round = 0;
                while (System.nanoTime() < holdEnd) {
                    long roundStart = System.nanoTime();
                    long per = TimeUnit.MILLISECONDS.toNanos(submitMs) / Math.max(1, all.size());
                    for (int i = 0; i < all.size() && System.nanoTime() < holdEnd; i++) {
                        long due = roundStart + i * per;
                        Sv1LoadGenerator.parkUntil(due);
                        all.get(i).submit();
                    }
                    round++;
                    long rest = roundStart + TimeUnit.MILLISECONDS.toNanos(submitMs) - System.nanoTime();
                    if (rest > 0) {
                        LockSupport.parkNanos(rest);
                    }
                }
                // answers in flight: wait for them (bounded) before counting
                long answerDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < answerDeadline && all.stream().anyMatch(c -> c.answered.get() < c.sent.get()
                        && !c.closed)) {
                    Thread.sleep(20);
                }
                long notNotified = all.stream().filter(c -> c.notified == 0).count();
                long closed = all.stream().filter(c -> c.closed || c.failed).count();
                long sent = all.stream().mapToLong(c -> c.sent.get()).sum();
                long answered = all.stream().mapToLong(c -> c.answered.get()).sum();
                long accepted = all.stream().mapToLong(c -> c.accepted.get()).sum();
                String lost = String.format(Locale.ROOT, "%s: not notified %d, disconnected %d, submits %d answered %d (accepted %d),"
                        + " all notified in %.1f s, %d submit rounds", notNotified == 0 && closed == 0 && answered == sent ? "lost 0" : "LOST",
                        notNotified, closed, sent, answered, accepted, allNotified / 1e3, round);
                long cpuNow = cpuMillis(pids);
                report(label, all.size(), pids, lost, cpuNow - cpu[0]);
                cpu[0] = cpuNow;
            }
        } finally {
            for (Client c : all) {
                Channel ch = c.ch;
                if (ch != null) {
                    ch.close();
                }
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** utime + stime of the server processes, in ms; -1 when one is unreadable. */
    private static long cpuMillis(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            long ms = ProcStats.cpuMillis(pid);
            if (ms < 0) {
                return -1;
            }
            sum += ms;
        }
        return sum;
    }

    private static void report(String label, int clients, List<Long> pids, String lost, long cpuMs) {
        long rss = 0;
        long hwm = 0;
        long pss = 0;
        StringBuilder per = new StringBuilder();
        for (long pid : pids) {
            long r = ProcStats.kb(Path.of("/proc/" + pid + "/status"), "VmRSS:");
            long h = ProcStats.kb(Path.of("/proc/" + pid + "/status"), "VmHWM:");
            long p = ProcStats.kb(Path.of("/proc/" + pid + "/smaps_rollup"), "Pss:");
            rss += r;
            hwm += h;
            pss += p;
            per.append(String.format(Locale.ROOT, " [pid %d rss %.1f hwm %.1f pss %.1f]", pid, r / 1024.0, h / 1024.0, p / 1024.0));
        }
        System.out.printf(Locale.ROOT, "MEM %-12s clients %5d | RSS %.1f MiB | peak %.1f MiB | PSS %.1f MiB | server CPU %d ms this step"
                + " | %s | %s |%s%n", label, clients, rss / 1024.0, hwm / 1024.0, pss / 1024.0, cpuMs, lost, ProcStats.loadavg(), per);
    }


    /** One SV1 client: subscribes and authorizes on connect, remembers the last job, submits on request. */
    private static final class Client extends SimpleChannelInboundHandler<ByteBuf> {
        private final int n;
        volatile long notified;
        volatile boolean failed;
        volatile boolean closed;
        volatile Channel ch;
        volatile String jobId;
        volatile String ntime;
        volatile int en2Size = 4;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
        private long nonce;

        Client(int n) {
            this.n = n;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ch = ctx.channel();
            ctx.write(line(ctx, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"hh-memory/1.0\"]}"));
            ctx.writeAndFlush(line(ctx, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"bcrt1qbench.m" + n + "\",\"x\"]}"));
        }

        /** Sends a mining.submit on the last job (ids from 100 up: replies to them are counted as answers). */
        void submit() {
            Channel c = ch;
            String job = jobId;
            if (c == null || job == null || !c.isActive()) {
                return;
            }
            long id = 100 + sent.getAndIncrement();
            String en2 = HexFormat.of().toHexDigits(id).substring(16 - 2 * Math.min(8, en2Size));
            if (en2Size > 8) {
                en2 = "0".repeat(2 * (en2Size - 8)) + en2;
            }
            String msg = "{\"id\":" + id + ",\"method\":\"mining.submit\",\"params\":[\"bcrt1qbench.m" + n + "\",\"" + job + "\",\""
                    + en2 + "\",\"" + ntime + "\",\"" + String.format("%08x", (int) (nonce++)) + "\"]}";
            c.writeAndFlush(line(c, msg));
        }

        private static ByteBuf line(ChannelHandlerContext ctx, String s) {
            return line(ctx.channel(), s);
        }

        private static ByteBuf line(Channel ch, String s) {
            return Sv1LoadGenerator.sv1Line(ch.alloc(), s);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) throws Exception {
            JsonNode m = JSON.readTree(frame.toString(StandardCharsets.US_ASCII));
            JsonNode method = m.get("method");
            if (method != null && "mining.notify".equals(method.asText())) {
                JsonNode p = m.get("params");
                jobId = p.get(0).asText();
                ntime = p.get(7).asText();
                if (notified == 0) {
                    notified = System.nanoTime();
                }
                return;
            }
            JsonNode id = m.get("id");
            if (id == null || !id.canConvertToLong()) {
                return;
            }
            long i = id.asLong();
            if (i == 1) {
                JsonNode r = m.get("result");
                if (r != null && r.isArray() && r.size() >= 3) {
                    en2Size = r.get(2).asInt();
                }
            } else if (i >= 100) {
                answered.incrementAndGet();
                if (m.path("result").asBoolean(false)) {
                    accepted.incrementAndGet();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed = true;
            ctx.close();
        }
    }
}
