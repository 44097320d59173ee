package org.hyperhash.bench;

import org.hyperhash.bench.channel.ShareValidationBench;
import org.hyperhash.sv2.noise.AeadProviders;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Runs the JMH benchmarks group by group, each ratio benchmark bracketed by the C limits it is held to ({@code openssl
 * speed -elapsed ...} on the same machine, sampled right before and right after that benchmark), and prints every
 * benchmark as a ratio to what C does for the same work: the table in bench/README.md.
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.hyperhash.bench.Ratios
 *      [--quick | --smoke] [--only sha|aead|ec] [--payload 100|65536] [--warmup N]
 * </pre>
 * Noise: both sides are reported twice, best-of (fastest JMH iteration / fastest openssl sample: closest to
 * an idle machine) and typical (JMH mean / openssl median). {@code --smoke} runs each benchmark once for 100 ms
 * in this JVM without openssl (seconds; proves every benchmark still sets up and runs; numbers meaningless)
 * and exits non-zero if one is missing.
 */
public final class Ratios {
    /** One openssl measurement: {@code openssl speed -elapsed -bytes n [-aead] -evp evp}. */
    record Limit(String name, String evp, int bytes, boolean aead) {
        List<String> command(int seconds) {
            List<String> c = new ArrayList<>(List.of("openssl", "speed", "-elapsed", "-seconds", String.valueOf(seconds),
                    "-bytes", String.valueOf(bytes)));
            if (aead) {
                c.add("-aead");
            }
            c.addAll(List.of("-evp", evp));
            return c;
        }
    }

    /** openssl samples (bytes/s) of one limit. */
    record Samples(double[] v) {
        double best() {
            return Arrays.stream(v).max().orElse(Double.NaN);
        }

        double median() {
            double[] s = v.clone();
            Arrays.sort(s);
            return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }
    }

    /**
     * A benchmark row. {@code cOps} turns a map of limit values (bytes/s, by limit name) into the ops/s C
     * achieves for the same op, or null when there is no C limit; {@code goal} <= 1 is a ratio target, > 1 an
     * absolute ops/s target, 0 none.
     */
    record Row(String key, String what, String cMeasure, ToDoubleFunction<Map<String, Double>> cOps, double goal) {
    }

    /** One JMH run (benchmarks matching {@code include}, optionally one payload) and the limits bracketing it. */
    record Part(String include, String payload, List<Limit> limits) {
    }

    record Group(String name, List<Part> parts) {
    }

    static final Limit SHA256 = new Limit("sha256", "sha256", 16384, false);
    static final String AEAD = "chacha20-poly1305";

    static Limit stream(int n) {
        return new Limit("stream." + n, AEAD, n, false);
    }

    static Limit aeadRecord(int n) {
        return new Limit("record." + n, AEAD, n, true);
    }

    private static final String PKG = "org\\.hyperhash\\.bench\\.";

    /** Each ratio benchmark gets its own openssl samples right before and after it, so contention is matched. */
    static final List<Group> GROUPS = List.of(
            new Group("sha", List.of(
                    new Part(PKG + "base\\.Sha256dBench\\.headerSha256d$", null, List.of(SHA256)),
                    new Part(PKG + "base\\.Sha256dBench\\.headerSha256dMidstate$", null, List.of(SHA256)),
                    new Part(PKG + "channel\\.ShareValidationBench\\.standardShare$", null, List.of(SHA256)),
                    new Part(PKG + "channel\\.ShareValidationBench\\.extendedShare12StepPath$", null, List.of(SHA256)))),
            new Group("aead", List.of(
                    new Part(PKG + "noise\\.CipherStateBench\\.", "100", List.of(stream(100), aeadRecord(6), aeadRecord(100))),
                    // frame: the pool's per-frame work; embeddedChannels: the same through EmbeddedChannel queues (diagnostic)
                    new Part(PKG + "noise\\.NettyNoiseBench\\.(frame|embeddedChannels)$", "100",
                            List.of(stream(100), aeadRecord(6), aeadRecord(100))),
                    new Part(PKG + "noise\\.CipherStateBench\\.", "65536",
                            List.of(stream(65536), aeadRecord(6), aeadRecord(65519), aeadRecord(17))),
                    new Part(PKG + "noise\\.NettyNoiseBench\\.frame$", "65536",
                            List.of(stream(65536), aeadRecord(6), aeadRecord(65519), aeadRecord(17))))),
            // openssl speed has no secp256k1 ECDH/Schnorr: the SHA-256 samples only show how loaded the machine was
            new Group("ec", List.of(new Part(PKG + "noise\\.(HandshakeBench|Secp256k1Bench)\\.", null, List.of(SHA256)))));

