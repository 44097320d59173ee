package org.hyperhash.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the physical-limit baselines ({@code openssl speed}, C, same machine, same command) and the
 * JMH benchmarks, then prints each benchmark as a ratio to its limit: the table in bench/README.md.
 * <pre>java -cp bench/target/benchmarks.jar org.hyperhash.bench.Ratios [--quick]</pre>
 */
public final class Ratios {
    /** One row: a JMH benchmark, how many units one op is worth, and which baseline it is held to. */
    record Row(String benchmark, String what, double unitsPerOp, String baseline, String unit, double goal) {
    }

    static final List<Row> ROWS = List.of(
            new Row("base.Sha256dBench.headerSha256d", "sha256d of an 80-byte header (3 compressions)", 3, "sha256.compressions", "compressions/s", 0.5),
            new Row("base.Sha256dBench.headerSha256dMidstate", "same with a 64-byte midstate (2 compressions)", 2, "sha256.compressions", "compressions/s", 0.5),
            new Row("channel.ShareValidationBench.standardShare", "standard-channel share validation (3 compressions)", 3, "sha256.compressions", "compressions/s", 0.5),
            new Row("channel.ShareValidationBench.extendedShare12StepPath", "extended share, 12-step merkle path (~45 compressions)", 45, "sha256.compressions", "compressions/s", 0.5));

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        Map<String, Double> base = baselines(quick ? 1 : 3);
        List<Row> rows = new ArrayList<>(ROWS);
        rows.addAll(Extra.rows());
        OptionsBuilder ob = new OptionsBuilder();
        for (Row r : rows) {
            ob.include("org\\.hyperhash\\.bench\\." + r.benchmark().replace(".", "\\.") + "$");
        }
        Options opts = ob.forks(1).warmupIterations(quick ? 1 : 3).measurementIterations(quick ? 2 : 5)
                .warmupTime(TimeValue.seconds(1)).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("--enable-native-access=ALL-UNNAMED").build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Double> score = new LinkedHashMap<>();
        for (RunResult rr : results) {
            String name = rr.getParams().getBenchmark().replace("org.hyperhash.bench.", "");
            score.put(name, toPerSecond(rr.getPrimaryResult().getScore(), rr.getPrimaryResult().getScoreUnit()));
        }
        System.out.println();
        System.out.println("| benchmark | Java (per core) | C limit (openssl, same run) | ratio | goal |");
        System.out.println("| --- | --- | --- | --- | --- |");
        for (Row r : rows) {
            Double s = score.get(r.benchmark());
            Double b = base.get(r.baseline());
            if (s == null) {
                continue;
            }
            double units = s * r.unitsPerOp();
            String limit = b == null ? "n/a" : String.format("%,.0f %s", b, r.unit());
            String ratio = b == null ? "n/a" : String.format("%.0f%%", 100 * units / b);
            String goal = r.goal() <= 0 ? "-" : (r.goal() > 1 ? String.format(">= %,.0f/s", r.goal()) : String.format(">= %.0f%%", 100 * r.goal()));
            System.out.printf("| %s: %s | %,.0f ops/s = %,.0f %s | %s | %s | %s |%n", r.benchmark(), r.what(), s, units, r.unit(), limit, ratio, goal);
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

    /** openssl speed figures: bytes/s per payload size, and derived compressions/s, AEAD ops/s. */
    static Map<String, Double> baselines(int seconds) throws IOException, InterruptedException {
        Map<String, Double> m = new LinkedHashMap<>();
        double[] sha = opensslSpeed("sha256", seconds);
        if (sha != null) {
            m.put("sha256.compressions", sha[5] / 64.0); // 16 KiB buffers: bytes/s / 64-byte blocks
        }
        double[] aead = opensslSpeed("chacha20-poly1305", seconds);
        if (aead != null) {
            m.put("aead.bytes.64", aead[1]);
            m.put("aead.bytes.256", aead[2]);
            m.put("aead.bytes.16384", aead[5]);
            m.put("aead.ops.16", aead[0] / 16.0);
        }
        System.out.println("baselines (openssl speed -evp, one core): " + m);
        return m;
    }

    /** bytes/s for 16, 64, 256, 1024, 8192, 16384-byte buffers, or null when openssl is missing. */
    static double[] opensslSpeed(String evp, int seconds) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("openssl", "speed", "-seconds", String.valueOf(seconds), "-evp", evp)
                    .redirectErrorStream(false).start();
        } catch (IOException e) {
            System.out.println("openssl not found: no C baseline for " + evp);
            return null;
        }
        double[] out = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                String l = line.trim();
                if (l.toLowerCase().startsWith(evp.toLowerCase() + " ") || l.toLowerCase().startsWith(evp.toLowerCase() + "\t")) {
                    String[] parts = l.substring(evp.length()).trim().split("\\s+");
                    out = new double[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        out[i] = Double.parseDouble(parts[i].replace("k", "")) * 1000.0;
                    }
                }
            }
        }
        p.waitFor();
        return out;
    }

    /** Rows contributed by benchmarks in other packages (noise, channel), kept in one place. */
    static final class Extra {
        static List<Row> rows() {
            return List.of();
        }
    }
}
