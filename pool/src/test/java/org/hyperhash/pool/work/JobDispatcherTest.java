package org.hyperhash.pool.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.hyperhash.base.Bytes;
import org.hyperhash.pool.admin.PoolMetrics;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.sv2.channel.JobFactory;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** Fan-out: every change reaches each session in order, and each delivery pass ends with one flush. */
class JobDispatcherTest {

    /** Records what the dispatcher calls; only touched on its event loop. */
    static final class Recorder implements JobDispatcher.Session {
        final List<String> calls = new ArrayList<>();
        volatile int tips;
        long lastSeq;

        @Override
        public void onWork(JobDispatcher.WorkUpdate u) {
            if (u.seq() <= lastSeq) {
                calls.add("out-of-order " + u.seq());
            }
            lastSeq = u.seq();
            assertEquals(u.seq(), u.work().seq());
            calls.add(u instanceof JobDispatcher.NewTip ? "tip" : "job");
            if (u instanceof JobDispatcher.NewTip) {
                tips++;
            }
        }

        @Override
        public void flush() {
            calls.add("flush");
        }

        @Override
        public void tick() {
        }
    }

    @Test
    @Timeout(30)
    void changesArriveInOrderAndEveryPassEndsWithOneFlush() throws Exception {
        PoolMetrics metrics = new PoolMetrics(new SimpleMeterRegistry());
        DefaultEventLoop loop = new DefaultEventLoop();
        DevnetTemplateSource src = new DevnetTemplateSource();
        try (JobDispatcher d = new JobDispatcher(new JobFactory("test", ""), Bytes.fromHex("0014" + "11".repeat(20)),
                20, Duration.ofSeconds(60), metrics)) {
            Recorder r = new Recorder();
            loop.submit(() -> d.register(loop, r)).get(5, TimeUnit.SECONDS);
            src.start(d, new CoinbaseOutputConstraints(100, OptionalInt.empty()));
            while (r.tips < 1) {
                Thread.sleep(5);
            }
            src.disconnect();
            src.reconnect();
            while (r.tips < 2) {
                Thread.sleep(5);
            }
            List<String> calls = loop.submit(() -> List.copyOf(r.calls)).get(5, TimeUnit.SECONDS);
            assertEquals(List.of(), calls.stream().filter(c -> c.startsWith("out-of-order")).toList());
            // changes in order (each tip after its future job); one flush closes every pass, never two in a row
            // (whether a job and its tip share a pass depends on timing, so both shapes are valid)
            assertEquals(List.of("job", "tip", "job", "tip"), calls.stream().filter(c -> !c.equals("flush")).toList());
            assertEquals("flush", calls.getLast());
            int flushes = 0;
            for (int i = 0; i < calls.size(); i++) {
                if (calls.get(i).equals("flush")) {
                    flushes++;
                    assertTrue(i > 0 && !calls.get(i - 1).equals("flush"), "one flush per pass: " + calls);
                }
            }
            assertTrue(flushes >= 2 && flushes <= 4, calls.toString());
            assertTrue(d.work().usable());
        } finally {
            src.close();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** A session whose every call throws (a bug): it must cost one log line per pass, not one per session. */
    static final class Broken implements JobDispatcher.Session {
        @Override
        public void onWork(JobDispatcher.WorkUpdate u) {
            throw new IllegalStateException("broken session");
        }

        @Override
        public void flush() {
            throw new IllegalStateException("broken flush");
        }

        @Override
        public void tick() {
        }
    }

    @Test
    @Timeout(30)
    void failingSessionsDoNotStopTheOthersAndLogOncePerPass() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(JobDispatcher.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        log.addAppender(logs);
        PoolMetrics metrics = new PoolMetrics(new SimpleMeterRegistry());
        DefaultEventLoop loop = new DefaultEventLoop();
        DevnetTemplateSource src = new DevnetTemplateSource();
        try (JobDispatcher d = new JobDispatcher(new JobFactory("test", ""), Bytes.fromHex("0014" + "11".repeat(20)),
                20, Duration.ofSeconds(60), metrics)) {
            Recorder good = new Recorder();
            loop.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    d.register(loop, new Broken());
                }
                d.register(loop, good);
            }).get(5, TimeUnit.SECONDS);
            src.start(d, new CoinbaseOutputConstraints(100, OptionalInt.empty()));
            while (good.tips < 1) {
                Thread.sleep(5);
            }
            List<String> calls = loop.submit(() -> List.copyOf(good.calls)).get(5, TimeUnit.SECONDS);
            assertEquals("flush", calls.getLast(), "the healthy session behind 50 broken ones got its flush");
            List<ILoggingEvent> warns = loop.submit(() -> logs.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().startsWith("session ")).toList())
                    .get(5, TimeUnit.SECONDS);
            long passes = calls.stream().filter(c -> c.equals("flush")).count();
            assertTrue(warns.size() <= 2 * passes, "at most one line per pass and kind, got " + warns.size()
                    + " for " + passes + " passes");
            assertTrue(warns.stream().anyMatch(e -> e.getFormattedMessage().contains("work update failed for 50 of 51")),
                    warns.toString());
            assertTrue(warns.stream().anyMatch(e -> e.getFormattedMessage().contains("flush failed for 50 of 51")),
                    warns.toString());
            assertTrue(warns.stream().allMatch(e -> e.getThrowableProxy() != null), "the first failure keeps its trace");
        } finally {
            log.detachAppender(logs);
            src.close();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * Issue 20: a TP with {@code template.empty-template-first} sends a coinbase-only NewTemplate(future) +
     * SetNewPrevHash, then the full template as NewTemplate(future=false) for the same tip (as on a mempool update).
     * The pool mines the empty one at once and moves to the full one without a new tip.
     */
    @Test
    @Timeout(30)
    void aCoinbaseOnlyTemplateIsReplacedByTheFullOneOnTheSameTip() throws Exception {
        PoolMetrics metrics = new PoolMetrics(new SimpleMeterRegistry());
        DefaultEventLoop loop = new DefaultEventLoop();
        org.hyperhash.tp.devnet.DevnetChain chain = new org.hyperhash.tp.devnet.DevnetChain(
                org.hyperhash.tp.devnet.DevnetParams.defaults(), java.time.InstantSource.system());
        org.hyperhash.tp.template.TemplateFactory tf = new org.hyperhash.tp.template.TemplateFactory(
                org.hyperhash.tp.template.CoinbaseStyle.CORE);
        org.hyperhash.tp.node.BlockTemplate gbt = chain.getBlockTemplate();
        org.hyperhash.sv2.message.template.NewTemplate empty = tf.buildCoinbaseOnly(gbt, 10, true).message();
        org.hyperhash.sv2.message.template.NewTemplate full = tf.build(gbt, 11, false,
                new org.hyperhash.tp.template.OutputReservation(100, 400)).message();
        org.hyperhash.sv2.message.template.SetNewPrevHash p = new org.hyperhash.sv2.message.template.SetNewPrevHash(10,
                gbt.previousBlockHash(), (int) gbt.curTime(), gbt.bits(), gbt.target());
        try (JobDispatcher d = new JobDispatcher(new JobFactory("test", ""), Bytes.fromHex("0014" + "11".repeat(20)),
                20, Duration.ofSeconds(60), metrics)) {
            Recorder r = new Recorder();
            loop.submit(() -> d.register(loop, r)).get(5, TimeUnit.SECONDS);
            d.setUpstreamConnected(true);
            d.onNewTemplate(empty);
            d.onSetNewPrevHash(p);
            while (!d.work().usable()) {
                Thread.sleep(5);
            }
            assertEquals(10, d.work().active().template().templateId(), "mining the coinbase-only template");
            assertTrue(d.work().active().template().merklePath().isEmpty());
            d.onNewTemplate(full);
            while (d.work().active().template().templateId() != 11) {
                Thread.sleep(5);
            }
            JobDispatcher.Work w = d.work();
            assertEquals(p.prevHash(), w.tip().prevHash(), "same tip: no new SetNewPrevHash needed");
            assertEquals(10, w.tip().templateId());
            assertEquals(full.coinbaseTxValueRemaining(), w.active().template().coinbaseTxValueRemaining());
            assertTrue(full.coinbaseTxValueRemaining() > empty.coinbaseTxValueRemaining(), "the full one carries the fees");
            assertEquals(0, metrics.invalidTemplates.count(), "both templates make valid jobs");
            while (loop.submit(() -> r.calls.stream().filter(c -> !c.equals("flush")).count()).get(5, TimeUnit.SECONDS) < 3) {
                Thread.sleep(5);
            }
            List<String> calls = loop.submit(() -> List.copyOf(r.calls)).get(5, TimeUnit.SECONDS);
            assertEquals(List.of("job", "tip", "job"), calls.stream().filter(c -> !c.equals("flush")).toList());
            assertTrue(d.ready());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Templates of one devnet block: a future NewTemplate and the SetNewPrevHash activating it. */
    private static Object[] futureAndTip(long id) {
        org.hyperhash.tp.devnet.DevnetChain chain = new org.hyperhash.tp.devnet.DevnetChain(
                org.hyperhash.tp.devnet.DevnetParams.defaults(), java.time.InstantSource.system());
        org.hyperhash.tp.template.TemplateFactory tf = new org.hyperhash.tp.template.TemplateFactory(
                org.hyperhash.tp.template.CoinbaseStyle.CORE);
        org.hyperhash.tp.node.BlockTemplate gbt = chain.getBlockTemplate();
        org.hyperhash.sv2.message.template.NewTemplate future = tf.build(gbt, id, true,
                new org.hyperhash.tp.template.OutputReservation(100, 400)).message();
        org.hyperhash.sv2.message.template.SetNewPrevHash p = new org.hyperhash.sv2.message.template.SetNewPrevHash(id,
                gbt.previousBlockHash(), (int) gbt.curTime(), gbt.bits(), gbt.target());
        return new Object[] {future, p};
    }

    /**
     * A new block (NewTemplate(future) then SetNewPrevHash) is one pass per loop, one flush per session, however the
     * two events are timed: the future job waits on the dispatcher for its tip (here up to 30 s, so never in vain).
     */
    @Test
    @Timeout(30)
    void aFutureJobWaitsForItsTipAndBothGoOutInOnePass() throws Exception {
        PoolMetrics metrics = new PoolMetrics(new SimpleMeterRegistry());
        DefaultEventLoop loop = new DefaultEventLoop();
        try (JobDispatcher d = new JobDispatcher(new JobFactory("test", ""), Bytes.fromHex("0014" + "11".repeat(20)),
                20, Duration.ofSeconds(60), metrics, Duration.ofSeconds(30))) {
            Recorder r = new Recorder();
            loop.submit(() -> d.register(loop, r)).get(5, TimeUnit.SECONDS);
            d.setUpstreamConnected(true);
            Object[] b = futureAndTip(20);
            d.onNewTemplate((org.hyperhash.sv2.message.template.NewTemplate) b[0]);
            Thread.sleep(200); // longer than the old "is anything queued" window: the job must still wait
            assertEquals(List.of(), loop.submit(() -> List.copyOf(r.calls)).get(5, TimeUnit.SECONDS),
                    "nothing sent before the tip");
            d.onSetNewPrevHash((org.hyperhash.sv2.message.template.SetNewPrevHash) b[1]);
            while (r.tips < 1) {
                Thread.sleep(5);
            }
            assertEquals(List.of("job", "tip", "flush"), loop.submit(() -> List.copyOf(r.calls)).get(5, TimeUnit.SECONDS));
            assertEquals(1, metrics.fanOutPasses.count());
            assertEquals(0, metrics.futureHoldExpired.count());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** A future job whose tip does not come is still sent, after the hold, and counted. */
    @Test
    @Timeout(30)
    void aFutureJobWithoutItsTipIsSentAfterTheHold() throws Exception {
        PoolMetrics metrics = new PoolMetrics(new SimpleMeterRegistry());
        DefaultEventLoop loop = new DefaultEventLoop();
        try (JobDispatcher d = new JobDispatcher(new JobFactory("test", ""), Bytes.fromHex("0014" + "11".repeat(20)),
                20, Duration.ofSeconds(60), metrics, Duration.ofMillis(20))) {
            Recorder r = new Recorder();
            loop.submit(() -> d.register(loop, r)).get(5, TimeUnit.SECONDS);
            d.setUpstreamConnected(true);
            d.onNewTemplate((org.hyperhash.sv2.message.template.NewTemplate) futureAndTip(30)[0]);
            while (loop.submit(() -> r.calls.size()).get(5, TimeUnit.SECONDS) < 2) {
                Thread.sleep(5);
            }
            assertEquals(List.of("job", "flush"), loop.submit(() -> List.copyOf(r.calls)).get(5, TimeUnit.SECONDS));
            assertEquals(1, metrics.futureHoldExpired.count());
            assertEquals(1, metrics.fanOutPasses.count());
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
