package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Standard and extended CPU miners mine on the devnet chain through the pool; credited in the ledger. */
@Timeout(120)
class PoolMiningIT {
    @TempDir
    Path dir;

    private static final Duration T = Duration.ofSeconds(30);

    @Test
    void standardAndExtendedMinersFindBlocksAndAreCredited() throws Exception {
        DevnetTemplateSource tp = new DevnetTemplateSource();
        String std = PoolHarness.address(1);
        String ext = PoolHarness.address(2);
        long startHeight = tp.chain().height();
        try (PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), tp)) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
            try (FakeSv2Miner a = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.STANDARD, std + ".rig1").mining(2000))
                    .startMining();
                 FakeSv2Miner b = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, ext + ".rig2").mining(2000))
                         .startMining()) {
                assertTrue(FakeSv2Miner.waitFor(() -> a.accepted() >= 3 && b.accepted() >= 3, T),
                        "acks: std " + a.accepted() + " ext " + b.accepted() + " rejected " + a.rejected() + "/"
                                + b.rejected() + " open errors " + a.openError() + "/" + b.openError());
                assertTrue(FakeSv2Miner.waitFor(() -> tp.accepted.size() >= 2, T), "blocks accepted by devnet chain; "
                        + "rejected: " + tp.rejected);
                // devnet: every share is a block, so two miners race on each tip; the loser's block is a valid
                // side-chain block ("inconclusive"). Anything else would be an invalid block.
                assertTrue(tp.rejected.stream().allMatch("inconclusive"::equals), "invalid blocks: " + tp.rejected);
                assertTrue(tp.chain().height() > startHeight);
                // the tip moves with every block: shares in flight for the previous tip are stale, nothing else
                assertEquals(a.errors("stale-share") + b.errors("stale-share"), a.rejected() + b.rejected(),
                        "only stale rejects; difficulty-too-low " + (a.errors("difficulty-too-low")
                                + b.errors("difficulty-too-low")) + " invalid-job-id " + (a.errors("invalid-job-id")
                                + b.errors("invalid-job-id")) + " duplicate " + (a.errors("duplicate-share")
                                + b.errors("duplicate-share")) + " invalid-share " + (a.errors("invalid-share")
                                + b.errors("invalid-share")));
            }
            assertTrue(FakeSv2Miner.waitFor(() -> h.pool.shareLog().flushedShares() >= 6, T));
            String block = tp.accepted.get(0);
            assertTrue(FakeSv2Miner.waitFor(() -> new FoundBlockStore(h.pool.ledger(), java.time.InstantSource.system())
                    .find(block).isPresent(), T), "found block recorded");
            Map<String, Object> miner = h.pool.stats().describe(std);
            assertNotNull(miner);
            assertTrue(((Number) miner.get("accepted_shares")).longValue() >= 3);
        }
        // after a graceful close everything is in the database
        try (LedgerDatabase db = LedgerDatabase.open(PoolHarness.sqlite(dir))) {
            List<ShareWindow> w = new ShareWindowStore(db).byAddress(std, 100);
            assertFalse(w.isEmpty(), "standard miner credited");
            assertEquals("rig1", w.get(0).worker());
            assertTrue(w.stream().mapToDouble(ShareWindow::work).sum() > 0);
            assertFalse(new ShareWindowStore(db).byAddress(ext, 100).isEmpty(), "extended miner credited");
            var b = new FoundBlockStore(db, java.time.InstantSource.system()).find(tp.accepted.get(0)).orElseThrow();
            assertEquals(BlockStatus.SUBMITTED, b.status());
            assertTrue(b.rewardSats() > 0);
            assertTrue(b.height() > 0);
        }
    }
}
