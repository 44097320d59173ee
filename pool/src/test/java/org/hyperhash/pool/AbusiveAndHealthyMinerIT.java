package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import org.hyperhash.pool.admin.PoolMetrics.Drop;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.channel.RejectReason;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Job;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One abusive miner (from 127.0.0.2) floods garbage, an oversized frame and invalid shares while one healthy CPU
 * miner (127.0.0.1) mines: the abusive IP ends disconnected and banned, the healthy miner keeps getting shares
 * accepted after every phase, has no reject but stale ones, and its IP is still admitted. Outcomes and counts only.
 */
@Timeout(120)
class AbusiveAndHealthyMinerIT {
    private static final Duration T = Duration.ofSeconds(20);
    private static final int INVALID_SHARES_BAN = 20;
    @TempDir
    Path dir;

    private static void stillAccepted(FakeSv2Miner healthy, String after) throws InterruptedException {
        long before = healthy.accepted();
        assertTrue(FakeSv2Miner.waitFor(() -> healthy.accepted() >= before + 2, T), "healthy acked after " + after);
        assertTrue(healthy.connected(), "healthy connected after " + after);
    }

    @Test
    void abusiveMinerIsBannedWhileTheHealthyOneKeepsMining() throws Exception {
        InetAddress evil = InetAddress.getByName("127.0.0.2");
        DevnetTemplateSource tp = new DevnetTemplateSource();
        String good = PoolHarness.address(70);
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "limits.ban.protocol-violations=3",
                "limits.ban.invalid-shares=" + INVALID_SHARES_BAN, "vardiff.enabled=false");
             FakeSv2Miner healthy = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, good + ".rig").mining(1000))
                     .startMining()) {
            assertTrue(FakeSv2Miner.waitFor(() -> healthy.accepted() >= 2, T));
            Options abuser = Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(71) + ".x");
            // 1. garbage flood: 256 KiB of random bytes after SetupConnection
            try (FakeSv2Miner g = FakeSv2Miner.connect(abuser, evil)) {
                assertTrue(FakeSv2Miner.waitFor(() -> g.currentJob() != null, T));
                byte[] junk = new byte[256 * 1024];
                new SplittableRandom(7).nextBytes(junk);
                g.sendRaw(junk);
                assertTrue(FakeSv2Miner.waitFor(() -> !g.connected(), T), "garbage closes the connection");
            }
            stillAccepted(healthy, "garbage");
            // 2. oversized frame: the header claims a 16 MiB payload
            try (FakeSv2Miner big = FakeSv2Miner.connect(abuser, evil)) {
                assertTrue(FakeSv2Miner.waitFor(() -> big.currentJob() != null, T));
                big.sendRaw(new byte[] {0, 0, 0x1b, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4});
                assertTrue(FakeSv2Miner.waitFor(() -> !big.connected(), T), "oversized frame closes the connection");
            }
            stillAccepted(healthy, "oversized frame");
            assertEquals(0, h.pool.metrics().bans.count(), "2 violations < 3");
            // 3. invalid-share flood, all at once without waiting for answers
            try (FakeSv2Miner flood = FakeSv2Miner.connect(abuser, evil)) {
                assertTrue(FakeSv2Miner.waitFor(() -> flood.currentJob() != null, T));
                Job j = flood.currentJob();
                // unknown job ids: invalid whatever the tip does meanwhile (the healthy miner's blocks move it, and
                // stale shares are exempt from bans)
                for (int i = 0; i < 5 * INVALID_SHARES_BAN; i++) {
                    flood.sendNoFlush(new SubmitSharesStandard(j.channelId(), flood.nextSequence(), j.jobId() + 100_000 + i,
                            i, j.ntime(), j.version()));
                }
                flood.flush();
                assertTrue(FakeSv2Miner.waitFor(() -> !flood.connected(), T), () -> "invalid shares: disconnected; bans "
                        + h.pool.metrics().bans.count() + " too-low " + h.pool.metrics().rejectedCount(
                        RejectReason.INVALID_JOB_ID) + " answers " + flood.errors("invalid-job-id") + " "
                        + flood.received().size());
                assertTrue(flood.errors("invalid-job-id") >= 1 && flood.errors("invalid-job-id") <= INVALID_SHARES_BAN,
                        "answered until the ban: " + flood.errors("invalid-job-id"));
            }
            assertEquals(1, h.pool.metrics().bans.count());
            assertEquals(INVALID_SHARES_BAN, h.pool.metrics().rejectedCount(RejectReason.INVALID_JOB_ID),
                    "nothing processed after the ban");
            stillAccepted(healthy, "invalid-share flood");
            // 4. the abusive IP is refused; the healthy IP is not
            try (FakeSv2Miner again = FakeSv2Miner.connect(abuser, evil)) {
                assertTrue(FakeSv2Miner.waitFor(() -> !again.connected(), T), "banned IP refused");
                assertTrue(again.received().isEmpty());
            }
            assertEquals(1, h.pool.metrics().droppedCount(Drop.BANNED));
            try (FakeSv2Miner second = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, good + ".rig2"))) {
                assertTrue(FakeSv2Miner.waitFor(() -> second.currentJob() != null, T), "healthy IP still admitted");
            }
            stillAccepted(healthy, "ban");
            // read together once no answer is in flight (the miner keeps mining: two reads may straddle a reject)
            assertTrue(FakeSv2Miner.waitFor(() -> healthy.errors("stale-share") == healthy.rejected(), T),
                    () -> "healthy miner: only stale rejects: " + healthy.errors("stale-share") + " of " + healthy.rejected());
            double framingErrors = 0;
            for (Sv2ErrorEvent.Kind k : Sv2ErrorEvent.Kind.values()) {
                framingErrors += h.pool.metrics().protocolErrorCount(k);
            }
            assertTrue(framingErrors >= 2, "garbage and oversized frame counted: " + framingErrors);
            // the pool's own per-address view of the healthy miner agrees
            long acked = healthy.accepted();
            Map<String, Object> view = h.pool.stats().describe(good);
            assertTrue(((Number) view.get("accepted_shares")).longValue() >= acked);
            // the healthy miner keeps mining (stale rejects in flight): the two counts meet once the answers arrive
            assertTrue(FakeSv2Miner.waitFor(() -> healthy.rejected()
                    == ((Number) h.pool.stats().describe(good).get("rejected_shares")).longValue(), T),
                    () -> healthy.rejected() + " vs " + h.pool.stats().describe(good).get("rejected_shares"));
        }
    }
}
