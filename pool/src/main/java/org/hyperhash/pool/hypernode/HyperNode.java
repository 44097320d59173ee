package org.hyperhash.pool.hypernode;

import io.netty.channel.EventLoopGroup;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.TxOut;
import org.hyperhash.jdc.CustomJob;
import org.hyperhash.jdc.JdClient;
import org.hyperhash.jdc.JdClient.JdException;
import org.hyperhash.jdc.MiningUpstream;
import org.hyperhash.pool.hypernode.HyperNodeConfig.UpstreamPool;
import org.hyperhash.pool.hypernode.HyperNodeMetrics.ConnectFailure;
import org.hyperhash.pool.hypernode.HyperNodeMetrics.Declaration;
import org.hyperhash.pool.hypernode.HyperNodeMetrics.NotForwarded;
import org.hyperhash.pool.hypernode.HyperNodeMetrics.Switch;
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.pool.work.JobDispatcher;
import org.hyperhash.sv2.channel.InvalidTemplateException;
import org.hyperhash.sv2.channel.JobFactory;
import org.hyperhash.sv2.channel.JobTemplate;
import org.hyperhash.sv2.channel.ServerChannel;
import org.hyperhash.sv2.message.jd.PushSolution;
import org.hyperhash.sv2.message.mining.SetCustomMiningJobSuccess;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Hyper Node's upstream side, plugged into the pool engine that serves its own miners. While an upstream pool is
 * in use, the pooled job of every local template is the job declared to that pool: coinbase = the template's
 * coinbase_prefix (scriptSig prefix of SetCustomMiningJob) || the upstream channel's extranonce_prefix || zero padding
 * || the local full extranonce || sequence, the pool's outputs then the template's, locktime. That is byte for byte
 * the coinbase the pool builds for its custom job when the upstream rollable extranonce is (padding || local full
 * extranonce), so every local share maps 1:1 onto the upstream job and is forwarded when it meets the upstream
 * target. Without a usable pool the pooled job pays the operator's address (solo; blocks go to the local template
 * provider as for any pool block).
 *
 * <p>Failover: connecting to a pool = JD connection + SetupConnection, mining connection with REQUIRES_WORK_SELECTION
 * + one extended channel, one AllocateMiningJobToken, all within {@code upstream.timeout}. A pool that fails to
 * connect, refuses a declaration or custom job (after {@code stale-tip-retries} for stale-chain-tip), stops
 * answering (timeout) or closes a connection is left for the next pool that is not cooling down; with none, solo.
 * Every {@code check-interval} a more preferred pool whose {@code cooldown} ended is tried (make before break) and
 * used when it connects. Local miners keep their connections and channels through every switch: the dispatcher
 * rebuilds the current job and sends it as a new job on the same tip.
 *
 * <p>Threads: state changes run on one "jdc-upstream" thread; {@link #build} runs on the dispatcher thread and
 * {@link #onAccepted} on the miners' event loops, both reading the volatile current session only.
 */
public final class HyperNode implements JobDispatcher.PooledJobBuilder, JobDispatcher.ShareObserver, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HyperNode.class);
    private static final int KEPT_TEMPLATES = 16;
    private static final int KEPT_JOBS = 256;
    private static final int KEPT_SWITCHES = 20;
    /** Upstream thread tasks (TDP events, answers, timers); beyond this events are dropped and logged. */
    static final int MAX_QUEUED = 4096;

    /** One live upstream pool: its JD and mining connections and the channel as granted when it connected. */
    static final class Session {
        final int index;
        final UpstreamPool pool;
        final JdClient jd;
        final MiningUpstream up;
        final Bytes poolOutputs;
        final MiningUpstream.ChannelInfo info;
        final long sinceMs;
        /** local template id -> upstream custom job id (SetCustomMiningJob.Success). */
        final ConcurrentHashMap<Long, Integer> jobs = new ConcurrentHashMap<>();
        final ConcurrentHashMap<Long, SetNewPrevHash> tips = new ConcurrentHashMap<>();
        volatile boolean dead;

        Session(int index, UpstreamPool pool, JdClient jd, MiningUpstream up, Bytes poolOutputs, long sinceMs) {
            this.index = index;
            this.pool = pool;
            this.jd = jd;
            this.up = up;
            this.poolOutputs = poolOutputs;
            this.info = up.channelInfo();
            this.sinceMs = sinceMs;
        }

        void close() {
            dead = true;
            jd.close();
            up.close();
        }
    }

    /** What a local job was built for: a session (null: solo) and the local template. */
    private record Built(Session session, long templateId) {
    }

    private final HyperNodeConfig config;
    private final JobFactory soloFactory;
    private final Bytes operatorScript;
    private final int localFullExtranonce;
    private final InstantSource clock;
    private final HyperNodeMetrics metrics;
    private final ScheduledThreadPoolExecutor exec;
    private final EventLoopGroup group;
    /** Per pool: not tried before this time (0: usable). */
    private final long[] retryAtMs;
    private final String[] lastFailure;
    private final Map<JobTemplate, Built> built = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<JobTemplate, Built> e) {
            return size() > KEPT_JOBS;
        }
    });
    // upstream-thread state
    private final LinkedHashMap<Long, NewTemplate> templates = new LinkedHashMap<>();
    private final ArrayDeque<Map<String, Object>> switchLog = new ArrayDeque<>();
    private SetNewPrevHash tip;
    private long activeTemplateId = -1;
    private boolean connecting;
    private JobDispatcher dispatcher;
    private TemplateSource templateSource;
    private volatile Session current;
    private volatile String lastEvent = "starting";
    private volatile boolean closed;

    /**
     * @param soloFactory job factory (pool tag) for solo jobs
     * @param operatorScript the operator's payout script (solo)
     * @param localFullExtranonce full extranonce size of the local channels (the upstream must grant at least this many
     *     rollable bytes)
     */
    public HyperNode(HyperNodeConfig config, JobFactory soloFactory, Bytes operatorScript, int localFullExtranonce,
            InstantSource clock, io.micrometer.core.instrument.MeterRegistry registry) {
        this.config = config;
        this.soloFactory = soloFactory;
        this.operatorScript = operatorScript;
        this.localFullExtranonce = localFullExtranonce;
        this.clock = clock;
        this.retryAtMs = new long[config.pools().size()];
        this.lastFailure = new String[config.pools().size()];
        this.metrics = new HyperNodeMetrics(registry, () -> {
            Session s = current;
            return s == null ? -1 : s.index;
        }, () -> current == null ? 1 : 0);
        this.exec = new ScheduledThreadPoolExecutor(1, r -> Thread.ofPlatform().name("jdc-upstream").daemon(true)
                .unstarted(r));
        this.exec.setRemoveOnCancelPolicy(true);
        this.group = Sv2Transport.newEventLoopGroup(1, "jdc-up");
    }

    public HyperNodeMetrics metrics() {
        return metrics;
    }

    /** Plugs into the pool engine (before its template source starts) and starts connecting upstream. */
    public void start(JobDispatcher dispatcher, TemplateSource templateSource) {
        this.dispatcher = dispatcher;
        this.templateSource = templateSource;
        dispatcher.setPooledJobBuilder(this);
        dispatcher.setShareObserver(this);
        if (config.pools().isEmpty()) {
            LOG.warn("no upstream pools configured: solo mining on the operator's address");
            lastEvent = "solo: no upstream pools configured";
        }
        run(this::tryBetter);
        long every = config.checkInterval().toMillis();
        exec.scheduleWithFixedDelay(this::tryBetter, every, every, TimeUnit.MILLISECONDS);
    }

    private void run(Runnable r) {
        if (closed) {
            return;
        }
        if (exec.getQueue().size() >= MAX_QUEUED) {
            LOG.error("upstream thread has {} queued tasks: event dropped", MAX_QUEUED);
            return;
        }
        try {
            exec.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.error("upstream task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    // ---- TDP events (the template provider's thread) ----

    public void onNewTemplate(NewTemplate t) {
        run(() -> {
            templates.put(t.templateId(), t);
            while (templates.size() > KEPT_TEMPLATES) {
                templates.remove(templates.keySet().iterator().next());
            }
            if (!t.futureTemplate() && tip != null) {
                activate(t.templateId());
            }
        });
    }

    public void onSetNewPrevHash(SetNewPrevHash p) {
        run(() -> {
            tip = p;
            activate(p.templateId());
        });
    }

    private void activate(long templateId) {
        activeTemplateId = templateId;
        Session s = current;
        NewTemplate t = templates.get(templateId);
        if (s != null && t != null && tip != null) {
            declare(s, t, tip);
        }
    }

    // ---- the job builder (dispatcher thread) ----

    @Override
    public JobTemplate build(NewTemplate t) throws InvalidTemplateException {
        Session s = current;
        JobTemplate jt;
        if (s == null) {
            jt = soloFactory.build(t, List.of(new TxOut(t.coinbaseTxValueRemaining(), operatorScript)), localFullExtranonce);
        } else {
            jt = upstreamJob(t, s.poolOutputs, s.info, localFullExtranonce);
        }
        built.put(jt, new Built(s, t.templateId()));
        return jt;
    }

    /**
     * The local job whose coinbase equals the upstream custom job's coinbase for upstream rollable extranonce
     * {@code zeros(extranonceSize - localFull) || local full extranonce}.
     */
    static JobTemplate upstreamJob(NewTemplate t, Bytes poolOutputs, MiningUpstream.ChannelInfo info, int localFull)
            throws InvalidTemplateException {
        int pad = info.extranonceSize() - localFull;
        if (pad < 0) {
            throw new InvalidTemplateException("extranonce_size", "upstream grants " + info.extranonceSize()
                    + " rollable bytes, local channels need " + localFull);
        }
        CustomJob cj;
        try {
            cj = CustomJob.build(t, List.of(), poolOutputs, info.fullExtranonceSize());
        } catch (IllegalArgumentException e) {
            throw new InvalidTemplateException("coinbase_tx_outputs", e.getMessage());
        }
        Bytes prefix = cj.legacyPrefix().concat(info.extranoncePrefix()).concat(Bytes.wrap(new byte[pad]));
        return new JobTemplate(t.templateId(), t.futureTemplate(), t.version(), t.merklePath(), localFull, prefix,
                cj.legacySuffix(), cj.segwit(), cj.outputs());
    }

    // ---- share forwarding (miners' event loops) ----

    @Override
    public void onAccepted(ServerChannel channel, int version, int ntime, int nonce) {
        JobTemplate jt = channel.lastShareTemplate();
        if (jt == null) {
            return;
        }
        Built b = built.get(jt);
        if (b == null || b.session() == null) {
            return; // a solo job (the operator's or a solo miner's)
        }
        Session s = b.session();
        MiningUpstream.ChannelInfo live = s.up.channelInfo();
        byte[] hash = channel.lastShareHash();
        if (live == null || !live.target().isMetBy(hash)) {
            return; // below the upstream target: credited locally only
        }
        if (s != current || s.dead) {
            metrics.notForwarded(NotForwarded.OLD_UPSTREAM);
            return;
        }
        Integer jobId = s.jobs.get(b.templateId());
        if (jobId == null) {
            metrics.notForwarded(NotForwarded.UNDECLARED);
            return;
        }
        Bytes extranonce = Bytes.wrap(new byte[s.info.extranonceSize() - localFullExtranonce])
                .concat(channel.lastShareFullExtranonce());
        if (!s.up.submit(jobId, nonce, ntime, version, extranonce)) {
            metrics.notForwarded(NotForwarded.DISCONNECTED);
            return;
        }
        metrics.sharesForwarded.increment();
        SetNewPrevHash p = s.tips.get(b.templateId());
        if (p != null && CompactBits.toTarget(p.nBits()).isMetBy(hash)) {
            s.jd.pushSolution(new PushSolution(s.info.extranoncePrefix().concat(extranonce), p.prevHash(), nonce, ntime,
                    p.nBits(), version));
            metrics.solutionsPushed.increment();
            LOG.info("block found on custom job {} of {}: pushed to its JDS", jobId, s.pool.name());
        }
    }

    // ---- declaration (upstream thread) ----

    private void declare(Session s, NewTemplate t, SetNewPrevHash p) {
        long t0 = System.nanoTime();
        templateSource.requestTransactionData(t.templateId()).thenComposeAsync(r -> {
            if (!(r instanceof TransactionDataResult.Success ok)) {
                throw new CompletionException(new JdException("no-transactions", "template " + t.templateId()
                        + ": " + r));
            }
            CustomJob job = CustomJob.build(t, ok.transactions(), s.poolOutputs, s.info.fullExtranonceSize());
            return s.jd.allocateToken(s.pool.userIdentity())
                    .thenCompose(tok -> s.jd.declare(job, tok.miningJobToken()))
                    .thenApply(d -> Map.entry(job, d.newMiningJobToken()));
        }, exec).whenCompleteAsync((d, err) -> {
            if (err != null) {
                declarationFailed(s, t, err);
            } else {
                setCustomJob(s, t, p, d.getKey(), d.getValue(), config.staleTipRetries(), t0);
            }
        }, exec);
    }

    private void setCustomJob(Session s, NewTemplate t, SetNewPrevHash p, CustomJob job, Bytes token, int retries,
            long t0) {
        if (s != current) {
            return;
        }
        s.up.setCustomJob(job.setCustomMiningJob(0, 0, token, p.prevHash(), p.headerTimestamp(), p.nBits()))
                .whenCompleteAsync((SetCustomMiningJobSuccess ok, Throwable err) -> {
                    if (err == null) {
                        s.tips.put(t.templateId(), p);
                        s.jobs.put(t.templateId(), ok.jobId());
                        // bounded: only templates still kept here can have local jobs in use
                        s.jobs.keySet().removeIf(id -> !templates.containsKey(id));
                        s.tips.keySet().removeIf(id -> !templates.containsKey(id));
                        metrics.declaration(Declaration.ACCEPTED);
                        metrics.declarationLatency.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
                        LOG.debug("template {} declared to {}: custom job {}", t.templateId(), s.pool.name(), ok.jobId());
                        return;
                    }
                    if ("stale-chain-tip".equals(code(err)) && retries > 0 && s == current
                            && activeTemplateId == t.templateId()) {
                        metrics.declaration(Declaration.STALE_CHAIN_TIP_RETRIED);
                        exec.schedule(() -> setCustomJob(s, t, p, job, token, retries - 1, t0),
                                config.staleTipRetryDelay().toMillis(), TimeUnit.MILLISECONDS);
                        return;
                    }
                    declarationFailed(s, t, err);
                }, exec);
    }

    private void declarationFailed(Session s, NewTemplate t, Throwable err) {
        if (s != current) {
            return;
        }
        String code = code(err);
        if ("no-transactions".equals(code)) {
            metrics.declaration(Declaration.NO_TRANSACTIONS);
            LOG.warn("template {}: transactions unavailable from the template provider ({}): not declared",
                    t.templateId(), message(err));
            return;
        }
        if (activeTemplateId != t.templateId() && !"timeout".equals(code) && !"closed".equals(code)) {
            metrics.declaration(Declaration.SUPERSEDED);
            return; // e.g. stale-chain-tip on a template a newer one replaced
        }
        switch (code) {
            case "timeout" -> {
                metrics.declaration(Declaration.TIMEOUT);
                leave(s, Switch.TIMEOUT, "stopped answering: " + message(err));
            }
            case "closed" -> {
                metrics.declaration(Declaration.CLOSED);
                leave(s, Switch.CLOSED, message(err));
            }
            default -> {
                metrics.declaration(Declaration.REFUSED);
                leave(s, Switch.REFUSED, "refused template " + t.templateId() + ": " + message(err));
            }
        }
    }

    private static String code(Throwable err) {
        Throwable c = err;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof JdException j ? j.code() : "error";
    }

    private static String message(Throwable err) {
        Throwable c = err;
        while ((c instanceof CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    // ---- failover (upstream thread) ----

    private boolean coolingDown(int i, long now) {
        return now < retryAtMs[i];
    }

    /**
     * A pool that is up but has no work yet (it is starting: its template provider has not sent one) is retried
     * after this, not after the whole cooldown.
     */
    static final long NOT_READY_RETRY_MS = 5_000;

    /** Tries the most preferred pool above the current state whose cooldown ended (one attempt at a time). */
    private void tryBetter() {
        if (closed || connecting) {
            return;
        }
        Session s = current;
        int limit = s == null ? config.pools().size() : s.index;
        long now = clock.millis();
        for (int i = 0; i < limit; i++) {
            if (!coolingDown(i, now)) {
                connect(i);
                return;
            }
        }
        if (s == null && !lastEvent.startsWith("solo")) {
            lastEvent = "solo: every upstream pool is cooling down";
            LOG.warn("no upstream pool usable: solo mining on the operator's address; each pool is retried when its"
                    + " cooldown ({}) ends", config.cooldown());
        }
    }

    private void connect(int i) {
        connecting = true;
        UpstreamPool p = config.pools().get(i);
        LOG.info("connecting to upstream pool {}", p);
        CompletableFuture<JdClient> jdF = JdClient.connect(p.jdsAddress(), p.authorityKey(), config.timeout(), group);
        CompletableFuture<MiningUpstream> upF = MiningUpstream.connect(p.address(), p.authorityKey(), p.userIdentity(),
                (float) config.nominalHashrate(), localFullExtranonce, config.timeout(), group);
        jdF.thenCombine(upF, (jd, up) -> new Object[] {jd, up})
                .thenCompose(pair -> ((JdClient) pair[0]).allocateToken(p.userIdentity())
                        .thenApply(tok -> new Session(i, p, (JdClient) pair[0], (MiningUpstream) pair[1],
                                tok.coinbaseTxOutputs(), clock.millis())))
                .whenCompleteAsync((s, err) -> {
                    connecting = false;
                    if (err != null || closed) {
                        jdF.thenAccept(JdClient::close);
                        upF.thenAccept(MiningUpstream::close);
                        if (err != null) {
                            connectFailed(i, err);
                        }
                        return;
                    }
                    install(s);
                }, exec);
    }

    private void connectFailed(int i, Throwable err) {
        String code = code(err);
        long wait = "no-work-available".equals(code) ? Math.min(NOT_READY_RETRY_MS, config.cooldown().toMillis())
                : config.cooldown().toMillis();
        retryAtMs[i] = clock.millis() + wait;
        ConnectFailure f = switch (code) {
            case "connect" -> ConnectFailure.UNREACHABLE;
            case "timeout" -> ConnectFailure.TIMEOUT;
            case "closed" -> ConnectFailure.CLOSED;
            default -> ConnectFailure.REFUSED;
        };
        metrics.connectFailed(f);
        lastFailure[i] = f.name().toLowerCase(java.util.Locale.ROOT) + ": " + message(err);
        LOG.warn("upstream pool {} not usable ({}); next try in {} s", config.pools().get(i), lastFailure[i],
                wait / 1000);
        tryBetter(); // the next pool, or solo when none is left
    }

    private void install(Session s) {
        Session old = current;
        if (old != null && old.index <= s.index) {
            s.close(); // raced with a better one
            return;
        }
        retryAtMs[s.index] = 0;
        lastFailure[s.index] = null;
        s.up.setShareListener(new MiningUpstream.ShareListener() {
            @Override
            public void acknowledged(long count) {
                metrics.sharesAcknowledged.increment(count);
            }

            @Override
            public void rejected(String errorCode) {
                metrics.sharesRejectedUpstream.increment();
            }
        });
        current = s;
        Switch why = old == null ? Switch.CONNECTED : Switch.PREFERRED_BACK;
        String from = old == null ? "solo" : old.pool.name();
        if (old != null) {
            old.close();
        }
        recordSwitch(why, from, s.pool.name(), "channel " + s.info.channelId() + ", extranonce prefix "
                + s.info.extranoncePrefix().toHex() + " + " + s.info.extranonceSize());
        s.jd.closed().thenRunAsync(() -> leave(s, Switch.CLOSED, "JDS connection closed"), exec);
        s.up.closed().thenRunAsync(() -> leave(s, Switch.CLOSED, "mining connection closed"), exec);
        dispatcher.rebuild("upstream " + s.pool.name());
        if (activeTemplateId >= 0) {
            activate(activeTemplateId);
        }
    }

    /** Leaves the current pool {@code s} (no-op if it is not current): solo at once, then the next pool. */
    private void leave(Session s, Switch why, String detail) {
        if (s != current || closed) {
            return;
        }
        current = null;
        retryAtMs[s.index] = clock.millis() + config.cooldown().toMillis();
        lastFailure[s.index] = why.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
        s.close();
        recordSwitch(why, s.pool.name(), "solo", detail);
        dispatcher.rebuild("left " + s.pool.name());
        tryBetter();
    }

    private void recordSwitch(Switch why, String from, String to, String detail) {
        metrics.switched(why);
        String reason = why.name().toLowerCase(java.util.Locale.ROOT);
        lastEvent = to.equals("solo") ? "solo: left " + from + " (" + reason + ")" : "on " + to;
        if (to.equals("solo")) {
            LOG.warn("UPSTREAM SWITCH {} -> solo ({}: {}); local miners keep mining on the operator's address", from,
                    reason, detail);
        } else {
            LOG.info("UPSTREAM SWITCH {} -> {} ({}; {})", from, to, reason, detail);
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("at_ms", clock.millis());
        e.put("from", from);
        e.put("to", to);
        e.put("reason", reason);
        e.put("detail", detail);
        synchronized (switchLog) {
            switchLog.addLast(e);
            while (switchLog.size() > KEPT_SWITCHES) {
                switchLog.removeFirst();
            }
        }
    }

    // ---- status ----

    /** "pool" or "solo". */
    public String mode() {
        return current == null ? "solo" : "pool";
    }

    /** The pool mined on, or null when solo. */
    public UpstreamPool currentPool() {
        Session s = current;
        return s == null ? null : s.pool;
    }

    /** Custom jobs the current pool accepted. */
    public int declaredJobs() {
        Session s = current;
        return s == null ? 0 : s.jobs.size();
    }

    /** For /v1/status: mode, current pool, every pool's state, recent switches. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        Session s = current;
        long now = clock.millis();
        m.put("mode", s == null ? "solo" : "pool");
        m.put("upstream", s == null ? "" : s.pool.name());
        m.put("last_event", lastEvent);
        if (s != null) {
            MiningUpstream.ChannelInfo live = s.up.channelInfo();
            m.put("upstream_since_ms", s.sinceMs);
            m.put("upstream_channel_id", s.info.channelId());
            m.put("upstream_target", live == null ? "" : live.target().toBeHex());
            m.put("upstream_shares_sent", s.up.sharesSent());
            m.put("upstream_shares_acknowledged", s.up.sharesAcked());
            m.put("upstream_shares_rejected", s.up.sharesRejected());
            m.put("upstream_last_rejection", s.up.lastRejection());
        }
        List<Map<String, Object>> pools = new ArrayList<>();
        for (int i = 0; i < config.pools().size(); i++) {
            UpstreamPool p = config.pools().get(i);
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("name", p.name());
            pm.put("address", org.hyperhash.daemon.Banner.hostPort(p.address()));
            pm.put("jds_address", org.hyperhash.daemon.Banner.hostPort(p.jdsAddress()));
            pm.put("state", s != null && s.index == i ? "active" : coolingDown(i, now) ? "cooling_down" : "standby");
            pm.put("cooldown_left_seconds", Math.max(0, (retryAtMs[i] - now + 999) / 1000));
            pm.put("last_failure", lastFailure[i] == null ? "" : lastFailure[i]);
            pools.add(pm);
        }
        m.put("pools", pools);
        m.put("switches", (long) (java.util.Arrays.stream(Switch.values()).mapToDouble(metrics::switches).sum()));
        synchronized (switchLog) {
            m.put("recent_switches", List.copyOf(switchLog));
        }
        m.put("declared_jobs", (long) metrics.declarations(Declaration.ACCEPTED));
        m.put("shares_forwarded", (long) metrics.sharesForwarded.count());
        m.put("shares_acknowledged", (long) metrics.sharesAcknowledged.count());
        return m;
    }

    @Override
    public void close() {
        closed = true;
        exec.shutdownNow();
        Session s = current;
        current = null;
        if (s != null) {
            s.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
