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
import org.hyperhash.testkit.ProcStats;

import static org.hyperhash.translator.bench.BenchArgs.intArg;
import static org.hyperhash.translator.bench.BenchArgs.strArg;

/**
 * SV1 connect storm, side by side (manual {@code main}, not a test; bench/sv1-storm.sh runs it): N SV1 clients
 * start connecting within S seconds (evenly spaced) to a server child process, each sends mining.subscribe +
 * mining.authorize as soon as TCP is up and waits for its first {@code mining.notify}. Per client it records the
 * TCP connect time (connect call to the socket being connected: a full accept queue drops SYNs and shows up here
 * as 1 s / 3 s SYN retransmits) and the time to its first notify. The servers alternate in one run:
 * {@code --floor CMD} (e.g. the C floor, bench/sv1-floor/sv1floor.c) and {@code --translator "JVM FLAGS"}
 * ({@link TranslatorBenchServer}: translator daemon + a lean SV2 pool in one JVM) and {@code --server NAME "CMD"} (any
 * child speaking the same lines, given {@code <max clients> [difficulty]}; e.g. ckpool through its launcher, see
 * bench/sv1-vs-ckpool.sh: it prints {@code PID <pid>} first, the process then measured instead of the child itself),
 * {@code --runs} times each;
 * each child must print {@code READY <port>} ({@code --storm-at-listen}: or {@code LISTENING <port>}, the storm then
 * starts at once; {@code --alternate}: every other round runs the servers in reverse order). Also prints the child's
 * peak RSS (VmHWM) and RSS with all N connected.
 *
 * <p>With {@code --submit-seconds T} (and {@code --difficulty D}, default 65536, passed to both servers so every random
 * submit is checked and rejected as low difficulty), the connected clients then each send a {@code mining.submit}
 * every {@code --submit-interval} seconds (random phase), {@code --submit-warmup} seconds unrecorded, then T seconds
 * recorded: server CPU per 1,000 submits (utime+stime of the child from /proc) and submit latency (write to reply,
 * generator side) p50/p99/p99.9. With {@code --blocks K} (submits still running) the child is sent {@code BLOCK} K+W
 * times (W = {@code --block-warmup}, default 1, unrecorded first): the C floor makes a clean job and writes it to
 * every client, the translator's SV2 pool announces a new block upstream, so the translator's figure covers SV2 decode,
 * job translation and the SV1 fan-out;
 * each prints {@code BLOCK <System.nanoTime()>} taken before it starts; per block, the time until 99% (and 100%) of
 * the clients have read the new clean {@code mining.notify}.
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
        settleMillis = intArg(args, "--settle-ms", 1500);
        serverNice = intArg(args, "--server-nice", 0);
        stormAtListen = List.of(args).contains("--storm-at-listen");
        submitSeconds = intArg(args, "--submit-seconds", 0);
        submitWarmup = intArg(args, "--submit-warmup", 10);
        idleSeconds = intArg(args, "--idle-seconds", 0);
        submitInterval = Double.parseDouble(strArg(args, "--submit-interval", "3"));
        blocks = intArg(args, "--blocks", 0);
        blockWarmup = intArg(args, "--block-warmup", 1);
        difficulty = strArg(args, "--difficulty", submitSeconds > 0 || blocks > 0 ? "65536" : null);
        String translatorCpFlags = strArg(args, "--translator-jvm", "-Xmx1g");
        List<String[]> servers = new ArrayList<>();
        if (floor != null) {
            servers.add(new String[] {"floor", floor});
        }
        int variants = 0;
        user = strArg(args, "--user", "bcrt1qbench");
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
        for (int i = 0; i + 2 < args.length; i++) {
            if (args[i].equals("--server")) { // repeatable: --server NAME "COMMAND", e.g. ckpool through its launcher
                servers.add(new String[] {"server", args[i + 2], args[i + 1]});
            }
        }
        if (servers.isEmpty()) {
            servers.add(new String[] {"translator", translatorCpFlags});
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        System.out.printf(Locale.ROOT, "storm: %d clients within %.1f s, %d sources, runs %d, %s%n", miners, seconds, sources,
                runs, ProcStats.loadavg());
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
            boolean alternate = List.of(args).contains("--alternate");
            for (int r = 0; r < runs; r++) {
                // --alternate: every other round in reverse order (no server always runs right after the same one)
                List<String[]> order = alternate && r % 2 == 1 ? servers.reversed() : servers;
                for (String[] s : order) {
                    runOne(group, s.length > 2 ? s[2] : s[0], command(s, java, miners), miners, seconds, sources);
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static List<String> command(String[] server, String java, int miners) {
        List<String> cmd = new ArrayList<>();
        if (server[0].equals("server")) { // COMMAND MAX_CLIENTS [DIFFICULTY]
            cmd.addAll(Arrays.asList(server[1].trim().split("\\s+")));
            cmd.add(Integer.toString(miners + 16));
            if (difficulty != null) {
                cmd.add(difficulty);
            }
        } else if (server[0].equals("floor")) {
            cmd.addAll(Arrays.asList(server[1].trim().split("\\s+")));
            if (difficulty != null) {
                cmd.addAll(List.of("0", "4096", difficulty)); // port (any), backlog, difficulty
            }
        } else {
            cmd.add(java);
            List<String> flags = Arrays.asList(server[1].trim().split("\\s+"));
            cmd.addAll(flags);
            if (!flags.contains("-cp")) { // a variant may bring its own class path (e.g. an older build, A/B in one command)
                cmd.addAll(List.of("-cp", System.getProperty("java.class.path")));
            }
            cmd.addAll(List.of(TranslatorBenchServer.class.getName(), Integer.toString(miners + 16)));
            if (difficulty != null) {
                cmd.add(difficulty);
            }
        }
        return cmd;
    }

    /**
     * Voluntary and involuntary context switches summed over the process's live threads (/proc/PID/task/T/status): a
     * thread that sleeps and is woken for a task (a cross-loop hand-over) is a voluntary switch. Threads that ended in
     * between are not counted (the server's threads live through a phase).
     */
    static long[] contextSwitches(long pid) {
        long[] r = new long[2];
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    for (String l : Files.readAllLines(t.resolve("status"))) {
                        if (l.startsWith("voluntary_ctxt_switches:")) {
                            r[0] += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
                        } else if (l.startsWith("nonvoluntary_ctxt_switches:")) {
                            r[1] += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
                        }
                    }
                } catch (java.io.IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (java.io.IOException e) {
            return r;
        }
        return r;
    }

    /** When set, each server first gets the same storm once, unreported (its JIT warm), then the measured one. */
    private static boolean serverWarmup;
    /**
     * {@code --server-nice N}: every server child runs under {@code nice -n N} (children of any server alike). Run the
     * generator itself under {@code nice -n -N} so that, on a box where it shares the CPUs with the server, it gets
     * the CPU when it is runnable and its figures measure the server rather than its own wait for a CPU.
     */
    private static int serverNice;
    /** Pause between the child's READY and the storm (default 1,500 ms; 0: miners reconnecting the moment it is ready). */
    private static int settleMillis;
    /**
     * {@code --storm-at-listen}: the storm starts when the child's SV1 port listens ({@code LISTENING}, before the
     * translator is ready or accepting), as miners reconnecting to a socket-activated port during a restart.
     */
    private static boolean stormAtListen;
    private static int submitSeconds;
    private static int submitWarmup;
    private static int idleSeconds;
    private static double submitInterval;
    private static int blocks;
    private static int blockWarmup;
    private static String difficulty;
    /** The miners' username (the part before ".worker"); ckpool checks it once per user with validateaddress. */
    private static String user = "bcrt1qbench";
    /** Submit latencies (ns) while recording; bounded by clients x seconds / interval, sized at the start of a phase. */
    private static long[] latencies = new long[0];
    private static final java.util.concurrent.atomic.AtomicInteger LAT_N = new java.util.concurrent.atomic.AtomicInteger();
    private static volatile boolean recording;
    private static volatile boolean submitting;
    private static final java.util.concurrent.atomic.AtomicLong SUBMIT_OTHER = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.ConcurrentLinkedQueue<String> OTHER_SAMPLES =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private static void runOne(EventLoopGroup group, String name, List<String> cmd, int n, double seconds, int sources)
            throws Exception {
        long spawned = System.nanoTime();
        if (serverNice != 0) { // nice execs the command: the pid (and /proc figures) stay the server's
            cmd = new ArrayList<>(cmd);
            cmd.addAll(0, List.of("nice", "-n", Integer.toString(serverNice)));
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII));
        int port = -1;
        long measuredPid = p.pid();
        for (String l; (l = out.readLine()) != null; ) {
            if (l.startsWith("PID ")) { // a launcher (ckpool's) names the process to measure
                measuredPid = Long.parseLong(l.substring(4).trim());
            } else if (l.startsWith("INFO ")) {
                System.out.println("    " + name + ": " + l.substring(5));
            }
            if (l.startsWith("READY ") || (stormAtListen && l.startsWith("LISTENING "))) {
                port = Integer.parseInt(l.substring(l.indexOf(' ') + 1).trim());
                break;
            }
        }
        if (port < 0) {
            p.destroyForcibly();
            throw new IllegalStateException(name + ": no READY line");
        }
        long readyMs = (System.nanoTime() - spawned) / 1_000_000;
        final long pid = measuredPid;
        long readyCpu = ProcStats.cpuMillis(pid);
        java.util.concurrent.BlockingQueue<String> control = new java.util.concurrent.LinkedBlockingQueue<>(1024);
        Thread drain = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (String l; (l = out.readLine()) != null; ) {
                    // keep the child's stdout from filling; BLOCK replies go to the block phase (bounded: offer)
                    if (l.startsWith("BLOCK ")) {
                        control.offer(l);
                    } else if (l.startsWith("INFO ")) {
                        System.out.println("    " + name + ": " + l.substring(5));
                    }
                }
            } catch (Exception ignored) {
                // child gone
            }
        });
        if (!stormAtListen) {
            Thread.sleep(settleMillis); // let a JVM child settle (JIT of its start-up) before the storm (--settle-ms)
        }
        int passes = serverWarmup ? 2 : 1;
        for (int pass = 0; pass < passes; pass++) {
            long rss0 = rss(pid, "VmRSS:");
            String load0 = ProcStats.loadavg();
            long[] net0 = listenDrops();
            long cpu0 = ProcStats.cpuMillis(pid);
            var threads0 = ProcStats.threadCpuMillis(pid);
            long self = ProcessHandle.current().pid();
            long waitSelf0 = ProcStats.runDelayMillis(self);
            long waitServer0 = ProcStats.runDelayMillis(pid);
            Bootstrap b = new Bootstrap().group(group).channel(Sv2Transport.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 60_000);
            InetSocketAddress remote = new InetSocketAddress("127.0.0.1", port);
            Client[] cs = new Client[n];
            long spacing = (long) (seconds * 1e9 / n);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = t0 + i * spacing;
                Sv1LoadGenerator.parkUntil(due);
                Client c = new Client();
                cs[i] = c;
                c.start = System.nanoTime();
                b.clone().handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        c.issued = System.nanoTime(); // on the generator's loop, just before its connect call
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
            long waitSelf = ProcStats.runDelayMillis(self) - waitSelf0;
            long waitServer = ProcStats.runDelayMillis(pid) - waitServer0;
            long cpu1 = ProcStats.cpuMillis(pid);
            var threads1 = ProcStats.threadCpuMillis(pid);
            long rss1 = rss(pid, "VmRSS:");
            long hwm = rss(pid, "VmHWM:");
            long[] connect = new long[n];
            long[] queued = new long[n];
            long[] handshake = new long[n];
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
                queued[ok] = c.issued - c.start;
                handshake[ok] = c.connected - c.issued;
                notify[ok] = c.notified - c.start;
                sinceStart[ok] = c.notified - t0;
                ok++;
            }
            connect = Arrays.copyOf(connect, ok);
            queued = Arrays.copyOf(queued, ok);
            handshake = Arrays.copyOf(handshake, ok);
            Arrays.sort(queued);
            Arrays.sort(handshake);
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
                    rss0 / 1048576.0, rss1 / 1048576.0, hwm / 1048576.0, load0, ProcStats.loadavg());
            // where a TCP connect's time goes: the generator's own loop (the connect task queued behind other
            // clients' reads), then the connect call to channelActive (the kernel's handshake, plus the wait for the
            // generator's loop to see OP_CONNECT); and how long the generator and the server waited for a CPU
            System.out.printf(Locale.ROOT, "    TCP connect p99 %.2f ms; its parts: generator loop queue p99 %.2f, connect call -> active p99 %.2f ms;"
                    + " run-queue wait in the storm: generator %d ms, server %d ms%n", pct(connect, 99), pct(queued, 99),
                    pct(handshake, 99), waitSelf, waitServer);
            System.out.printf(Locale.ROOT, "    start -> " + (stormAtListen ? "LISTENING" : "READY") + " %d ms (server CPU %d ms by then); storm CPU ms by thread: %s%n",
                    readyMs, readyCpu, topThreads(threads0, threads1));
            if (failed > 0) {
                System.out.printf(Locale.ROOT, "  %d clients failed or got no notify in 60 s%n", failed);
            }
            if (submitSeconds > 0 || blocks > 0 || idleSeconds > 0) {
                steady(name, p, pid, cs, control);
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
        // a JVM recording an AOT cache or a CDS archive (the training run) writes it at exit: give it time
        String all = String.join(" ", cmd);
        boolean training = all.contains("AOTCacheOutput") || all.contains("ArchiveClassesAtExit");
        if (!p.waitFor(training ? 300 : 10, TimeUnit.SECONDS)) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        drain.join(2000);
        Thread.sleep(2000); // TIME_WAIT sockets of the closed clients need not disturb the next run
    }

    /** The steady-submit and new-block phases against the connected clients of one run. */
    private static void steady(String name, Process p, long pid, Client[] cs, java.util.concurrent.BlockingQueue<String> control)
            throws Exception {
        List<Client> live = new ArrayList<>();
        for (Client c : cs) {
            if (c.notified != 0 && !c.failed && c.ch != null && c.ch.isActive()) {
                live.add(c);
            }
        }
        java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
        long period = (long) (submitInterval * 1e9);
        latencies = new long[(int) Math.min(50_000_000L, (long) (live.size() * (submitSeconds + 2) / submitInterval) + 1024)];
        LAT_N.set(0);
        SUBMIT_OTHER.set(0);
        OTHER_SAMPLES.clear();
        if (idleSeconds > 0) { // background CPU: all clients connected, nothing sent (timers, metrics, GC)
            Thread.sleep(2000);
            long cpu0 = ProcStats.cpuMillis(pid);
            long w0 = System.nanoTime();
            Thread.sleep(idleSeconds * 1000L);
            long cpu1 = ProcStats.cpuMillis(pid);
            System.out.printf(Locale.ROOT, "  %-10s idle with %d clients: server CPU %d ms over %.1f s = %.1f ms/s | %s%n", name,
                    live.size(), cpu1 - cpu0, (System.nanoTime() - w0) / 1e9, (cpu1 - cpu0) * 1e9 / (System.nanoTime() - w0),
                    ProcStats.loadavg());
        }
        submitting = submitSeconds > 0;
        List<java.util.concurrent.ScheduledFuture<?>> timers = new ArrayList<>();
        if (submitting) {
            for (Client c : live) {
                timers.add(c.ch.eventLoop().scheduleAtFixedRate(c::submit, rnd.nextLong(period), period, TimeUnit.NANOSECONDS));
            }
            Thread.sleep(submitWarmup * 1000L);
            String load0 = ProcStats.loadavg();
            var th0 = ProcStats.threadCpuMillis(pid);
            long[] cs0 = contextSwitches(pid);
            long cpu0 = ProcStats.cpuMillis(pid);
            long w0 = System.nanoTime();
            recording = true;
            Thread.sleep(submitSeconds * 1000L);
            recording = false;
            long cpu1 = ProcStats.cpuMillis(pid);
            long[] cs1 = contextSwitches(pid);
            double secs = (System.nanoTime() - w0) / 1e9;
            int n = Math.min(LAT_N.get(), latencies.length);
            long[] lat = Arrays.copyOf(latencies, n);
            Arrays.sort(lat);
            System.out.printf(Locale.ROOT, "  %-10s submits: %d clients, one each %.1f s, %d s after %d s warm-up: %d replies (%.0f/s),"
                    + " %d not low-difficulty | latency p50 %.3f p99 %.3f p99.9 %.3f max %.2f ms | server CPU %d ms = %.1f ms per 1k"
                    + " submits (%.3f cores) | %s -> %s%n", name, live.size(), submitInterval, submitSeconds, submitWarmup, n,
                    n / secs, SUBMIT_OTHER.get(), pct(lat, 50), pctMille(lat, 990), pctMille(lat, 999), max(lat), cpu1 - cpu0,
                    n == 0 ? Double.NaN : (cpu1 - cpu0) * 1000.0 / n, (cpu1 - cpu0) / 1000.0 / secs, load0, ProcStats.loadavg());
            System.out.println("    CPU ms by thread: " + topThreads(th0, ProcStats.threadCpuMillis(pid)));
            System.out.printf(Locale.ROOT, "    context switches per submit (all threads of the server): %.2f voluntary, %.2f"
                    + " involuntary%n", n == 0 ? Double.NaN : (double) (cs1[0] - cs0[0]) / n,
                    n == 0 ? Double.NaN : (double) (cs1[1] - cs0[1]) / n);
            if (!OTHER_SAMPLES.isEmpty()) {
                System.out.println("    other replies, e.g. " + OTHER_SAMPLES);
            }
        }
        if (blocks > 0) {
            OutputStreamWriterHolder ctl = new OutputStreamWriterHolder(p);
            control.clear();
            List<Double> p99s = new ArrayList<>();
            List<Double> alls = new ArrayList<>();
            String load0 = ProcStats.loadavg();
            long cpu0 = 0;
            java.util.Map<String, Long> th0 = java.util.Map.of();
            for (int b = 0; b < blockWarmup + blocks; b++) {
                if (b == blockWarmup) { // CPU over the recorded blocks only
                    cpu0 = ProcStats.cpuMillis(pid);
                    th0 = ProcStats.threadCpuMillis(pid);
                }
                long[] before = new long[live.size()];
                for (int i = 0; i < before.length; i++) {
                    before[i] = live.get(i).cleanCount;
                }
                ctl.send("BLOCK");
                String reply = control.poll(30, TimeUnit.SECONDS);
                if (reply == null) {
                    throw new IllegalStateException(name + ": no BLOCK reply");
                }
                long t0 = Long.parseLong(reply.substring(6).trim());
                long deadline = System.nanoTime() + 30_000_000_000L;
                long[] d = new long[before.length];
                for (int i = 0; i < before.length; i++) {
                    Client c = live.get(i);
                    while (c.cleanCount == before[i] && System.nanoTime() < deadline) {
                        Thread.sleep(1);
                    }
                    d[i] = c.cleanCount == before[i] ? Long.MAX_VALUE : c.lastCleanNanos - t0;
                }
                Arrays.sort(d);
                if (b >= blockWarmup) { // the first blocks warm the path (JIT), not recorded
                    p99s.add(pctMille(d, 990));
                    alls.add(max(d));
                }
                Thread.sleep(700);
            }
            long cpu1 = ProcStats.cpuMillis(pid);
            double[] a = p99s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "  %-10s new block -> 99%% of %d clients have the clean notify: median %.1f ms, min %.1f max %.1f"
                    + " over %d blocks after %d unrecorded (last client: median %.1f ms) | server CPU %d ms over the recorded blocks | %s -> %s"
                    + " | each: %s%n", name, live.size(), a[a.length / 2], a[0], a[a.length - 1], a.length, blockWarmup,
                    alls.stream().mapToDouble(Double::doubleValue).sorted().toArray()[alls.size() / 2], cpu1 - cpu0, load0,
                    ProcStats.loadavg(), p99s.stream().map(x -> String.format(Locale.ROOT, "%.1f", x)).toList());
            System.out.println("    CPU ms by thread: " + topThreads(th0, ProcStats.threadCpuMillis(pid)));
        }
        submitting = false;
        for (var t : timers) {
            t.cancel(false);
        }
        Thread.sleep(500);
    }

    /** The child's stdin, for BLOCK commands. */
    private record OutputStreamWriterHolder(Process p) {
        void send(String cmd) throws java.io.IOException {
            p.getOutputStream().write((cmd + "\n").getBytes(StandardCharsets.US_ASCII));
            p.getOutputStream().flush();
        }
    }

    /** One SV1 client; times are {@code System.nanoTime()}. */
    private static final class Client extends SimpleChannelInboundHandler<ByteBuf> {
        volatile long start;
        volatile long issued;
        volatile long connected;
        volatile long notified;
        volatile boolean failed;
        volatile Channel ch;
        volatile long cleanCount;
        volatile long lastCleanNanos;
        // event loop only:
        private String jobId;
        private String ntime;
        private String extranonce2 = "00000000";
        private String worker;
        private int nonce;
        private long nextId = 10;
        private long sentId = -1;
        private long sentAt;

        /** One mining.submit with a fresh nonce (event loop; the server rejects it as low difficulty). */
        void submit() {
            Channel c = ch;
            if (!submitting || jobId == null || c == null || !c.isActive()) {
                return;
            }
            long id = nextId++;
            String s = "{\"id\":" + id + ",\"method\":\"mining.submit\",\"params\":[\"" + worker + "\",\"" + jobId + "\",\""
                    + extranonce2 + "\",\"" + ntime + "\",\"" + String.format("%08x", nonce++) + "\"]}\n";
            ByteBuf b = c.alloc().buffer(s.length());
            b.writeCharSequence(s, StandardCharsets.US_ASCII);
            sentId = id;
            sentAt = System.nanoTime();
            c.writeAndFlush(b, c.voidPromise());
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connected = System.nanoTime();
            ch = ctx.channel();
            worker = user + ".s" + System.identityHashCode(this);
            ctx.write(line(ctx, "{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"hh-storm/1.0\"]}"));
            ctx.writeAndFlush(line(ctx, "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"" + worker + "\",\"x\"]}"));
        }

        private static ByteBuf line(ChannelHandlerContext ctx, String s) {
            return Sv1LoadGenerator.sv1Line(ctx.alloc(), s);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            long now = System.nanoTime();
            String l = frame.toString(StandardCharsets.US_ASCII);
            if (l.contains("\"mining.notify\"")) {
                if (notified == 0) {
                    notified = now;
                }
                // params: job id, prevhash, coinb1, coinb2, [branch], version, nbits, ntime, clean
                int at = l.indexOf("\"params\"");
                int open = l.indexOf('[', at);
                int close = open; // the params array's closing bracket (ckpool puts "id" and "method" after it)
                for (int depth = 0; close < l.length(); close++) {
                    char ch = l.charAt(close);
                    if (ch == '[') {
                        depth++;
                    } else if (ch == ']' && --depth == 0) {
                        break;
                    }
                }
                List<String> strs = new ArrayList<>();
                for (int i = l.indexOf('"', open); i >= 0 && i < close; i = l.indexOf('"', i + 1)) {
                    int e = l.indexOf('"', i + 1);
                    strs.add(l.substring(i + 1, e));
                    i = e;
                }
                if (strs.size() >= 5) {
                    jobId = strs.get(0);
                    ntime = strs.get(strs.size() - 1);
                }
                if (l.substring(open, Math.min(l.length(), close + 1)).replace(" ", "").endsWith("true]")) {
                    lastCleanNanos = now;
                    cleanCount++;
                }
                return;
            }
            int idAt = l.indexOf("\"id\":");
            if (idAt < 0 || l.contains("\"method\"")) {
                return;
            }
            int s = idAt + 5;
            int e = s;
            while (e < l.length() && Character.isDigit(l.charAt(e))) {
                e++;
            }
            long id = e > s ? Long.parseLong(l, s, e, 10) : -1;
            if (id == 1) { // subscribe: [subscriptions, extranonce1, extranonce2_size] (key order differs by server)
                int size = extranonce2Size(l);
                if (size > 0) {
                    extranonce2 = "00".repeat(size);
                }
            } else if (id == sentId) {
                sentId = -1;
                if (recording) {
                    int k = LAT_N.getAndIncrement();
                    long[] a = latencies;
                    if (k < a.length) {
                        a[k] = now - sentAt;
                    }
                }
                // low difficulty: error 23 (the floor, the translator); ckpool: result false, reject-reason "Above target"
                if (!l.contains("\"result\":true") && !l.contains("[23,") && !l.contains("Above target")) {
                    SUBMIT_OTHER.incrementAndGet();
                    if (OTHER_SAMPLES.size() < 3) {
                        OTHER_SAMPLES.add(l);
                    }
                }
            }
        }

        /** The last element of the subscribe result array (extranonce2_size), or -1. */
        static int extranonce2Size(String l) {
            int r = l.indexOf("\"result\"");
            int open = r < 0 ? -1 : l.indexOf('[', r);
            if (open < 0) {
                return -1;
            }
            int depth = 0;
            for (int i = open; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c == '[') {
                    depth++;
                } else if (c == ']' && --depth == 0) {
                    try {
                        return Integer.parseInt(l.substring(l.lastIndexOf(',', i) + 1, i).trim());
                    } catch (RuntimeException e) {
                        return -1;
                    }
                }
            }
            return -1;
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

    /** The threads that used most CPU between two {@link ProcStats#threadCpuMillis} snapshots. */
    private static String topThreads(java.util.Map<String, Long> a, java.util.Map<String, Long> b) {
        return b.entrySet().stream().map(e -> java.util.Map.entry(e.getKey(), e.getValue() - a.getOrDefault(e.getKey(), 0L)))
                .filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).limit(6)
                .map(e -> e.getKey() + " " + e.getValue()).toList().toString();
    }

    /** A /proc/PID/status value (e.g. "VmRSS:") in bytes, or -1. */
    private static long rss(long pid, String key) {
        long kb = ProcStats.kb(Path.of("/proc/" + pid + "/status"), key);
        return kb < 0 ? -1 : kb * 1024;
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

    private static double pct(long[] sorted, int p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, sorted.length * p / 100)] / 1e6;
    }

    /** Per-mille percentile (990 = p99, 999 = p99.9). */
    private static double pctMille(long[] sorted, int pm) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        long v = sorted[(int) Math.min(sorted.length - 1, (long) sorted.length * pm / 1000)];
        return v == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : v / 1e6;
    }

    private static double max(long[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
    }
}
