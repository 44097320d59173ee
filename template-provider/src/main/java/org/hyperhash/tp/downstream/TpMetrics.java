package org.hyperhash.tp.downstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The template provider's meters. Names follow the project rules (counters end in _total, units
 * in names, only bounded labels: RPC method names, Core reject strings, fixed close reasons).
 */
public final class TpMetrics {
    private final MeterRegistry registry;
    private final Timer templateLatency;
    private final Counter futureTemplatesSent;
    private final Counter activeTemplatesSent;
    private final Counter prevHashesSent;
    private final Counter outboundDropped;
    private final AtomicInteger connectedPools = new AtomicInteger();

    public TpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.templateLatency = Timer.builder("tp_template_latency_seconds")
                .description("node block notification -> SetNewPrevHash written to a pool socket")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.futureTemplatesSent = Counter.builder("tp_templates_sent_total").tag("kind", "future")
                .description("NewTemplate messages written").register(registry);
        this.activeTemplatesSent = Counter.builder("tp_templates_sent_total").tag("kind", "active")
                .description("NewTemplate messages written").register(registry);
        this.prevHashesSent = Counter.builder("tp_prev_hashes_sent_total").description("SetNewPrevHash messages written")
                .register(registry);
        this.outboundDropped = Counter.builder("tp_outbound_dropped_total")
                .description("messages dropped because a pool's outbound buffer was above the high-water mark (the pool is disconnected)")
                .register(registry);
        registry.gauge("tp_connected_pools", connectedPools);
    }

    /** Metrics into a throwaway registry (tests, benches). */
    public static TpMetrics noop() {
        return new TpMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void templateSent(boolean future) {
        (future ? futureTemplatesSent : activeTemplatesSent).increment();
    }

    public void prevHashSent(long notifiedNanos) {
        prevHashesSent.increment();
        if (notifiedNanos != 0) {
            templateLatency.record(Duration.ofNanos(Math.max(0, System.nanoTime() - notifiedNanos)));
        }
    }

    public Timer templateLatency() {
        return templateLatency;
    }

    public void outboundDropped() {
        outboundDropped.increment();
    }

    public double outboundDroppedCount() {
        return outboundDropped.count();
    }

    public void poolConnected() {
        connectedPools.incrementAndGet();
    }

    public void poolDisconnected() {
        connectedPools.decrementAndGet();
    }

    public int connectedPools() {
        return connectedPools.get();
    }

    public void rpcError(String method, String kind) {
        Counter.builder("tp_rpc_errors_total").tag("method", method).tag("kind", kind)
                .description("node RPC calls that failed after retries").register(registry).increment();
    }

    /** @param result {@code accepted}, Core's reject string, or our pre-submit reason (bad-coinbase-tx, unknown-template-id, rpc-error) */
    public void blockSubmitted(String result) {
        Counter.builder("tp_blocks_submitted_total").tag("result", result)
                .description("SubmitSolution outcomes").register(registry).increment();
    }

    public double blocksSubmitted(String result) {
        Counter c = registry.find("tp_blocks_submitted_total").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    /** @param reason one of a fixed set: protocol-error, setup-error, slow-consumer, decode-error, handshake-error, closed */
    public void sessionClosed(String reason) {
        Counter.builder("tp_sessions_closed_total").tag("reason", reason).register(registry).increment();
    }
}
