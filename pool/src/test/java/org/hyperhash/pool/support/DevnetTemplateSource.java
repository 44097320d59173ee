package org.hyperhash.pool.support;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.hyperhash.base.Bytes;
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.sv2.tdp.TransactionDataResult;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.template.BlockAssembler;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;

/**
 * In-process template source over the template provider's real devnet chain and template factory
 * (no TDP socket): NewTemplate(future) + SetNewPrevHash per tip; SubmitSolution assembles the block
 * and submits it to the chain, which then moves to the next tip. {@link #disconnect()} /
 * {@link #reconnect()} simulate a TP restart.
 */
public final class DevnetTemplateSource implements TemplateSource {
    public static final TdpEndpoint ENDPOINT = new TdpEndpoint("in-process-devnet", 1, null);
    private final DevnetChain chain;
    /** Sources on the same chain (another node's TP): they publish a new template when this one's block is in. */
    private final List<DevnetTemplateSource> peers = new CopyOnWriteArrayList<>();
    private final TemplateFactory factory = new TemplateFactory(CoinbaseStyle.values()[0]);
    private final Map<Long, BuiltTemplate> built = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1000);
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    public final List<String> accepted = new CopyOnWriteArrayList<>();
    public final List<String> rejected = new CopyOnWriteArrayList<>();
    /** Serialized blocks the chain accepted (hex), in order. */
    public final List<String> acceptedHex = new CopyOnWriteArrayList<>();
    private volatile TdpListener listener;
    private volatile OutputReservation reservation;
    private volatile boolean connected;

    public DevnetTemplateSource() {
        this(new DevnetChain(DevnetParams.defaults(), InstantSource.system()));
    }

    /** A template provider on an existing chain (a second node of the same devnet). */
    public DevnetTemplateSource(DevnetChain chain) {
        this.chain = chain;
    }

    /** Links two sources on one chain: a block accepted through either makes both publish the new tip. */
    public void peer(DevnetTemplateSource other) {
        peers.add(other);
        other.peers.add(this);
    }

    /** Publishes a fresh template (e.g. after a transaction entered the mempool) on the current tip. */
    public void publishNow() {
        thread.execute(() -> {
            if (connected) {
                publish();
            }
        });
    }

    @Override
    public void start(TdpListener l, CoinbaseOutputConstraints c) {
        this.listener = l;
        this.reservation = OutputReservation.of(c);
        reconnect();
    }

    public DevnetChain chain() {
        return chain;
    }

    public void disconnect() {
        thread.execute(() -> {
            connected = false;
            listener.onDisconnected(ENDPOINT, "simulated TP restart");
        });
    }

    public void reconnect() {
        thread.execute(() -> {
            connected = true;
            listener.onConnected(ENDPOINT);
            publish();
        });
    }

    private void publish() {
        BlockTemplate gbt = chain.getBlockTemplate();
        long id = ids.incrementAndGet();
        BuiltTemplate t = factory.build(gbt, id, true, reservation);
        built.put(id, t);
        listener.onNewTemplate(t.message());
        listener.onSetNewPrevHash(new SetNewPrevHash(id, gbt.previousBlockHash(), (int) gbt.curTime(), gbt.bits(),
                gbt.target()));
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public boolean submitSolution(SubmitSolution s) {
        if (!connected) {
            return false;
        }
        thread.execute(() -> {
            BuiltTemplate t = built.get(s.templateId());
            if (t != null && !t.previousBlockHash().equals(chain.tipHash())) {
                // A solution on a tip the chain has left: Core answers "inconclusive" for a valid block whose parent is
                // known but not the tip. Answered here before assembling it: on devnet every other hash is a block, so
                // a loaded machine queues thousands of these per tip on this one thread, and assembling each held the
                // next tip's block behind them (the chain stalled short of the height a test waits for).
                rejected.add("inconclusive");
                return;
            }
            try {
                BlockAssembler.AssembledBlock b = BlockAssembler.assemble(t, s);
                SubmitResult r = chain.submitBlock(b.block());
                if (r instanceof SubmitResult.Accepted) {
                    accepted.add(b.hash().toDisplayHex());
                    acceptedHex.add(b.block().toHex());
                    if (connected) {
                        publish();
                    }
                    for (DevnetTemplateSource p : peers) {
                        p.publishNow();
                    }
                } else {
                    rejected.add(r.label());
                }
            } catch (Exception e) {
                rejected.add(e.toString());
            }
        });
        return true;
    }

    /** Answered in order with SubmitSolution (same thread); unavailable while disconnected, like the TDP client. */
    @Override
    public CompletableFuture<TransactionDataResult> requestTransactionData(long templateId) {
        CompletableFuture<TransactionDataResult> f = new CompletableFuture<>();
        thread.execute(() -> {
            BuiltTemplate t = built.get(templateId);
            if (!connected) {
                f.complete(new TransactionDataResult.Unavailable(templateId, "not connected"));
            } else if (t == null) {
                f.complete(new TransactionDataResult.Error(templateId, "template-id-not-found"));
            } else {
                f.complete(new TransactionDataResult.Success(templateId, Bytes.EMPTY, t.transactionData()));
            }
        });
        return f;
    }

    /** Number of transactions (besides the coinbase) in template {@code id}, or -1. */
    public int transactionCount(long id) {
        BuiltTemplate t = built.get(id);
        return t == null ? -1 : t.transactionData().size();
    }

    /** The raw transactions (besides the coinbase, block order) of template {@code id}, or null. */
    public List<Bytes> transactionData(long id) {
        BuiltTemplate t = built.get(id);
        return t == null ? null : t.transactionData();
    }

    /** Id of the template published last (the one miners are given). */
    public long latestTemplateId() {
        return ids.get();
    }

    @Override
    public String describe() {
        return connected ? "in-process devnet" : "disconnected";
    }

    @Override
    public void close() {
        connected = false;
        thread.shutdownNow();
    }
}
