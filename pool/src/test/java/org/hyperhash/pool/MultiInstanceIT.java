package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.Lease;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.pool.share.InstanceRegistration;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.sv2.message.mining.SubmitSharesStandard;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Job;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.hyperhash.testkit.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several pool instances on one PostgreSQL ledger (issue 17): instance ids are unique among live pools and a
 * crashed pool's id is reclaimed after its registration expires; two pools mining at one height record both of their
 * competing blocks once each, under their own instance ids, and both pools' shares land in the one share log the
 * treasury reads its PPLNS window from.
 */
@Timeout(120)
class MultiInstanceIT {
    private static final Duration T = Duration.ofSeconds(20);
    @TempDir
    Path dir;

    @Test
    void aSecondLivePoolWithTheSameIdRefusesToStartAndACrashedOnesIdIsReclaimed() throws Exception {
        try (TestDatabase ledger = TestDatabase.create("postgresql", dir, "hh_multi_")) {
            try (PoolHarness a = new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=7", "ledger.instance-lease=3s")) {
                DaemonConfig.ConfigError e = assertThrows(DaemonConfig.ConfigError.class,
                        () -> new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=7", "ledger.instance-lease=3s"));
                assertTrue(e.getMessage().contains("instance-id 7 is in use"), e.getMessage());
                assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), "names the live holder: " + e.getMessage());
                // a live pool keeps its id across several lease periods (heartbeat)
                Thread.sleep(3_500);
                assertTrue(a.pool.readinessChecks().get("instance_registered"));
                assertThrows(DaemonConfig.ConfigError.class,
                        () -> new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=7", "ledger.instance-lease=3s"));
                // another id is fine next to it
                try (PoolHarness other = new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=8")) {
                    assertTrue(other.pool.readinessChecks().get("instance_registered"));
                }
            } // a clean stop frees the id at once
            try (PoolHarness again = new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=7")) {
                assertTrue(again.pool.readinessChecks().get("instance_registered"));
            }
            // a crashed pool: its registration stays in the ledger and is never renewed
            try (LedgerDatabase db = LedgerDatabase.open(ledger.url)) {
                Lease crashed = new Lease(db, InstanceRegistration.leaseName(9), "crashed-host:1:x", "pool crashed-host", Duration.ofMillis(1500));
                assertTrue(crashed.renewOrAcquire());
                crashed.close();
                DaemonConfig.ConfigError e = assertThrows(DaemonConfig.ConfigError.class,
                        () -> new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=9"));
                assertTrue(e.getMessage().contains("pool crashed-host"), e.getMessage());
                long deadline = System.nanoTime() + T.toNanos();
                PoolHarness reclaimed = null;
                while (reclaimed == null) {
                    try {
                        reclaimed = new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=9");
                    } catch (DaemonConfig.ConfigError stillHeld) {
                        assertTrue(System.nanoTime() < deadline, "the crashed pool's id was never reclaimed");
                        Thread.sleep(200);
                    }
                }
                try (PoolHarness r = reclaimed) {
                    assertTrue(r.pool.readinessChecks().get("instance_registered"));
                    assertTrue(crashed.current().orElseThrow().token() >= 2, "reclaiming bumps the fencing token");
                }
            }
        }
    }

    @Test
    void twoPoolsAtOneHeightRecordBothCompetingBlocksOnceAndShareOneShareLog() throws Exception {
        try (TestDatabase ledger = TestDatabase.create("postgresql", dir, "hh_multi_");
             PoolHarness p1 = new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=1", "vardiff.enabled=false");
             PoolHarness p2 = new PoolHarness(ledger.url, new DevnetTemplateSource(), "instance-id=2", "vardiff.enabled=false")) {
            String a = PoolHarness.address(61);
            String b = PoolHarness.address(62);
            try (FakeSv2Miner m1 = FakeSv2Miner.connect(Options.of(p1.sv2(), Kind.STANDARD, a + ".rig1"));
                 FakeSv2Miner m2 = FakeSv2Miner.connect(Options.of(p2.sv2(), Kind.STANDARD, b + ".rig2"))) {
                assertTrue(FakeSv2Miner.waitFor(() -> m1.currentJob() != null && m2.currentJob() != null, T));
                Job j1 = m1.currentJob();
                Job j2 = m2.currentJob();
                // each pool's devnet TP serves the same chain, so both jobs build on one tip: each share is a block
                m1.send(new SubmitSharesStandard(j1.channelId(), m1.nextSequence(), j1.jobId(), Shares.nonce(j1, j1.ntime(), true, 0),
                        j1.ntime(), j1.version()));
                m2.send(new SubmitSharesStandard(j2.channelId(), m2.nextSequence(), j2.jobId(), Shares.nonce(j2, j2.ntime(), true, 0),
                        j2.ntime(), j2.version()));
                assertTrue(FakeSv2Miner.waitFor(() -> m1.accepted() == 1 && m2.accepted() == 1, T));
            }
            FoundBlockStore blocks = new FoundBlockStore(p1.pool.ledger(), java.time.InstantSource.system());
            assertTrue(FakeSv2Miner.waitFor(() -> blocks.listByStatus(Set.of(BlockStatus.values())).size() == 2, T),
                    () -> "found blocks: " + blocks.listByStatus(Set.of(BlockStatus.values())));
            List<FoundBlock> found = blocks.listByStatus(Set.of(BlockStatus.values()));
            assertEquals(Set.of("pool-1", "pool-2"), found.stream().map(FoundBlock::instanceId).collect(Collectors.toSet()));
            assertEquals(1, found.stream().map(FoundBlock::height).distinct().count(), "competing blocks at one height: " + found);
            assertFalse(found.get(0).blockHash().equals(found.get(1).blockHash()));
            // a re-recorded block (retry, or a second instance relaying it) stays one row
            assertFalse(blocks.insertFound(found.get(0)));
            assertTrue(FakeSv2Miner.waitFor(() -> instances(p1.pool.ledger(), a, b).equals(Set.of("pool-1", "pool-2")), T));
        }
    }

    private static Set<String> instances(LedgerDatabase db, String a, String b) {
        ShareWindowStore s = new ShareWindowStore(db);
        return java.util.stream.Stream.concat(s.byAddress(a, 100).stream(), s.byAddress(b, 100).stream())
                .map(ShareWindow::instanceId).collect(Collectors.toSet());
    }
}