    private static final String INITIATOR = "derived.initiator:";

    static List<Row> rows(int extendedCompressions) {
        List<Row> r = new ArrayList<>();
        ToDoubleFunction<Map<String, Double>> c3 = m -> m.get("sha256") / 64 / 3;
        String sha = "openssl sha256, 16 KiB: compressions/s / ";
        r.add(new Row("base.Sha256dBench.headerSha256d", "sha256d of an 80-byte header", sha + "3", c3, 0));
        r.add(new Row("base.Sha256dBench.headerSha256dMidstate", "same, from a cloned 64-byte midstate",
                sha + "2 (real work)", m -> m.get("sha256") / 64 / 2, 0));
        r.add(new Row("channel.ShareValidationBench.standardShare", "standard-job share validation",
                sha + "3 (issue's definition)", c3, 0.5));
        r.add(new Row("channel.ShareValidationBench.extendedShare12StepPath",
                "extended-job share validation, 12-step merkle path", sha + extendedCompressions,
                m -> m.get("sha256") / 64 / extendedCompressions, 0.5));
        for (String bench : List.of("CipherStateBench", "NettyNoiseBench")) {
          for (String aead : List.of("vector", "scalar", "pure")) {
            String how = (bench.startsWith("Cipher") ? "CipherState" : "Netty NoiseHandler") + " (" + aead + " AEAD)";
            for (int p : new int[] {100, 65536}) {
                String k = "noise." + bench + ".frame:" + aead + ":" + p;
                String size = p == 100 ? "100-byte" : "64 KiB";
                r.add(new Row(k, how + " encrypt+decrypt, " + size + " frame",
                        "openssl " + AEAD + " -bytes " + p + ": B/s / (2 x " + p + ")",
                        m -> m.get("stream." + p) / (2.0 * p), 0.5));
                int[] records = p == 100 ? new int[] {6, 100} : new int[] {6, 65519, 17};
                r.add(new Row(k, how + " same frame, vs C doing the same AEAD records",
                        "openssl -aead, records " + Arrays.toString(records) + ", each sealed and opened",
                        m -> {
                            double t = 0;
                            for (int n : records) {
                                t += 2 * n / m.get("record." + n);
                            }
                            return 1 / t;
                        }, 0));
            }
          }
        }
        r.add(new Row("noise.NettyNoiseBench.embeddedChannels:vector:100",
                "Netty NoiseHandler, 100-byte frame through EmbeddedChannel queues (old harness, diagnostic)",
                "openssl " + AEAD + " -bytes 100: B/s / (2 x 100)", m -> m.get("stream.100") / 200.0, 0));
        for (String p : List.of("native", "pure")) {
            r.add(new Row("noise.HandshakeBench.responder:" + p, "full responder handshake, " + p, null, null, 2000));
            r.add(new Row("noise.HandshakeBench.bothRoles:" + p, "initiator + responder handshake, " + p, null, null, 0));
            r.add(new Row(INITIATOR + p, "initiator alone (derived: both roles - responder), " + p, null, null, 0));
            r.add(new Row("noise.Secp256k1Bench.ellswiftEncode:" + p, "EllSwift encode (key creation), " + p, null, null, 0));
            r.add(new Row("noise.Secp256k1Bench.ellswiftXdh:" + p, "BIP324 x-only ECDH, " + p, null, null, 0));
            r.add(new Row("noise.Secp256k1Bench.bip340Sign:" + p, "BIP340 sign, " + p, null, null, 0));
            r.add(new Row("noise.Secp256k1Bench.bip340Verify:" + p, "BIP340 verify, " + p, null, null, 0));
        }
        return r;
    }

