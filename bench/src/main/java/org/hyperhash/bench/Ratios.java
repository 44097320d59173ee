package org.hyperhash.bench;

import org.hyperhash.bench.channel.ShareValidationBench;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the JMH benchmarks group by group, each group bracketed by the C limits it is held to ({@code openssl
 * speed -elapsed -evp ...} on the same machine right before and right after the group), and prints every
 * benchmark as a ratio to its limit: the table in bench/README.md.
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.hyperhash.bench.Ratios
 *      [--quick | --smoke] [--only sha|aead|ec]
 * </pre>
 * {@code --smoke} runs every benchmark once for 100 ms in this JVM without openssl (seconds; checks that
 * every benchmark still sets up and runs, numbers meaningless) and exits non-zero if one is missing.
 */
public final class Ratios {
    /** Java throughput held to a C limit ({@code goal} <= 1: ratio target) or to an absolute rate (goal > 1). */
    record Row(String key, String what, double unitsPerOp, String baseline, String unit, double goal) {
    }

    /** One openssl measurement: {@code openssl speed -evp evp -bytes bytes [-aead]}, in units/s = bytes/s / div. */
    record Limit(String name, String evp, int bytes, boolean aead, double divisor, String unit) {
    }

    record Group(String name, String include, List<Limit> limits) {
    }

    static final Limit SHA256 = new Limit("sha256", "sha256", 16384, false, 64, "compressions/s");
    static final Limit AEAD_100 = new Limit("aead.100", "chacha20-poly1305", 100, false, 1, "B/s");
    static final Limit AEAD_TLS_100 = new Limit("aead.tls.100", "chacha20-poly1305", 100, true, 1, "B/s");
    static final Limit AEAD_64K = new Limit("aead.65536", "chacha20-poly1305", 65536, false, 1, "B/s");

    static final List<Group> GROUPS = List.of(
            new Group("sha", "org\\.hyperhash\\.bench\\.(base\\.Sha256dBench|channel\\.ShareValidationBench)\\.",
                    List.of(SHA256)),
            new Group("aead", "org\\.hyperhash\\.bench\\.noise\\.(CipherStateBench|NettyNoiseBench)\\.",
                    List.of(AEAD_100, AEAD_TLS_100, AEAD_64K)),
            // no secp256k1 in openssl speed: the SHA-256 limit is measured only as a machine-load indicator
            new Group("ec", "org\\.hyperhash\\.bench\\.noise\\.(HandshakeBench|Secp256k1Bench)\\.",
                    List.of(SHA256)));

    static List<Row> rows(int extendedCompressions) {
        List<Row> r = new ArrayList<>();
        String cps = "compressions/s";
        r.add(new Row("base.Sha256dBench.headerSha256d", "sha256d, 80-byte header (3 compressions)", 3, "sha256", cps, 0));
        r.add(new Row("base.Sha256dBench.headerSha256dMidstate", "sha256d with a 64-byte midstate (2 compressions)", 2,
                "sha256", cps, 0));
        r.add(new Row("channel.ShareValidationBench.standardShare", "standard-job share validation (counted as 3)", 3,
                "sha256", cps, 0.5));
        r.add(new Row("channel.ShareValidationBench.extendedShare12StepPath",
                "extended-job share, 12-step merkle path (" + extendedCompressions + " compressions)",
                extendedCompressions, "sha256", cps, 0.5));
        for (String bench : List.of("CipherStateBench", "NettyNoiseBench")) {
            String how = bench.startsWith("Cipher") ? "CipherState" : "Netty NoiseHandler";
            r.add(new Row("noise." + bench + ".frame:100", how + " encrypt+decrypt, 100-byte frame (2 x 100 B)", 200,
                    AEAD_100.name(), "B/s", 0.5));
            r.add(new Row("noise." + bench + ".frame:100", how + " same, vs openssl -aead (per-record init+tag)", 200,
                    AEAD_TLS_100.name(), "B/s", 0));
            r.add(new Row("noise." + bench + ".frame:65536", how + " encrypt+decrypt, 64 KiB frame (2 x 65536 B)",
                    2 * 65536, AEAD_64K.name(), "B/s", 0.5));
        }
        for (String p : List.of("native", "pure")) {
            r.add(new Row("noise.HandshakeBench.responder:" + p, "full responder handshake, " + p, 1, null, "", 2000));
            r.add(new Row("noise.HandshakeBench.bothRoles:" + p, "initiator + responder, " + p, 1, null, "", 0));
            r.add(new Row(INITIATOR + p, "initiator alone (derived: both - responder), " + p, 1, null, "", 0));
            r.add(new Row("noise.Secp256k1Bench.ellswiftEncode:" + p, "EllSwift encode (key creation), " + p, 1, null, "", 0));
            r.add(new Row("noise.Secp256k1Bench.ellswiftXdh:" + p, "BIP324 x-only ECDH, " + p, 1, null, "", 0));
            r.add(new Row("noise.Secp256k1Bench.bip340Sign:" + p, "BIP340 sign, " + p, 1, null, "", 0));
            r.add(new Row("noise.Secp256k1Bench.bip340Verify:" + p, "BIP340 verify, " + p, 1, null, "", 0));
        }
        return r;
    }

