package org.hyperhash.tp.bench;

import io.netty.channel.EventLoopGroup;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.tdp.TdpClient;
import org.hyperhash.sv2.tdp.TdpClientConfig;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetMiner;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.support.TpTestSupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Template latency probe (issue 3 bench; not a test, CI does not run it). Per run: a devnet
 * {@link TpDaemon} on loopback, N {@link TdpClient} pools over Noise, then {@code blocks} blocks
 * mined one at a time with {@link DevnetMiner#generate}; for every (pool, block) the latency from
 * the devnet's {@code BlockNotification.receivedNanos} to that pool's listener receiving the
 * SetNewPrevHash (same process, {@link System#nanoTime}), plus the server's own
 * {@code hh_tp_template_latency_seconds} histogram scraped from the admin {@code /metrics}.
 *
 * <p>Usage: {@code TemplateLatencyProbe [--pools=1,10,100] [--blocks=300] [--warmup=50] [--repeat=2]
 * [--client-threads=2] [--gap-ms=10] [--out=target/tp-latency.md]}
 */
public final class TemplateLatencyProbe {
    static final String METRIC = "hh_tp_template_latency_seconds";
    private static final Bytes PAYOUT = Bytes.fromHex("0014" + "22".repeat(20));
    private static final CoinbaseOutputConstraints CONSTRAINTS = new CoinbaseOutputConstraints(65, OptionalInt.of(16));

    private TemplateLatencyProbe() {
    }

    /**
     * One run's measurements (nanoseconds, sorted).
     *
     * @param clientNanos one sample per (pool, block): notification -> SetNewPrevHash received by that pool
     * @param lastPoolNanos one sample per block: notification -> the last of the N pools received it
     * @param gbtNanos one sample per block: the devnet's getblocktemplate, timed separately after the block
     * @param server the daemon's hh_tp_template_latency_seconds histogram at the end of the run
     */
    record RunResult(int pools, int round, int blocks, long[] clientNanos, long[] lastPoolNanos, long[] gbtNanos,
                     LatencyStats.PromHistogram server, double outboundDropped, int disconnects, long wallMillis,
                     String loadBefore, String loadAfter) {
    }

    /** When each pool received the SetNewPrevHash for one tip. */
    private static final class Arrival {
        final AtomicLongArray at;
        final CountDownLatch all;

        Arrival(int pools) {
            at = new AtomicLongArray(pools);
            all = new CountDownLatch(pools);
        }

        void record(int pool, long nanos) {
            if (at.compareAndSet(pool, 0, nanos)) {
                all.countDown();
            }
        }
    }

    /** Records receive times; runs on the client's event loop, so it only stores a timestamp. */
    private static final class Pool implements TdpListener {
        private final int index;
        private final int pools;
        private final Map<Hash256, Arrival> arrivals;
        private final AtomicInteger disconnects;

        Pool(int index, int pools, Map<Hash256, Arrival> arrivals, AtomicInteger disconnects) {
            this.index = index;
            this.pools = pools;
            this.arrivals = arrivals;
            this.disconnects = disconnects;
        }

        @Override
        public void onNewTemplate(NewTemplate template) {
        }

        @Override
        public void onSetNewPrevHash(SetNewPrevHash prevHash) {
            long now = System.nanoTime();
            arrivals.computeIfAbsent(prevHash.prevHash(), h -> new Arrival(pools)).record(index, now);
        }

        @Override
        public void onDisconnected(TdpEndpoint endpoint, String reason) {
            disconnects.incrementAndGet();
        }
    }

    /** One measured run on a fresh daemon (so its histogram holds exactly this run's tips). */
    static RunResult run(int pools, int blocks, int clientThreads, long gapMillis, int round) throws Exception {
        String load0 = loadAverage();
        long wall0 = System.nanoTime();
        AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());
        Map<Hash256, Arrival> arrivals = new ConcurrentHashMap<>();
        Map<Hash256, Long> notified = new ConcurrentHashMap<>();
        AtomicInteger disconnects = new AtomicInteger();
        List<TdpClient> clients = new ArrayList<>();
        EventLoopGroup group = Sv2Transport.newEventLoopGroup(clientThreads, "bench-pool");
        try (TpDaemon tp = TpTestSupport.startDevnet(authority.secretToBase58(), 0)) {
            DevnetChain chain = tp.devnetChain();
            TdpEndpoint ep = TpTestSupport.endpoint(tp, authority.publicKey().toBase58());
            TdpClientConfig d = TdpClientConfig.of(List.of(ep), CONSTRAINTS);
            // production defaults except roomier connect/handshake timeouts: 100 handshakes at once on 2 loaded cores
            TdpClientConfig config = new TdpClientConfig(d.endpoints(), d.constraints(), "hyperhash-bench", "probe", "1", "",
                    Duration.ofSeconds(10), Duration.ofSeconds(20), d.requestTimeout(), d.initialBackoff(), d.maxBackoff(),
                    d.cooldown(), d.maxFrameBytes(), d.failback());
            try {
                Hash256 genesisTip = chain.tipHash();
                for (int i = 0; i < pools; i++) {
                    TdpClient c = new TdpClient(config, Secp256k1Providers.best(), InstantSource.system(), group,
                            new Pool(i, pools, arrivals, disconnects));
                    clients.add(c);
                    c.start();
                }
                Arrival initial = arrivals.computeIfAbsent(genesisTip, h -> new Arrival(pools));
                if (!initial.all.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("only " + (pools - initial.all.getCount()) + " of " + pools
                            + " pools got the initial SetNewPrevHash within 60 s");
                }
                arrivals.remove(genesisTip);
                int disconnectsAtStart = disconnects.get();
                // registered after the daemon's own notifier, called synchronously inside submitBlock
                chain.notifier().start(n -> notified.put(n.blockHash(), n.receivedNanos()));

                long[] client = new long[pools * blocks];
                long[] last = new long[blocks];
                long[] gbt = new long[blocks];
                for (int b = 0; b < blocks; b++) {
                    SubmitResult r = DevnetMiner.generate(chain, PAYOUT);
                    if (!(r instanceof SubmitResult.Accepted)) {
                        throw new IllegalStateException("devnet rejected block " + b + ": " + r.label());
                    }
                    Hash256 tip = chain.tipHash();
                    Long t0 = notified.get(tip);
                    if (t0 == null) {
                        throw new IllegalStateException("no notification seen for tip " + tip.toDisplayHex());
                    }
                    Arrival a = arrivals.computeIfAbsent(tip, h -> new Arrival(pools));
                    if (!a.all.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("block " + b + ": only " + (pools - a.all.getCount()) + " of "
                                + pools + " pools got SetNewPrevHash within 30 s");
                    }
                    long max = 0;
                    for (int k = 0; k < pools; k++) {
                        long ns = a.at.get(k) - t0;
                        client[b * pools + k] = ns;
                        max = Math.max(max, ns);
                    }
                    last[b] = max;
                    arrivals.remove(tip);
                    notified.remove(tip);
                    long g0 = System.nanoTime();
                    chain.getBlockTemplate();
                    gbt[b] = System.nanoTime() - g0;
                    if (gapMillis > 0) {
                        Thread.sleep(gapMillis);
                    }
                }
                String scrape = scrape(tp);
                LatencyStats.PromHistogram server = LatencyStats.parse(scrape, METRIC);
                Arrays.sort(client);
                Arrays.sort(last);
                Arrays.sort(gbt);
                return new RunResult(pools, round, blocks, client, last, gbt, server, tp.metrics().outboundDroppedCount(),
                        disconnects.get() - disconnectsAtStart, (System.nanoTime() - wall0) / 1_000_000, load0, loadAverage());
            } finally {
                for (TdpClient c : clients) {
                    c.close();
                }
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static String scrape(TpDaemon tp) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + tp.adminAddress().getPort() + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("/metrics answered " + r.statusCode());
            }
            return r.body();
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "n/a";
        }
    }

    static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String ms(long nanos) {
        return String.format("%.2f", nanos / 1e6);
    }

    private static String ms(double seconds) {
        return Double.isInfinite(seconds) ? "+Inf" : String.format("%.1f", seconds * 1e3);
    }

    static String header() {
        return "| pools | run | blocks | client p50 | client p99 | client max | last-pool p99 | last-pool max "
                + "| server samples | server p50 <= | server p99 <= | server max | devnet gbt p50 / p99 | drops / disconnects "
                + "| load avg before -> after |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|";
    }

    static String row(RunResult r) {
        long[] c = r.clientNanos();
        long[] l = r.lastPoolNanos();
        return "| " + r.pools() + " | " + r.round() + " | " + r.blocks()
                + " | " + ms(LatencyStats.nearestRank(c, 0.50)) + " | " + ms(LatencyStats.nearestRank(c, 0.99))
                + " | " + ms(c[c.length - 1]) + " | " + ms(LatencyStats.nearestRank(l, 0.99)) + " | " + ms(l[l.length - 1])
                + " | " + r.server().count() + " | " + ms(r.server().upperBound(0.50)) + " | " + ms(r.server().upperBound(0.99))
                + " | " + ms(r.server().maxSeconds()) + " | " + ms(LatencyStats.nearestRank(r.gbtNanos(), 0.50)) + " / "
                + ms(LatencyStats.nearestRank(r.gbtNanos(), 0.99)) + " | " + (long) r.outboundDropped() + " / " + r.disconnects()
                + " | " + r.loadBefore() + " -> " + r.loadAfter() + " |";
    }

    public static void main(String[] args) throws Exception {
        List<Integer> poolCounts = List.of(1, 10, 100);
        int blocks = 300;
        int warmup = 50;
        int repeat = 2;
        int clientThreads = 2;
        long gapMillis = 10;
        Path out = Path.of("target", "tp-latency.md");
        for (String a : args) {
            String[] kv = a.split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected --name=value, got " + a);
            }
            switch (kv[0]) {
                case "--pools" -> poolCounts = Arrays.stream(kv[1].split(",")).map(String::trim).map(Integer::parseInt).toList();
                case "--blocks" -> blocks = Integer.parseInt(kv[1]);
                case "--warmup" -> warmup = Integer.parseInt(kv[1]);
                case "--repeat" -> repeat = Integer.parseInt(kv[1]);
                case "--client-threads" -> clientThreads = Integer.parseInt(kv[1]);
                case "--gap-ms" -> gapMillis = Long.parseLong(kv[1]);
                case "--out" -> out = Path.of(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + kv[0]);
            }
        }
        StringBuilder report = new StringBuilder();
        report.append("machine: ").append(cpuModel()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs visible to the JVM; JDK ").append(Runtime.version()).append("; transport ")
                .append(Sv2Transport.name()).append("; crypto ").append(Secp256k1Providers.best().name())
                .append("; blocks/run ").append(blocks).append(", warmup ").append(warmup).append(", client event-loop threads ")
                .append(clientThreads).append(", gap ").append(gapMillis).append(" ms\n\n").append(header()).append('\n');
        System.out.println("PROBE " + report);
        if (warmup > 0) {
            RunResult w = run(Math.min(10, poolCounts.stream().mapToInt(Integer::intValue).max().orElse(1)), warmup,
                    clientThreads, gapMillis, 0);
            System.out.println("PROBE warmup (discarded) " + row(w));
        }
        for (int round = 1; round <= repeat; round++) {
            for (int n : poolCounts) {
                RunResult r = run(n, blocks, clientThreads, gapMillis, round);
                String line = row(r);
                System.out.println("PROBE " + line + " (" + r.wallMillis() + " ms wall)");
                report.append(line).append('\n');
            }
        }
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, report);
        System.out.println("PROBE written to " + out.toAbsolutePath());
    }
}
