package org.hyperhash.tp.downstream;

import org.hyperhash.base.Bytes;
import org.hyperhash.daemon.LogLimiter;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.template.RequestTransactionDataError;
import org.hyperhash.sv2.message.template.RequestTransactionDataSuccess;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.tp.node.BitcoindRpc;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.bitcoind.rpc.RpcException;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.template.BlockAssembler;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.InvalidSolutionException;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;
import org.hyperhash.tp.template.TemplateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The template provider's single source of work for every connected pool. Receives node templates
 * from the {@link org.hyperhash.tp.template.TemplateUpdater}, builds one NewTemplate per distinct
 * {@link OutputReservation} (cached per template generation, so N pools with the same constraints
 * cost one build), assigns strictly increasing template ids, and fans the messages out to the
 * subscribers without blocking on any of them. On a new tip each subscriber gets
 * NewTemplate(future=true) then SetNewPrevHash (with {@link Options#emptyTemplateFirst()}: a coinbase-only one first,
 * then the full template as NewTemplate(future=false)); on a fee rise NewTemplate(future=false); on
 * subscribe the current pair. Builds run with no lock held: fee rises, full templates after a coinbase-only one and
 * subscriptions on the builder thread, each tagged with the generation of the node template it was made from and
 * dropped if a newer one came meanwhile; event loops only ever take the short map lock.
 *
 * <p>Templates are kept per session ({@link SessionTemplates}): a template is recorded in the store of every session it
 * is delivered to before it is sent, so a session can never evict another session's templates (a client that sends
 * hundreds of CoinbaseOutputConstraints only fills its own store, which is capped at
 * {@link Limits#maxTemplatesPerSession()}, the overflow counted). Every template of the current tip is kept up to that
 * cap; templates of an older tip are kept until {@link Limits#staleGrace()} after the tip changed (as sv2-tp keeps
 * answering RequestTransactionData and SubmitSolution for 10 s). A closed session's store is kept for the same grace,
 * so a pool that reconnects can still submit a solution found on its previous connection.
 */
public final class TemplateHub implements TemplateListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TemplateHub.class);
    /** BIP141 witness reserved value Core puts in the coinbase witness: 32 zero bytes. */
    static final Bytes WITNESS_RESERVED_VALUE = Bytes.wrap(new byte[32]);

    /**
     * Per-session bounds.
     *
     * @param maxTemplatesPerSession templates kept per session (current tip plus those in grace); above it the
     *     session's oldest is dropped and counted
     * @param staleGrace how long templates of the previous tip stay usable after a new tip
     * @param maxRetiredSessions closed sessions whose stores are kept for the grace (oldest dropped first)
     */
    public record Limits(int maxTemplatesPerSession, java.time.Duration staleGrace, int maxRetiredSessions) {
        public static final Limits DEFAULT = new Limits(64, java.time.Duration.ofSeconds(10), 64);

        public Limits {
            if (maxTemplatesPerSession < 2) {
                throw new IllegalArgumentException("max-templates-per-session must be >= 2, got " + maxTemplatesPerSession);
            }
            if (staleGrace.isNegative()) {
                throw new IllegalArgumentException("stale-template-grace must be >= 0, got " + staleGrace);
            }
            if (maxRetiredSessions < 0) {
                throw new IllegalArgumentException("max-retired-sessions must be >= 0, got " + maxRetiredSessions);
            }
        }
    }

    private final TemplateFactory factory;
    private final BitcoindRpc rpc;
    private final TpMetrics metrics;
    private final Runnable afterAcceptedBlock;
    private final AtomicLong nextTemplateId;
    private final Set<TemplateSubscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ExecutorService submitters = Executors.newVirtualThreadPerTaskExecutor();
    /**
     * Short critical sections only (maps, stores, the current template, the generation): never held while a template is
     * built or messages are handed to sessions, so an event loop that looks a template up never waits for a build.
     */
    private final Object lock = new Object();
    /**
     * Orders deliveries (record in the stores, then hand to the sessions): held only by the updater thread and the
     * builder, never by an event loop and never during a build.
     */
    private final java.util.concurrent.locks.ReentrantLock sendLock = new java.util.concurrent.locks.ReentrantLock();
    /** Builds templates off the updater thread and off the event loops (full templates, fee rises, subscriptions). */
    private final java.util.concurrent.Executor builder;
    private final ExecutorService ownBuilder;
    private final AtomicLong builderRejected = new AtomicLong();
    private final boolean emptyTemplateFirst;
    private final Limits limits;
    private final InstantSource clock;
    /** Live sessions' template stores (guarded by {@link #lock}). */
    private final Map<TemplateSubscriber, SessionTemplates> stores = new IdentityHashMap<>();
    /** Closed sessions' stores, oldest first, kept until the grace after the next tip (guarded by {@link #lock}). */
    private final ArrayDeque<SessionTemplates> retired = new ArrayDeque<>();
    /** When the current tip replaced the previous one (clock millis). */
    private long tipChangedMillis = Long.MIN_VALUE / 2;
    /** Current generation: variant per reservation; the first message sent to each is future. */
    private Map<OutputReservation, Variant> variants = new HashMap<>();
    private BlockTemplate current;
    /** Bumped (under {@link #lock}) whenever {@link #current} changes: a build for an older generation is dropped. */
    private long generation;
    private long tipNotifiedNanos;
    private volatile String lastSubmitResult = "none";
    private final LogLimiter refusedLog = new LogLimiter(LOG, java.time.Duration.ofSeconds(10));
    private final LogLimiter rejectLog = new LogLimiter(LOG, java.time.Duration.ofSeconds(10));
    private final LogLimiter builderLog = new LogLimiter(LOG, java.time.Duration.ofSeconds(10));

    private record Variant(BuiltTemplate template, SetNewPrevHash prevHash) {
    }

    /**
     * How the hub sends a new tip.
     *
     * @param emptyTemplateFirst on a new tip send a coinbase-only NewTemplate(future) + SetNewPrevHash at once, then
     *     the full template (future=false, same tip) as soon as it is built; off: the full template first
     * @param builder runs template builds and subscriptions (null: the hub's own thread); tests pass a direct executor
     */
    public record Options(boolean emptyTemplateFirst, java.util.concurrent.Executor builder) {
        public static final Options DEFAULT = new Options(false, null);
    }

    /**
     * @param firstTemplateId first id handed out (use the current unix time in ms so ids keep
     *     increasing across restarts)
     * @param afterAcceptedBlock run after the node accepted a submitted block (e.g. refresh the template now)
     */
    public TemplateHub(TemplateFactory factory, BitcoindRpc rpc, TpMetrics metrics, long firstTemplateId,
                       Runnable afterAcceptedBlock) {
        this(factory, rpc, metrics, firstTemplateId, afterAcceptedBlock, Limits.DEFAULT, InstantSource.system());
    }

    public TemplateHub(TemplateFactory factory, BitcoindRpc rpc, TpMetrics metrics, long firstTemplateId,
                       Runnable afterAcceptedBlock, Limits limits, InstantSource clock) {
        this(factory, rpc, metrics, firstTemplateId, afterAcceptedBlock, limits, clock, Options.DEFAULT);
    }

    public TemplateHub(TemplateFactory factory, BitcoindRpc rpc, TpMetrics metrics, long firstTemplateId,
                       Runnable afterAcceptedBlock, Limits limits, InstantSource clock, Options options) {
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
        this.clock = java.util.Objects.requireNonNull(clock, "clock");
        this.factory = factory;
        this.rpc = rpc;
        this.metrics = metrics;
        this.nextTemplateId = new AtomicLong(firstTemplateId);
        this.afterAcceptedBlock = afterAcceptedBlock == null ? () -> { } : afterAcceptedBlock;
        this.emptyTemplateFirst = options.emptyTemplateFirst();
        if (options.builder() != null) {
            this.builder = options.builder();
            this.ownBuilder = null;
        } else {
            // one platform thread; bounded queue (builds of a superseded generation return at once, so it drains fast)
            java.util.concurrent.ThreadPoolExecutor tpe = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
                    java.util.concurrent.TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(1024),
                    r -> Thread.ofPlatform().daemon().name("tp-template-builder").unstarted(r),
                    (r, e) -> {
                        builderRejected.incrementAndGet();
                        metrics.templateBuildDropped();
                        builderLog.error("builder-queue", "template builder queue full (1024): a build or subscription"
                                + " was dropped; {} so far", builderRejected.get());
                    });
            this.builder = tpe;
            this.ownBuilder = tpe;
        }
    }

    /** Builds or subscriptions dropped because the builder's queue was full. */
    public long builderRejected() {
        return builderRejected.get();
    }

    /**
     * A new tip (updater thread). With {@link Options#emptyTemplateFirst()}: the coinbase-only template (two SHA-256d,
     * whatever the mempool) and the SetNewPrevHash go out at once, and the full template is built by the builder and
     * sent as NewTemplate(future=false) unless a newer tip or fee update superseded it. Otherwise the full future
     * template per reservation is built here (off the lock) and sent with the SetNewPrevHash.
     */
    @Override
    public void onNewTip(BlockTemplate template, long notifiedNanos) {
        List<TemplateSubscriber> targets;
        long gen;
        boolean tipChanged;
        synchronized (lock) {
            tipChanged = current != null && !current.previousBlockHash().equals(template.previousBlockHash());
            if (tipChanged) {
                tipChangedMillis = clock.millis(); // the previous tip's templates enter their grace
            }
            current = template;
            tipNotifiedNanos = notifiedNanos;
            variants = new HashMap<>();
            gen = ++generation;
            targets = List.copyOf(subscribers);
            pruneRetired();
        }
        boolean emptyFirst = emptyTemplateFirst && !template.transactions().isEmpty();
        if (emptyFirst) {
            BuiltTemplate e = factory.buildCoinbaseOnly(template, nextTemplateId.getAndIncrement(), true);
            Variant v = new Variant(e, prevHashFor(template, e.templateId()));
            Map<TemplateSubscriber, Variant> plan = new IdentityHashMap<>();
            for (TemplateSubscriber s : targets) {
                plan.put(s, v);
            }
            send(gen, plan, true, notifiedNanos);
            execute(() -> buildAndSend(gen, template, false));
        } else {
            Map<OutputReservation, Variant> built = buildAll(gen, template, targets, true);
            if (built != null) {
                synchronized (lock) {
                    if (gen == generation) {
                        variants.putAll(built);
                    }
                }
                send(gen, planFor(targets, built), true, notifiedNanos);
            }
        }
        LOG.info("new tip {} height {}: {} transactions, coinbase value {} sats{}", template.previousBlockHash().toDisplayHex(),
                template.height(), template.transactions().size(), template.coinbaseValueSats(),
                emptyFirst ? " (coinbase-only template sent first)" : "");
    }

    /** Same tip, higher fees (updater thread): the builder builds and sends NewTemplate(future=false). */
    @Override
    public void onFeeRise(BlockTemplate template) {
        long gen;
        synchronized (lock) {
            if (current == null || !current.previousBlockHash().equals(template.previousBlockHash())) {
                return; // a fee update for a tip we no longer serve
            }
            current = template;
            variants = new HashMap<>(); // same tip: new, non-future templates are built per reservation below
            gen = ++generation;
        }
        LOG.debug("fee rise: coinbase value {} sats", template.coinbaseValueSats());
        execute(() -> buildAndSend(gen, template, false));
    }

    private void execute(Runnable r) {
        try {
            builder.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            builderRejected.incrementAndGet(); // closed
        }
    }

    /** Builder: the templates of generation {@code gen} for every subscriber, sent unless superseded meanwhile. */
    private void buildAndSend(long gen, BlockTemplate template, boolean future) {
        List<TemplateSubscriber> targets = List.copyOf(subscribers);
        Map<OutputReservation, Variant> built = buildAll(gen, template, targets, future);
        if (built == null) {
            return;
        }
        synchronized (lock) {
            if (gen != generation) {
                return;
            }
            variants.putAll(built);
        }
        send(gen, planFor(targets, built), false, 0);
    }

    /** One build per distinct reservation, off every lock; null as soon as {@code gen} is superseded. */
    private Map<OutputReservation, Variant> buildAll(long gen, BlockTemplate template, List<TemplateSubscriber> targets,
                                                     boolean future) {
        Map<OutputReservation, Variant> built = new HashMap<>();
        for (TemplateSubscriber s : targets) {
            OutputReservation r = s.reservation();
            if (built.containsKey(r)) {
                continue;
            }
            if (superseded(gen)) {
                return null;
            }
            built.put(r, build(template, r, future));
        }
        return built;
    }

    private static Map<TemplateSubscriber, Variant> planFor(List<TemplateSubscriber> targets,
                                                             Map<OutputReservation, Variant> built) {
        Map<TemplateSubscriber, Variant> plan = new IdentityHashMap<>();
        for (TemplateSubscriber s : targets) {
            Variant v = built.get(s.reservation());
            if (v != null) { // null: the session changed its constraints meanwhile; its subscription sends its own
                plan.put(s, v);
            }
        }
        return plan;
    }

    private boolean superseded(long gen) {
        synchronized (lock) {
            return gen != generation;
        }
    }

    /**
     * Records each template in its session's store, then hands the messages over (with the SetNewPrevHash when
     * {@code withPrevHash}), unless generation {@code gen} was superseded: a newer tip's messages are never followed by
     * an older one's. Holds {@link #sendLock} (never an event loop's lock), and {@link #lock} only to record.
     */
    private boolean send(long gen, Map<TemplateSubscriber, Variant> plan, boolean withPrevHash, long notifiedNanos) {
        sendLock.lock();
        try {
            synchronized (lock) {
                if (gen != generation) {
                    return false;
                }
                // a session that went away since the plan was made is skipped (no store is created for it again)
                plan.keySet().removeIf(x -> !subscribers.contains(x));
                for (Map.Entry<TemplateSubscriber, Variant> e : plan.entrySet()) {
                    record(e.getKey(), e.getValue().template());
                }
            }
            for (Map.Entry<TemplateSubscriber, Variant> e : plan.entrySet()) {
                Variant v = e.getValue();
                e.getKey().deliver(withPrevHash ? List.of(v.template().message(), v.prevHash())
                        : List.of(v.template().message()), withPrevHash ? notifiedNanos : 0);
            }
            return true;
        } finally {
            sendLock.unlock();
        }
    }

    /** Builds a template of {@code template} for a reservation (no lock held). */
    private Variant build(BlockTemplate template, OutputReservation r, boolean future) {
        long id = nextTemplateId.getAndIncrement();
        BuiltTemplate t = factory.build(template, id, future, r);
        if (t.droppedTransactions() > 0) {
            LOG.info("template {}: left out {} transactions to reserve {} bytes / {} sigops for the pool's outputs", id,
                    t.droppedTransactions(), r.maxAdditionalSizeBytes(), r.maxAdditionalSigops());
        }
        return new Variant(t, prevHashFor(template, id));
    }

    private static SetNewPrevHash prevHashFor(BlockTemplate template, long templateId) {
        return new SetNewPrevHash(templateId, template.previousBlockHash(), (int) template.curTime(), template.bits(),
                template.target());
    }

    /**
     * Registers a subscriber and delivers the current NewTemplate(future) + SetNewPrevHash (also used when a subscriber
     * changes its constraints). Runs on the builder: an event loop never builds a template nor waits for one.
     */
    void subscribe(TemplateSubscriber s) {
        execute(() -> subscribeNow(s));
    }

    private void subscribeNow(TemplateSubscriber s) {
        while (s.open()) {
            long gen;
            BlockTemplate cur;
            Variant v = null;
            OutputReservation r = s.reservation();
            synchronized (lock) {
                if (!s.open()) {
                    return; // closed before its subscription ran (close() marks it, then unsubscribes under the lock)
                }
                subscribers.add(s);
                stores.computeIfAbsent(s, k -> new SessionTemplates(limits.maxTemplatesPerSession()));
                if (current == null) {
                    return; // the first tip is sent to every subscriber
                }
                gen = generation;
                cur = current;
                Variant existing = variants.get(r);
                if (existing != null && existing.template().message().futureTemplate()) {
                    v = existing; // a pool needs a future template before SetNewPrevHash
                }
            }
            if (v == null) {
                v = build(cur, r, true);
                synchronized (lock) {
                    if (gen == generation) {
                        variants.putIfAbsent(r, v);
                    }
                }
            }
            Map<TemplateSubscriber, Variant> plan = new IdentityHashMap<>();
            plan.put(s, v);
            if (send(gen, plan, true, 0)) {
                return;
            }
            // a newer tip or fee update came in between (s was subscribed, so it got those messages too; a fee update
            // has no SetNewPrevHash): send the current state's pair so s always holds a future template + SetNewPrevHash
        }
    }

    void unsubscribe(TemplateSubscriber s) {
        synchronized (lock) {
            subscribers.remove(s);
            SessionTemplates st = stores.remove(s);
            if (st != null && st.size() > 0 && limits.maxRetiredSessions() > 0) {
                retired.addLast(st);
                while (retired.size() > limits.maxRetiredSessions()) {
                    metrics.templatesEvicted("retired-sessions", retired.removeFirst().size());
                }
            }
        }
    }

    /** Records {@code t} in {@code s}'s store (before it is sent). Caller holds the lock. */
    private void record(TemplateSubscriber s, BuiltTemplate t) {
        SessionTemplates st = stores.computeIfAbsent(s, k -> new SessionTemplates(limits.maxTemplatesPerSession()));
        st.prune(current.previousBlockHash(), graceOver());
        int evicted = st.put(t);
        if (evicted > 0) {
            metrics.templatesEvicted("session-limit", evicted);
        }
    }

    /** True once the previous tip's grace is over. Caller holds the lock. */
    private boolean graceOver() {
        return clock.millis() - tipChangedMillis >= limits.staleGrace().toMillis();
    }

    /** Drops closed sessions' stores whose templates are all past their grace. Caller holds the lock. */
    private void pruneRetired() {
        if (current == null) {
            return;
        }
        boolean over = graceOver();
        retired.removeIf(st -> {
            st.prune(current.previousBlockHash(), over);
            return st.size() == 0;
        });
    }

    /**
     * The template {@code id} as {@code s} may still use it: its own store first, then other sessions' and closed
     * sessions' stores (the data is the same for everyone; a pool that reconnected submits on its new session).
     * Stale templates past their grace are pruned first. Caller holds the lock.
     */
    private BuiltTemplate lookup(TemplateSubscriber s, long id) {
        if (current != null) {
            boolean over = graceOver();
            SessionTemplates own = s == null ? null : stores.get(s);
            if (own != null) {
                own.prune(current.previousBlockHash(), over);
                BuiltTemplate t = own.get(id);
                if (t != null) {
                    return t;
                }
            }
            pruneRetired();
            for (SessionTemplates st : stores.values()) {
                BuiltTemplate t = st.get(id);
                if (t != null && (t.previousBlockHash().equals(current.previousBlockHash()) || !over)) {
                    return t;
                }
            }
            for (SessionTemplates st : retired) {
                BuiltTemplate t = st.get(id);
                if (t != null) {
                    return t;
                }
            }
        }
        return null;
    }

    /** Templates kept for {@code s} right now (tests, status). */
    int keptFor(TemplateSubscriber s) {
        synchronized (lock) {
            SessionTemplates st = stores.get(s);
            return st == null ? 0 : st.size();
        }
    }

    /**
     * One session's templates in delivery order: at most {@code max}; templates of an older tip are dropped once
     * the grace is over.
     */
    static final class SessionTemplates {
        private final int max;
        private final LinkedHashMap<Long, BuiltTemplate> byId = new LinkedHashMap<>();

        SessionTemplates(int max) {
            this.max = max;
        }

        /** Adds (or re-adds) {@code t}; returns how many of the oldest were dropped to stay within the cap. */
        int put(BuiltTemplate t) {
            byId.put(t.templateId(), t);
            int evicted = 0;
            var it = byId.entrySet().iterator();
            while (byId.size() > max && it.hasNext()) {
                it.next();
                it.remove();
                evicted++;
            }
            return evicted;
        }

        BuiltTemplate get(long id) {
            return byId.get(id);
        }

        void prune(org.hyperhash.base.Hash256 tip, boolean graceOver) {
            if (graceOver) {
                byId.values().removeIf(t -> !t.previousBlockHash().equals(tip));
            }
        }

        int size() {
            return byId.size();
        }
    }

    public int subscriberCount() {
        return subscribers.size();
    }

    /** The current node template (null before the first). */
    public BlockTemplate current() {
        synchronized (lock) {
            return current;
        }
    }

    /** Answer to RequestTransactionData (tests: as a session that holds no templates). */
    Sv2Message transactionData(long templateId) {
        return transactionData(null, templateId);
    }

    /**
     * Answer to RequestTransactionData from {@code s}: the transactions, and as excess_data the coinbase's witness
     * reserved value when the template commits to witnesses (as sv2-tp sends it). A template of an older tip is
     * answered during the grace after the tip changed, then it is {@code stale-template-id}.
     */
    Sv2Message transactionData(TemplateSubscriber s, long templateId) {
        synchronized (lock) {
            BuiltTemplate t = lookup(s, templateId);
            if (t == null) {
                return new RequestTransactionDataError(templateId, "template-id-not-found");
            }
            Bytes excess = t.requiredOutputs().isEmpty() ? Bytes.EMPTY : WITNESS_RESERVED_VALUE;
            return new RequestTransactionDataSuccess(templateId, excess, t.transactionData());
        }
    }

    /** As {@link #submitSolution(TemplateSubscriber, SubmitSolution, String)} from a session holding no templates. */
    void submitSolution(SubmitSolution s, String peer) {
        submitSolution(null, s, peer);
    }

    /**
     * Rebuilds the block and submits it on a virtual thread; the outcome is logged and counted. A solution the TP
     * cannot submit (unknown template, or one that cannot make a block) is refused: an ERROR line (rate-limited per
     * reason) and {@code hh_tp_solutions_refused_total{reason}}, which an alert watches: it may be a lost block.
     *
     * @return false when refused at once (unknown template)
     */
    boolean submitSolution(TemplateSubscriber from, SubmitSolution s, String peer) {
        BuiltTemplate t;
        synchronized (lock) {
            t = lookup(from, s.templateId());
        }
        if (t == null) {
            refused("unknown-template-id", peer, s.templateId(), "not kept (never sent, or its tip changed more than "
                    + limits.staleGrace().toSeconds() + " s ago)");
            return false;
        }
        submitters.execute(() -> submit(t, s, peer));
        return true;
    }

    private void submit(BuiltTemplate t, SubmitSolution s, String peer) {
        BlockAssembler.AssembledBlock block;
        try {
            block = BlockAssembler.assemble(t, s);
        } catch (InvalidSolutionException e) {
            refused(e.reason(), peer, s.templateId(), e.getMessage());
            return;
        }
        String label;
        try {
            SubmitResult r = rpc.submitBlock(block.block());
            label = r.label();
            String hash = block.hash().toDisplayHex();
            switch (outcome(r)) {
                case ACCEPTED -> {
                    LOG.info("BLOCK ACCEPTED height {} hash {} from {} ({} bytes)", t.height(), hash, peer, block.block().length());
                    afterAcceptedBlock.run();
                }
                // expected: the pool also submits every block straight to bitcoind, and either may arrive first
                case DUPLICATE -> LOG.info("block {} at height {} from {}: duplicate (the node already has it, valid)", hash,
                        t.height(), peer);
                case ORPHANED -> LOG.warn("block {} at height {} from {}: {} (valid but not on the active chain: it lost an"
                        + " equal-height race)", hash, t.height(), peer, label);
                case REJECTED -> rejectLog.error(label, "block {} at height {} from {} REJECTED by the node: {}", hash,
                        t.height(), peer, label);
            }
        } catch (RpcException e) {
            label = "rpc-error";
            LOG.error("submitblock for {} at height {} failed: {}", block.hash().toDisplayHex(), t.height(), e.getMessage());
        }
        lastSubmitResult = label;
        metrics.blockSubmitted(label);
    }

    private void refused(String reason, String peer, long templateId, String detail) {
        metrics.blockSubmitted(reason);
        metrics.solutionRefused(reason);
        lastSubmitResult = reason;
        refusedLog.error(reason, "SubmitSolution from {} for template {} REFUSED ({}): {}", peer, templateId, reason, detail);
    }

    /** What a submitblock answer means for the block (Core's BIP22 strings). */
    enum Outcome { ACCEPTED, DUPLICATE, ORPHANED, REJECTED }

    static Outcome outcome(SubmitResult r) {
        if (r instanceof SubmitResult.Accepted) {
            return Outcome.ACCEPTED;
        }
        return switch (r.label()) {
            case "duplicate" -> Outcome.DUPLICATE;
            case "inconclusive", "duplicate-inconclusive" -> Outcome.ORPHANED;
            default -> Outcome.REJECTED;
        };
    }

    public String lastSubmitResult() {
        return lastSubmitResult;
    }

    public long tipNotifiedNanos() {
        synchronized (lock) {
            return tipNotifiedNanos;
        }
    }

    @Override
    public void close() {
        if (ownBuilder != null) {
            ownBuilder.shutdownNow();
        }
        submitters.shutdown();
        try {
            submitters.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
