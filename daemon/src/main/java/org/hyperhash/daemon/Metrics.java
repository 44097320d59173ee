package org.hyperhash.daemon;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.jvm.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * One Prometheus registry per daemon, with JVM and process metrics. Naming rules for our own meters:
 * Micrometer names in dotted form ({@code hh.pool.shares.accepted}) render as
 * {@code hh_pool_shares_accepted_total} for counters; put units in names ({@code .seconds}, {@code .bytes});
 * labels only from bounded sets (never a user, address or IP).
 */
public final class Metrics {
    private Metrics() {
    }

    public static PrometheusMeterRegistry newRegistry(String service) {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().commonTags("service", service);
        new JvmMemoryMetrics().bindTo(r);
        new JvmGcMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        new ClassLoaderMetrics().bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        new FileDescriptorMetrics().bindTo(r);
        // disk_free_bytes / disk_total_bytes of the working directory (state lives there under systemd)
        new DiskSpaceMetrics(new java.io.File(".").getAbsoluteFile()).bindTo(r);
        return r;
    }
}
