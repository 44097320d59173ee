package org.hyperhash.tp.downstream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.hyperhash.tp.node.HttpBitcoindRpc;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.hyperhash.tp.template.InvalidSolutionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The template provider's meters, named {@code hh_tp_*} like every daemon's {@code hh_<daemon>_*}. Counters
 * end in _total, units are in names, labels are bounded (RPC method names, a fixed set of Core's reject
 * strings plus "other", fixed close reasons). Labelled counters are registered up front for their known values so scrapes show zeros.
 */
public final class TpMetrics {
    static final String RPC_ERRORS = "hh_tp_rpc_errors_total";
    static final String BLOCKS_SUBMITTED = "hh_tp_blocks_submitted_total";
    static final String SESSIONS_CLOSED = "hh_tp_sessions_closed_total";
    static final String SOLUTIONS_REFUSED = "hh_tp_solutions_refused_total";
    static final String TEMPLATES_EVICTED = "hh_tp_templates_evicted_total";
    static final String SESSION_LIMITS = "hh_tp_session_limits_total";
    static final String CONNECTIONS_REFUSED = "hh_tp_connections_refused_total";
    /** Why a TDP connection was refused at accept. */
    static final List<String> REFUSAL_REASONS = List.of("not_allowed", "banned", "max_connections", "max_connections_per_ip");
    /** Why a kept template was dropped before its grace ran out. */
    static final List<String> EVICTION_REASONS = List.of("session_limit", "retired_sessions");
    /** Per-session limits a client can hit ({@code hh_tp_session_limits_total{limit}}). */
    static final List<String> SESSION_LIMIT_NAMES = List.of("constraint_changes", "transaction_data_requests",
            "solutions", "setup_timeout", "idle_timeout", "frame_size");

    /** Submit results known before any submission: ours plus Core's most common answers. */
    static final List<String> KNOWN_SUBMIT_RESULTS;
    /**
     * Every reason TdpServer/TdpSession close a pool connection with, as {@code reason} label values: snake_case like
     * every label value we define (the pool's {@code hh_pool_protocol_errors_total{kind="malformed_message"}});
     * TdpSession's hyphenated close reasons ({@code decode-error}) map onto them in {@link #sessionClosed}.
     */
    static final List<String> CLOSE_REASONS = List.of("closed", "error", "protocol_error", "setup_error", "slow_consumer",
            "decode_error", "handshake_error", "limit_exceeded", "setup_timeout", "idle_timeout", "reconnect");

    /**
     * Bitcoin Core's submitblock answers (BIP22 null/duplicate/inconclusive/rejected and the block-validation reject
     * reasons a solved template can hit) that get their own {@code result} label; any other string counts as
     * {@value #OTHER_RESULT} (the exact string is logged and shown in /v1/status). Core's strings are not ours to
     * bound: some carry values (e.g. {@code bad-version(0x...)}), so they never become label values as they come.
     */
    static final List<String> CORE_SUBMIT_RESULTS = List.of("high-hash", "duplicate", "duplicate-invalid",
            "duplicate-inconclusive", "inconclusive", "rejected", "bad-diffbits", "time-too-old", "time-too-new",
            "bad-txnmrklroot", "bad-txns-duplicate", "bad-blk-length", "bad-cb-missing", "bad-cb-multiple",
            "bad-cb-height", "bad-cb-amount", "bad-blk-sigops", "bad-blk-weight", "bad-witness-nonce-size",
            "bad-witness-merkle-match", "unexpected-witness", "bad-prevblk", "prev-blk-not-found", "bad-txns-nonfinal");
    static final String OTHER_RESULT = "other";

    static {
        List<String> r = new ArrayList<>(List.of("accepted", "unknown-template-id", "rpc-error"));
        r.addAll(InvalidSolutionException.REASONS);
        r.addAll(CORE_SUBMIT_RESULTS);
        r.add(OTHER_RESULT);
        KNOWN_SUBMIT_RESULTS = List.copyOf(new java.util.LinkedHashSet<>(r));
    }

