package org.hyperhash.pool.bench;

import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.hyperhash.base.CompactBits;
import org.hyperhash.base.Hash256;
import org.hyperhash.pool.upstream.TemplateSource;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;

/**
 * Bench-only template source: real devnet templates, but each {@link #newTip} announces a synthetic
 * prev hash (round number in its first bytes) with mainnet difficulty-1 bits, so tips can be produced
 * on demand and share floods do not turn into blocks.
 */
final class BenchTemplateSource implements TemplateSource {
    static final TdpEndpoint ENDPOINT = new TdpEndpoint("bench-devnet", 1, null);
    static final int BITS = 0x1d00ffff;
    private final DevnetChain chain = new DevnetChain(DevnetParams.defaults(), InstantSource.system());
    private final TemplateFactory factory = new TemplateFactory(CoinbaseStyle.values()[0]);
    private final AtomicLong ids = new AtomicLong(1000);
    final LongAdder solutions = new LongAdder();
    private volatile TdpListener listener;
    private volatile OutputReservation reservation;
    private volatile boolean connected;

    @Override
    public void start(TdpListener l, CoinbaseOutputConstraints c) {
        listener = l;
        reservation = OutputReservation.of(c);
        connected = true;
        l.onConnected(ENDPOINT);
        newTip(0);
    }

    /** Future template + SetNewPrevHash for it; returns System.nanoTime() taken just before SetNewPrevHash. */
    synchronized long newTip(int round) {
        BlockTemplate gbt = chain.getBlockTemplate();
        long id = ids.incrementAndGet();
        BuiltTemplate t = factory.build(gbt, id, true, reservation);
        listener.onNewTemplate(t.message());
        long t0 = System.nanoTime();
        listener.onSetNewPrevHash(new SetNewPrevHash(id, prevHash(round), (int) gbt.curTime(), BITS,
                CompactBits.toTarget(BITS)));
        return t0;
    }

    /** Wire-order prev hash whose first 4 bytes are the round (little-endian). */
    static Hash256 prevHash(int round) {
        byte[] b = new byte[32];
        b[0] = (byte) round;
        b[1] = (byte) (round >>> 8);
        b[2] = (byte) (round >>> 16);
        b[3] = (byte) (round >>> 24);
        b[31] = 0x42;
        return Hash256.fromWireBytes(b);
    }

    static int roundOf(Hash256 prevHash) {
        byte[] b = prevHash.toWireBytes();
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public boolean submitSolution(SubmitSolution s) {
        solutions.increment();
        return connected;
    }

    @Override
    public String describe() {
        return "bench devnet (synthetic tips)";
    }

    @Override
    public void close() {
        connected = false;
    }
}
