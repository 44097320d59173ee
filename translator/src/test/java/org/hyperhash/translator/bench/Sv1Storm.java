package org.hyperhash.translator.bench;

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

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * SV1 connect storm, side by side (manual {@code main}, not a test; bench/sv1-storm.sh runs it): N SV1 clients
 * start connecting within S seconds (evenly spaced) to a server child process, each sends mining.subscribe +
 * mining.authorize as soon as TCP is up and waits for its first {@code mining.notify}. Per client it records the
 * TCP connect time (connect call to the socket being connected: a full accept queue drops SYNs and shows up here
 * as 1 s / 3 s SYN retransmits) and the time to its first notify. The servers alternate in one run:
 * {@code --floor CMD} (e.g. the C floor, bench/sv1-floor/sv1floor.c) and {@code --translator "JVM FLAGS"}
 * ({@link TranslatorBenchServer}: translator daemon + a lean SV2 pool in one JVM), {@code --runs} times each;
 * each child must print {@code READY <port>}. Also prints the child's peak RSS (VmHWM) and RSS with all N connected.
 */
public final class Sv1Storm {
    private Sv1Storm() {
    }

    public static void main(String[] args) throws Exception {
        int miners = intArg(args, "--miners", 5000);
        double seconds = Double.parseDouble(strArg(args, "--seconds", "2"));
        int runs = intArg(args, "--runs", 3);
        int sources = intArg(args, "--sources", 8);
        String floor = strArg(args, "--floor", null);
        serverWarmup = List.of(args).contains("--warm-server");
        String translatorCpFlags = strArg(args, "--translator-jvm", "-Xmx1g");
        List<String[]> servers = new ArrayList<>();
        if (floor != null) {
            servers.add(new String[] {"floor", floor});
        }
        int variants = 0;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--translator")) { // repeatable: one server per JVM flag set, e.g. two memory profiles
                variants++;
                servers.add(new String[] {"translator", args[i + 1]});
            }
        }
        if (variants > 1) {
            for (int i = 0, k = 0; i < servers.size(); i++) {
                if (servers.get(i)[0].equals("translator")) {
                    servers.set(i, new String[] {"translator", servers.get(i)[1], "translator" + (++k)});
                }
            }
        }
        if (servers.isEmpty()) {
            servers.add(new String[] {"translator", translatorCpFlags});
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        System.out.printf(Locale.ROOT, "storm: %d clients within %.1f s, %d sources, runs %d, %s%n", miners, seconds, sources,
                runs, loadavg());
        for (String[] s : servers) {
            System.out.println("  " + (s.length > 2 ? s[2] : s[0]) + ": " + s[1]);
        }
        EventLoopGroup group = Sv2Transport.newEventLoopGroup(2, "sv1-storm");
        try {
            int warm = intArg(args, "--warmup-miners", 1000);
            if (warm > 0) {
                // the generator's own JIT warm-up, against the first server, not reported
                System.out.println("(warm-up storm, not counted)");
                runOne(group, "warm-up", command(servers.get(0), java, warm), warm, 1, sources);
            }
            for (int r = 0; r < runs; r++) {
                for (String[] s : servers) {
                    runOne(group, s.length > 2 ? s[2] : s[0], command(s, java, miners), miners, seconds, sources);
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static List<String> command(String[] server, String java, int miners) {
        List<String> cmd = new ArrayList<>();
        if (server[0].equals("floor")) {
            cmd.addAll(Arrays.asList(server[1].trim().split("\\s+")));
        } else {
            cmd.add(java);
            cmd.addAll(Arrays.asList(server[1].trim().split("\\s+")));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TranslatorBenchServer.class.getName(),
                    Integer.toString(miners + 16)));
        }
        return cmd;
    }

    /** When set, each server first gets the same storm once, unreported (its JIT warm), then the measured one. */
    private static boolean serverWarmup;

    private static void runOne(EventLoopGroup group, String name, List<String> cmd, int n, double seconds, int sources)
            throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        int port = -1;
        for (String l; (l = out.readLine()) != null; ) {
            if (l.startsWith("READY ")) {
                port = Integer.parseInt(l.substring(6).trim());
                break;
            }
        }
        if (port < 0) {
            p.destroyForcibly();
            throw new IllegalStateException(name + ": no READY line");
        }
        Thread drain = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (out.readLine() != null) {
                    // keep the child's stdout from filling
                }
            } catch (Exception ignored) {
                // child gone
            }
        });
        Thread.sleep(1500); // let a JVM child settle (JIT of its start-up) before the storm
        int passes = serverWarmup ? 2 : 1;
        for (int pass = 0; pass < passes; pass++) {
            long rss0 = rss(p.pid(), "VmRSS:");
            String load0 = loadavg();
            long[] net0 = listenDrops();
            long cpu0 = cpuMillis(p.pid());
            Bootstrap b = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 60_000);
            InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
            Client[] cs = new Client[n];
            long spacing = (long) (seconds * 1e9 / n);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = t0 + i * spacing;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                Client c = new Client();
                cs[i] = c;
                c.start = System.nanoTime();
                b.clone().handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(16384), c);
                    }
                }).connect(remote, new InetSocketAddress("127.0.0." + (1 + i % sources), 0)).addListener(f -> {
                    if (!f.isSuccess()) {
                        c.failed = true;
                    }
                });
            }
            long issued = System.nanoTime() - t0;
            long deadline = System.nanoTime() + 60_000_000_000L;
            for (Client c : cs) {
                while (c.notified == 0 && !c.failed && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
            }
            long[] net1 = listenDrops();
            long cpu1 = cpuMillis(p.pid());
            long rss1 = rss(p.pid(), "VmRSS:");
            long hwm = rss(p.pid(), "VmHWM:");
            long[] connect = new long[n];
            long[] notify = new long[n];
            long[] sinceStart = new long[n];
            int ok = 0;
            int failed = 0;
            for (Client c : cs) {
                if (c.notified == 0) {
                    failed++;
                    continue;
                }
                connect[ok] = c.connected - c.start;
                notify[ok] = c.notified - c.start;
                sinceStart[ok] = c.notified - t0;
                ok++;
            }
            connect = Arrays.copyOf(connect, ok);
            notify = Arrays.copyOf(notify, ok);
            sinceStart = Arrays.copyOf(sinceStart, ok);
            Arrays.sort(connect);
            Arrays.sort(notify);
            Arrays.sort(sinceStart);
            if (pass < passes - 1) {
                for (Client c : cs) {
                    Channel ch = c.ch;
                    if (ch != null) {
                        ch.close();
                    }
                }
                Thread.sleep(3000);
                continue; // the server's warm-up storm: not reported
            }
            System.out.printf(Locale.ROOT, "%-10s %d/%d notified (issued in %.2f s) | TCP connect p50 %.2f p99 %.2f max %.2f ms"
                    + " | connect->first notify p50 %.1f p99 %.1f ms | storm start->99%% notified %.3f s"
                    + " | server CPU %.0f ms (%.1f ms per 1k clients) | listen overflows %d drops %d | RSS %.0f -> %.0f MiB (peak %.0f) | %s -> %s%n", name, ok, n, issued / 1e9,
                    pct(connect, 50), pct(connect, 99), max(connect), pct(notify, 50), pct(notify, 99), pct(sinceStart, 99) / 1e3,
                    (double) (cpu1 - cpu0), (cpu1 - cpu0) * 1000.0 / n, net1[0] - net0[0], net1[1] - net0[1],
                    rss0 / 1048576.0, rss1 / 1048576.0, hwm / 1048576.0, load0, loadavg());
            if (failed > 0) {
                System.out.printf(Locale.ROOT, "  %d clients failed or got no notify in 60 s%n", failed);
            }
            for (Client c : cs) {
                Channel ch = c.ch;
                if (ch != null) {
                    ch.close();
                }
            }
        }
        Thread.sleep(500);
        p.getOutputStream().write("QUIT\n".getBytes(StandardCharsets.US_ASCII));
        try {
            p.getOutputStream().flush();
        } catch (Exception ignored) {
            // the floor does not read stdin
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        drain.join(2000);
        Thread.sleep(2000); // TIME_WAIT sockets of the closed clients need not disturb the next run
    }

    /** One SV1 client; times are {@code System.nanoTime()}. */
    private static final class Client extends SimpleChannelInboundHandler<ByteBuf> {
        volatile long start;
        volatile long connected;
        volatile long notified;
        volatile boolean failed;
        volatile Channel ch;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connected = System.nanoTime();
            ch = ctx.channel();
            ctx.write(line(ctx, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"hh-storm/1.0\"]}"));
            ctx.writeAndFlush(line(ctx, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"bcrt1qbench.s"
                    + System.identityHashCode(this) + "\",\"x\"]}"));
        }

        private static ByteBuf line(ChannelHandlerContext ctx, String s) {
            ByteBuf b = ctx.alloc().buffer(s.length() + 1);
            b.writeCharSequence(s, StandardCharsets.US_ASCII);
            b.writeByte('\n');
            return b;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            if (notified == 0 && frame.toString(StandardCharsets.US_ASCII).contains("\"mining.notify\"")) {
                notified = System.nanoTime();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (notified == 0) {
                failed = true;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failed = true;
            ctx.close();
        }
    }

    /** utime + stime of a process from /proc/PID/stat, in ms (clock ticks of 10 ms). */
    private static long cpuMillis(long pid) {
        try {
            String st = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
        } catch (Exception e) {
            return -1;
        }
    }

    private static long rss(long pid, String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(key)) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (Exception e) {
            return -1;
        }
        return -1;
    }

    /** TcpExt ListenOverflows and ListenDrops from /proc/net/netstat (host-wide; the storm is all there is on loopback). */
    private static long[] listenDrops() {
        try {
            List<String> l = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < l.size(); i++) {
                if (l.get(i).startsWith("TcpExt:") && l.get(i + 1).startsWith("TcpExt:")) {
                    List<String> k = Arrays.asList(l.get(i).split(" "));
                    String[] v = l.get(i + 1).split(" ");
                    return new long[] {Long.parseLong(v[k.indexOf("ListenOverflows")]), Long.parseLong(v[k.indexOf("ListenDrops")])};
                }
            }
        } catch (Exception e) {
            return new long[] {-1, -1};
        }
        return new long[] {-1, -1};
    }

    private static String loadavg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load " + f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "load ?";
        }
    }

    private static double pct(long[] sorted, int p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }

    private static double max(long[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
    }

    private static int intArg(String[] args, String name, int def) {
        String v = strArg(args, name, null);
        return v == null ? def : Integer.parseInt(v);
    }

    private static String strArg(String[] args, String name, String def) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return def;
    }
}
