package org.hyperhash.translator.bench;

import org.hyperhash.testkit.ProcStats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The translator daemon started the way its systemd unit starts it (manual {@code main}, not a test; issue 19, storm
 * during a restart): {@code java <the unit's HH_JAVA_OPTS, CDS archive included> -cp hh-cli.jar:lib/* org.hyperhash.cli.Hh
 * translator --config FILE}, from the jars of a release layout {@code DIR/hh-cli.jar} + {@code DIR/lib/} (a copy of
 * {@code cli/target}; CDS ignores class directories), its archive {@code DIR/hh-cds.jsa}, against a {@link BenchSv2Pool}
 * in this JVM (plaintext SV2, one upstream connection).
 *
 * <p>The SV1 port is passed as systemd's socket unit passes it ({@code systemd-socket-activate --fdname=sv1}: the
 * port listens before the JVM exists, the first connection execs the JVM, which adopts the socket), or with
 * {@code -Dbench.activate=false} bound by the daemon itself ({@code sv1.listen}). {@code -Dbench.backlog=N}: activated by
 * {@code target/sv1activate} (bench/sv1-floor/sv1activate.c, {@code -Dbench.activator=PATH}) with listen backlog N, the
 * socket unit's {@code Backlog=} (systemd-socket-activate always takes net.core.somaxconn); bench/sv1-restart-storm.sh.
 * {@code -Dbench.acceptBacklog=N}: {@code sv1.accept-backlog} for a daemon that binds the port itself. The server's INFO lines give spawn -> listening, -> first accept (the daemon's "accepting" line) and -> ready, with the
 * process CPU at each, and the CPU by thread at the first accept.
 *
 * <p>Two modes:
 * <ul>
 *   <li>{@code DaemonStart DIR MAX_CLIENTS [DIFFICULTY]}: a server for {@link Sv1Storm}'s {@code --server NAME "CMD"}:
 *       prints {@code PID}, {@code LISTENING <port>} (socket activation: the moment the port listens, before the JVM;
 *       else at the daemon's {@code listening sv1} line) and {@code READY <port>} (upstream channel open and the SV1
 *       port accepting, from the daemon's log lines), an {@code INFO} line with the start's CPU, then {@code QUIT}
 *       stops the daemon (SIGTERM) and waits for it.</li>
 *   <li>{@code DaemonStart --measure ROUNDS DIR...}: the start alone, no miners, each layout in turn per round (the
 *       daemon binds its port, its start-up warm-up off unless {@code -Dbench.warmup=true}): wall and process CPU from
 *       spawn to the {@code listening sv1} line and to ready, the CPU by thread at ready, the loaded class count.
 *       Each layout is first started once unmeasured to write its CDS archive ({@code -XX:+AutoCreateSharedArchive}, as
 *       the unit's first stop does). {@code -Dbench.daemon=pool}: {@code hh pool} instead ({@link #startPool}).</li>
 * </ul>
 */
public final class DaemonStart {
    /** The unit's HH_JAVA_OPTS (systemd/hh-translator.service) with the archive under the layout's directory. */
    static final String UNIT_OPTS = "-XX:+UseSerialGC -XX:+UseCompactObjectHeaders -XX:TieredStopAtLevel=1 -Xms32m -Xmx256m -XX:MaxMetaspaceSize=192m "
            + "-XX:ReservedCodeCacheSize=96m -XX:MaxDirectMemorySize=128m -XX:+AutoCreateSharedArchive "
            + "-XX:SharedArchiveFile=%s/hh-cds.jsa -XX:+ExitOnOutOfMemoryError";
    /** The flags the hh launcher always adds. */
    static final String HH_OPTS = "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED "
            + "--sun-misc-unsafe-memory-access=allow";

    private DaemonStart() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--measure")) {
            measure(Integer.parseInt(args[1]), List.of(args).subList(2, args.length));
            return;
        }
        serve(Path.of(args[0]).toAbsolutePath(), Integer.parseInt(args[1]),
                args.length > 2 ? Double.parseDouble(args[2]) : TranslatorBenchServer.DIFFICULTY);
    }

    /** One started daemon: its process, and the times/CPU of its start as seen in its log. */
    static final class Started {
        final Process p;
        final long spawned = System.nanoTime();
        volatile long listeningNs = -1;
        volatile long listeningCpu = -1;
        volatile long readyNs = -1;
        volatile long readyCpu = -1;
        /** The daemon's first "accepting" line (the SV1 port starts accepting: the first miner is taken). */
        volatile long acceptNs = -1;
        volatile long acceptCpu = -1;
        volatile Map<String, Long> acceptThreads = Map.of();
        volatile Map<String, Long> readyThreads = Map.of();
        volatile long readyClasses = -1;
        volatile boolean upstream;
        volatile boolean accepting;
        final int port;
        final java.util.concurrent.CountDownLatch listening = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.ConcurrentLinkedQueue<String> tail = new java.util.concurrent.ConcurrentLinkedQueue<>();

        Started(Process p, int port, boolean activated, boolean warmup) {
            this(p, port, activated, warmup, "listening sv1 on ");
        }

        /** @param listenLine the daemon's line once its port listens; "listening sv2 on " (the pool): ready then too */
        Started(Process p, int port, boolean activated, boolean warmup, String listenLine) {
            this.p = p;
            this.port = port;
            this.accepting = !warmup;
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = err.readLine()) != null; ) {
                        tail.add(l);
                        if (tail.size() > 40) {
                            tail.poll();
                        }
                        if (activated ? l.startsWith("Listening on ") : l.contains(listenLine)) {
                            mark(true);
                            if (listenLine.contains("sv2")) {
                                mark(false);
                            }
                        }
                        if (l.contains("upstream channel ") && l.contains(" open on ")) {
                            upstream = true;
                        }
                        if (l.contains("accepting miners now") || l.contains("accepting now")) {
                            accepting = true;
                            if (acceptNs < 0) {
                                acceptNs = System.nanoTime() - spawned;
                                acceptCpu = ProcStats.cpuMillis(p.pid());
                                acceptThreads = ProcStats.threadCpuMillis(p.pid());
                            }
                        }
                        if (upstream && accepting && ready.getCount() > 0) {
                            mark(false);
                        }
                    }
                } catch (IOException ignored) {
                    // gone
                }
                listening.countDown(); // the daemon exited: nobody waits the full timeout
                ready.countDown();
            });
        }

        private void mark(boolean isListening) {
            long now = System.nanoTime();
            long cpu = ProcStats.cpuMillis(p.pid());
            if (isListening) {
                listeningNs = now - spawned;
                listeningCpu = cpu;
                listening.countDown();
            } else {
                readyNs = now - spawned;
                readyCpu = cpu;
                readyThreads = ProcStats.threadCpuMillis(p.pid());
                readyClasses = loadedClasses(p.pid());
                ready.countDown();
            }
        }

        void stop() throws InterruptedException {
            stop(60);
        }

        /** SIGTERM, then SIGKILL after {@code seconds} (the archive was written by the training start). */
        void stop(int seconds) throws InterruptedException {
            p.destroy(); // SIGTERM: the daemon drains and exits (the CDS archive is written at exit when missing)
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        }

        String tail() {
            return String.join("\n", tail);
        }
    }

    /** Loaded class count via jcmd (after the measurement point; costs the daemon a little CPU then). */
    static long loadedClasses(long pid) {
        if (!Boolean.getBoolean("bench.classCount")) {
            return -1;
        }
        try {
            Process j = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid),
                    "PerfCounter.print").redirectErrorStream(true).start();
            String out = new String(j.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            j.waitFor();
            long n = -1;
            for (String l : out.split("\n")) {
                if (l.startsWith("java.cls.loadedClasses=") || l.startsWith("java.cls.sharedLoadedClasses=")) {
                    n = Math.max(n, 0) + Long.parseLong(l.substring(l.indexOf('=') + 1).trim());
                }
            }
            return n;
        } catch (Exception e) {
            return -1;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts the daemon from layout {@code dir}; {@code activated}: its SV1 port passed by systemd-socket-activate. */
    static Started start(Path dir, int poolPort, int maxClients, boolean activated, boolean warmup) throws IOException {
        int port = freePort();
        Path conf = dir.resolve("bench-translator-" + port + ".conf");
        Files.writeString(conf, """
                hyperhash.translator {
                  sv1.listen = "127.0.0.1:%d"
                  sv1.max-miners = %d
                  sv1.warmup.sessions = %d
                  upstream.user-identity = "bcrt1qbench.translator"
                  upstream.pools = [ { name = "bench", host = "127.0.0.1", port = %d, authority-key = "" } ]
                  admin.listen = "127.0.0.1:0"
                  %s
                }
                """.formatted(port, maxClients, warmup ? 1000 : 0, poolPort,
                // the daemon's own listen backlog when it binds the port (-Dbench.activate=false); default: reference.conf's
                System.getProperty("bench.acceptBacklog", "").isEmpty() ? ""
                        : "sv1.accept-backlog = " + Integer.parseInt(System.getProperty("bench.acceptBacklog"))));
        List<String> cmd = new ArrayList<>();
        String backlog = System.getProperty("bench.backlog", "");
        if (activated && !backlog.isEmpty()) {
            // a socket unit's Backlog= (bench/sv1-floor/sv1activate.c; systemd-socket-activate always listens with
            // net.core.somaxconn)
            String activator = Path.of(System.getProperty("bench.activator", "target/sv1activate")).toAbsolutePath().toString();
            cmd.addAll(List.of(activator, "127.0.0.1:" + port, backlog, "sv1"));
        } else if (activated) {
            cmd.addAll(List.of("systemd-socket-activate", "-l", "127.0.0.1:" + port, "--fdname=sv1"));
        }
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(HH_OPTS.split(" ")));
        cmd.addAll(List.of(String.format(Locale.ROOT, UNIT_OPTS, dir).split(" ")));
        String extra = System.getProperty("bench.jvm", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("[\\s|]+"))); // "|" also separates (one shell word)
        }
        String cp = classPath(dir);
        cmd.addAll(List.of("-Dlogback.configurationFile=logback-file.xml", "-Dhh.log.name=translator", "-cp", cp,
                "org.hyperhash.cli.Hh", "translator", "--config", conf.toString()));
        return new Started(launch(cmd, dir), port, activated, warmup);
    }

    /**
     * The launcher's class path (hh: hh-cli.jar, then lib/* in directory order); a file DIR/classpath (one line, as the
     * launcher would build it, with DIR for the layout's directory) replaces it.
     */
    private static String classPath(Path dir) throws IOException {
        Path cpFile = dir.resolve("classpath");
        return Files.exists(cpFile) ? Files.readString(cpFile).trim().replace("DIR", dir.toString())
                : dir.resolve("hh-cli.jar") + ":" + dir.resolve("lib") + "/*";
    }

    /** Starts {@code cmd} in layout {@code dir} with the launcher's environment (as the unit sets it), output discarded. */
    private static Process launch(List<String> cmd, Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Files.createDirectories(dir.resolve("log"));
        Files.createDirectories(dir.resolve("native"));
        pb.environment().put("HH_NO_BUILD", "1");
        pb.environment().put("HH_LOG_DIR", dir.resolve("log").toString());
        pb.environment().put("HH_NATIVE_DIR", dir.resolve("native").toString());
        pb.directory(dir.toFile());
        return pb.start();
    }

    /** The pool daemon's unit flags (systemd/hh-pool.service). */
    static final String POOL_UNIT_OPTS = "-XX:+UseG1GC -XX:+UseCompactObjectHeaders -Xms128m -Xmx1g -XX:MaxMetaspaceSize=192m "
            + "-XX:ReservedCodeCacheSize=96m -XX:MaxDirectMemorySize=256m -XX:+AutoCreateSharedArchive "
            + "-XX:SharedArchiveFile=%s/hh-cds-pool.jsa -XX:+ExitOnOutOfMemoryError";

    /**
     * {@code hh pool} from layout {@code dir} as hh-pool.service starts it (pool/config-examples/devnet.conf: Noise, a
     * random authority key, its SQLite ledger under {@code dir}, a template provider that is not there): its start up
     * to {@code listening sv2} (the pool is not ready without a template provider).
     */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_INSTANCE =
            new java.util.concurrent.atomic.AtomicInteger((int) (System.currentTimeMillis() / 1000 % 200));

    static Started startPool(Path dir) throws IOException {
        int port = freePort();
        Path repo = Path.of(System.getProperty("bench.repo", System.getProperty("user.dir"))).toAbsolutePath();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(HH_OPTS.split(" ")));
        cmd.addAll(List.of(String.format(Locale.ROOT, POOL_UNIT_OPTS, dir).split(" ")));
        String cp = classPath(dir);
        cmd.addAll(List.of("-Dlogback.configurationFile=logback-file.xml", "-Dhh.log.name=pool", "-cp", cp,
                "org.hyperhash.cli.Hh", "pool", "--config", repo.resolve("pool/config-examples/devnet.conf").toString(),
                "--set", "sv2.listen=[\"127.0.0.1:" + port + "\"]", "--set", "admin.listen=\"127.0.0.1:0\"",
                // the pool leases its instance-id in the ledger (a restart within the lease is refused): another id each
                // start, one ledger per layout (migrated at its training start, as a restart finds it)
                "--set", "ledger.url=\"jdbc:sqlite:" + dir.resolve("pool-ledger.db") + "\"",
                "--set", "instance-id=" + (NEXT_INSTANCE.getAndIncrement() % 256),
                "--set", "template-providers=[{address=\"127.0.0.1:" + freePort() + "\",authority-key=\"\"}]"));
        return new Started(launch(cmd, dir), port, false, false, "listening sv2 on ");
    }

    /** {@link Sv1Storm}'s {@code --server} child: one daemon from {@code dir} behind a bench pool in this JVM. */
    static void serve(Path dir, int maxClients, double difficulty) throws Exception {
        boolean activated = !"false".equals(System.getProperty("bench.activate"));
        var out = System.out;
        try (BenchSv2Pool pool = new BenchSv2Pool(difficulty)) {
            Started s = start(dir, pool.start(), maxClients, activated, !"false".equals(System.getProperty("bench.warmup")));
            out.println("PID " + s.p.pid());
            out.flush();
            if (!s.listening.await(60, TimeUnit.SECONDS) || s.listeningNs < 0) {
                s.p.destroyForcibly();
                for (String l : s.tail.toArray(new String[0])) { // Sv1Storm prints INFO lines and drops stderr
                    out.println("INFO daemon: " + l);
                }
                out.flush();
                throw new IllegalStateException("no listening line from the daemon:\n" + s.tail());
            }
            out.println("LISTENING " + s.port);
            out.flush();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    if (s.ready.await(120, TimeUnit.SECONDS)) {
                        out.println("READY " + s.port);
                        out.printf(Locale.ROOT, "INFO daemon spawn -> listening %d ms (CPU %d ms), -> first accept %d ms (CPU %d ms),"
                                        + " -> ready %d ms (CPU %d ms)%n", s.listeningNs / 1_000_000, s.listeningCpu,
                                s.acceptNs / 1_000_000, s.acceptCpu, s.readyNs / 1_000_000, s.readyCpu);
                        out.println("INFO daemon CPU ms by thread at the first accept: " + top(s.acceptThreads));
                        out.flush();
                    }
                } catch (InterruptedException ignored) {
                    // quitting
                }
            });
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
            for (String cmd; (cmd = in.readLine()) != null; ) {
                if (cmd.trim().equals("QUIT")) {
                    break;
                }
            }
            // gone before Sv1Storm's 10 s for QUIT run out: a daemon still closing 5,000 connections would take CPU from the
            // next server's run
            s.stop(7);
            out.println("BYE");
            out.flush();
        }
    }

    static void measure(int rounds, List<String> dirs) throws Exception {
        boolean warmup = Boolean.getBoolean("bench.warmup");
        boolean poolDaemon = "pool".equals(System.getProperty("bench.daemon"));
        System.out.printf(Locale.ROOT, (poolDaemon ? "hh pool" : "hh translator") + " start, %d rounds over %s, warm-up %s, extra JVM flags [%s] | %s%n", rounds, dirs,
                warmup ? "on" : "off", System.getProperty("bench.jvm", ""), ProcStats.loadavg());
        try (BenchSv2Pool pool = new BenchSv2Pool(TranslatorBenchServer.DIFFICULTY)) {
            int poolPort = pool.start();
            for (String d : dirs) { // the unit's first start writes the archive at its stop: not measured
                Path dir = Path.of(d).toAbsolutePath();
                Path archive = dir.resolve(poolDaemon ? "hh-cds-pool.jsa" : "hh-cds.jsa");
                boolean fresh = !Files.exists(archive);
                Started s = poolDaemon ? startPool(dir) : start(dir, poolPort, 100, false, warmup);
                if (!s.ready.await(120, TimeUnit.SECONDS) || s.readyNs < 0) {
                    s.stop();
                    throw new IllegalStateException(d + ": not ready:\n" + s.tail());
                }
                Thread.sleep(1000);
                s.stop();
                System.out.printf(Locale.ROOT, "  %s: training start %s (archive %d KiB)%n", d, fresh ? "wrote the archive" : "(archive was there)",
                        Files.exists(archive) ? Files.size(archive) / 1024 : -1);
            }
            Map<String, List<long[]>> all = new TreeMap<>();
            for (int r = 1; r <= rounds; r++) {
                for (String d : dirs) {
                    String load0 = ProcStats.loadavg();
                    Started s = poolDaemon ? startPool(Path.of(d).toAbsolutePath()) : start(Path.of(d).toAbsolutePath(), poolPort, 100, false, warmup);
                    if (!s.ready.await(120, TimeUnit.SECONDS) || s.readyNs < 0) {
                        s.stop();
                        throw new IllegalStateException(d + ": not ready:\n" + s.tail());
                    }
                    Thread.sleep(300);
                    s.stop();
                    all.computeIfAbsent(d, k -> new ArrayList<>()).add(new long[] {s.listeningNs / 1_000_000, s.listeningCpu,
                            s.readyNs / 1_000_000, s.readyCpu});
                    System.out.printf(Locale.ROOT, "round %d %-28s spawn -> listening %5d ms, CPU %5d ms | -> ready %5d ms, CPU %5d ms"
                                    + " | classes %d | %s -> %s%n    CPU ms by thread at ready: %s%n", r, d, s.listeningNs / 1_000_000,
                            s.listeningCpu, s.readyNs / 1_000_000, s.readyCpu, s.readyClasses, load0, ProcStats.loadavg(),
                            top(s.readyThreads));
                    Thread.sleep(500);
                }
            }
            System.out.println("summary (median of " + rounds + "): listening CPU, ready CPU, ready wall");
            for (var e : all.entrySet()) {
                System.out.printf(Locale.ROOT, "  %-28s %5d ms  %5d ms  %5d ms%n", e.getKey(), median(e.getValue(), 1),
                        median(e.getValue(), 3), median(e.getValue(), 2));
            }
        }
    }

    private static long median(List<long[]> rows, int col) {
        long[] v = rows.stream().mapToLong(r -> r[col]).sorted().toArray();
        return v[v.length / 2];
    }

    private static String top(Map<String, Long> threads) {
        return threads.entrySet().stream().filter(e -> e.getValue() > 0).sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
                .limit(8).map(e -> e.getKey() + " " + e.getValue()).toList().toString();
    }
}