    enum RunMode { FULL, QUICK, SMOKE }

    /** JMH result of one benchmark: best iteration and mean, ops/s. */
    record Score(double best, double mean) {
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        RunMode mode = a.contains("--smoke") ? RunMode.SMOKE : a.contains("--quick") ? RunMode.QUICK : RunMode.FULL;
        int only = a.indexOf("--only");
        String group = only >= 0 && only + 1 < a.size() ? a.get(only + 1) : null;
        int pay = a.indexOf("--payload");
        payloadOnly = pay >= 0 && pay + 1 < a.size() ? a.get(pay + 1) : null;
        int wu = a.indexOf("--warmup");
        warmupOverride = wu >= 0 && wu + 1 < a.size() ? Integer.parseInt(a.get(wu + 1)) : -1;
        List<String> missing = run(mode, group);
        if (!missing.isEmpty()) {
            System.err.println("benchmarks without a result: " + missing);
            System.exit(1);
        }
    }

    /** Runs the benchmarks and prints the table; returns the keys of rows that got no result. */
    /** {@code --payload P}: only the aead parts of that payload (the others still get their rows, empty). */
    static String payloadOnly;
    /**
     * {@code --warmup N}: warm-up iterations instead of the mode's (on a loaded machine C2 may not have compiled the
     * hot code within the default two or three seconds, the Vector API code least of all).
     */
    static int warmupOverride = -1;

