package org.hyperhash.pool.work;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.HotPath;
import org.hyperhash.base.TxOut;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.identity.MinerIdentity;
import org.hyperhash.sv2.channel.ChainTip;
import org.hyperhash.sv2.channel.InvalidTemplateException;
import org.hyperhash.sv2.channel.JobFactory;
import org.hyperhash.sv2.channel.JobTemplate;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the pool's current work. One thread ("pool-dispatcher", behind a bounded mailbox) receives
 * the template provider's NewTemplate / SetNewPrevHash, builds the pooled {@link JobTemplate} once
 * per template, publishes an immutable {@link Work} snapshot and fans each change out to every event
 * loop through a bounded per-loop queue drained by ONE task: the drain applies every queued change
 * to each session of the loop (writes without flushing), then flushes each session once. Changes
 * that arrive together (a TP's NewTemplate(future) + SetNewPrevHash on a new block) therefore cost
 * one pass and one socket write per session, not two: the dispatcher holds a change back while
 * another template event is already queued behind it (at most {@link #MAX_HELD} changes), and a future job until
 * its SetNewPrevHash arrives (at most {@link #FUTURE_HOLD_NANOS}). Solo jobs (a miner's own payout) are built
 * lazily per (template, script) and cached.
 */
@HotPath
public final class JobDispatcher implements TdpListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobDispatcher.class);
    private static final int KEPT_TEMPLATES = 64;
    /** Undelivered changes per event loop; beyond this the loop is stalled and changes are dropped (counted). */
    static final int LOOP_QUEUE = 1024;
    /** Changes held back on the dispatcher thread while more template events are queued. */
    static final int MAX_HELD = 8;
    /**
     * How long a future job waits on the dispatcher thread for the SetNewPrevHash that normally follows it: 5 ms; the
     * system property {@code hh.pool.future-hold-micros} overrides it (0 = the earlier behaviour, for A/B benchmarks).
     */
    static final long FUTURE_HOLD_NANOS = TimeUnit.MICROSECONDS.toNanos(Long.getLong("hh.pool.future-hold-micros", 5000));

    /** A template and the pooled job built from it. */
    public record TemplateJob(NewTemplate template, JobTemplate pooled, long height) {
    }

    /**
     * The work in force.
     *
     * @param seq increases with every change (sessions ignore updates older than their snapshot)
     * @param active job for the current tip (null before the first tip)
     * @param tip current chain tip (null before the first)
     * @param futures future templates not yet activated, oldest first
     */
    public record Work(long seq, TemplateJob active, ChainTip tip, List<TemplateJob> futures) {
        public boolean usable() {
            return active != null && tip != null;
        }
    }

    /** A change delivered to sessions on their event loop. */
    public sealed interface WorkUpdate {
        long seq();

        long receivedNanos();

        /** The dispatcher's work snapshot right after this change. */
        Work work();
    }

    /** A new template: future (waits for its tip) or active on the current tip. */
    public record NewJob(long seq, long receivedNanos, TemplateJob job, Work work) implements WorkUpdate {
    }

    /** A new chain tip activating {@code activated}. */
    public record NewTip(long seq, long receivedNanos, ChainTip tip, TemplateJob activated, Work work)
            implements WorkUpdate {
    }

    /** One miner connection, as the dispatcher sees it; every method runs on the session's event loop. */
    public interface Session {
        /** Applies a work change (write, do not flush). */
        void onWork(WorkUpdate update);

        /** Flushes what {@link #onWork} wrote. */
        void flush();

        /** Periodic housekeeping (ack batches, vardiff); called every ack interval. */
        void tick();
    }

    /** Sessions of one event loop; only touched on that loop (except {@link #offer}). */
    private final class LoopSessions {
        final EventLoop loop;
        final List<Session> sessions = new ArrayList<>();
        final ArrayBlockingQueue<WorkUpdate> pending = new ArrayBlockingQueue<>(LOOP_QUEUE);
        final AtomicBoolean drainScheduled = new AtomicBoolean();
        final ArrayList<WorkUpdate> batch = new ArrayList<>();

        LoopSessions(EventLoop loop) {
            this.loop = loop;
            loop.scheduleAtFixedRate(this::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        }

        void tick() {
            int failed = 0;
            RuntimeException first = null;
            for (int i = 0; i < sessions.size(); i++) {
                try {
                    sessions.get(i).tick();
                } catch (RuntimeException e) {
                    first = failed++ == 0 ? e : first;
                }
            }
            logFailures("tick", failed, first);
        }

        /**
         * One line per pass, not per session: a bug that throws for every session must not write 10k lines per
         * update. The first exception keeps its stack trace.
         */
        private void logFailures(String what, int failed, RuntimeException first) {
            if (failed > 0) {
                LOG.warn("session {} failed for {} of {} sessions on {}; first:", what, failed, sessions.size(), loop, first);
            }
        }

        /** Dispatcher thread: queue a change (then {@link #kick()}). */
        void offer(WorkUpdate u) {
            if (!pending.offer(u)) {
                metrics.dispatcherDropped.increment();
                LOG.error("event loop {} has {} undelivered work changes: change {} dropped", loop, LOOP_QUEUE, u.seq());
            }
        }

        /** Dispatcher thread: make sure one drain task is scheduled. */
        void kick() {
            if (drainScheduled.compareAndSet(false, true)) {
                try {
                    loop.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    // the loop is shutting down
                }
            }
        }

        void drain() {
            drainScheduled.set(false); // before polling: a change queued after this schedules another drain
            pending.drainTo(batch);
            if (batch.isEmpty()) {
                return;
            }
            metrics.fanOutPasses.increment();
            int n = batch.size();
            int failed = 0;
            RuntimeException first = null;
            for (int i = 0; i < sessions.size(); i++) {
                Session s = sessions.get(i);
                boolean ok = true;
                for (int k = 0; k < n; k++) {
                    try {
                        s.onWork(batch.get(k));
                    } catch (RuntimeException e) {
                        first = failed == 0 ? e : first;
                        failed += ok ? 1 : 0; // sessions, not updates
                        ok = false;
                    }
                }
            }
            logFailures("work update", failed, first);
            failed = 0;
            first = null;
            for (int i = 0; i < sessions.size(); i++) {
                try {
                    sessions.get(i).flush();
                } catch (RuntimeException e) {
                    first = failed++ == 0 ? e : first;
                }
            }
            logFailures("flush", failed, first);
            long now = System.nanoTime();
            for (int k = 0; k < n; k++) {
                metrics.fanOutLatency.record(now - batch.get(k).receivedNanos(), TimeUnit.NANOSECONDS);
            }
            batch.clear();
        }
    }

    private record SoloKey(long templateId, Bytes script) {
    }

    /**
     * Builds the pooled job of a template (dispatcher thread). Default: the whole coinbase to the pool's script. A
     * Hyper Node plugs its own: the upstream pool's outputs and extranonce prefix baked into the coinbase, or solo.
     */
    public interface PooledJobBuilder {
        JobTemplate build(NewTemplate template) throws InvalidTemplateException;
    }

    private final JobFactory factory;
    private final Bytes poolScript;
    private final int fullExtranonceSize;
    private final PoolMetrics metrics;
    private final long tickMillis;
    private final ThreadPoolExecutor mailbox;
    private final ConcurrentHashMap<EventLoop, LoopSessions> loops = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, TemplateJob> recent = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SoloKey, JobTemplate> solo = new ConcurrentHashMap<>();
    // dispatcher-thread state
    private final LinkedHashMap<Long, TemplateJob> futures = new LinkedHashMap<>();
    private final ArrayBlockingQueue<Long> recentOrder = new ArrayBlockingQueue<>(KEPT_TEMPLATES + 1);
    private final ArrayList<WorkUpdate> held = new ArrayList<>(MAX_HELD);
    private boolean settling;
    private final long futureHoldNanos;
    private long seq;
    private volatile Work work = new Work(0, null, null, List.of());
    private volatile PooledJobBuilder pooledBuilder;
    private volatile boolean upstreamConnected;
    private volatile String lastError = "no template yet";

    /**
     * @param factory job factory (pool tag)
     * @param poolScript pool payout script (receives the whole coinbase of pooled jobs)
     * @param fullExtranonceSize full extranonce length of every channel
     * @param ackInterval period of {@link Session#tick()}
     */
    public JobDispatcher(JobFactory factory, Bytes poolScript, int fullExtranonceSize, Duration ackInterval,
            PoolMetrics metrics) {
        this(factory, poolScript, fullExtranonceSize, ackInterval, metrics, Duration.ofNanos(FUTURE_HOLD_NANOS));
    }

    /** As above with the time a future job waits for its SetNewPrevHash (tests). */
    JobDispatcher(JobFactory factory, Bytes poolScript, int fullExtranonceSize, Duration ackInterval,
            PoolMetrics metrics, Duration futureHold) {
        this.futureHoldNanos = futureHold.toNanos();
        this.factory = Objects.requireNonNull(factory, "factory");
        this.poolScript = Objects.requireNonNull(poolScript, "poolScript");
        this.fullExtranonceSize = fullExtranonceSize;
        this.metrics = metrics;
        this.tickMillis = Math.max(10, ackInterval.toMillis());
        this.pooledBuilder = t -> build(t, this.poolScript);
        this.mailbox = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1024),
                r -> Thread.ofPlatform().name("pool-dispatcher").daemon(true).unstarted(r));
    }

    /** Full extranonce size of every channel. */
    public int fullExtranonceSize() {
        return fullExtranonceSize;
    }

    /** Current work snapshot (any thread). */
    public Work work() {
        return work;
    }

    /** Work can be handed out: a template provider is connected and a tip + job exist. */
    public boolean ready() {
        return upstreamConnected && work.usable();
    }

    public boolean upstreamConnected() {
        return upstreamConnected;
    }

    public String lastError() {
        return lastError;
    }

    /** A recent template by id (block recording), or null. */
    public TemplateJob template(long templateId) {
        return recent.get(templateId);
    }

    /** Registers a session; call on {@code loop}. */
    public void register(EventLoop loop, Session s) {
        loops.computeIfAbsent(loop, LoopSessions::new).sessions.add(s);
    }

    /** Unregisters a session; call on {@code loop}. */
    public void unregister(EventLoop loop, Session s) {
        LoopSessions ls = loops.get(loop);
        if (ls != null) {
            ls.sessions.remove(s);
        }
    }

    /**
     * The job of a template for a miner: the pooled job, or for solo miners a job paying the whole
     * coinbase to their own script (built once per template and script).
     */
    public JobTemplate jobFor(TemplateJob t, MinerIdentity id) {
        if (!id.solo()) {
            return t.pooled();
        }
        return solo.computeIfAbsent(new SoloKey(t.template().templateId(), id.scriptPubKey()), k -> {
            try {
                return build(t.template(), k.script());
            } catch (InvalidTemplateException e) {
                throw new IllegalStateException("solo job for template " + k.templateId() + ": " + e.getMessage(), e);
            }
        });
    }

    private JobTemplate build(NewTemplate t, Bytes script) throws InvalidTemplateException {
        return factory.build(t, List.of(new TxOut(t.coinbaseTxValueRemaining(), script)), fullExtranonceSize);
    }

    /** Sees every accepted share (on the miner's event loop, right after validation); must not block. */
    public interface ShareObserver {
        /**
         * @param channel the channel that accepted the share ({@code lastShare*} describe it)
         * @param version header version, {@code ntime}, {@code nonce} as submitted
         */
        void onAccepted(org.hyperhash.sv2.channel.ServerChannel channel, int version, int ntime, int nonce);
    }

    private volatile ShareObserver shareObserver;

    /** The observer of accepted shares (a Hyper Node forwards those meeting its upstream target), or null. */
    public ShareObserver shareObserver() {
        return shareObserver;
    }

    public void setShareObserver(ShareObserver observer) {
        this.shareObserver = observer;
    }

    /** Replaces how pooled jobs are built; takes effect at the next template or {@link #rebuild}. */
    public void setPooledJobBuilder(PooledJobBuilder builder) {
        this.pooledBuilder = Objects.requireNonNull(builder, "builder");
    }

    /**
     * Rebuilds the pooled jobs of the active and future templates with the current builder and sends the active one
     * to every session as a new job on the same tip (miners keep their connections and channels; their older jobs
     * turn stale). A Hyper Node calls it when it switches pools or falls back to solo.
     */
    public void rebuild(String why) {
        long t0 = System.nanoTime();
        submit(() -> {
            Work w = work;
            if (!w.usable()) {
                return;
            }
            try {
                LinkedHashMap<Long, TemplateJob> rebuiltFutures = new LinkedHashMap<>();
                for (TemplateJob f : futures.values()) {
                    TemplateJob r = new TemplateJob(f.template(), pooledBuilder.build(f.template()), f.height());
                    remember(r);
                    rebuiltFutures.put(f.template().templateId(), r);
                }
                NewTemplate at = w.active().template();
                NewTemplate asActive = new NewTemplate(at.templateId(), false, at.version(), at.coinbaseTxVersion(),
                        at.coinbasePrefix(), at.coinbaseTxInputSequence(), at.coinbaseTxValueRemaining(),
                        at.coinbaseTxOutputsCount(), at.coinbaseTxOutputs(), at.coinbaseTxLocktime(), at.merklePath());
                TemplateJob active = new TemplateJob(at, pooledBuilder.build(asActive), w.active().height());
                remember(active);
                futures.clear();
                futures.putAll(rebuiltFutures);
                solo.clear();
                work = new Work(++seq, active, w.tip(), List.copyOf(futures.values()));
                LOG.info("jobs rebuilt on template {} ({})", at.templateId(), why);
                fanOut(new NewJob(seq, t0, active, work));
            } catch (InvalidTemplateException | RuntimeException e) {
                metrics.invalidTemplates.increment();
                lastError = "rebuild (" + why + "): " + e.getMessage();
                LOG.error(lastError);
            }
        });
    }

    @Override
    public void onConnected(TdpEndpoint endpoint) {
        upstreamConnected = true;
        LOG.info("template provider {} connected", endpoint);
    }

    @Override
    public void onDisconnected(TdpEndpoint endpoint, String reason) {
        upstreamConnected = false;
        lastError = "template provider " + endpoint + ": " + reason;
        LOG.warn("template provider {} lost ({}): no new work until one is back", endpoint, reason);
    }

    /** Marks the upstream state directly (sources without endpoints). */
    public void setUpstreamConnected(boolean connected) {
        upstreamConnected = connected;
    }

    @Override
    public void onNewTemplate(NewTemplate template) {
        long t0 = System.nanoTime();
        submit(() -> handleTemplate(template, t0));
    }

    @Override
    public void onSetNewPrevHash(SetNewPrevHash prevHash) {
        long t0 = System.nanoTime();
        submit(() -> handlePrevHash(prevHash, t0));
    }

    private void submit(Runnable r) {
        try {
            mailbox.execute(() -> {
                try {
                    r.run();
                } finally {
                    settle();
                }
            });
        } catch (RejectedExecutionException e) {
            metrics.dispatcherDropped.increment();
            LOG.error("dispatcher mailbox full or closed: template event dropped");
        }
    }

    private void handleTemplate(NewTemplate nt, long t0) {
        metrics.templatesReceived.increment();
        JobTemplate pooled;
        try {
            pooled = pooledBuilder.build(nt);
        } catch (InvalidTemplateException | RuntimeException e) {
            metrics.invalidTemplates.increment();
            lastError = "template " + nt.templateId() + " unusable: " + e.getMessage();
            LOG.error(lastError);
            return;
        }
        TemplateJob tj = new TemplateJob(nt, pooled, bip34Height(nt.coinbasePrefix()));
        remember(tj);
        Work w = work;
        if (nt.futureTemplate()) {
            futures.put(nt.templateId(), tj);
            while (futures.size() > 8) {
                futures.remove(futures.keySet().iterator().next());
            }
            work = new Work(++seq, w.active(), w.tip(), List.copyOf(futures.values()));
        } else {
            if (w.tip() == null) {
                LOG.warn("non-future template {} before any chain tip: ignored", nt.templateId());
                return;
            }
            work = new Work(++seq, tj, w.tip(), List.copyOf(futures.values()));
            LOG.debug("template {} (non-future, height {}) replaces the job on the current tip", nt.templateId(), tj.height());
        }
        metrics.templateLatency.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        fanOut(new NewJob(seq, t0, tj, work));
    }

    private void handlePrevHash(SetNewPrevHash p, long t0) {
        TemplateJob activated = futures.get(p.templateId());
        if (activated == null) {
            activated = recent.get(p.templateId());
        }
        if (activated == null) {
            lastError = "SetNewPrevHash for unknown template " + p.templateId();
            LOG.error(lastError);
            return;
        }
        ChainTip tip = ChainTip.from(p);
        futures.clear();
        solo.keySet().removeIf(k -> k.templateId() != p.templateId());
        work = new Work(++seq, activated, tip, List.of());
        lastError = "";
        metrics.templateLatency.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        LOG.info("new chain tip {} (template {}, height {})", p.prevHash().toDisplayHex(), p.templateId(),
                activated.height());
        fanOut(new NewTip(seq, t0, tip, activated, work));
    }

    private void remember(TemplateJob tj) {
        if (recent.put(tj.template().templateId(), tj) != null) {
            return; // rebuilt: already in the order queue
        }
        while (!recentOrder.offer(tj.template().templateId())) {
            Long old = recentOrder.poll();
            if (old != null) {
                recent.remove(old);
            }
        }
        if (recentOrder.size() > KEPT_TEMPLATES) {
            Long old = recentOrder.poll();
            if (old != null) {
                recent.remove(old);
            }
        }
    }

    /**
     * Dispatcher thread, after each mailbox task: publishes the held changes unless more template events are queued
     * (the next task decides) or the last held change is a future job with nothing behind it yet. A TP sends a new
     * block as NewTemplate(future) immediately followed by SetNewPrevHash; published apart they cost every session two
     * passes, two socket writes and two wake-ups of the miner instead of one. "Publish when nothing is queued" split
     * them whenever the dispatcher finished the template before the SetNewPrevHash was queued (1,000 miners under
     * strace: 1.36 sends per session per block instead of 1). A future job is useless to a miner until its
     * SetNewPrevHash, so waiting up to {@link #FUTURE_HOLD_NANOS} for it delays nothing a miner can use. Tasks taken
     * from the mailbox while waiting run here, in order, on this thread.
     */
    private void settle() {
        if (settling) {
            return; // a task run by the loop below: the outer call decides
        }
        settling = true;
        try {
            while (!held.isEmpty()) {
                if (held.size() >= MAX_HELD || (mailbox.getQueue().isEmpty() && !waitsForTip())) {
                    publishHeld();
                    return;
                }
                if (!mailbox.getQueue().isEmpty()) {
                    return; // the next task settles
                }
                Runnable next = mailbox.getQueue().poll(futureHoldNanos, TimeUnit.NANOSECONDS);
                if (next == null) {
                    metrics.futureHoldExpired.increment();
                    publishHeld();
                    return;
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    LOG.error("dispatcher task failed", e); // the loop goes on: what is held still goes out
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
            publishHeld();
        } finally {
            settling = false;
        }
    }

    /**
     * Whether the newest held change is a future job, not active yet (its SetNewPrevHash normally follows at once). Not
     * the template's future flag: a rebuild re-sends the active job, whose template was a future one.
     */
    private boolean waitsForTip() {
        return !held.isEmpty() && held.getLast() instanceof NewJob nj && nj.work().active() != nj.job();
    }

    /** Dispatcher thread: queue a change; {@link #publishHeld()} sends it to the loops. */
    private void fanOut(WorkUpdate u) {
        held.add(u);
    }

    private void publishHeld() {
        if (held.isEmpty()) {
            return;
        }
        for (LoopSessions ls : loops.values()) {
            for (int i = 0; i < held.size(); i++) {
                ls.offer(held.get(i));
            }
            ls.kick(); // after all offers, so one drain sees the whole batch
        }
        held.clear();
    }

    /** Block height from the BIP34 push at the start of coinbase_prefix (0 if absent). */
    public static long bip34Height(Bytes coinbasePrefix) {
        if (coinbasePrefix.length() < 1) {
            return 0;
        }
        int op = coinbasePrefix.get(0) & 0xff;
        if (op >= 0x51 && op <= 0x60) {
            return op - 0x50; // OP_1..OP_16
        }
        if (op < 1 || op > 8 || coinbasePrefix.length() < 1 + op) {
            return 0;
        }
        long h = 0;
        for (int i = 0; i < op; i++) {
            h |= (long) (coinbasePrefix.get(1 + i) & 0xff) << (8 * i);
        }
        return h;
    }

    @Override
    public void close() {
        mailbox.shutdownNow();
    }
}
