package org.hyperhash.daemon;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleSupplier;

/**
 * One Prometheus registry per daemon, with JVM and process metrics. Naming rules for our own meters:
 * Micrometer names in dotted form ({@code hh.pool.shares.accepted}) render as
 * {@code hh_pool_shares_accepted_total} for counters; put units in names ({@code .seconds}, {@code .bytes});
 * labels only from bounded sets (never a user, address or IP); every meter has a description (promtool
 * check metrics fails on a family without HELP).
 *
 * <p>Micrometer holds a gauge's state object only weakly: a gauge over a lambda or an object nobody else
 * keeps reads NaN after the next GC. Every gauge here is registered with {@code strongReference(true)} (use
 * {@link #gauge}), and the registry keeps the binders it was given, so nothing a scrape reads can be
 * collected while the registry lives.
 */
public final class Metrics {
    private Metrics() {
    }

    /** A registry that holds strong references to the binders (and their state objects) bound to it. */
    private static final class DaemonRegistry extends PrometheusMeterRegistry {
        private final List<Object> keep = new CopyOnWriteArrayList<>();
        private final String service;

        DaemonRegistry(String service) {
            super(PrometheusConfig.DEFAULT);
            this.service = service;
        }
    }

    /** The service name a registry of {@link #newRegistry} was made for ("unknown" for another registry). */
    public static String service(MeterRegistry r) {
        return r instanceof DaemonRegistry d ? d.service : "unknown";
    }

    /**
     * The daemon's registry: JVM memory/GC/threads/classes, process CPU seconds (from the JVM's
     * process CPU clock, which works where systemd's {@code ProcSubset=pid} hides /proc/stat), uptime, file
     * descriptors, disk space of the working directory and {@code hh_<service>_build_info}.
     */
    public static PrometheusMeterRegistry newRegistry(String service) {
        DaemonRegistry r = new DaemonRegistry(service);
        r.config().commonTags("service", service);
        bind(r, new JvmMemoryMetrics());
        bind(r, new JvmGcMetrics());
        bind(r, new JvmThreadMetrics());
        bind(r, new ClassLoaderMetrics());
        bind(r, new UptimeMetrics());
        bind(r, new FileDescriptorMetrics());
        bindProcess(r);
        // disk_free_bytes / disk_total_bytes of the working directory (state lives there under systemd)
        File dir = new File(".").getAbsoluteFile();
        String path = dir.getPath();
        Gauge.builder("disk.free", dir, File::getUsableSpace).tags(Tags.of("path", path)).baseUnit("bytes")
                .description("usable space of the daemon's working directory's file system").strongReference(true)
                .register(r);
        Gauge.builder("disk.total", dir, File::getTotalSpace).tags(Tags.of("path", path)).baseUnit("bytes")
                .description("size of the daemon's working directory's file system").strongReference(true)
                .register(r);
        buildInfo(r, service);
        return r;
    }

    /**
     * A gauge read from a supplier, held strongly by the registry (a weakly held lambda reads NaN after a GC).
     * Tags are name/value pairs.
     */
    public static Gauge gauge(MeterRegistry registry, String name, String description, DoubleSupplier f, String... tags) {
        return Gauge.builder(name, f, DoubleSupplier::getAsDouble).tags(tags).description(description)
                .strongReference(true).register(registry);
    }

    /**
     * The secp256k1 provider in use: {@code hh_secp256k1_provider_info{provider} 1} and {@code hh_secp256k1_native}
     * (1 native libsecp256k1, 0 the pure-Java fallback: slower and not constant time). Null name: no Noise in use.
     */
    public static void secp256k1Provider(MeterRegistry r, String providerName) {
        if (providerName == null || providerName.isEmpty()) {
            return;
        }
        gauge(r, "hh.secp256k1.provider.info", "secp256k1 implementation used for Noise (value 1)", () -> 1,
                "provider", providerName);
        boolean nativeLib = providerName.startsWith("libsecp256k1");
        gauge(r, "hh.secp256k1.native", "1 when the native libsecp256k1 is in use, 0 on the pure-Java fallback",
                () -> nativeLib ? 1 : 0);
    }

