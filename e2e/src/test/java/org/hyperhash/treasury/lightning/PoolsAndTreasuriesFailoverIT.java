package org.hyperhash.treasury.lightning;

import static org.hyperhash.treasury.lightning.FailoverDrill.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bitcoinj.base.BitcoinNetwork;
import org.hyperhash.base.Hash256;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.e2e.DevnetTp;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.hyperhash.testkit.TestDatabase;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.treasury.Accounts;
import org.hyperhash.treasury.BitcoindRpc;
import org.hyperhash.treasury.BlockRewards;
import org.hyperhash.treasury.proof.AddressProof;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 end to end: two real pool instances (instance-id 1 and 2, one devnet TP, real sockets, Noise) with a CPU
 * miner on each write their shares and found blocks into one PostgreSQL ledger; every share either pool accepted is
 * in the share log the treasury reads its PPLNS windows from. Then the treasuries credit and pay those blocks against
 * the TLS + macaroon LND stand-in through the faults of the issue: the leader is a child process killed with SIGKILL
 * while a payment is in flight, and a leader whose database stalls (a TCP proxy holds its bytes) for longer than the
 * lease keeps running and tries to pay after a standby took over. Afterwards every payment hash settled at most once,
 * the stand-in settled exactly what the ledger says was paid, and the ledger balances to the msat. The treasury
 * phases are the treasury module's {@link FailoverDrill} (shared with TreasuryFailoverIT).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PoolsAndTreasuriesFailoverIT {
    static final String NODE = "02" + "cd".repeat(32);
    static final long SAT = FailoverDrill.SAT;
    /**
     * Network difficulty ~6e-5: a block every few seconds from the two 50 kH/s CPU miners, whose shares (vardiff at
     * 600 a minute, ~1e-6) are far easier, so a block's PPLNS window (2 x network difficulty of work) spans many shares
     * of both instances.
     */
    static final String DEVNET_BITS = "0x1e435800";
    static final double HPS = 50_000;

    @TempDir
    Path tmp;
    final InstantSource clock = InstantSource.system();

    /** bitcoind as the treasury sees it: the devnet chain's best chain (a block off it is orphaned). */
    static final class ChainView implements BitcoindRpc {
        final Map<String, Long> confirmations;

        ChainView(DevnetChain chain) throws Exception {
            Map<String, Long> c = new java.util.HashMap<>();
            Hash256 h = chain.getBestBlockHash();
            long tip = chain.height();
            while (h != null) {
                var b = chain.getBlock(h);
                c.put(h.toDisplayHex(), tip - b.height() + 1);
                h = b.previousBlockHash();
            }
            confirmations = Map.copyOf(c);
        }

        @Override
        public Optional<BlockHeaderInfo> getBlockHeader(String hash) {
            Long c = confirmations.get(hash);
            return Optional.of(new BlockHeaderInfo(hash, 1, c == null ? -1 : c));
        }
    }

    static PoolDaemon pool(DevnetTp tp, String jdbc, int instanceId, String payout) throws Exception {
        PoolConfig cfg = PoolConfig.from(DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]", tp.poolTemplateProviders(),
                "sv2.security=noise", "admin.listen=\"127.0.0.1:0\"", "payout.address=\"" + payout + "\"", "instance-id=" + instanceId,
                "ledger.url=\"" + jdbc + "\"", "ledger.flush-interval=200ms", "channel.ack-interval=100ms", "vardiff.shares-per-minute=600"), null, PoolConfig.ROOT, Map.of()));
        PoolDaemon p = PoolDaemon.fromConfig(cfg, InstantSource.system(), DevnetTp.source(cfg));
        p.start();
        return p;
    }

    static long sharesInLog(LedgerDatabase db, String address, String instance) {
        return new ShareWindowStore(db).byAddress(address, 100_000).stream().filter(w -> w.instanceId().equals(instance))
                .mapToLong(ShareWindow::shares).sum();
    }

    @Test
    void twoPoolsMineIntoOneLedgerAndOneTreasuryPaysThroughKillDashNineAndAStalledDatabase() throws Exception {
        Path mac = tmp.resolve("admin.macaroon");
        byte[] macBytes = FailoverDrill.macaroon(mac);
        try (TestDatabase ledger = TestDatabase.create("postgresql", tmp, "hh_e2e_treasury_"); LedgerDatabase db = LedgerDatabase.open(ledger.url);
             FakeLnd lnd = new FakeLnd(tmp, HexFormat.of().formatHex(macBytes))) {
            Destinations dest = new Destinations(db, new AddressProof(BitcoinNetwork.REGTEST, 600), "bcrt", clock);
            Accounts accounts = new Accounts(db);
            FoundBlockStore blocks = new FoundBlockStore(db, clock);
            String alice = FailoverDrill.miner(dest, NODE);
            String bob = FailoverDrill.miner(dest, NODE);
            String poolFee = FailoverDrill.miner(dest, NODE);

            // ---- phase 0: two pool instances, a CPU miner on each, shares and blocks into the one ledger ----
            ChainView chain;
            long accepted1;
            long accepted2;
            try (DevnetTp tp = new DevnetTp(DEVNET_BITS)) {
                PoolDaemon p1 = pool(tp, ledger.url, 1, poolFee);
                PoolDaemon p2 = pool(tp, ledger.url, 2, poolFee);
                try {
                    await(() -> p1.ready() && p2.ready(), "both pools ready");
                    try (FakeSv2Miner m1 = FakeSv2Miner.connect(Options.of(p1.sv2Addresses().get(0), Kind.EXTENDED, alice + ".rig1")
                            .withNoise(p1.security().authorityPublicKey()).mining(HPS)).startMining();
                         FakeSv2Miner m2 = FakeSv2Miner.connect(Options.of(p2.sv2Addresses().get(0), Kind.STANDARD, bob + ".rig2")
                                 .withNoise(p2.security().authorityPublicKey()).mining(HPS)).startMining()) {
                        await(() -> m1.accepted() >= 5 && m2.accepted() >= 5 && blocks.listByStatus(Set.of(BlockStatus.values())).size() >= 2,
                                () -> "both pools' miners have shares accepted and blocks are found: " + m1.accepted() + "/" + m2.accepted() + " accepted, "
                                        + m1.submitted() + "/" + m2.submitted() + " submitted");
                        System.out.println("accepted by pool-1/pool-2 miners: " + m1.accepted() + "/" + m2.accepted() + ", blocks found "
                                + blocks.listByStatus(Set.of(BlockStatus.values())).size());
                        accepted1 = m1.accepted();
                        accepted2 = m2.accepted();
                    }
                } finally {
                    p1.close(); // a clean stop flushes the share log
                    p2.close();
                }
                long byPool1 = (long) p1.metrics().sharesAccepted.count();
                long byPool2 = (long) p2.metrics().sharesAccepted.count();
                assertTrue(byPool1 >= accepted1 && byPool2 >= accepted2, "the pools accepted at least what the miners saw acknowledged");
                assertEquals(byPool1, sharesInLog(db, alice, "pool-1"), "every share pool-1 accepted is in the share log");
                assertEquals(byPool2, sharesInLog(db, bob, "pool-2"), "every share pool-2 accepted is in the share log");
                assertEquals(0, sharesInLog(db, alice, "pool-2") + sharesInLog(db, bob, "pool-1"));
                chain = new ChainView(tp.chain());
            }
            List<FoundBlock> found = blocks.listByStatus(Set.of(BlockStatus.values()));
            assertTrue(found.stream().anyMatch(b -> chain.confirmations.containsKey(b.blockHash())), "found blocks are on the devnet chain");

            // a balance from before the pools' blocks: what the first leader is paying when it is killed
            String early = FailoverDrill.miner(dest, NODE);
            accounts.adjust(early, 40_000 * SAT, "seed", clock.millis());
            long seeded = 40_000 * SAT;

            FailoverDrill drill = new FailoverDrill(tmp, ledger.url, db, lnd, mac, chain, NODE,
                    List.of("payouts.max-payout-sats=100000000000"));
            try (drill) {
                // ---- phase 1: the leader is a child process; kill -9 it while its first payment is in flight ----
                drill.childLeadsWithAPaymentInFlight();
                drill.killChildLeader();
                // B credits the pools' blocks on the chain, orphans the ones off it, reconciles A's in-flight payment
                await(() -> blocks.listByStatus(Set.of(BlockStatus.values())).stream()
                        .allMatch(x -> x.status() == BlockStatus.MATURED || x.status() == BlockStatus.ORPHANED || x.status() == BlockStatus.REJECTED),
                        "B settles every found block");
                lnd.resolveHanging(true);
                await(() -> FailoverDrill.openPayouts(db) == 0 && accounts.balanceMsat(alice) < 10_000 * SAT
                        && accounts.balanceMsat(bob) < 10_000 * SAT && accounts.balanceMsat(early) < 10_000 * SAT, "B pays both pools' miners");

                // ---- phase 2: a clean handover, then the new leader's database stalls and it is fenced ----
                seeded += drill.handOverThenStallTheLeader(accounts, dest);
            }

            // ---- afterwards ----
            FailoverDrill.Paid paid = drill.paid(accounts);
            assertTrue(paid.accounts().containsAll(Set.of(alice, bob, early)), "both pools' miners were paid: " + paid.accounts());
            long credited = 0;
            for (FoundBlock f : blocks.listByStatus(Set.of(BlockStatus.MATURED))) {
                assertTrue(chain.confirmations.containsKey(f.blockHash()), "only blocks on the chain are credited");
                credited += f.rewardSats() * SAT;
            }
            assertTrue(credited > 0);
            for (FoundBlock f : blocks.listByStatus(Set.of(BlockStatus.ORPHANED))) {
                assertFalse(chain.confirmations.containsKey(f.blockHash()), "a block on the chain was orphaned");
            }
            Set<String> inWindows = new HashSet<>();
            BlockRewards rewards = new BlockRewards(db, new BlockRewards.Config(2_000_000, 10_000, 1000, 1, 1000), clock);
            for (FoundBlock f : blocks.listByStatus(Set.of(BlockStatus.MATURED))) {
                rewards.distribution(f.blockHash()).orElseThrow().inputs().forEach(i -> inWindows.add(i.account()));
            }
            assertTrue(inWindows.containsAll(Set.of(alice, bob)), "the PPLNS windows hold the miners of both pool instances: " + inWindows);
            assertEquals(seeded + credited - paid.msat() - paid.feesMsat(), paid.ledgerTotalMsat(), "the ledger balances to the msat");
        }
    }
}
