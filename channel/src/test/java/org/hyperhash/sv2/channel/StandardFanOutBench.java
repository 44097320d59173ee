package org.hyperhash.sv2.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.Target;
import org.hyperhash.base.TxOut;
import org.hyperhash.sv2.codec.Sv2Codec;
import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.template.NewTemplate;

/**
 * A main, not a test: the channel module's share of the pool's new-block fan-out, per standard channel, in one thread
 * (no sockets): for N channels, a future template then its tip, each channel's frames appended to a per-channel batch
 * as the pool's DownstreamHandler does. Modes alternate in one JVM: {@code msg} (message API + Sv2Codec, the path
 * before stdjob), {@code frame} (the fan-out API), {@code root} (only the merkle root per channel, for scale). Prints
 * thread CPU ns per channel per block. Options: channels (10000), blocks (400), pathLen (0), fullSize (8).
 */
public final class StandardFanOutBench {
    private StandardFanOutBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.getInteger("channels", 10_000);
        int blocks = Integer.getInteger("blocks", 400);
        int pathLen = Integer.getInteger("pathLen", 0);
        int fullSize = Integer.getInteger("fullSize", 8);
        Random rnd = new Random(1);
        ChannelConfig cfg = ChannelConfig.defaults();
        List<StandardChannel> chans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] p = new byte[fullSize];
            rnd.nextBytes(p);
            chans.add(new StandardChannel(i + 1, "u", cfg, null, null, new ExtranonceAllocation(i, Bytes.of(p), 0),
                    Target.MAX, Target.MAX, 0));
        }
        List<Hash256> path = new ArrayList<>();
        for (int i = 0; i < pathLen; i++) {
            byte[] h = new byte[32];
            rnd.nextBytes(h);
            path.add(Hash256.fromWireBytes(h));
        }
        JobFactory f = new JobFactory("hyperhash", "");
        ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        String[] modes = {"msg", "frame", "root"};
        long[] cpu = new long[modes.length];
        long[] count = new long[modes.length];
        long id = 1;
        for (int b = 0; b < blocks; b++) {
            String mode = modes[b % modes.length];
            NewTemplate nt = new NewTemplate(++id, true, 0x20000000, 2, Bytes.fromHex("03a08601"), -1, 312_500_000L, 1,
                    JobFramesTest.COMMITMENT, 0, path);
            JobTemplate t = f.build(nt, List.of(new TxOut(312_500_000L, JobFramesTest.PAY.scriptPubKey())), fullSize);
            ChainTip tip = ChainTip.of(id, Hash256.ZERO, 1_700_000_000 + b, 0x1d00ffff);
            long c0 = tmx.getCurrentThreadCpuTime();
            long sink = 0;
            for (int i = 0; i < n; i++) {
                StandardChannel ch = chans.get(i);
                ByteBuf out = alloc.heapBuffer(256);
                switch (mode) {
                    case "msg" -> {
                        Optional<? extends Sv2Message> m = ch.onNewTemplate(t);
                        if (m.isPresent()) {
                            Sv2Codec.encodeFrame(m.get(), out);
                        }
                        Optional<? extends Sv2Message> s = ch.onSetNewPrevHash(tip);
                        if (s.isPresent()) {
                            Sv2Codec.encodeFrame(s.get(), out);
                        }
                    }
                    case "frame" -> {
                        ch.onNewTemplate(t, out);
                        ch.onSetNewPrevHash(tip, out);
                    }
                    default -> {
                        ServerJob j = ch.newJob(t, 1);
                        sink += j.root0;
                    }
                }
                sink += out.readableBytes();
                out.release();
            }
            long c = tmx.getCurrentThreadCpuTime() - c0;
            if (b >= blocks / 4) { // the first quarter warms up the JIT
                cpu[b % modes.length] += c;
                count[b % modes.length]++;
            }
            if (sink == 42) {
                System.out.println();
            }
        }
        System.out.printf(Locale.ROOT, "channels=%d pathLen=%d fullSize=%d coinbase=%d B:", n, pathLen, fullSize,
                f.build(new NewTemplate(1, true, 0x20000000, 2, Bytes.fromHex("03a08601"), -1, 312_500_000L, 1,
                        JobFramesTest.COMMITMENT, 0, path), List.of(new TxOut(312_500_000L, JobFramesTest.PAY.scriptPubKey())),
                        fullSize).coinbaseWithoutWitness(Bytes.of(new byte[fullSize])).length());
        for (int m = 0; m < modes.length; m++) {
            System.out.printf(Locale.ROOT, " %s %.0f ns", modes[m], cpu[m] / (double) count[m] / n);
        }
        System.out.println(" per channel per block (thread CPU)");
    }
}
