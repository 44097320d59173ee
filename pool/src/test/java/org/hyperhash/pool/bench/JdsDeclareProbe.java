package org.hyperhash.pool.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import org.hyperhash.jdc.CustomJob;
import org.hyperhash.jdc.JdClient;
import org.hyperhash.pool.jds.JobDeclarator;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.message.jd.AllocateMiningJobTokenSuccess;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;

/**
 * Declaration latency probe (a main, not a test; CI never runs it): the pool with its JDS in this JVM, one
 * {@link JdClient} over Noise on loopback. Per case, {@code rounds} times: AllocateMiningJobToken -> .Success (the
 * baseline: one JD round trip with no work) and DeclareMiningJob -> .Success, both timed at the client. Cases: 0
 * transactions; 3,000 transactions the JDS already has (its mempool view); 3,000 it lacks (one
 * ProvideMissingTransactions round trip, the transactions sent and verified). Prints p50/p99 and the ratio to the
 * baseline. Option: -Drounds=200.
 */
public final class JdsDeclareProbe {
    private JdsDeclareProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("rounds", 200);
        Duration t = Duration.ofSeconds(60);
        Path dir = Files.createTempDirectory("jds-probe");
        AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "sv2.security=noise",
                "sv2.authority-secret-key=\"" + authority.secretToBase58() + "\"", "jds.enabled=true",
                "jds.listen=[\"127.0.0.1:0\"]", "jds.max-tokens-per-connection=10000", "jds.max-provided-bytes=16000000",
                "jds.max-declared-jobs=100000")) {
            if (!FakeSv2Miner.waitFor(h.pool::ready, t)) {
                throw new IllegalStateException("pool not ready");
            }
            JobDeclarator jds = h.pool.jds();
            TemplateFactory factory = new TemplateFactory(CoinbaseStyle.values()[0]);
            DevnetParams d = DevnetParams.defaults();
            DevnetChain empty = new DevnetChain(new DevnetParams(d.bits(), d.initialSubsidySats(), d.halvingInterval(), 0,
                    d.seed(), d.maxFutureBlockTimeSeconds()), InstantSource.system());
            BuiltTemplate none = factory.build(empty.getBlockTemplate(), 1, false, OutputReservation.NONE);
            DevnetChain full = new DevnetChain(new DevnetParams(d.bits(), d.initialSubsidySats(), d.halvingInterval(), 0,
                    d.seed() + 1, d.maxFutureBlockTimeSeconds()), InstantSource.system());
            for (int i = 0; i < 3000; i++) {
                full.addSyntheticTransaction(1000 + i);
            }
            BuiltTemplate many = factory.build(full.getBlockTemplate(), 2, false, OutputReservation.NONE);
            int missRounds = Math.max(3, rounds / 20);
            java.util.ArrayDeque<BuiltTemplate> unknowns = new java.util.ArrayDeque<>();
            for (int k = 0; k < missRounds + 2; k++) {
                DevnetChain other = new DevnetChain(new DevnetParams(d.bits(), d.initialSubsidySats(), d.halvingInterval(),
                        0, d.seed() + 10 + k, d.maxFutureBlockTimeSeconds()), InstantSource.system());
                for (int i = 0; i < 3000; i++) {
                    other.addSyntheticTransaction(1000 + i);
                }
                unknowns.add(factory.build(other.getBlockTemplate(), 10 + k, false, OutputReservation.NONE));
            }
            BuiltTemplate unknown = unknowns.peek();
            System.out.printf("templates: %d, %d, %d transactions%n", none.transactionData().size(),
                    many.transactionData().size(), unknown.transactionData().size());
            jds.mempool().addAll(many.transactionData());
            try (JdClient jd = JdClient.await(JdClient.connect(h.pool.jdsAddresses().getFirst(), authority.publicKey(), t,
                    null), t)) {
                run(jd, () -> none, "0 transactions", rounds, t, 20);
                run(jd, () -> many, "3000 transactions, all known to the JDS", rounds, t, 20);
                run(jd, unknowns::poll, "3000 transactions, all missing (ProvideMissingTransactions)", missRounds, t, 2);
            }
            System.out.println(h.pool.registry().scrape().lines().filter(l -> l.startsWith("hh_pool_jds_declare_latency"))
                    .reduce("", (a, b) -> a + b + "\n"));
        }
    }

    private static void run(JdClient jd, java.util.function.Supplier<BuiltTemplate> templates, String name, int rounds,
            Duration t, int warmup) throws Exception {
        long[] alloc = new long[rounds];
        long[] declare = new long[rounds];
        for (int i = -warmup; i < rounds; i++) {
            BuiltTemplate bt = templates.get();
            long t0 = System.nanoTime();
            AllocateMiningJobTokenSuccess tok = JdClient.await(jd.allocateToken("probe"), t);
            long t1 = System.nanoTime();
            CustomJob job = CustomJob.build(bt.message(), bt.transactionData(),
                    tok.coinbaseTxOutputs(), 13);
            long t2 = System.nanoTime();
            JdClient.await(jd.declare(job, tok.miningJobToken()), t);
            long t3 = System.nanoTime();
            if (i >= 0) {
                alloc[i] = t1 - t0;
                declare[i] = t3 - t2;
            }
        }
        int n = rounds;
        long[] a = Arrays.copyOf(alloc, n);
        long[] dd = Arrays.copyOf(declare, n);
        Arrays.sort(a);
        Arrays.sort(dd);
        double a50 = p(a, 0.5);
        double d50 = p(dd, 0.5);
        double d99 = p(dd, 0.99);
        System.out.printf("%-60s n=%d  declare p50 %.2f ms p99 %.2f ms | allocate (baseline) p50 %.2f ms p99 %.2f ms |"
                + " declare/allocate p50 %.1fx%n", name, n, d50 / 1e6, d99 / 1e6, a50 / 1e6, p(a, 0.99) / 1e6, d50 / a50);
    }

    private static double p(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

}