    /**
     * The ChaCha20-Poly1305 implementation Noise uses for long messages: {@code hh_aead_provider_info{provider} 1} and
     * {@code hh_aead_native} (1 OpenSSL's libcrypto through FFM, 0 the pure-Java/JCA fallback). Null name: no Noise.
     */
    public static void aeadProvider(MeterRegistry r, String providerName, boolean nativeLib) {
        aeadProvider(r, providerName, nativeLib, null, false);
    }

    /**
     * As {@link #aeadProvider(MeterRegistry, String, boolean)}, plus the implementation of messages below 320 bytes:
     * {@code hh_aead_small_info{implementation} 1} and {@code hh_aead_vector} (1 the Vector API's ChaCha20 blocks,
     * 0 the scalar fallback). Null small name: not reported.
     */
    public static void aeadProvider(MeterRegistry r, String providerName, boolean nativeLib, String smallName,
                                    boolean vector) {
        if (providerName == null || providerName.isEmpty()) {
            return;
        }
        if (smallName != null && !smallName.isEmpty()) {
            gauge(r, "hh.aead.small.info", "ChaCha20-Poly1305 implementation of Noise messages below 320 bytes (value 1)",
                    () -> 1, "implementation", smallName);
            gauge(r, "hh.aead.vector", "1 when Noise's small messages use the Vector API ChaCha20 blocks, 0 scalar",
                    () -> vector ? 1 : 0);
        }
        gauge(r, "hh.aead.provider.info", "ChaCha20-Poly1305 implementation used for Noise (value 1)", () -> 1,
                "provider", providerName);
        gauge(r, "hh.aead.native", "1 when OpenSSL's libcrypto does Noise's long messages, 0 on the Java fallback",
                () -> nativeLib ? 1 : 0);
    }

    /** {@code hh_<service>_build_info{version} 1}: which build answers (the agent exports the same shape). */
    static void buildInfo(MeterRegistry r, String service) {
        String name = "hh." + service.replace('-', '_') + ".build.info";
        gauge(r, name, "build of this daemon (value 1)", () -> 1, "version", Version.version(),
                "java_version", System.getProperty("java.version", "unknown"));
    }

    private static void bind(MeterRegistry r, MeterBinder binder) {
        binder.bindTo(r);
        if (r instanceof DaemonRegistry d) {
            d.keep.add(binder);
        }
    }

    /**
     * Replaces Micrometer's ProcessorMetrics, whose {@code process_cpu_time_ns_total} (an abbreviated unit)
     * and {@code system_cpu_count} (a gauge named like a histogram part) fail promtool's lint, and whose
     * {@code process_cpu_usage}/{@code system_cpu_usage} read -1 under systemd's {@code ProcSubset=pid}
     * (they need /proc/stat). {@code process_cpu_seconds_total} comes from the process CPU clock and works
     * there; alerts use {@code rate(process_cpu_seconds_total[5m]) / jvm_available_processors}.
     */
    private static void bindProcess(MeterRegistry r) {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (r instanceof DaemonRegistry d) {
            d.keep.add(os); // a FunctionCounter holds its object weakly and has no strongReference option
        }
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            FunctionCounter.builder("process.cpu.seconds", sun, b -> Math.max(0, b.getProcessCpuTime()) / 1e9)
                    .description("CPU time used by the process (user + system), seconds").register(r);
            Gauge.builder("process.cpu.usage", sun, com.sun.management.OperatingSystemMXBean::getProcessCpuLoad)
                    .description("recent CPU usage of the process, 0..1 of all CPUs (-1 where /proc/stat is hidden,"
                            + " e.g. systemd ProcSubset=pid: use process_cpu_seconds_total)")
                    .strongReference(true).register(r);
            Gauge.builder("system.cpu.usage", sun, com.sun.management.OperatingSystemMXBean::getCpuLoad)
                    .description("recent CPU usage of the whole system, 0..1 (-1 where /proc/stat is hidden)")
                    .strongReference(true).register(r);
        }
        Gauge.builder("jvm.available.processors", Runtime.getRuntime(), Runtime::availableProcessors)
                .description("processors available to the JVM (cgroup CPU quota applied)").strongReference(true)
                .register(r);
        Gauge.builder("system.load.average.1m", os, OperatingSystemMXBean::getSystemLoadAverage)
                .description("system load average over the last minute (-1 if unavailable)").strongReference(true)
                .register(r);
    }
}
