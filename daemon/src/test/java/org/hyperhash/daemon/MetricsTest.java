package org.hyperhash.daemon;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.hyperhash.testkit.Gc;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {
    @Test
    void everyGaugeOfANewRegistryReadsARealValueAfterGc() {
        PrometheusMeterRegistry r = Metrics.newRegistry("testd");
        AtomicLong state = new AtomicLong(42);
        Metrics.gauge(r, "hh.testd.lambda", "a gauge over a lambda", state::get);
        Gc.force();
        List<String> nan = new ArrayList<>();
        for (Meter m : r.getMeters()) {
            if (m instanceof Gauge g && Double.isNaN(g.value())) {
                nan.add(m.getId().getName() + m.getId().getTags());
            }
        }
        assertEquals(List.of(), nan, "gauges reading NaN after GC");
        String scrape = r.scrape();
        assertTrue(scrape.contains("hh_testd_lambda{service=\"testd\"} 42.0"), scrape);
        assertFalse(scrape.contains("NaN"), scrape);
        assertTrue(scrape.contains("disk_free_bytes{path="), scrape);
        assertTrue(scrape.contains("hh_testd_build_info{java_version="), scrape);
        assertTrue(scrape.matches("(?s).*process_cpu_seconds_total\\{service=\"testd\"} [0-9.E]+\n.*"), scrape);
        assertFalse(scrape.contains("process_cpu_time_ns_total") || scrape.contains("system_cpu_count"), scrape);
    }

    /** The failure the registry guards against: Micrometer's default weak reference loses a lambda's state. */
    @Test
    void aWeaklyHeldLambdaGaugeReadsNanAfterGc() {
        PrometheusMeterRegistry r = Metrics.newRegistry("testd");
        AtomicLong state = new AtomicLong(7);
        java.util.function.DoubleSupplier f = state::get;
        Gauge weak = Gauge.builder("hh.testd.weak", f, java.util.function.DoubleSupplier::getAsDouble).register(r);
        f = null;
        Gc.force();
        assertTrue(Double.isNaN(weak.value()), "the test would not catch a weakly held gauge");
    }
}