    private static final String INITIATOR = "derived.initiator:";

    enum RunMode { FULL, QUICK, SMOKE }

    /** Measured C limits: mean, before and after, per limit name. */
    record Measured(double before, double after) {
        double mean() {
            return Double.isNaN(before) ? after : Double.isNaN(after) ? before : (before + after) / 2;
        }
    }

    public static void main(String[] args) throws Exception {
        List<String> a = List.of(args);
        RunMode mode = a.contains("--smoke") ? RunMode.SMOKE : a.contains("--quick") ? RunMode.QUICK : RunMode.FULL;
        int only = a.indexOf("--only");
        String group = only >= 0 && only + 1 < a.size() ? a.get(only + 1) : null;
        List<String> missing = run(mode, group);
        if (!missing.isEmpty()) {
            System.err.println("benchmarks without a result: " + missing);
            System.exit(1);
        }
    }

    /** Runs the benchmarks and prints the table; returns the keys of rows that got no result. */
    public static List<String> run(RunMode mode, String onlyGroup) throws Exception {
        Map<String, Double> score = new LinkedHashMap<>();
        Map<String, Measured> limits = new LinkedHashMap<>();
        Map<String, String> limitUnits = new LinkedHashMap<>();
        int secs = mode == RunMode.FULL ? 3 : 1;
        String[] providers = Secp256k1Providers.nativeProvider().isPresent()
                ? new String[] {"native", "pure"} : new String[] {"pure"};
        if (providers.length == 1) {
            System.out.println("native secp256k1 unavailable (" + Secp256k1Providers.nativeUnavailableReason().orElse("?")
                    + "): pure-Java rows only");
        }
        List<String> ran = new ArrayList<>();
        for (Group g : GROUPS) {
            if (onlyGroup != null && !onlyGroup.equals(g.name())) {
                continue;
            }
            ran.add(g.name());
            Map<String, Double> before = mode == RunMode.SMOKE ? Map.of() : measure(g.limits(), secs);
            ChainedOptionsBuilder ob = new OptionsBuilder().include(g.include()).param("provider", providers)
                    .shouldFailOnError(mode == RunMode.SMOKE);
            ob = switch (mode) {
                case SMOKE -> ob.forks(0).warmupIterations(0).measurementIterations(1)
                        .measurementTime(TimeValue.milliseconds(100)).verbosity(VerboseMode.SILENT);
                case QUICK -> ob.forks(1).warmupIterations(2).measurementIterations(3)
                        .warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(1));
                case FULL -> ob.forks(1).warmupIterations(3).measurementIterations(5)
                        .warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(2));
            };
            ob = ob.jvmArgsAppend("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
            for (RunResult rr : new Runner(ob.build()).run()) {
                score.put(key(rr), toPerSecond(rr.getPrimaryResult().getScore(), rr.getPrimaryResult().getScoreUnit()));
            }
            Map<String, Double> after = mode == RunMode.SMOKE ? Map.of() : measure(g.limits(), secs);
            for (Limit l : g.limits()) {
                String name = g.name().equals("ec") ? "ec-group " + l.name() : l.name();
                limits.put(name, new Measured(before.getOrDefault(l.name(), Double.NaN), after.getOrDefault(l.name(), Double.NaN)));
                limitUnits.put(name, l.unit());
            }
        }
        List<Row> rows = rows(ShareValidationBench.extendedShareCompressions());
        for (String p : providers) {
            Double both = score.get("noise.HandshakeBench.bothRoles:" + p);
            Double resp = score.get("noise.HandshakeBench.responder:" + p);
            if (both != null && resp != null && 1 / both > 1 / resp) {
                score.put(INITIATOR + p, 1 / (1 / both - 1 / resp));
            }
        }
        print(rows, score, limits, limitUnits, mode);
        List<String> missing = new ArrayList<>();
        boolean hasNative = providers.length == 2;
        for (Row r : rows) {
            boolean expected = ran.contains(groupOf(r)) && !r.key().startsWith(INITIATOR)
                    && (hasNative || !r.key().endsWith(":native"));
            if (expected && !score.containsKey(r.key()) && !missing.contains(r.key())) {
                missing.add(r.key());
            }
        }
        return missing;
    }

    private static String groupOf(Row r) {
        if (r.key().startsWith("base.") || r.key().startsWith("channel.")) {
            return "sha";
        }
        return r.key().contains("Cipher") || r.key().contains("Netty") ? "aead" : "ec";
    }

    /** "pkg.Class.method" plus ":" and the parameter values, in declaration order. */
    static String key(RunResult rr) {
        var params = rr.getParams();
        StringBuilder k = new StringBuilder(params.getBenchmark().replace("org.hyperhash.bench.", ""));
        for (String p : params.getParamsKeys()) {
            k.append(':').append(params.getParam(p));
        }
        return k.toString();
    }

    private static void print(List<Row> rows, Map<String, Double> score, Map<String, Measured> limits,
                              Map<String, String> units, RunMode mode) {
        System.out.println();
        System.out.println(mode == RunMode.SMOKE ? "smoke run: no C limits, numbers meaningless"
                : "C limits (openssl speed -elapsed, one core), before / after the group:");
        for (var e : mode == RunMode.SMOKE ? Map.<String, Measured>of().entrySet() : limits.entrySet()) {
            Measured m = e.getValue();
            double spread = 100 * Math.abs(m.before() - m.after()) / m.mean();
            System.out.printf(Locale.ROOT, "  %-20s %,15.0f / %,15.0f %s (mean %,.0f, spread %.0f%%)%n", e.getKey(),
                    m.before(), m.after(), units.get(e.getKey()), m.mean(), spread);
        }
        System.out.println();
        System.out.println("| benchmark | Java ops/s (1 thread) | work/s | C limit (same run) | ratio | target | met |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | --- | --- |");
        for (Row r : rows) {
            Double s = score.get(r.key());
            if (s == null) {
                continue;
            }
            Measured b = r.baseline() == null ? null : limits.get(r.baseline());
            double limit = b == null ? Double.NaN : b.mean();
            double work = s * r.unitsPerOp();
            double ratio = work / limit;
            String target;
            String met;
            if (r.goal() <= 0) {
                target = "-";
                met = "-";
            } else if (r.goal() > 1) {
                target = String.format(Locale.ROOT, ">= %,.0f/s", r.goal());
                met = s >= r.goal() ? "yes" : "**no**";
            } else {
                target = String.format(Locale.ROOT, ">= %.0f%% of C", 100 * r.goal());
                met = Double.isNaN(ratio) ? "n/a" : ratio >= r.goal() ? "yes" : "**no**";
            }
            if (mode == RunMode.SMOKE) {
                met = "(smoke)";
            }
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %s | %s | %s | %s | %s |%n", r.what(), s,
                    r.unit().isEmpty() ? "-" : String.format(Locale.ROOT, "%,.0f %s", work, r.unit()),
                    Double.isNaN(limit) ? "-" : String.format(Locale.ROOT, "%,.0f %s", limit, r.unit()),
                    Double.isNaN(ratio) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * ratio), target, met);
        }
    }

    static double toPerSecond(double score, String unit) {
        return switch (unit) {
            case "ops/s" -> score;
            case "ops/ms" -> score * 1e3;
            case "ops/us" -> score * 1e6;
            default -> throw new IllegalArgumentException("unexpected JMH unit " + unit);
        };
    }

    /** Runs each limit's openssl command; limits openssl cannot measure are left out. */
    static Map<String, Double> measure(List<Limit> limits, int seconds) throws IOException, InterruptedException {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Limit l : limits) {
            double bytesPerSecond = opensslSpeed(l, seconds);
            if (!Double.isNaN(bytesPerSecond)) {
                m.put(l.name(), bytesPerSecond / l.divisor());
            }
        }
        return m;
    }

    /** bytes/s of {@code openssl speed -elapsed -seconds s -bytes n [-aead] -evp evp}, or NaN if unavailable. */
    static double opensslSpeed(Limit l, int seconds) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl", "speed", "-elapsed", "-seconds", String.valueOf(seconds),
                "-bytes", String.valueOf(l.bytes())));
        if (l.aead()) {
            cmd.add("-aead");
        }
        cmd.addAll(List.of("-evp", l.evp()));
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
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
