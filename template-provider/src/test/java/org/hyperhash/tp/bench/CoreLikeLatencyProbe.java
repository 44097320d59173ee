package org.hyperhash.tp.bench;

import org.hyperhash.sv2.message.Sv2Message;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetMiner;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.downstream.TemplateHub;
import org.hyperhash.tp.downstream.TpMetrics;
import org.hyperhash.tp.node.BlockNotification;
import org.hyperhash.tp.node.BlockNotifier;
import org.hyperhash.tp.node.FirstOfNotifier;
import org.hyperhash.tp.node.LongPollNotifier;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.TemplateFactory;
import org.hyperhash.tp.template.TemplateUpdater;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Block -> SetNewPrevHash latency of the template provider against a stand-in node that behaves like Bitcoin Core
 * here: a long-poll {@code getblocktemplate} returns the new tip's template as soon as the block is connected, and the
 * ZMQ {@code hashblock} notification arrives {@value #ZMQ_DELAY_MS} ms later (measured on Core v31.1 regtest, issue
 * 20). The stand-in is the devnet chain in-process (no HTTP/JSON cost: a real node adds that to every fetch, so the
 * modes that fetch again are flattered here). One pool session (TdpSession with reservation) receives the messages;
 * latency = the moment its SetNewPrevHash is handed to the transport minus the moment the block was mined.
 *
 * <pre>
 * ./mvnw -q -o -pl template-provider -am test-compile
 * java -cp "$(cat template-provider/target/cp.txt):template-provider/target/classes:template-provider/target/test-classes" \
 *     org.hyperhash.tp.bench.CoreLikeLatencyProbe [blocks=30]
 * </pre>
 */
public final class CoreLikeLatencyProbe {
    static final long ZMQ_DELAY_MS = 100;

    /** How the TP learns about a block. */
    public enum Mode {
        /** the documented config before issue 20: ZMQ hashblock only, then getblocktemplate */
        ZMQ_ONLY("ZMQ only, then fetch (before)"),
        /** long-poll, its template thrown away and fetched again (what LongPollNotifier did before issue 20) */
        LONGPOLL_REFETCH("long-poll, then fetch again (before)"),
        /** long-poll template used as is, ZMQ as a second trigger; full template first (template.empty-template-first = false) */
        LONGPOLL_TEMPLATE_PLUS_ZMQ("long-poll template used + ZMQ, full template first (now, default)"),
        /** as above, with the coinbase-only template + SetNewPrevHash first, the full template after (empty-template-first = true) */
        LONGPOLL_EMPTY_FIRST("long-poll template used + ZMQ, coinbase-only template first (now, empty-template-first)");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /**
     * Per block, in nanoseconds from the moment the stand-in connected the block: {@code prevHash} = the pool session's
     * SetNewPrevHash handed to the transport; {@code node} = the first notification reaching the TP (the long-poll's
     * return, or ZMQ), i.e. the node's part; {@code full} = the full template for the new tip handed over (the same
     * moment as the SetNewPrevHash unless the coinbase-only template went first).
     */
    public record Result(long[] prevHash, long[] node, long[] full, boolean[] gcInWindow) {
        /** The SetNewPrevHash latencies of the blocks during whose window no garbage collection ran. */
        long[] prevHashWithoutGc() {
            return java.util.stream.IntStream.range(0, prevHash.length).filter(i -> !gcInWindow[i])
                    .mapToLong(i -> prevHash[i]).toArray();
        }

        int gcBlocks() {
            int n = 0;
            for (boolean b : gcInWindow) {
                n += b ? 1 : 0;
            }
            return n;
        }
    }

    /** Collections so far, all collectors of this JVM. */
    static long gcCount() {
        long n = 0;
        for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            n += Math.max(0, gc.getCollectionCount());
        }
        return n;
    }

    /** SetNewPrevHash latencies in nanoseconds, one per block. */
    public static long[] run(Mode mode, int mempoolTransactions, int blocks) throws Exception {
        return runDetailed(mode, mempoolTransactions, blocks).prevHash();
    }

