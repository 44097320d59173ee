package org.hyperhash.treasury;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bench notes (not a test: runs only with -Dhh.bench=true, prints timings, asserts correctness only):
 * one mature block distributed over 10,000 miners. See treasury/BENCH.md.
 */
class TreasuryBenchIT {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void distribution10kMiners(String dialect) throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("hh.bench"), "bench only with -Dhh.bench=true");
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            List<ShareWindow> rows = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                for (int m = 0; m < 10_000; m++) {
                    rows.add(new ShareWindow("p1", w * 60_000L, "miner-" + m, "w", 10, 1.0 + (m % 97) * 0.37));
                }
            }
            new ShareWindowStore(db).upsertBatch(rows);
            String hash = "cd".repeat(32);
            new FoundBlockStore(db, InstantSource.system()).insertFound(new FoundBlock(hash, 1, 400_000, "p1", "miner-1", "w",
                    312_500_000L, 150_000.0, BlockStatus.ACCEPTED, null, 0));
            BlockRewards br = new BlockRewards(db, new BlockRewards.Config(2_000_000, 10_000, 1000, 1), InstantSource.system());
            long t0 = System.nanoTime();
            br.snapshot(new FoundBlockStore(db, InstantSource.system()).find(hash).orElseThrow());
            long t1 = System.nanoTime();
            br.credit(hash);
            long t2 = System.nanoTime();
            BlockRewards.AuditReport r = br.audit(hash);
            long t3 = System.nanoTime();
            Accounts.CheckReport c = new Accounts(db).check();
            System.out.printf("BENCH %s 10k miners: snapshot %.1f ms, credit %.1f ms, audit %.1f ms, accounts %d, ok=%s/%s%n", dialect,
                    (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, r.recomputed().allocations().size(), r.ok(), c.ok());
            if (!r.ok() || !c.ok()) {
                throw new AssertionError(r.problems() + " " + c.problems());
            }
        }
    }
}