    /** The manual's template latency target (section 11) and alert threshold (section 5). */
    public static final Duration TEMPLATE_LATENCY_SLO = Duration.ofMillis(50);
    public static final Duration TEMPLATE_LATENCY_ALERT = Duration.ofMillis(500);

    private final MeterRegistry registry;
    private final Timer templateLatency;
    private final Counter futureTemplatesSent;
    private final Counter activeTemplatesSent;
    private final Counter prevHashesSent;
    private final Counter outboundDropped;
    private final Counter buildsDropped;
    private final AtomicInteger connectedPools = new AtomicInteger();
    private final Counter bans;

    public TpMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.templateLatency = Timer.builder("hh_tp_template_latency_seconds")
                .description("node block notification -> SetNewPrevHash written to a pool socket")
                .publishPercentileHistogram()
                // buckets at the manual's thresholds (template latency < 50 ms, alert above 500 ms), so the
                // alert and the SLO panel read exact counts instead of interpolating between generated buckets
                .serviceLevelObjectives(TEMPLATE_LATENCY_SLO, TEMPLATE_LATENCY_ALERT)
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry);
        this.futureTemplatesSent = Counter.builder("hh_tp_templates_sent_total").tag("kind", "future")
                .description("NewTemplate messages written").register(registry);
        this.activeTemplatesSent = Counter.builder("hh_tp_templates_sent_total").tag("kind", "active")
                .description("NewTemplate messages written").register(registry);
        this.prevHashesSent = Counter.builder("hh_tp_prev_hashes_sent_total").description("SetNewPrevHash messages written")
                .register(registry);
        this.outboundDropped = Counter.builder("hh_tp_outbound_dropped_total")
                .description("messages dropped because a pool's outbound buffer was above the high-water mark (the pool is disconnected)")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("hh_tp_connected_pools", connectedPools, AtomicInteger::get)
                .description("pool connections with a completed setup").strongReference(true).register(registry);
        this.buildsDropped = Counter.builder("hh_tp_template_builds_dropped_total")
                .description("template builds or subscriptions dropped because the template builder's queue was full")
                .register(registry);
        this.bans = Counter.builder("hh_tp_bans_total").description("IP bans issued on the TDP port (too many violations)")
                .register(registry);
        for (String method : HttpBitcoindRpc.METHODS) {
            for (RpcException.Kind kind : RpcException.Kind.values()) {
                rpcErrors(method, kindLabel(kind));
            }
        }
        KNOWN_SUBMIT_RESULTS.forEach(this::blocksSubmittedCounter);
        CLOSE_REASONS.forEach(this::sessionsClosed);
        List<String> refusals = new ArrayList<>(List.of("unknown-template-id"));
        refusals.addAll(InvalidSolutionException.REASONS);
        refusals.forEach(this::solutionsRefused);
        EVICTION_REASONS.forEach(this::templatesEvicted);
        SESSION_LIMIT_NAMES.forEach(this::sessionLimits);
        REFUSAL_REASONS.forEach(this::connectionsRefused);
    }

    /** An IP ban was issued on the TDP port. */
    public void banIssued() {
        bans.increment();
    }

    public double bansIssued() {
        return bans.count();
    }

    /** @param reason one of {@link #REFUSAL_REASONS} */
    public void connectionRefused(String reason) {
        connectionsRefused(reason).increment();
    }

    public double connectionsRefusedCount(String reason) {
        return connectionsRefused(reason).count();
    }

    private Counter connectionsRefused(String reason) {
        return Counter.builder(CONNECTIONS_REFUSED).tag("reason", snake(reason))
                .description("TDP connections refused at accept (allowlist, ban, caps), by reason").register(registry);
    }

    /**
     * A SubmitSolution the TP could not turn into a submitblock (unknown/expired template, or a solution that
     * cannot make a block): possibly a lost block.
     *
     * @param reason {@code unknown-template-id} or one of {@link InvalidSolutionException#REASONS}
     */
    public void solutionRefused(String reason) {
        solutionsRefused(reason).increment();
    }

    public double solutionsRefusedCount(String reason) {
        Counter c = registry.find(SOLUTIONS_REFUSED).tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    /** @param reason one of {@link #EVICTION_REASONS} */
    public void templatesEvicted(String reason, int count) {
        templatesEvicted(reason).increment(count);
    }

    public double templatesEvictedCount(String reason) {
        return templatesEvicted(reason).count();
    }

    /** @param limit one of {@link #SESSION_LIMIT_NAMES} */
    public void sessionLimit(String limit) {
        sessionLimits(limit).increment();
    }

    public double sessionLimitCount(String limit) {
        return sessionLimits(limit).count();
    }

    private Counter solutionsRefused(String reason) {
        return Counter.builder(SOLUTIONS_REFUSED).tag("reason", reason)
                .description("SubmitSolution messages the TP refused (not submitted to the node): possibly lost blocks")
                .register(registry);
    }

    private Counter templatesEvicted(String reason) {
        return Counter.builder(TEMPLATES_EVICTED).tag("reason", snake(reason))
                .description("kept templates dropped before their tip changed plus the grace, by reason").register(registry);
    }

    private Counter sessionLimits(String limit) {
        return Counter.builder(SESSION_LIMITS).tag("limit", snake(limit))
                .description("TDP clients that hit a per-session limit (the session is closed), by limit").register(registry);
    }

    /**
     * Our own label values are snake_case (one spelling per value across daemons); callers may pass the hyphenated
     * names the TDP code uses for close/limit reasons. Core's submitblock strings are not ours and keep their hyphens.
     */
    private static String snake(String value) {
        return value.replace('-', '_');
    }

    /** The {@code kind} label of {@link #rpcError}. */
    public static String kindLabel(RpcException.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
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

    public void templateBuildDropped() {
        buildsDropped.increment();
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
        rpcErrors(method, kind).increment();
    }

    /**
     * @param result {@code accepted}, Core's reject string as it came, or our pre-submit reason (bad-coinbase-tx,
     *               unknown-template-id, rpc-error); counted under {@link #submitResultLabel(String)}
     */
    public void blockSubmitted(String result) {
        blocksSubmittedCounter(submitResultLabel(result)).increment();
    }

    /** The bounded {@code result} label for a submit result: itself when known up front, else {@value #OTHER_RESULT}. */
    static String submitResultLabel(String result) {
        return KNOWN_SUBMIT_RESULTS.contains(result) ? result : OTHER_RESULT;
    }

    public double blocksSubmitted(String result) {
        Counter c = registry.find(BLOCKS_SUBMITTED).tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    /** @param reason one of {@link #CLOSE_REASONS}, or its hyphenated spelling as TdpSession logs it */
    public void sessionClosed(String reason) {
        String label = reason.replace('-', '_');
        if (!CLOSE_REASONS.contains(label)) {
            throw new IllegalArgumentException("unknown close reason " + reason);
        }
        sessionsClosed(label).increment();
    }

    // Micrometer returns the already registered counter for an existing name and tags.
    private Counter rpcErrors(String method, String kind) {
        return Counter.builder(RPC_ERRORS).tag("method", method).tag("kind", kind)
                .description("node RPC calls that failed after retries").register(registry);
    }

    private Counter blocksSubmittedCounter(String result) {
        return Counter.builder(BLOCKS_SUBMITTED).tag("result", result).description("SubmitSolution outcomes").register(registry);
    }

    private Counter sessionsClosed(String reason) {
        return Counter.builder(SESSIONS_CLOSED).tag("reason", reason).description("pool connections closed, by reason")
                .register(registry);
    }
}
