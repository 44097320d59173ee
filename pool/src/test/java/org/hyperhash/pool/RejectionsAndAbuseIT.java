package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.hyperhash.pool.admin.PoolMetrics.Drop;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.sv2.message.mining.OpenMiningChannelError;
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

/** Every share rejection reason reaches the miner with its spec code; an abusive peer does not hurt a healthy one. */
@Timeout(120)
class RejectionsAndAbuseIT {
    private static final Duration T = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    private static int nonce(Job j, int ntime, boolean meets) {
        return Shares.nonce(j, ntime, meets);
    }

    private static String error(FakeSv2Miner m, int seq) throws InterruptedException {
        SubmitSharesError e = m.await(SubmitSharesError.class, x -> x.sequenceNumber() == seq, T);
        return e == null ? "no error for " + seq : e.errorCode();
    }

    @Test
    void everyRejectionReason() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "vardiff.enabled=false");
             FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(3) + ".w"))) {
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null, T));
            Job j = m.currentJob();
            int ntime = j.ntime();
            int seq = m.nextSequence();
            m.send(new SubmitSharesStandard(j.channelId() + 77, seq, j.jobId(), 0, ntime, j.version()));
            assertEquals("invalid-channel-id", error(m, seq));
            seq = m.nextSequence();
            m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId() + 1000, 0, ntime, j.version()));
            assertEquals("invalid-job-id", error(m, seq));
            seq = m.nextSequence();
            m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), 0, ntime - 1, j.version()));
            assertEquals("invalid-share", error(m, seq), "ntime below min_ntime");
            seq = m.nextSequence();
            m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), 0, ntime, j.version() ^ 0x40000000));
            assertEquals("invalid-non-rollable-version-bit", error(m, seq));
            seq = m.nextSequence();
            m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), nonce(j, ntime, false), ntime, j.version()));
            assertEquals("difficulty-too-low", error(m, seq));
            int good = nonce(j, ntime, true);
            int okSeq = m.nextSequence();
            m.send(new SubmitSharesStandard(j.channelId(), okSeq, j.jobId(), good, ntime, j.version()));
            assertNotNull(m.await(SubmitSharesSuccess.class, s -> s.lastSequenceNumber() == okSeq, T), "accepted");
            // that share was a block (devnet): the tip moves; the same share again is now stale
            assertTrue(FakeSv2Miner.waitFor(() -> m.currentJob() != null && m.currentJob().jobId() != j.jobId(), T));
            seq = m.nextSequence();
            m.send(new SubmitSharesStandard(j.channelId(), seq, j.jobId(), good, ntime, j.version()));
            assertEquals("stale-share", error(m, seq));
            // duplicate on the current tip
            Job j2 = m.currentJob();
            int n2 = nonce(j2, j2.ntime(), false);
            // a share meeting the target but not the network is impossible on devnet; a duplicate block is still a duplicate
            int g2 = nonce(j2, j2.ntime(), true);
            tp.disconnect(); // keep the tip still: no new template after this block
            assertTrue(FakeSv2Miner.waitFor(() -> !h.pool.ready(), T));
            int s1 = m.nextSequence();
            m.send(new SubmitSharesStandard(j2.channelId(), s1, j2.jobId(), g2, j2.ntime(), j2.version()));
            assertNotNull(m.await(SubmitSharesSuccess.class, s -> s.lastSequenceNumber() == s1, T));
            seq = m.nextSequence();
            m.send(new SubmitSharesStandard(j2.channelId(), seq, j2.jobId(), g2, j2.ntime(), j2.version()));
            assertEquals("duplicate-share", error(m, seq));
            assertTrue(n2 != g2);
            assertTrue(h.pool.metrics().blocksSubmitFailed.count() >= 1, "block found while the TP was down is counted");
            // while no TP is connected no new channel opens
            try (FakeSv2Miner late = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(4)))) {
                assertNotNull(late.await(OpenMiningChannelError.class, e -> e.errorCode().equals("no-work-available"), T));
            }
            tp.reconnect();
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "ready again after the TP is back");
            // invalid identity
            try (FakeSv2Miner bad = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, "not-an-address.w"))) {
                assertNotNull(bad.await(OpenMiningChannelError.class, e -> e.errorCode().equals("invalid-user-identity"), T));
            }
        }
    }

    @Test
    void abusivePeerIsCutOffWhileHealthyMinerKeepsWorking() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp, "limits.ban.protocol-violations=3");
             FakeSv2Miner healthy = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED,
                     PoolHarness.address(5) + ".good").mining(1000)).startMining()) {
            assertTrue(FakeSv2Miner.waitFor(() -> healthy.accepted() >= 2, T));
            // oversized frame: header claims 16 MB
            try (FakeSv2Miner big = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(6)))) {
                big.sendRaw(new byte[] {0, 0, 0x10, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
                assertTrue(FakeSv2Miner.waitFor(() -> !big.connected(), T), "oversized frame closes the connection");
            }
            // garbage: a known message type with an undecodable payload, then random bytes
            for (int i = 0; i < 2; i++) {
                try (FakeSv2Miner g = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(6)))) {
                    g.sendRaw(new byte[] {0, (byte) 0x80, 0x1a, 3, 0, 0, 1, 2, 3});
                    assertTrue(FakeSv2Miner.waitFor(() -> !g.connected(), T), "malformed frame closes the connection");
                }
            }
            assertTrue(FakeSv2Miner.waitFor(() -> h.pool.metrics().bans.count() >= 1, T), "IP banned after 3 violations");
            try (FakeSv2Miner again = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, PoolHarness.address(6)))) {
                assertTrue(FakeSv2Miner.waitFor(() -> !again.connected(), T), "banned IP refused");
            }
            assertTrue(h.pool.metrics().droppedCount(Drop.BANNED) >= 1);
            long before = healthy.accepted();
            assertTrue(FakeSv2Miner.waitFor(() -> healthy.accepted() >= before + 3, T), "healthy miner still acked");
            assertTrue(healthy.connected());
            assertFalse(healthy.rejected() > healthy.errors("stale-share"), "healthy miner: only stale rejects");
        }
    }
}