    public static Result runDetailed(Mode mode, int mempoolTransactions, int blocks) throws Exception {
        DevnetParams d = DevnetParams.defaults();
        int perBlock = Math.min(mempoolTransactions, 1000); // the devnet's own cap; the rest is added before each block
        int extra = mempoolTransactions - perBlock;
        DevnetChain chain = new DevnetChain(new DevnetParams(d.bits(), d.initialSubsidySats(), 1_000_000,
                perBlock, d.seed(), d.maxFutureBlockTimeSeconds()), InstantSource.system());
        ScheduledExecutorService zmq = Executors.newSingleThreadScheduledExecutor();
        BlockNotifier delayedZmq = new BlockNotifier() {
            private final BlockNotifier inner = chain.notifier();

            @Override
            public void start(Consumer<BlockNotification> onBlock) {
                inner.start(n -> zmq.schedule(() -> onBlock.accept(new BlockNotification(n.blockHash(), n.sequence(),
                        System.nanoTime())), ZMQ_DELAY_MS, TimeUnit.MILLISECONDS));
            }

            @Override
            public String name() {
                return "zmq-delayed";
            }

            @Override
            public void close() {
                inner.close();
            }
        };
        LongPollNotifier longPoll = new LongPollNotifier(chain, Duration.ofMillis(100), Duration.ofSeconds(1));
        AtomicLong firstNotificationNanos = new AtomicLong();
        AtomicLong connectedNanos = new AtomicLong();
        BlockNotifier connected = chain.notifier(); // the stand-in's own announcement: the moment the block is connected
        connected.start(n -> connectedNanos.set(n.receivedNanos()));
        BlockNotifier notifier = switch (mode) {
            case ZMQ_ONLY -> delayedZmq;
            case LONGPOLL_REFETCH -> new BlockNotifier() { // the old LongPollNotifier: a bare notification, then a fetch
                @Override
                public void start(Consumer<BlockNotification> onBlock) {
                    longPoll.start(n -> onBlock.accept(new BlockNotification(n.blockHash(), n.sequence(), n.receivedNanos())));
                }

                @Override
                public String name() {
                    return "longpoll-refetch";
                }

                @Override
                public void close() {
                    longPoll.close();
                }
            };
            case LONGPOLL_TEMPLATE_PLUS_ZMQ, LONGPOLL_EMPTY_FIRST -> new FirstOfNotifier(List.of(longPoll, delayedZmq));
        };
        BlockNotifier timed = new BlockNotifier() { // records when the first notification of a block reached the TP
            @Override
            public void start(Consumer<BlockNotification> onBlock) {
                notifier.start(n -> {
                    firstNotificationNanos.compareAndSet(0, n.receivedNanos());
                    onBlock.accept(n);
                });
            }

            @Override
            public String name() {
                return notifier.name();
            }

            @Override
            public void close() {
                notifier.close();
            }
        };
        TemplateHub hub = new TemplateHub(new TemplateFactory(CoinbaseStyle.CORE), chain, TpMetrics.noop(),
                System.currentTimeMillis(), null, TemplateHub.Limits.DEFAULT, InstantSource.system(),
                new TemplateHub.Options(mode == Mode.LONGPOLL_EMPTY_FIRST, null));
        TemplateUpdater updater = new TemplateUpdater(chain, timed, hub, Duration.ofSeconds(20), 1000);
        AtomicLong lastPrevHashNanos = new AtomicLong();
        AtomicLong lastFullNanos = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean emptyPending = new java.util.concurrent.atomic.AtomicBoolean();
        Object pool = org.hyperhash.tp.downstream.ProbeSessions.attach(hub, (List<Sv2Message> ms) -> {
            long now = System.nanoTime();
            for (Sv2Message m : ms) {
                if (m instanceof SetNewPrevHash) {
                    lastPrevHashNanos.set(now);
                    if (!emptyPending.get()) {
                        lastFullNanos.set(now);
                    }
                } else if (m instanceof org.hyperhash.sv2.message.template.NewTemplate nt) {
                    if (nt.futureTemplate()) {
                        emptyPending.set(nt.merklePath().isEmpty() && mode == Mode.LONGPOLL_EMPTY_FIRST
                                && mempoolTransactions > 0);
                    } else if (emptyPending.getAndSet(false)) {
                        lastFullNanos.set(now);
                    }
                }
            }
        });
        long[] out = new long[blocks];
        long[] node = new long[blocks];
        long[] full = new long[blocks];
        boolean[] gc = new boolean[blocks];
        try {
            updater.start();
            Thread.sleep(300);
            for (int i = 0; i < blocks; i++) {
                if (extra > 0) {
                    for (int k = 0; k < extra; k++) {
                        chain.addSyntheticTransaction(1000 + k);
                    }
                    Thread.sleep(500); // the fee updates this causes settle before the block
                }
                long before = lastPrevHashNanos.get();
                long beforeFull = lastFullNanos.get();
                firstNotificationNanos.set(0);
                long gcBefore = gcCount();
                long start = System.nanoTime();
                // the stand-in mines, refills its mempool for the next template, then connects the block (t0): what a
                // real node's generatetoaddress has done when it returns
                DevnetMiner.generateUnchecked(chain);
                long t0 = connectedNanos.get();
                long deadline = start + 10_000_000_000L;
                while ((lastPrevHashNanos.get() == before || lastFullNanos.get() == beforeFull)
                        && System.nanoTime() < deadline) {
                    // park, not spin: the sink takes the timestamps, and a spinning waiter would take one of the
                    // machine's two cores from the TP threads it measures
                    java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                }
                out[i] = lastPrevHashNanos.get() - t0;
                full[i] = lastFullNanos.get() - t0;
                node[i] = firstNotificationNanos.get() - t0;
                gc[i] = gcCount() != gcBefore; // a collection (a pause of every thread) ran during this block's window
                Thread.sleep(ZMQ_DELAY_MS + 150); // let the late trigger pass and the long-poll re-arm
            }
        } finally {
            updater.close();
            connected.close();
            hub.close();
            zmq.shutdownNow();
        }
        return new Result(out, node, full, gc);
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /** A table row: mode, mempool, p50, p90, p99 (nearest rank), max. */
    static String row(Mode mode, int txs, long[] ns) {
        return "| " + mode.label + " | " + txs + " | " + stats(ns) + " |";
    }

    /** p50 / p90 / p99 / max in ms, table cells. */
    static String stats(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return ms(pct(s, 50)) + " | " + ms(pct(s, 90)) + " | " + ms(pct(s, 99)) + " | " + ms(s[s.length - 1]);
    }

    static String p99(long[] ns) {
        if (ns.length == 0) {
            return "-";
        }
        long[] s = ns.clone();
        Arrays.sort(s);
        return ms(pct(s, 99));
    }

    static String p50(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return ms(pct(s, 50));
    }

    /** p50 | p99 of SetNewPrevHash minus the first notification: the TP's own part of each block's latency. */
    static String tpPart(Result r) {
        long[] d = new long[r.prevHash().length];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.prevHash()[i] - r.node()[i];
        }
        Arrays.sort(d);
        return ms(pct(d, 50)) + " | " + ms(pct(d, 99));
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static long pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * Runs every mode at 0, 20, 2,000 and 4,000 mempool transactions (or those given as further arguments), modes
     * interleaved per mempool size so a baseline ("ZMQ only, then fetch (before)") is measured in the same minutes.
     */
    public static void main(String[] args) throws Exception {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int[] sizes = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                : new int[] {0, 20, 2000, 4000};
        run(Mode.LONGPOLL_EMPTY_FIRST, 20, 10); // warm-up (JIT), discarded
        System.out.println("| TP mode | mempool txs | SetNewPrevHash p50 | p90 | p99 | max ms | full template p50 | p99 ms"
                + " | node part p50 ms | TP part p50 | p99 ms | p50 vs ZMQ-only | blocks with a GC | p99 without them ms"
                + " | load avg |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for (int txs : sizes) {
            long baseline = 0;
            for (Mode m : Mode.values()) {
                String load = loadAverage();
                Result r = runDetailed(m, txs, blocks);
                long[] sorted = r.prevHash().clone();
                Arrays.sort(sorted);
                long p50 = pct(sorted, 50);
                if (m == Mode.ZMQ_ONLY) {
                    baseline = p50;
                }
                long[] full = r.full().clone();
                Arrays.sort(full);
                System.out.println("| " + m.label + " | " + txs + " | " + stats(r.prevHash()) + " | " + ms(pct(full, 50))
                        + " | " + ms(pct(full, 99)) + " | " + p50(r.node()) + " | " + tpPart(r) + " | "
                        + String.format(Locale.ROOT, "%.3f", baseline == 0 ? 0.0 : (double) p50 / baseline) + " | "
                        + r.gcBlocks() + " | " + p99(r.prevHashWithoutGc()) + " | " + load
                        + " -> " + loadAverage() + " |");
            }
        }
    }
}
