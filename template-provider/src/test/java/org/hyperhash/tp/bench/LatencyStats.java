package org.hyperhash.tp.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Percentiles for the probe: exact (nearest rank) over samples, and bucket bounds from a Prometheus histogram. */
final class LatencyStats {
    private LatencyStats() {
    }

    /** Nearest-rank percentile ({@code q} in (0, 1]) of already sorted samples. */
    static long nearestRank(long[] sorted, double q) {
        if (sorted.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("q must be in (0, 1]: " + q);
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    static long[] sorted(List<Long> samples) {
        long[] a = samples.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(a);
        return a;
    }

    /**
     * A histogram as Prometheus exposes it: cumulative counts per upper bound {@code le} (seconds),
     * +Inf included, plus _count, _sum and (Micrometer) _max.
     */
    record PromHistogram(TreeMap<Double, Long> cumulative, long count, double sumSeconds, double maxSeconds) {
        /**
         * Upper bound (seconds) of the first bucket holding the {@code q}-th sample, i.e. the
         * percentile is at most this; +Inf when it falls in the overflow bucket.
         */
        double upperBound(double q) {
            if (count == 0) {
                throw new IllegalStateException("empty histogram");
            }
            long rank = (long) Math.ceil(q * count);
            for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
                if (e.getValue() >= rank) {
                    return e.getKey();
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }

    /** Parses {@code name}_bucket/_count/_sum/_max lines of one series (labels other than le ignored) out of a Prometheus text scrape. */
    static PromHistogram parse(String scrape, String name) {
        TreeMap<Double, Long> buckets = new TreeMap<>();
        long count = -1;
        double sum = Double.NaN;
        double max = Double.NaN;
        List<String> unknown = new ArrayList<>();
        for (String line : scrape.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String full = line.substring(0, space).trim();
            String value = line.substring(space + 1).trim();
            int brace = full.indexOf('{');
            String key = brace < 0 ? full : full.substring(0, brace);
            if (key.equals(name + "_bucket")) {
                int i = full.indexOf("le=\"");
                String le = full.substring(i + 4, full.indexOf('"', i + 4));
                double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
                buckets.put(bound, (long) Double.parseDouble(value));
            } else if (key.equals(name + "_count")) {
                count = (long) Double.parseDouble(value);
            } else if (key.equals(name + "_sum")) {
                sum = Double.parseDouble(value);
            } else if (key.equals(name + "_max")) {
                max = Double.parseDouble(value);
            } else {
                unknown.add(key);
            }
        }
        if (count < 0 || buckets.isEmpty()) {
            throw new IllegalArgumentException("no histogram " + name + " in the scrape (other keys: " + unknown + ")");
        }
        return new PromHistogram(buckets, count, sum, max);
    }
}
