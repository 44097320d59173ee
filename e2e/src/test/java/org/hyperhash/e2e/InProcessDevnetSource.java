package org.hyperhash.e2e;

import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.template.BlockAssembler;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;

import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * hh-tp's devnet chain and template factory wired straight into the pool (no TDP socket: TDP over
 * Noise waits for Sv2Pipeline.client). SubmitSolution assembles the block and submits it to the
 * chain, which moves to the next tip and publishes a new template.
 */
final class InProcessDevnetSource implements TemplateSource {
    static final TdpEndpoint ENDPOINT = new TdpEndpoint("in-process-devnet", 1, null);
    final DevnetChain chain = new DevnetChain(DevnetParams.defaults(), InstantSource.system());
    final List<String> acceptedBlocks = new CopyOnWriteArrayList<>();
    final List<String> rejectedBlocks = new CopyOnWriteArrayList<>();
    private final TemplateFactory factory = new TemplateFactory(CoinbaseStyle.values()[0]);
    private final Map<Long, BuiltTemplate> built = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(1);
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private volatile TdpListener listener;
    private volatile OutputReservation reservation;
    private volatile boolean connected;

    @Override
    public void start(TdpListener l, CoinbaseOutputConstraints c) {
        listener = l;
        reservation = OutputReservation.of(c);
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
        listener.onSetNewPrevHash(new SetNewPrevHash(id, gbt.previousBlockHash(), (int) gbt.curTime(), gbt.bits(), gbt.target()));
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
            try {
                BlockAssembler.AssembledBlock b = BlockAssembler.assemble(built.get(s.templateId()), s);
                SubmitResult r = chain.submitBlock(b.block());
                if (r instanceof SubmitResult.Accepted) {
                    acceptedBlocks.add(b.hash().toDisplayHex());
                    publish();
                } else {
                    rejectedBlocks.add(r.label());
                }
            } catch (Exception e) {
                rejectedBlocks.add(e.toString());
            }
        });
        return true;
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
