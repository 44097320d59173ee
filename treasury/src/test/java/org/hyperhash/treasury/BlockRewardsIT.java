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

    /** {@code hh treasury audit BLOCK} against the test ledger: its exit code and output. */
    static String auditCli(TestLedgers t, String block) {
        java.io.StringWriter sw = new java.io.StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new TreasuryCommand());
        cl.setOut(new java.io.PrintWriter(sw, true));
        cl.setErr(new java.io.PrintWriter(sw, true));
        int code = cl.execute("audit", "--set", "ledger.url=\"" + t.url + "\"", block);
        assertEquals(0, code, sw.toString());
        return sw.toString();
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
            // window 40 difficulty x scale 1000e8 = 4e12 units (all of it counted): alice 3e12, bob 1e12; fee 1% = 10,000;
            // net 990,000 -> 742,500 / 247,500
            BlockRewards.Distribution d = rewards.distribution(hash(1)).orElseThrow();
            assertEquals(new Pplns.WorkScale(1000, 8), d.workScale());
            assertEquals(Pplns.ALGORITHM, d.algorithm());
            assertEquals(new java.math.BigInteger("4000000000000"), d.windowUnits());
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
            // the operator sees what the split was computed with
            String out = auditCli(t, hash(1));
            assertTrue(out.startsWith("block " + hash(1) + " (credited)\n"
                    + "algorithm: pplns-v2 (share work rounded up to whole work units)\n"
                    + "work scale: 1000 x 10^8 work units per unit of share difficulty (pplns.work-scale 1000, exponent 8 derived "
                    + "from network difficulty 20.0 and window multiple 2)\n"
                    + "pool fee: 10000 sats\n"), out);
            assertTrue(out.endsWith("audit OK\n"), out);
            Accounts.CheckReport check = accounts.check();
            assertTrue(check.ok(), check.problems().toString());
            assertEquals(1_000_000_000L, check.totalMsat());
        }
    }

    /** A settable clock. */
    static final class ManualClock implements InstantSource {
        volatile long ms;

        ManualClock(long ms) {
            this.ms = ms;
        }

        @Override
        public java.time.Instant instant() {
            return java.time.Instant.ofEpochMilli(ms);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void snapshotWaitsForTheShareLogToFlushPastTheFoundTime(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            long found = 1_700_000_000_000L;
            ManualClock clock = new ManualClock(found + 1_000);
            ShareWindowStore shares = new ShareWindowStore(db);
            shares.upsertBatch(List.of(new ShareWindow("p1", found - 2_000, "alice", "w", 3, 3 * Math.scalb(1.0, -40))));
            FoundBlockStore blocks = new FoundBlockStore(db, clock);
            // regtest-like: difficulty 2^-31, maturity 1, the block confirms 1 s after it was found
            blocks.insertFound(new FoundBlock(hash(7), 1, found, "p1", "alice", "w", 5_000_000_000L, Math.scalb(1.0, -31),
                    BlockStatus.ACCEPTED, null, found));
            BlockRewards rewards = new BlockRewards(db, new BlockRewards.Config(2_000_000, 0, 1000, 1, 5_000), clock);
            FakeBitcoind node = new FakeBitcoind();
            node.confirmations.put(hash(7), 1L);
            assertEquals(new BlockRewards.PollResult(1, 0, 0, 0, 0), rewards.poll(node), "too early: no snapshot, no credit");
            assertTrue(rewards.distribution(hash(7)).isEmpty());
            assertEquals(BlockStatus.CONFIRMED, blocks.find(hash(7)).orElseThrow().status());
            assertEquals(0, new Accounts(db).balanceMsat("alice"));
            // the pool's next flush writes bob's share from the window the block was found in
            shares.upsertBatch(List.of(new ShareWindow("p1", found, "bob", "w", 1, Math.scalb(1.0, -40))));
            clock.ms = found + 4_999;
            assertEquals(new BlockRewards.PollResult(1, 0, 0, 0, 0), rewards.poll(node));
            clock.ms = found + 5_000;
            assertEquals(new BlockRewards.PollResult(1, 1, 1, 0, 0), rewards.poll(node));
            // shares of difficulty 2^-40 at scale 1e22: alice ceil(3e22 / 2^40) = 27,284,841,054, bob ceil(1e22 / 2^40) =
            // 9,094,947,018 units (window 9.3e12): 50 BTC -> 3,750,000,000 : 1,250,000,000 sats exactly
            BlockRewards.Distribution d = rewards.distribution(hash(7)).orElseThrow();
            assertEquals(new Pplns.WorkScale(1000, 19), d.workScale());
            assertEquals(List.of(new Pplns.WorkInput("alice", java.math.BigInteger.valueOf(27_284_841_054L)),
                    new Pplns.WorkInput("bob", java.math.BigInteger.valueOf(9_094_947_018L))), d.inputs());
            Accounts accounts = new Accounts(db);
            assertEquals(3_750_000_000_000L, accounts.balanceMsat("alice"));
            assertEquals(1_250_000_000_000L, accounts.balanceMsat("bob"));
            BlockRewards.AuditReport r = rewards.audit(hash(7));
            assertTrue(r.ok(), r.problems().toString());
            assertEquals("match", r.inputsVsShareWindows());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void aPplnsV1DistributionStoredBeforeTheUpgradeStillCreditsAndAudits(String dialect) throws Exception {
        try (TestLedgers t = TestLedgers.create(dialect, tmp); LedgerDatabase db = t.open()) {
            InstantSource clock = InstantSource.system();
            new ShareWindowStore(db).upsertBatch(List.of(new ShareWindow("p1", 1_000, "alice", "w", 1, 0.1),
                    new ShareWindow("p1", 1_000, "bob", "w", 1, 0.3)));
            new FoundBlockStore(db, clock).insertFound(new FoundBlock(hash(9), 1, 2_000, "p1", "alice", "w", 1_000, 1.0,
                    BlockStatus.ACCEPTED, null, 2_000));
            // as the old build wrote it (no work_scale_exp): scale 1000, floor -> alice 100, bob 299 (0.3 is 0.29999..)
            try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("INSERT INTO block_distributions (block_hash, height, found_at_ms, reward_sats, network_difficulty, "
                        + "window_multiple_ppm, fee_ppm, work_scale, window_work_units, counted_work_units, algorithm, status, "
                        + "computed_at_ms, updated_at_ms) VALUES ('" + hash(9) + "', 1, 2000, 1000, 1.0, 2000000, 0, 1000, '2000', "
                        + "'399', 'pplns-v1', 'pending', 0, 0)");
                st.executeUpdate("INSERT INTO distribution_inputs VALUES ('" + hash(9) + "', 'alice', '100'), ('" + hash(9) + "', 'bob', '299')");
            }
            BlockRewards rewards = new BlockRewards(db, new BlockRewards.Config(2_000_000, 0, 1000, 1), clock);
            BlockRewards.Distribution d = rewards.distribution(hash(9)).orElseThrow();
            assertEquals(new Pplns.WorkScale(1000, 0), d.workScale());
            FakeBitcoind node = new FakeBitcoind();
            node.confirmations.put(hash(9), 1L);
            assertEquals(new BlockRewards.PollResult(1, 0, 1, 0, 0), rewards.poll(node), "kept as stored, credited");
            // 1000 x 100/399 = 250.6, x 299/399 = 749.4 -> 250 + 749, leftover to alice (.6)
            Accounts accounts = new Accounts(db);
            assertEquals(251_000L, accounts.balanceMsat("alice"));
            assertEquals(749_000L, accounts.balanceMsat("bob"));
            BlockRewards.AuditReport r = rewards.audit(hash(9));
            assertTrue(r.ok(), r.problems().toString());
            assertEquals("match", r.inputsVsShareWindows(), "recomputed with v1's floor at the stored scale");
            String out = auditCli(t, hash(9));
            assertTrue(out.contains("\nalgorithm: pplns-v1 (share work rounded down to whole work units)\n"
                    + "work scale: 1000 work units per unit of share difficulty (pplns-v1: pplns.work-scale alone, no exponent)\n"), out);
            assertTrue(out.endsWith("audit OK\n"), out);
            // a v1 row cannot have an exponent (v1 had none): the audit says so instead of printing it as v1's scale
            try (java.sql.Connection c = db.dataSource().getConnection(); java.sql.Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE block_distributions SET work_scale_exp = 2 WHERE block_hash = '" + hash(9) + "'");
            }
            BlockRewards.AuditReport bad = rewards.audit(hash(9));
            assertTrue(bad.problems().stream().anyMatch(p -> p.contains("pplns-v1 never used")), bad.problems().toString());
            assertEquals("1000 x 10^2 work units per unit of share difficulty (as stored)", bad.describeWorkScale());
        }
    }
}
