package org.hyperhash.treasury.lightning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.bitcoinj.base.BitcoinNetwork;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.treasury.Accounts;
import org.hyperhash.treasury.BitcoindRpc;
import org.hyperhash.treasury.BlockRewards;
import org.hyperhash.treasury.Pplns;
import org.hyperhash.treasury.TestLedgers;
import org.hyperhash.treasury.TreasuryDaemon;
import org.hyperhash.treasury.proof.AddressProof;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: several treasuries on one PostgreSQL ledger, one pays. Shares of two pool instances and their competing
 * blocks at one height are in the ledger (as the pools write them, see pool MultiInstanceIT); the treasuries run
 * against the TLS + macaroon LND stand-in. Faults: the leader is a real child process killed with SIGKILL while a
 * payment is in flight; a leader whose database stalls (a TCP proxy holds its bytes) for longer than the lease keeps
 * running and tries to pay after a standby took over. Afterwards: every payment hash settled at most once, nothing
 * re-sent, the ledger balances to the msat, the found block's PPLNS window holds both instances' miners and the
 * competing block is orphaned. The failover phases are {@link FailoverDrill}'s (shared with e2e
 * PoolsAndTreasuriesFailoverIT).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TreasuryFailoverIT {
    static final String NODE = "02" + "ab".repeat(32);
    static final long SAT = FailoverDrill.SAT;

    @TempDir
    Path tmp;
    final InstantSource clock = InstantSource.system();

    static final class FakeBitcoind implements BitcoindRpc {
        final Map<String, Long> confirmations = new HashMap<>();

        @Override
        public synchronized Optional<BlockHeaderInfo> getBlockHeader(String hash) {
            Long c = confirmations.get(hash);
            return c == null ? Optional.empty() : Optional.of(new BlockHeaderInfo(hash, 500, c));
        }
    }

    @Test
    void oneTreasuryPaysThroughKillDashNineAndAStalledDatabaseAndEveryHashSettlesOnce() throws Exception {
        Path mac = tmp.resolve("admin.macaroon");
        byte[] macBytes = FailoverDrill.macaroon(mac);
        try (TestLedgers t = TestLedgers.create("postgresql", tmp); LedgerDatabase db = t.open();
             FakeLnd lnd = new FakeLnd(tmp, HexFormat.of().formatHex(macBytes))) {
            FakeBitcoind bitcoind = new FakeBitcoind();
            FailoverDrill drill = new FailoverDrill(tmp, t.url, db, lnd, mac, bitcoind, NODE, List.of());
            Destinations dest = new Destinations(db, new AddressProof(BitcoinNetwork.REGTEST, 600), "bcrt", clock);
            Accounts accounts = new Accounts(db);
            long credited = 0;
            List<String> early = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String m = drill.miner(dest);
                accounts.adjust(m, 40_000 * SAT, "seed", clock.millis());
                credited += 40_000 * SAT;
                early.add(m);
            }
            // two pool instances' shares in one window, and their competing blocks at height 500
            String alice = drill.miner(dest);
            String bob = drill.miner(dest);
            long found = clock.millis() - 5_000;
            new ShareWindowStore(db).upsertBatch(List.of(new ShareWindow("pool-1", found - 10_000, alice, "rig1", 30, 30.0),
                    new ShareWindow("pool-2", found - 10_000, bob, "rig2", 10, 10.0)));
            FoundBlockStore blocks = new FoundBlockStore(db, clock);
            String winner = "%064x".formatted(0xa1);
            String stale = "%064x".formatted(0xb2);
            assertTrue(blocks.insertFound(new FoundBlock(winner, 500, found, "pool-1", alice, "rig1", 1_000_000, 20.0, BlockStatus.ACCEPTED, "accepted", found)));
            assertTrue(blocks.insertFound(new FoundBlock(stale, 500, found + 300, "pool-2", bob, "rig2", 1_000_000, 20.0, BlockStatus.ACCEPTED, "accepted", found)));
            assertFalse(blocks.insertFound(new FoundBlock(winner, 500, found, "pool-2", bob, "rig2", 1_000_000, 20.0, BlockStatus.ACCEPTED, "dup", found)),
                    "a block hash is recorded once whichever instance reports it");
            bitcoind.confirmations.put(winner, 1L);
            bitcoind.confirmations.put(stale, -1L);
            credited += 1_000_000 * SAT; // the winner's whole reward: miners + pool fee

            try (drill) {
                // ---- phase 1: the leader is a child process; kill -9 it while its first payment is in flight ----
                drill.childLeadsWithAPaymentInFlight();
                TreasuryDaemon b = drill.b;
                assertTrue(drill.get(b, "/metrics").contains("hh_treasury_leader{service=\"treasury\"} 0.0"));
                assertTrue(BlockStatus.ACCEPTED == blocks.find(winner).orElseThrow().status(), "A has no bitcoind: nothing credited yet");
                long takeoverMs = drill.killChildLeader();
                System.out.println("treasury takeover after kill -9: " + takeoverMs + " ms (lease 4s, renew 500ms)");
                String status = drill.get(b, "/v1/status");
                assertTrue(status.contains("\"leader\" : true") && status.contains("\"election\" : \"postgresql lease\""), status);
                assertTrue(drill.get(b, "/metrics").contains("hh_treasury_leader{service=\"treasury\"} 1.0"));
                // B reconciles A's in-flight payment (still in flight at LND), credits the winner, orphans the stale block
                FailoverDrill.await(() -> blocks.find(winner).orElseThrow().status() == BlockStatus.MATURED, "B credits the winner");
                FailoverDrill.await(() -> blocks.find(stale).orElseThrow().status() == BlockStatus.ORPHANED, "B orphans the competing block");
                lnd.resolveHanging(true);
                FailoverDrill.await(() -> FailoverDrill.openPayouts(db) == 0 && accounts.balanceMsat(alice) < 10_000 * SAT
                        && accounts.balanceMsat(bob) < 10_000 * SAT
                        && early.stream().allMatch(m -> accounts.balanceMsat(m) < 10_000 * SAT), "B pays everyone");

                // ---- phase 2: a clean handover, then the new leader's database stalls and it is fenced ----
                credited += drill.handOverThenStallTheLeader(accounts, dest);
            }

            // ---- afterwards ----
            FailoverDrill.Paid paid = drill.paid(accounts);
            assertEquals(6, paid.payouts(), "3 early miners, alice, bob, carol: paid once each");
            assertEquals(credited - paid.msat() - paid.feesMsat(), paid.ledgerTotalMsat(), "the ledger balances to the msat");
            BlockRewards.Distribution d = new BlockRewards(db, new BlockRewards.Config(2_000_000, 10_000, 1000, 1), clock)
                    .distribution(winner).orElseThrow();
            assertEquals(Set.of(alice, bob), d.inputs().stream().map(Pplns.WorkInput::account).collect(Collectors.toSet()),
                    "the winner's PPLNS window holds the miners of both pool instances");
            assertEquals("orphaned", new BlockRewards(db, new BlockRewards.Config(2_000_000, 10_000, 1000, 1), clock)
                    .distribution(stale).map(BlockRewards.Distribution::status).orElse("orphaned"));
        }
    }
}