    public static List<String> run(RunMode mode, String onlyGroup) throws Exception {
        Map<String, Score> score = new LinkedHashMap<>();
        Map<String, Map<String, Samples>> limits = new LinkedHashMap<>(); // benchmark key -> limit -> samples
        String[] providers = Secp256k1Providers.nativeProvider().isPresent()
                ? new String[] {"native", "pure"} : new String[] {"pure"};
        if (providers.length == 1) {
            System.out.println("native secp256k1 unavailable (" + Secp256k1Providers.nativeUnavailableReason().orElse("?")
                    + "): pure-Java rows only");
        }
        // the AEAD is chosen once per JVM: smoke runs in this JVM, so only its own choice
        String[] aeads = mode == RunMode.SMOKE
                ? new String[] {AeadProviders.isNative() ? (AeadProviders.isVector() ? "vector" : "scalar") : "pure"}
                : AeadProviders.nativeUnavailableReason().isEmpty() && AeadProviders.vectorUnavailableReason().isEmpty()
                        ? new String[] {"vector", "scalar", "pure"}
                        : AeadProviders.nativeUnavailableReason().isEmpty() ? new String[] {"scalar", "pure"}
                        : new String[] {"pure"};
        int samples = mode == RunMode.FULL ? 2 : 1;
        List<String> ran = new ArrayList<>();
        for (Group g : GROUPS) {
            if (onlyGroup != null && !onlyGroup.equals(g.name())) {
                continue;
            }
            ran.add(g.name());
            for (Part part : g.parts()) {
                if (payloadOnly != null && part.payload() != null && !payloadOnly.equals(part.payload())) {
                    continue;
                }
                Map<String, List<Double>> got = new LinkedHashMap<>();
                if (mode != RunMode.SMOKE) {
                    measure(part.limits(), samples, got);
                }
                ChainedOptionsBuilder ob = new OptionsBuilder().include(part.include()).param("provider", providers)
                        .param("aead", aeads).shouldFailOnError(mode == RunMode.SMOKE);
                if (part.payload() != null) {
                    ob = ob.param("payload", part.payload());
                }
                ob = switch (mode) {
                    case SMOKE -> ob.forks(0).warmupIterations(0).measurementIterations(1)
                            .measurementTime(TimeValue.milliseconds(100)).verbosity(VerboseMode.SILENT);
                    case QUICK -> ob.forks(1).warmupIterations(2).measurementIterations(4)
                            .warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(1));
                    case FULL -> ob.forks(1).warmupIterations(3).measurementIterations(10)
                            .warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(1));
                };
                if (warmupOverride >= 0 && mode != RunMode.SMOKE) {
                    ob = ob.warmupIterations(warmupOverride);
                }
                ob = ob.jvmArgsAppend("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                        "--sun-misc-unsafe-memory-access=allow");
                List<String> keys = new ArrayList<>();
                for (RunResult rr : new Runner(ob.build()).run()) {
                    Statistics st = rr.getPrimaryResult().getStatistics();
                    String unit = rr.getPrimaryResult().getScoreUnit();
                    score.put(key(rr), new Score(toPerSecond(st.getMax(), unit), toPerSecond(st.getMean(), unit)));
                    keys.add(key(rr));
                }
                if (mode != RunMode.SMOKE) {
                    measure(part.limits(), samples, got);
                }
                Map<String, Samples> m = new LinkedHashMap<>();
                got.forEach((k, v) -> m.put(k, new Samples(v.stream().mapToDouble(Double::doubleValue).toArray())));
                String label = g.name().equals("ec") ? "ec group (load indicator only)" : "for " + String.join(", ", keys);
                limits.put(label, m);
                for (String k : keys) {
                    limits.put(k, m);
                }
            }
        }
        List<Row> rows = rows(ShareValidationBench.extendedShareCompressions());
        for (String p : providers) {
            Score both = score.get("noise.HandshakeBench.bothRoles:" + p);
            Score resp = score.get("noise.HandshakeBench.responder:" + p);
            if (both != null && resp != null) {
                score.put(INITIATOR + p, new Score(derive(both.best(), resp.best()), derive(both.mean(), resp.mean())));
            }
        }
        print(rows, score, limits, mode);
        List<String> missing = new ArrayList<>();
        boolean hasNative = providers.length == 2;
        for (Row r : rows) {
            boolean expected = ran.contains(groupOf(r)) && !r.key().startsWith(INITIATOR)
                    && (hasNative || !r.key().endsWith(":native"))
                    && (!r.key().contains("NoiseBench.") && !r.key().contains("CipherStateBench.")
                        || Arrays.stream(aeads).anyMatch(x -> r.key().contains(":" + x + ":")))
                    && (payloadOnly == null || !r.key().matches(".*:\\d+$") || r.key().endsWith(":" + payloadOnly));
            if (expected && !score.containsKey(r.key()) && !missing.contains(r.key())) {
                missing.add(r.key());
            }
        }
        return missing;
    }

    /** Ops/s of the initiator alone from 1/both = 1/initiator + 1/responder; NaN if noise makes it negative. */
    static double derive(double both, double responder) {
        double t = 1 / both - 1 / responder;
        return t > 0 ? 1 / t : Double.NaN;
    }

    private static String groupOf(Row r) {
        if (r.key().startsWith("base.") || r.key().startsWith("channel.")) {
            return "sha";
        }
        return r.key().contains("Cipher") || r.key().contains("Netty") ? "aead" : "ec";
    }

    /** "pkg.Class.method" plus ":" and each parameter value, in declaration order. */
    static String key(RunResult rr) {
        var params = rr.getParams();
        StringBuilder k = new StringBuilder(params.getBenchmark().replace("org.hyperhash.bench.", ""));
        for (String p : params.getParamsKeys()) {
            k.append(':').append(params.getParam(p));
        }
        return k.toString();
    }

    private static void print(List<Row> rows, Map<String, Score> score, Map<String, Map<String, Samples>> limits,
                              RunMode mode) {
        System.out.println();
        if (mode == RunMode.SMOKE) {
            System.out.println("smoke run: no C limits, numbers meaningless");
        } else {
            System.out.println("C limits (openssl speed -elapsed, one process), sampled right before and after, B/s:");
            for (var e : limits.entrySet()) {
                if (score.containsKey(e.getKey())) {
                    continue; // printed under its part's label
                }
                System.out.println("  " + e.getKey() + ":");
                for (var l : e.getValue().entrySet()) {
                    Samples s = l.getValue();
                    System.out.printf(Locale.ROOT, "    %-14s best %,15.0f  median %,15.0f  samples %s%n", l.getKey(),
                            s.best(), s.median(),
                            Arrays.stream(s.v()).mapToObj(d -> String.format(Locale.ROOT, "%.3g", d)).toList());
                }
            }
        }
        System.out.println();
        System.out.println("| benchmark | Java ops/s best (mean) | C, same work, ops/s best (median) | ratio best (typical) "
                + "| target | met | C measure |");
        System.out.println("| --- | ---: | ---: | ---: | --- | --- | --- |");
        for (Row r : rows) {
            Score s = score.get(r.key());
            if (s == null) {
                continue;
            }
            Map<String, Double> best = new LinkedHashMap<>();
            Map<String, Double> median = new LinkedHashMap<>();
            limits.getOrDefault(r.key(), Map.of()).forEach((k, v) -> {
                best.put(k, v.best());
                median.put(k, v.median());
            });
            double cBest = cOps(r, best);
            double cMedian = cOps(r, median);
            double ratio = s.best() / cBest;
            String target;
            String met;
            if (r.goal() <= 0) {
                target = "-";
                met = "-";
            } else if (r.goal() > 1) {
                target = String.format(Locale.ROOT, ">= %,.0f/s", r.goal());
                met = s.best() >= r.goal() ? (s.mean() >= r.goal() ? "yes" : "yes (best only)") : "**no**";
            } else {
                target = String.format(Locale.ROOT, ">= %.0f%% of C", 100 * r.goal());
                met = Double.isNaN(ratio) ? "n/a" : ratio >= r.goal()
                        ? (s.mean() / cMedian >= r.goal() ? "yes" : "yes (best only)") : "**no**";
            }
            if (mode == RunMode.SMOKE) {
                met = "(smoke)";
            }
            System.out.printf(Locale.ROOT, "| %s | %s (%s) | %s | %s | %s | %s | %s |%n", r.what(), num(s.best()),
                    num(s.mean()), Double.isNaN(cBest) ? "-" : num(cBest) + " (" + num(cMedian) + ")",
                    Double.isNaN(ratio) ? "-" : pct(ratio) + " (" + pct(s.mean() / cMedian) + ")", target, met,
                    r.cMeasure() == null ? "-" : r.cMeasure());
        }
    }

    private static double cOps(Row r, Map<String, Double> limits) {
        if (r.cOps() == null) {
            return Double.NaN;
        }
        try {
            return r.cOps().applyAsDouble(limits);
        } catch (NullPointerException e) { // a limit openssl could not measure
            return Double.NaN;
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }

    static double toPerSecond(double score, String unit) {
        return switch (unit) {
            case "ops/s" -> score;
            case "ops/ms" -> score * 1e3;
            case "ops/us" -> score * 1e6;
            default -> throw new IllegalArgumentException("unexpected JMH unit " + unit);
        };
    }

    /** Appends {@code samples} one-second openssl samples (bytes/s) per limit; unavailable limits are skipped. */
    static void measure(List<Limit> limits, int samples, Map<String, List<Double>> into)
            throws IOException, InterruptedException {
        for (int i = 0; i < samples; i++) {
            for (Limit l : limits) {
                double v = opensslSpeed(l, 1);
                if (!Double.isNaN(v)) {
                    into.computeIfAbsent(l.name(), k -> new ArrayList<>()).add(v);
                }
            }
        }
    }

    /** bytes/s reported by openssl for {@code l}, or NaN if openssl is missing or printed nothing usable. */
    static double opensslSpeed(Limit l, int seconds) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(l.command(seconds)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            System.out.println("openssl not found: no C limit for " + l.name());
            return Double.NaN;
        }
        double out = Double.NaN;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                out = Double.isNaN(out) ? parseSpeedLine(line, l.evp()) : out;
            }
        }
        if (!p.waitFor(seconds * 4L + 30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    /** "ChaCha20-Poly1305   329367.07k" -> 3.2936707e8 (openssl prints 1000s of bytes/s); NaN otherwise. */
    static double parseSpeedLine(String line, String evp) {
        String l = line.trim();
        if (!l.toLowerCase(Locale.ROOT).startsWith(evp.toLowerCase(Locale.ROOT))) {
            return Double.NaN;
        }
        String[] parts = l.substring(evp.length()).trim().split("\\s+");
        if (parts.length == 0 || !parts[0].endsWith("k")) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(parts[0].substring(0, parts[0].length() - 1)) * 1000.0;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
