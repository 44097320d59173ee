package org.hyperhash.treasury.lightning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.crypto.ECKey;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.BlockStatus;
import org.hyperhash.ledger.FoundBlock;
import org.hyperhash.ledger.FoundBlockStore;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.Lease;
import org.hyperhash.ledger.ShareWindow;
import org.hyperhash.ledger.ShareWindowStore;
import org.hyperhash.treasury.Accounts;
import org.hyperhash.treasury.BitcoindRpc;
import org.hyperhash.treasury.BlockRewards;
import org.hyperhash.treasury.Pplns;
import org.hyperhash.treasury.TestLedgers;
import org.hyperhash.treasury.TreasuryConfig;
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
 * competing block is orphaned.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TreasuryFailoverIT {
    static final String NODE = "02" + "ab".repeat(32);
    static final long SAT = 1000;
    static final Duration T = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    final HttpClient http = HttpClient.newHttpClient();
    final InstantSource clock = InstantSource.system();

    static final class FakeBitcoind implements BitcoindRpc {
        final Map<String, Long> confirmations = new HashMap<>();

        @Override
        public synchronized Optional<BlockHeaderInfo> getBlockHeader(String hash) {
            Long c = confirmations.get(hash);
            return c == null ? Optional.empty() : Optional.of(new BlockHeaderInfo(hash, 500, c));
        }
    }

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for: " + what);
            Thread.sleep(25);
        }
    }

    List<String> settings(String url, FakeLnd lnd, Path mac, String id) {
        return new ArrayList<>(List.of("network=regtest", "ledger.url=\"" + url + "\"", "admin.listen=\"127.0.0.1:0\"", "bitcoind.url=\"\"",
                "audit-log=\"" + tmp.resolve(id + "-audit.jsonl") + "\"", "poll-interval=200ms", "maturity.confirmations=1",
                "pplns.snapshot-delay=1s", "lnd.host=\"127.0.0.1\"", "lnd.port=" + lnd.port(), "lnd.tls-cert-file=\"" + lnd.certPem + "\"",
                "lnd.macaroon-file=\"" + mac + "\"", "lnd.call-timeout=3s", "payouts.send-wait=1s", "payouts.dry-run=false",
                "leader.lease=4s", "leader.renew-interval=500ms", "leader.id=\"" + id + "\""));
    }

    TreasuryDaemon daemon(List<String> sets, BitcoindRpc bitcoind, PayoutEngine.FaultHook faults) throws Exception {
        TreasuryConfig cfg = TreasuryConfig.from(DaemonConfig.load(null, sets, "TREASURY_TEST_NONE", TreasuryConfig.ROOT));
        TreasuryDaemon d = new TreasuryDaemon(cfg, clock, bitcoind, faults);
        d.start();
        return d;
    }

    String get(TreasuryDaemon d, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.adminAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    /** A regtest miner with a keysend destination (real BIP137 proof). */
    String miner(Destinations dest) throws Exception {
        ECKey key = new ECKey();
        String address = key.toAddress(ScriptType.P2WPKH, BitcoinNetwork.REGTEST).toString();
        String msg = AddressProof.challenge(address, "keysend", NODE, clock.millis() / 1000);
        dest.set(address, DestinationKind.KEYSEND, NODE, msg, key.signMessage(msg, ScriptType.P2WPKH));
        return address;
    }

    static Lease.Holder leader(LedgerDatabase db) {
        return new Lease(db, TreasuryDaemon.LEADER_LEASE, "observer", "", Duration.ofSeconds(1)).current().orElseThrow();
    }

    static long openPayouts(LedgerDatabase db) {
        return PayoutEngine.list(db, List.of("reserved", "in_flight"), 1000).size();
    }

    @Test
    void oneTreasuryPaysThroughKillDashNineAndAStalledDatabaseAndEveryHashSettlesOnce() throws Exception {
        byte[] macBytes = new byte[40];
        new SecureRandom().nextBytes(macBytes);
        Path mac = tmp.resolve("admin.macaroon");
        Files.write(mac, macBytes);
        try (TestLedgers t = TestLedgers.create("postgresql", tmp); LedgerDatabase db = t.open();
             FakeLnd lnd = new FakeLnd(tmp, HexFormat.of().formatHex(macBytes))) {
            Destinations dest = new Destinations(db, new AddressProof(BitcoinNetwork.REGTEST, 600), "bcrt", clock);
            Accounts accounts = new Accounts(db);
            long credited = 0;
            List<String> early = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String m = miner(dest);
                accounts.adjust(m, 40_000 * SAT, "seed", clock.millis());
                credited += 40_000 * SAT;
                early.add(m);
            }
            // two pool instances' shares in one window, and their competing blocks at height 500
            String alice = miner(dest);
            String bob = miner(dest);
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
            FakeBitcoind bitcoind = new FakeBitcoind();
            bitcoind.confirmations.put(winner, 1L);
            bitcoind.confirmations.put(stale, -1L);
            credited += 1_000_000 * SAT; // the winner's whole reward: miners + pool fee

            // ---- phase 1: the leader is a child process; kill -9 it while its first payment is in flight ----
            lnd.queue(FakeLnd.Mode.HANG);
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                    System.getProperty("java.class.path"), TreasuryChildMain.class.getName()));
            for (String s : settings(t.url, lnd, mac, "child-a")) {
                cmd.add("--set");
                cmd.add(s);
            }
            Process a = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child-a.log").toFile()).start();
            TreasuryDaemon b = null;
            TreasuryDaemon c = null;
            TreasuryDaemon b2 = null;
            try {
                await(() -> { try { return leader(db).holder().startsWith("child-a:"); } catch (RuntimeException e) { return false; } },
                        "child treasury A leads");
                b = daemon(settings(t.url, lnd, mac, "b"), bitcoind, PayoutEngine.NO_FAULTS);
                assertFalse(b.lease().held(), "B stands by while A leads");
                assertTrue(get(b, "/metrics").contains("hh_treasury_leader{service=\"treasury\"} 0.0"));
                await(() -> lnd.sends() >= 1 && openPayouts(db) >= 1, "A has a payment in flight");
                long tokenA = leader(db).token();
                assertTrue(BlockStatus.ACCEPTED == blocks.find(winner).orElseThrow().status(), "A has no bitcoind: nothing credited yet");
                long killedAt = System.nanoTime();
                a.destroyForcibly(); // SIGKILL: no shutdown hook, no lease release
                assertTrue(a.waitFor(10, TimeUnit.SECONDS));
                TreasuryDaemon fb = b;
                await(() -> fb.lease().held(), "B takes over");
                long takeoverMs = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.println("treasury takeover after kill -9: " + takeoverMs + " ms (lease 4s, renew 500ms)");
                assertTrue(b.lease().token() > tokenA, "a takeover bumps the token");
                String status = get(b, "/v1/status");
                assertTrue(status.contains("\"leader\" : true") && status.contains("\"election\" : \"postgresql lease\""), status);
                assertTrue(get(b, "/metrics").contains("hh_treasury_leader{service=\"treasury\"} 1.0"));
                // B reconciles A's in-flight payment (still in flight at LND), credits the winner, orphans the stale block
                await(() -> blocks.find(winner).orElseThrow().status() == BlockStatus.MATURED, "B credits the winner");
                await(() -> blocks.find(stale).orElseThrow().status() == BlockStatus.ORPHANED, "B orphans the competing block");
                lnd.resolveHanging(true);
                await(() -> openPayouts(db) == 0 && accounts.balanceMsat(alice) < 10_000 * SAT && accounts.balanceMsat(bob) < 10_000 * SAT
                        && early.stream().allMatch(m -> accounts.balanceMsat(m) < 10_000 * SAT), "B pays everyone");

                // ---- phase 2: C (through a proxy that will stall) leads, B stops cleanly and hands over at once ----
                try (StallProxy proxy = new StallProxy(new InetSocketAddress("127.0.0.1", 5432))) {
                    String viaProxy = t.url.replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port());
                    assertFalse(viaProxy.equals(t.url));
                    CountDownLatch cAtSend = new CountDownLatch(1);
                    CountDownLatch letCGo = new CountDownLatch(1);
                    c = daemon(settings(viaProxy, lnd, mac, "c"), bitcoind, (point, id) -> {
                        if (point.equals("before-send")) {
                            cAtSend.countDown();
                            try {
                                letCGo.await(60, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
                    b.close();
                    b = null;
                    TreasuryDaemon fc = c;
                    await(() -> fc.lease().held(), "C takes over from a cleanly stopped B");
                    b2 = daemon(settings(t.url, lnd, mac, "b2"), bitcoind, PayoutEngine.NO_FAULTS);
                    // new credits: C reserves a payout and stops right before marking it in flight
                    String carol = miner(dest);
                    accounts.adjust(carol, 50_000 * SAT, "seed-2", clock.millis());
                    credited += 50_000 * SAT;
                    assertTrue(cAtSend.await(30, TimeUnit.SECONDS), "C reserved a payout");
                    long tokenC = c.lease().token();
                    // C's database stalls for longer than the lease; C keeps running
                    proxy.stall();
                    TreasuryDaemon fb2 = b2;
                    await(() -> fb2.lease().held(), "B2 takes over from the stalled C");
                    assertTrue(b2.lease().token() > tokenC, "a takeover bumps the token");
                    await(() -> !fc.lease().held(), "C's local view of its lease ran out");
                    assertTrue(get(c, "/metrics").contains("hh_treasury_leader{service=\"treasury\"} 0.0"), "C reports standby while stalled");
                    // B2 reconciles C's reserved payout: LND never saw the hash, so B2 sends it (once) and settles
                    await(() -> accounts.balanceMsat(carol) < 10_000 * SAT && openPayouts(db) == 0, "B2 pays carol");
                    int sendsBefore = lnd.sends();
                    // the stalled leader wakes up and tries to carry on with its payout: fenced, nothing sent
                    proxy.resume();
                    letCGo.countDown();
                    await(() -> get0(fc, "/v1/status").contains("fenced"), "C's write was refused by the fence");
                    Thread.sleep(1_000);
                    assertEquals(sendsBefore, lnd.sends(), "the deposed leader sent nothing");
                    assertFalse(c.lease().held());
                    assertTrue(b2.lease().held());
                    assertEquals(b2.lease().holder(), leader(db).holder());
                }
            } finally {
                if (a.isAlive()) {
                    a.destroyForcibly();
                }
                for (TreasuryDaemon d : new TreasuryDaemon[] {b, c, b2}) {
                    if (d != null) {
                        d.close();
                    }
                }
            }

            // ---- afterwards ----
            assertTrue(lnd.maxSettledPerHash() <= 1, "a payment hash settled twice");
            assertEquals(0, lnd.duplicateAttempts(), "a hash LND had paid or was paying was sent again");
            Accounts.CheckReport r = accounts.check();
            assertTrue(r.ok(), r.problems().toString());
            long paid = 0;
            long fees = 0;
            for (PayoutEngine.Payout p : PayoutEngine.list(db, List.of("succeeded"), 1000)) {
                paid += p.amountMsat();
                fees += p.feePaidMsat();
            }
            assertEquals(6, PayoutEngine.list(db, List.of("succeeded"), 1000).size(), "3 early miners, alice, bob, carol: paid once each");
            assertEquals(lnd.totalSettledMsat(), paid, "the stand-in settled exactly what the ledger says was paid");
            assertEquals(0, openPayouts(db));
            assertEquals(credited - paid - fees, r.totalMsat(), "the ledger balances to the msat");
            BlockRewards.Distribution d = new BlockRewards(db, new BlockRewards.Config(2_000_000, 10_000, 1000, 1), clock)
                    .distribution(winner).orElseThrow();
            assertEquals(Set.of(alice, bob), d.inputs().stream().map(Pplns.WorkInput::account).collect(Collectors.toSet()),
                    "the winner's PPLNS window holds the miners of both pool instances");
            assertEquals("orphaned", new BlockRewards(db, new BlockRewards.Config(2_000_000, 10_000, 1000, 1), clock)
                    .distribution(stale).map(BlockRewards.Distribution::status).orElse("orphaned"));
        }
    }

    private String get0(TreasuryDaemon d, String path) {
        try {
            return get(d, path);
        } catch (Exception e) {
            return "";
        }
    }
}
