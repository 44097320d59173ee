package org.hyperhash.tp.downstream;

import org.hyperhash.base.Bytes;
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

import java.util.HashMap;
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
 * NewTemplate(future=true) then SetNewPrevHash; on a fee rise NewTemplate(future=false); on
 * subscribe the current pair. It keeps the last {@value #KEPT_TEMPLATES} built templates for
 * RequestTransactionData and SubmitSolution.
 */
public final class TemplateHub implements TemplateListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TemplateHub.class);
    static final int KEPT_TEMPLATES = 256;

    private final TemplateFactory factory;
    private final BitcoindRpc rpc;
    private final TpMetrics metrics;
    private final Runnable afterAcceptedBlock;
    private final AtomicLong nextTemplateId;
    private final Set<TemplateSubscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final ExecutorService submitters = Executors.newVirtualThreadPerTaskExecutor();
    private final Object lock = new Object();
    private final Map<Long, BuiltTemplate> kept = new LinkedHashMap<>(KEPT_TEMPLATES * 2, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, BuiltTemplate> e) {
            return size() > KEPT_TEMPLATES;
        }
    };
    /** Current generation: variant per reservation; the first message sent to each is future. */
    private Map<OutputReservation, Variant> variants = new HashMap<>();
    private BlockTemplate current;
    private long tipNotifiedNanos;
    private volatile String lastSubmitResult = "none";

    private record Variant(BuiltTemplate template, SetNewPrevHash prevHash) {
    }

    /**
     * @param firstTemplateId first id handed out (use the current unix time in ms so ids keep
     *     increasing across restarts)
     * @param afterAcceptedBlock run after the node accepted a submitted block (e.g. refresh the template now)
     */
    public TemplateHub(TemplateFactory factory, BitcoindRpc rpc, TpMetrics metrics, long firstTemplateId,
                       Runnable afterAcceptedBlock) {
        this.factory = factory;
        this.rpc = rpc;
        this.metrics = metrics;
        this.nextTemplateId = new AtomicLong(firstTemplateId);
        this.afterAcceptedBlock = afterAcceptedBlock == null ? () -> { } : afterAcceptedBlock;
    }

    @Override
    public void onNewTip(BlockTemplate template, long notifiedNanos) {
        List<TemplateSubscriber> targets;
        synchronized (lock) {
            current = template;
            tipNotifiedNanos = notifiedNanos;
            variants = new HashMap<>();
            targets = List.copyOf(subscribers);
        }
        LOG.info("new tip {} height {}: {} transactions, coinbase value {} sats", template.previousBlockHash().toDisplayHex(),
                template.height(), template.transactions().size(), template.coinbaseValueSats());
        for (TemplateSubscriber s : targets) {
            Variant v;
            synchronized (lock) {
                v = variantFor(s.reservation(), true);
            }
            s.deliver(List.of(v.template().message(), v.prevHash()), notifiedNanos);
        }
    }

    @Override
    public void onFeeRise(BlockTemplate template) {
        List<TemplateSubscriber> targets;
        synchronized (lock) {
            if (current == null || !current.previousBlockHash().equals(template.previousBlockHash())) {
                return; // a fee update for a tip we no longer serve
            }
            current = template;
            targets = List.copyOf(subscribers);
            variants = new HashMap<>(); // same tip: new, non-future templates are built per reservation below
        }
        LOG.debug("fee rise: coinbase value {} sats", template.coinbaseValueSats());
        for (TemplateSubscriber s : targets) {
            Variant v;
            synchronized (lock) {
                v = variantFor(s.reservation(), false);
            }
            s.deliver(List.of(v.template().message()), 0);
        }
    }

    /** Builds or reuses the current template for a reservation. Caller holds the lock. */
    private Variant variantFor(OutputReservation r, boolean future) {
        Variant v = variants.get(r);
        if (v != null && v.template().message().futureTemplate() == future) {
            return v;
        }
        long id = nextTemplateId.getAndIncrement();
        BuiltTemplate t = factory.build(current, id, future, r);
        if (t.droppedTransactions() > 0) {
            LOG.info("template {}: left out {} transactions to reserve {} bytes / {} sigops for the pool's outputs", id,
                    t.droppedTransactions(), r.maxAdditionalSizeBytes(), r.maxAdditionalSigops());
        }
        SetNewPrevHash p = new SetNewPrevHash(id, current.previousBlockHash(), (int) current.curTime(), current.bits(),
                current.target());
        kept.put(id, t);
        v = new Variant(t, p);
        variants.put(r, v);
        return v;
    }

    /**
     * Registers a subscriber and delivers the current NewTemplate(future) + SetNewPrevHash at once
     * (also used when a subscriber changes its constraints).
     */
    void subscribe(TemplateSubscriber s) {
        Variant v = null;
        synchronized (lock) {
            subscribers.add(s);
            if (current != null) {
                // a fresh future template for this subscriber: a pool needs a future one before SetNewPrevHash
                Variant existing = variants.get(s.reservation());
                v = existing != null && existing.template().message().futureTemplate() ? existing : variantFor(s.reservation(), true);
            }
        }
        if (v != null) {
            s.deliver(List.of(v.template().message(), v.prevHash()), 0);
        }
    }

    void unsubscribe(TemplateSubscriber s) {
        subscribers.remove(s);
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

    /** Answer to RequestTransactionData. */
    Sv2Message transactionData(long templateId) {
        synchronized (lock) {
            BuiltTemplate t = kept.get(templateId);
            if (t == null) {
                return new RequestTransactionDataError(templateId, "template-id-not-found");
            }
            if (current != null && !t.previousBlockHash().equals(current.previousBlockHash())) {
                return new RequestTransactionDataError(templateId, "stale-template-id");
            }
            return new RequestTransactionDataSuccess(templateId, Bytes.EMPTY, t.transactionData());
        }
    }

    /** Rebuilds the block and submits it on a virtual thread; the outcome is logged and counted. */
    void submitSolution(SubmitSolution s, String peer) {
        BuiltTemplate t;
        synchronized (lock) {
            t = kept.get(s.templateId());
        }
        if (t == null) {
            LOG.warn("SubmitSolution from {} for unknown template {}", peer, s.templateId());
            metrics.blockSubmitted("unknown-template-id");
            return;
        }
        submitters.execute(() -> submit(t, s, peer));
    }

    private void submit(BuiltTemplate t, SubmitSolution s, String peer) {
        BlockAssembler.AssembledBlock block;
        try {
            block = BlockAssembler.assemble(t, s);
        } catch (InvalidSolutionException e) {
            LOG.warn("SubmitSolution from {} for template {} rejected before submission: {}", peer, s.templateId(), e.getMessage());
            metrics.blockSubmitted(e.reason());
            lastSubmitResult = e.reason();
            return;
        }
        String label;
        try {
            SubmitResult r = rpc.submitBlock(block.block());
            label = r.label();
            if (r instanceof SubmitResult.Accepted) {
                LOG.info("BLOCK ACCEPTED height {} hash {} from {} ({} bytes)", t.height(), block.hash().toDisplayHex(), peer,
                        block.block().length());
                afterAcceptedBlock.run();
            } else {
                LOG.warn("block {} at height {} from {} rejected by the node: {}", block.hash().toDisplayHex(), t.height(), peer, label);
            }
        } catch (RpcException e) {
            label = "rpc-error";
            LOG.error("submitblock for {} at height {} failed: {}", block.hash().toDisplayHex(), t.height(), e.getMessage());
        }
        lastSubmitResult = label;
        metrics.blockSubmitted(label);
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
        submitters.shutdown();
        try {
            submitters.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
