package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.hyperhash.pool.admin.PoolMetrics.Drop;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.pool.support.TestClock;
import org.hyperhash.sv2.message.mining.SubmitSharesError;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.message.mining.SubmitSharesSuccess;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Job;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** IP bans for repeated invalid shares: threshold within the window, stale shares exempt, expiry on the pool clock. */
@Timeout(120)
class BansIT {
    private static final Duration T = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    /** Sends a share below the channel target and returns the pool's error code for it. */
    private static String tooLow(FakeSv2Miner m, Job j, int from) throws InterruptedException {
        int seq = m.nextSequence();
        m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), Shares.nonce(j, j.ntime(), false, from), j.ntime(),
                j.version()));
        SubmitSharesError e = m.await(SubmitSharesError.class, x -> x.sequenceNumber() == seq, T);
        return e == null ? "no answer for " + seq : e.errorCode();
    }

    private static FakeSv2Miner miner(PoolHarness h, int n) throws InterruptedException {
        return FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(n) + ".w"));
    }

    /** True when a new connection is refused (closed by the pool without any message). */
    private static boolean refused(PoolHarness h) throws InterruptedException {
        try (FakeSv2Miner m = miner(h, 41)) {
            return FakeSv2Miner.waitFor(() -> !m.connected(), T) && m.received().isEmpty();
        }
    }

    @Test
    void repeatedInvalidSharesBanTheIpUntilTheBanExpires() throws Exception {
        TestClock clock = new TestClock();
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, clock, "vardiff.enabled=false",
                "limits.ban.invalid-shares=5", "limits.ban.window=60s", "limits.ban.duration=10m");
             FakeSv2Miner m = miner(h, 40)) {
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
            Job j = m.currentJob();
            int from = 0;
            for (int i = 0; i < 4; i++) {
                assertEquals("difficulty-too-low", tooLow(m, j, from));
                from = Shares.nonce(j, j.ntime(), false, from) + 1;
            }
            assertTrue(m.connected(), "4 invalid shares < threshold 5");
            // the window passes: the count starts again
            clock.advance(Duration.ofSeconds(61));
            for (int i = 0; i < 4; i++) {
                assertEquals("difficulty-too-low", tooLow(m, j, from));
                from = Shares.nonce(j, j.ntime(), false, from) + 1;
            }
            assertTrue(m.connected(), "4 + 4 invalid shares in two windows do not ban");
            assertEquals(0, h.pool.metrics().bans.count());
            // the 5th within one window bans the IP and closes the connection
            assertEquals("difficulty-too-low", tooLow(m, j, from));
            assertTrue(FakeSv2Miner.waitFor(() -> !m.connected(), T), "banned miner disconnected");
            assertEquals(1, h.pool.metrics().bans.count());
            assertEquals(1, h.pool.status().get("active_bans"));
            double refusedBefore = h.pool.metrics().droppedCount(Drop.BANNED);
            assertTrue(refused(h), "banned IP refused at accept");
            clock.advance(Duration.ofMinutes(9));
            assertTrue(refused(h), "still banned after 9 of 10 minutes");
            assertEquals(refusedBefore + 2, h.pool.metrics().droppedCount(Drop.BANNED));
            // the ban expires: the same IP mines again
            clock.advance(Duration.ofMinutes(1).plusSeconds(1));
            assertEquals(0, h.pool.status().get("active_bans"));
            try (FakeSv2Miner back = miner(h, 42)) {
                assertTrue(FakeSv2Miner.waitFor(() -> back.currentJob() != null, T), "admitted after expiry");
                Job b = back.currentJob();
                int seq = back.nextSequence();
                back.send(new SubmitSharesStandard(b.channelId(), seq, b.jobId(), Shares.nonce(b, b.ntime(), true),
                        b.ntime(), b.version()));
                assertNotNull(back.await(SubmitSharesSuccess.class, s -> s.lastSequenceNumber() == seq, T), "share accepted");
            }
            assertEquals(refusedBefore + 2, h.pool.metrics().droppedCount(Drop.BANNED));
        }
    }

    @Test
    void staleSharesDoNotCountTowardsTheBan() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "vardiff.enabled=false",
                "limits.ban.invalid-shares=3");
             FakeSv2Miner m = miner(h, 43)) {
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
            Job j = m.currentJob();
            int good = Shares.nonce(j, j.ntime(), true);
            int seq = m.nextSequence();
            m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), good, j.ntime(), j.version()));
            assertNotNull(m.await(SubmitSharesSuccess.class, s -> s.lastSequenceNumber() == seq, T));
            // a devnet share is a block: the tip moves and the old job goes stale
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null && m.currentJob().jobId() != j.jobId(), T));
            for (int i = 0; i < 6; i++) {
                int s = m.nextSequence();
                m.send(new SubmitSharesStandard(j.channelId(), s, j.jobId(), good, j.ntime(), j.version()));
                SubmitSharesError e = m.await(SubmitSharesError.class, x -> x.sequenceNumber() == s, T);
                assertNotNull(e);
                assertEquals("stale-share", e.errorCode());
            }
            assertTrue(m.connected(), "6 stale shares > threshold 3, but stale is not abuse");
            assertEquals(0, h.pool.metrics().bans.count());
            Job j2 = m.currentJob();
            int from = 0;
            for (int i = 0; i < 3; i++) {
                assertEquals("difficulty-too-low", tooLow(m, j2, from));
                from = Shares.nonce(j2, j2.ntime(), false, from) + 1;
            }
            assertTrue(FakeSv2Miner.waitFor(() -> !m.connected(), T), "3 invalid shares ban");
            assertEquals(1, h.pool.metrics().bans.count());
        }
    }
}
