package org.hyperhash.tp.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LatencyStatsTest {
    @Test
    void nearestRank() {
        long[] a = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, LatencyStats.nearestRank(a, 0.50));
        assertEquals(10, LatencyStats.nearestRank(a, 0.99));
        assertEquals(1, LatencyStats.nearestRank(a, 0.01));
        assertEquals(10, LatencyStats.nearestRank(a, 1.0));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.nearestRank(new long[0], 0.5));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.nearestRank(a, 0));
    }

    @Test
    void parsesAPrometheusHistogramWithCommonTagsAndFindsBucketBounds() {
        String scrape = """
                # HELP hh_tp_template_latency_seconds node block notification -> SetNewPrevHash written to a pool socket
                # TYPE hh_tp_template_latency_seconds histogram
                hh_tp_template_latency_seconds_bucket{service="tp",le="0.001"} 10
                hh_tp_template_latency_seconds_bucket{service="tp",le="0.002"} 60
                hh_tp_template_latency_seconds_bucket{service="tp",le="0.005"} 99
                hh_tp_template_latency_seconds_bucket{service="tp",le="+Inf"} 100
                hh_tp_template_latency_seconds_count{service="tp"} 100
                hh_tp_template_latency_seconds_sum{service="tp"} 0.25
                # TYPE hh_tp_template_latency_seconds_max gauge
                hh_tp_template_latency_seconds_max{service="tp"} 0.0123
                hh_tp_templates_sent_total{kind="future",service="tp"} 7.0
                """;
        LatencyStats.PromHistogram h = LatencyStats.parse(scrape, TemplateLatencyProbe.METRIC);
        assertEquals(100, h.count());
        assertEquals(0.25, h.sumSeconds(), 1e-12);
        assertEquals(0.0123, h.maxSeconds(), 1e-12);
        assertEquals(0.001, h.upperBound(0.10));
        assertEquals(0.002, h.upperBound(0.11));
        assertEquals(0.002, h.upperBound(0.50));
        assertEquals(0.005, h.upperBound(0.99));
        assertEquals(Double.POSITIVE_INFINITY, h.upperBound(1.0));
        assertThrows(IllegalArgumentException.class, () -> LatencyStats.parse("other_metric 1\n", TemplateLatencyProbe.METRIC));
    }
}
