package org.hyperhash.treasury;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Maturity tracking, crediting and audit on SQLite and PostgreSQL with a fake bitcoind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlockRewardsIT {
    @TempDir
    Path tmp;

    static final class FakeBitcoind implements BitcoindRpc {
        final Map<String, Long> confirmations = new HashMap<>();

        @Override
        public Optional<BlockHeaderInfo> getBlockHeader(String hash) {
            Long c = confirmations.get(hash);
            return c == null ? Optional.empty() : Optional.of(new BlockHeaderInfo(hash, 1, c));
        }
    }

    static String hash(int i) {
        return String.format("%064x", i);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void creditsOnlyAtMaturityOrphansReverseNothingAndAuditRecomputes(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            InstantSource clock = InstantSource.system();
            new ShareWindowStore(db).upsertBatch(List.of(
                    new ShareWindow("p1", 1_000, "alice", "w1", 10, 30.0),
                    new ShareWindow("p1", 1_000, "bob", "w1", 5, 10.0),
                    new ShareWindow("p2", 1_000, "alice", "w2", 1, 0.0)));
            FoundBlockStore blocks = new FoundBlockStore(db, clock);
            blocks.insertFound(new FoundBlock(hash(1), 100, 2_000, "p1", "alice", "w1", 1_000_000, 20.0, BlockStatus.ACCEPTED, null, 2_000));
            blocks.insertFound(new FoundBlock(hash(2), 101, 2_500, "p1", "bob", "w1", 1_000_000, 20.0, BlockStatus.ACCEPTED, null, 2_500));
            BlockRewards rewards = new BlockRewards(db, new BlockRewards.Config(2_000_000, 10_000, 1000, 3), clock);
            FakeBitcoind node = new FakeBitcoind();
            node.confirmations.put(hash(1), 1L);
            node.confirmations.put(hash(2), 1L);
            assertEquals(new BlockRewards.PollResult(2, 2, 0, 0, 0), rewards.poll(node));
            assertEquals(BlockStatus.CONFIRMED, blocks.find(hash(1)).orElseThrow().status());
            Accounts accounts = new Accounts(db);
            assertEquals(0, accounts.balanceMsat("alice"), "nothing credited before maturity");
            node.confirmations.put(hash(1), 3L);
            node.confirmations.put(hash(2), -1L);
            assertEquals(new BlockRewards.PollResult(2, 0, 1, 1, 0), rewards.poll(node));
            // window 40 units x1000 = all 40,000 units: alice 30,000, bob 10,000; fee 1% = 10,000; net 990,000 -> 742,500 / 247,500
            assertEquals(742_500_000L, accounts.balanceMsat("alice"));
            assertEquals(247_500_000L, accounts.balanceMsat("bob"));
            assertEquals(10_000_000L, accounts.balanceMsat(Accounts.POOL_ACCOUNT));
            assertEquals(BlockStatus.MATURED, blocks.find(hash(1)).orElseThrow().status());
            assertEquals(BlockStatus.ORPHANED, blocks.find(hash(2)).orElseThrow().status());
            assertEquals("orphaned", rewards.distribution(hash(2)).orElseThrow().status());
            assertEquals(new BlockRewards.PollResult(0, 0, 0, 0, 0), rewards.poll(node), "nothing left to track");
            assertEquals(false, rewards.credit(hash(1)), "crediting twice is a no-op");

            BlockRewards.AuditReport r = rewards.audit(hash(1));
            assertTrue(r.ok(), r.problems().toString());
            assertEquals("match", r.inputsVsShareWindows());
            assertEquals(Map.of("alice", 742_500L, "bob", 247_500L, "@pool (fee)", 10_000L), r.creditedSats());
            // new shares in the old window change today's recomputation, not the audited stored inputs
            new ShareWindowStore(db).upsertBatch(List.of(new ShareWindow("p1", 1_000, "carol", "w", 1, 5.0)));
            BlockRewards.AuditReport r2 = rewards.audit(hash(1));
            assertTrue(r2.ok());
            assertTrue(r2.inputsVsShareWindows().startsWith("differ"));
            Accounts.CheckReport check = accounts.check();
            assertTrue(check.ok(), check.problems().toString());
            assertEquals(1_000_000_000L, check.totalMsat());
        }
    }
}
