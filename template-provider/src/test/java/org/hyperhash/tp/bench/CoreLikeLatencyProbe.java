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
        /** long-poll template used as is, ZMQ as a second trigger (now) */
        LONGPOLL_TEMPLATE_PLUS_ZMQ("long-poll template used + ZMQ (now)");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** Latencies in nanoseconds, one per block. */
    public static long[] run(Mode mode, int mempoolTransactions, int blocks) throws Exception {
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
            case LONGPOLL_TEMPLATE_PLUS_ZMQ -> new FirstOfNotifier(List.of(longPoll, delayedZmq));
        };
        TemplateHub hub = new TemplateHub(new TemplateFactory(CoinbaseStyle.CORE), chain, TpMetrics.noop(),
                System.currentTimeMillis(), null);
        TemplateUpdater updater = new TemplateUpdater(chain, notifier, hub, Duration.ofSeconds(20), 1000);
        AtomicLong lastPrevHashNanos = new AtomicLong();
        Object pool = org.hyperhash.tp.downstream.ProbeSessions.attach(hub, (List<Sv2Message> ms) -> {
            for (Sv2Message m : ms) {
                if (m instanceof SetNewPrevHash) {
                    lastPrevHashNanos.set(System.nanoTime());
                }
            }
        });
        long[] out = new long[blocks];
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
                long t0 = System.nanoTime();
                DevnetMiner.generateUnchecked(chain); // the stand-in refills its mempool for the next template
                long deadline = t0 + 10_000_000_000L;
                while (lastPrevHashNanos.get() == before && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                out[i] = lastPrevHashNanos.get() - t0;
                Thread.sleep(ZMQ_DELAY_MS + 150); // let the late trigger pass and the long-poll re-arm
            }
        } finally {
            updater.close();
            hub.close();
            zmq.shutdownNow();
        }
        return out;
    }

    static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    /** A table row: mode, mempool, p50, p90, p99 (nearest rank), max. */
    static String row(Mode mode, int txs, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return "| " + mode.label + " | " + txs + " | " + ms(pct(s, 50)) + " | " + ms(pct(s, 90)) + " | " + ms(pct(s, 99))
                + " | " + ms(s[s.length - 1]) + " |";
    }

    static long pct(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    public static void main(String[] args) throws Exception {
        int blocks = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        System.out.println("| TP mode | mempool txs | p50 ms | p90 ms | p99 ms | max ms |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        for (int txs : new int[] {0, 20, 2000, 4000}) {
            for (Mode m : Mode.values()) {
                System.out.println(row(m, txs, run(m, txs, blocks)));
            }
        }
    }
}
