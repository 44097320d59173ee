package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hyperhash.base.Targets;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.ledger.WorkerHour;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.pool.support.TestClock;
import org.hyperhash.testkit.TestDatabase;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Job;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Share accounting on SQLite and PostgreSQL: every share the pool acknowledged is credited exactly once to its
 * (address, worker), rejected shares never, across periodic flushes and the final flush of close(). The pool
 * clock is frozen so that no periodic flush happens unless the test moves time.
 */
@Timeout(120)
class ShareAccountingIT {
    private static final Duration T = Duration.ofSeconds(20);
    private static final String A = PoolHarness.address(50);
    private static final String B = PoolHarness.address(51);
    @TempDir
    Path dir;

    /** Three standard miners: A.w1, A.w2, B (default worker). */
    private record Rig(FakeSv2Miner m, String address, String worker, int[] from) {
        void submit(int n) {
            Job j = m.currentJob();
            for (int i = 0; i < n; i++) {
                int nonce = Shares.nonce(j, j.ntime(), true, from[0]);
                from[0] = nonce + 1;
                m.send(new SubmitSharesStandard(j.channelId(), m.nextSequence(), j.jobId(), nonce, j.ntime(), j.version()));
            }
        }
    }

    private static List<Rig> rigs(PoolHarness h) throws InterruptedException {
        List<Rig> r = new ArrayList<>();
        r.add(new Rig(FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, A + ".w1")), A, "w1", new int[1]));
        r.add(new Rig(FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, A + ".w2")), A, "w2", new int[1]));
        r.add(new Rig(FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, B)), B, "", new int[1]));
        return r;
    }

    /** Waits until the miners have work, then stops the TP so the tip stays put (each devnet share is a block). */
    private static double holdTip(PoolHarness h, DevnetTemplateSource tp, List<Rig> rigs) throws InterruptedException {
        assertTrue(FakeSv2Miner.waitFor(() -> rigs.stream().allMatch(r -> r.m().currentJob() != null), T));
        tp.disconnect();
        assertTrue(FakeSv2Miner.waitFor(() -> !h.pool.ready(), T));
        return Targets.toDifficulty(rigs.get(0).m().currentJob().target());
    }

    private static void awaitAcks(List<Rig> rigs, long each) throws InterruptedException {
        assertTrue(FakeSv2Miner.waitFor(() -> rigs.stream().allMatch(r -> r.m().accepted() == each), T),
                () -> "acks " + rigs.stream().map(r -> r.m().accepted() + "/" + r.m().rejected()).toList());
    }

    private static long credited(LedgerDatabase db, String address, String worker) {
        return new ShareWindowStore(db).byAddress(address, 1000).stream().filter(w -> w.worker().equals(worker))
                .mapToLong(ShareWindow::shares).sum();
    }

    private static double work(LedgerDatabase db, String address) {
        return new ShareWindowStore(db).byAddress(address, 1000).stream().mapToDouble(ShareWindow::work).sum();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void everyAcknowledgedShareIsCreditedExactlyOnce(String dialect) throws Exception {
        TestClock clock = new TestClock();
        DevnetTemplateSource tp = new DevnetTemplateSource();
        double diff;
        try (TestDatabase ledger = TestDatabase.create(dialect, dir, "hh_pool_it_")) {
            try (PoolHarness h = new PoolHarness(ledger.url, tp, clock, "vardiff.enabled=false",
                    "ledger.flush-interval=1s", "channel.share-batch-size=7")) {
                List<Rig> rigs = rigs(h);
                try {
                    diff = holdTip(h, tp, rigs);
                    clock.freeze();
                    for (Rig r : rigs) {
                        r.submit(20);
                    }
                    awaitAcks(rigs, 20);
                    assertEquals(0, h.pool.shareLog().flushedShares(), "frozen clock: no periodic flush yet");
                    clock.advance(Duration.ofMillis(1100));
                    assertTrue(FakeSv2Miner.waitFor(() -> h.pool.shareLog().flushedShares() == 60, T), "periodic flush");
                    assertEquals(20, credited(h.pool.ledger(), A, "w1"));
                    // more shares in the same window (rows updated, not replaced), plus rejects that must not count
                    for (Rig r : rigs) {
                        r.submit(13);
                        Job j = r.m().currentJob();
                        int seq = r.m().nextSequence();
                        r.m().send(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), r.from()[0] - 1, j.ntime(),
                                j.version()));
                        assertEquals("duplicate-share", r.m().await(SubmitSharesError.class,
                                e -> e.sequenceNumber() == seq, T).errorCode());
                        int low = r.m().nextSequence();
                        r.m().send(new SubmitSharesStandard(j.channelId(), low, j.jobId(), Shares.nonce(j, j.ntime(),
                                false), j.ntime(), j.version()));
                        assertNotNull(r.m().await(SubmitSharesError.class, e -> e.sequenceNumber() == low, T));
                    }
                    awaitAcks(rigs, 33);
                    assertEquals(99, (long) h.pool.metrics().sharesAccepted.count());
                } finally {
                    rigs.forEach(r -> r.m().close());
                }
            } // close(): final flush
            try (LedgerDatabase db = LedgerDatabase.open(ledger.url)) {
                assertEquals(33, credited(db, A, "w1"));
                assertEquals(33, credited(db, A, "w2"));
                assertEquals(33, credited(db, B, ""));
                assertEquals(66 * diff, work(db, A), 66 * diff * 1e-9);
                assertEquals(33 * diff, work(db, B), 33 * diff * 1e-9);
                // the hourly rollup of the web page, written with the windows: accepted, work, best share, rejects by reason
                ShareWindowStore store = new ShareWindowStore(db);
                for (Rig r : List.of(new Rig(null, A, "w1", null), new Rig(null, A, "w2", null), new Rig(null, B, "", null))) {
                    List<WorkerHour> hours = store.hoursByAddress(r.address(), 100).stream()
                            .filter(x -> x.worker().equals(r.worker())).toList();
                    assertEquals(33, hours.stream().mapToLong(WorkerHour::accepted).sum(), r.toString());
                    assertEquals(33 * diff, hours.stream().mapToDouble(WorkerHour::work).sum(), 33 * diff * 1e-9);
                    assertEquals(2, hours.stream().mapToLong(WorkerHour::rejected).sum(), "one duplicate, one too-low share");
                    double best = hours.stream().mapToDouble(WorkerHour::bestDifficulty).max().orElse(0);
                    // recorded from the hashes (TargetsTest checks the arithmetic); not compared with the job difficulty: on
                    // the devnet chain the network target is easier than the share target, so a block below it is accepted
                    assertTrue(best > 0 && Double.isFinite(best), "best share " + best);
                    Map<String, Long> reasons = new java.util.TreeMap<>();
                    store.rejectsByAddress(r.address(), 100).stream().filter(x -> x.worker().equals(r.worker()))
                            .forEach(x -> reasons.merge(x.reason(), x.rejected(), Long::sum));
                    assertEquals(Map.of("duplicate_share", 1L, "difficulty_too_low", 1L), reasons, r.toString());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgresql"})
    void closeFlushesSharesAcceptedRightBeforeIt(String dialect) throws Exception {
        TestClock clock = new TestClock();
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (TestDatabase ledger = TestDatabase.create(dialect, dir, "hh_pool_it_")) {
            PoolHarness h = new PoolHarness(ledger.url, tp, clock, "vardiff.enabled=false", "ledger.flush-interval=1s");
            List<Rig> rigs = rigs(h);
            try {
                holdTip(h, tp, rigs);
                clock.freeze();
                for (Rig r : rigs) {
                    r.submit(40);
                }
                awaitAcks(rigs, 40);
                assertEquals(0, h.pool.shareLog().flushedShares(), "nothing flushed before close");
                assertEquals(0, credited(h.pool.ledger(), A, "w1"));
            } finally {
                h.close(); // the miners are still connected: close() cuts them off, then flushes
                rigs.forEach(r -> r.m().close());
            }
            assertEquals(120, h.pool.shareLog().flushedShares());
            try (LedgerDatabase db = LedgerDatabase.open(ledger.url)) {
                assertEquals(40, credited(db, A, "w1"));
                assertEquals(40, credited(db, A, "w2"));
                assertEquals(40, credited(db, B, ""));
            }
        }
    }
}
