package org.hyperhash.treasury.lightning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.crypto.ECKey;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.treasury.Accounts;
import org.hyperhash.treasury.AuditLog;
import org.hyperhash.treasury.TestLedgers;
import org.hyperhash.treasury.TreasuryMetrics;
import org.hyperhash.treasury.proof.AddressProof;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Payouts through the TLS + macaroon LND stand-in with faults at every step. After each scenario: every payment
 * hash settled at most once at the stand-in, the ledger check passes, and what left the balances equals what the
 * stand-in settled plus fees.
 */
class PayoutFaultIT {
    static final String NODE = "02" + "ab".repeat(32);
    static final long SAT = 1000;

    @TempDir
    Path tmp;
    TestLedgers ledgers;
    LedgerDatabase db;
    FakeLnd lnd;
    LndGrpcNode node;
    AuditLog audit;
    Destinations destinations;
    Accounts accounts;
    final InstantSource clock = InstantSource.system();
    final HexFormat hex = HexFormat.of();

    void setUp(String dialect) throws Exception {
        ledgers = TestLedgers.create(dialect, tmp);
        db = ledgers.open();
        byte[] mac = new byte[40];
        new java.security.SecureRandom().nextBytes(mac);
        lnd = new FakeLnd(tmp, hex.formatHex(mac));
        Files.write(tmp.resolve("admin.macaroon"), mac);
        node = new LndGrpcNode("127.0.0.1", lnd.port(), lnd.certPem, tmp.resolve("admin.macaroon"), null, Duration.ofSeconds(5));
        audit = AuditLog.open(tmp.resolve("audit.jsonl"), clock);
        destinations = new Destinations(db, new AddressProof(BitcoinNetwork.REGTEST, 600), "bcrt", clock);
        accounts = new Accounts(db);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (node != null) {
            node.close();
        }
        if (lnd != null) {
            lnd.close();
        }
        if (audit != null) {
            audit.close();
        }
        if (db != null) {
            db.close();
        }
        if (ledgers != null) {
            ledgers.close();
        }
    }

    PayoutEngine engine(PayoutEngine.FaultHook hook, Duration wait) {
        PayoutEngine.Policy policy = new PayoutEngine.Policy(10_000 * SAT, 1_000_000 * SAT, 5_000, 1_000 * SAT, 30, 4, 4, "bcrt", false, wait);
        return new PayoutEngine(db, node, destinations, new LnurlPay(Duration.ofSeconds(2), true), policy, audit,
                new TreasuryMetrics(new SimpleMeterRegistry()), clock, hook);
    }

    /** A regtest P2WPKH miner with a keysend destination set through a real BIP137 proof, credited {@code sats}. */
    String miner(long sats) throws Exception {
        ECKey key = new ECKey();
        String address = key.toAddress(ScriptType.P2WPKH, BitcoinNetwork.REGTEST).toString();
        String msg = AddressProof.challenge(address, "keysend", NODE, clock.millis() / 1000);
        destinations.set(address, DestinationKind.KEYSEND, NODE, msg, key.signMessage(msg, ScriptType.P2WPKH));
        accounts.adjust(address, sats * SAT, "test-credit", clock.millis());
        return address;
    }

    void assertInvariants(long creditedMsat) {
        Accounts.CheckReport r = accounts.check();
        assertTrue(r.ok(), r.problems().toString());
        assertTrue(lnd.maxSettledPerHash() <= 1, "a payment hash settled twice");
        long succeededMsat = 0;
        long fees = 0;
        for (PayoutEngine.Payout p : PayoutEngine.list(db, List.of("succeeded"), 1000)) {
            succeededMsat += p.amountMsat();
            fees += p.feePaidMsat();
        }
        assertEquals(lnd.totalSettledMsat(), succeededMsat, "stand-in settled exactly what the ledger says was paid");
        assertEquals(creditedMsat - succeededMsat - fees - openReservations(), r.totalMsat(), "no credit lost");
    }

    long openReservations() {
        return PayoutEngine.list(db, List.of("reserved", "in_flight"), 1000).stream()
                .mapToLong(p -> p.amountMsat() + p.feeLimitMsat()).sum();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void paysOnceAndBalances(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(50_000);
        String b = miner(5_000); // below threshold
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        List<PayoutEngine.Outcome> out = e.runCycle();
        assertEquals(1, out.size(), out.toString());
        PayoutEngine.Settled s = assertInstanceOf(PayoutEngine.Settled.class, out.getFirst());
        assertEquals(a, s.account());
        assertEquals(7, s.feeMsat());
        assertTrue(e.runCycle().isEmpty(), "remaining dust is below the threshold");
        assertEquals(5_000 * SAT, accounts.balanceMsat(b));
        assertInvariants(55_000 * SAT);
        assertTrue(AuditLog.verify(tmp.resolve("audit.jsonl")).ok());
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void crashBeforeSendThenReconcile(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        PayoutEngine crashing = engine((point, id) -> {
            if (point.equals("before-send")) {
                throw new SimulatedCrash(point);
            }
        }, Duration.ofSeconds(5));
        assertThrows(SimulatedCrash.class, () -> crashing.payAccount(a));
        crashing.close();
        assertEquals(0, lnd.sends());
        assertInvariants(20_000 * SAT);
        PayoutEngine restarted = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        List<PayoutEngine.Outcome> out = restarted.runCycle();
        assertInstanceOf(PayoutEngine.Settled.class, out.getFirst(), out.toString());
        assertEquals(1, lnd.sends());
        assertInvariants(20_000 * SAT);
        restarted.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void crashAfterSendBeforeCommitThenReconcile(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        PayoutEngine crashing = engine((point, id) -> {
            if (point.equals("after-send")) {
                throw new SimulatedCrash(point);
            }
        }, Duration.ofSeconds(5));
        assertThrows(SimulatedCrash.class, () -> crashing.payAccount(a));
        crashing.close();
        assertEquals(1, lnd.maxSettledPerHash(), "LND paid");
        PayoutEngine restarted = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        List<PayoutEngine.Outcome> out = restarted.reconcile();
        assertInstanceOf(PayoutEngine.Settled.class, out.getFirst(), out.toString());
        assertTrue(restarted.runCycle().isEmpty(), "nothing left to pay");
        assertEquals(1, lnd.sends(), "never re-sent");
        assertInvariants(20_000 * SAT);
        restarted.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void transportLossAfterPaymentIsSettledByTrack(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        lnd.queue(FakeLnd.Mode.DROP_AFTER_SUCCESS);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        assertInstanceOf(PayoutEngine.Settled.class, e.payAccount(a));
        assertInvariants(20_000 * SAT);
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void unknownIsRetriedWithTheSameHash(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        lnd.queue(FakeLnd.Mode.DROP_BEFORE_RECORD);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        PayoutEngine.Pending p = assertInstanceOf(PayoutEngine.Pending.class, e.payAccount(a));
        String hash = e.find(p.payoutId()).orElseThrow().paymentHashHex();
        assertInvariants(20_000 * SAT);
        List<PayoutEngine.Outcome> out = e.runCycle();
        assertInstanceOf(PayoutEngine.Settled.class, out.getFirst(), out.toString());
        PayoutEngine.Payout done = e.find(p.payoutId()).orElseThrow();
        assertEquals(hash, done.paymentHashHex());
        assertEquals(2, done.attempts());
        assertEquals(List.of("DROP_BEFORE_RECORD " + hash, "SUCCEED " + hash), lnd.log);
        assertInvariants(20_000 * SAT);
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void lndRestartWhileInFlight(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        lnd.queue(FakeLnd.Mode.HANG);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofMillis(1500));
        assertInstanceOf(PayoutEngine.Pending.class, e.payAccount(a));
        // still in flight: a cycle neither re-sends nor starts a second payout for the account
        List<PayoutEngine.Outcome> again = e.runCycle();
        assertInstanceOf(PayoutEngine.Pending.class, again.getFirst(), again.toString());
        assertEquals(1, lnd.sends());
        assertInvariants(20_000 * SAT);
        lnd.restart(true);
        List<PayoutEngine.Outcome> out = e.runCycle();
        assertInstanceOf(PayoutEngine.Settled.class, out.getFirst(), out.toString());
        assertEquals(1, lnd.sends());
        assertInvariants(20_000 * SAT);
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void failuresReleaseAndTheNextCyclePays(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        String b = miner(30_000);
        lnd.queue(FakeLnd.Mode.NO_ROUTE, FakeLnd.Mode.INSUFFICIENT_BALANCE);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        List<PayoutEngine.Outcome> first = e.runCycle();
        assertEquals(2, first.size());
        first.forEach(o -> assertInstanceOf(PayoutEngine.Released.class, o, first.toString()));
        assertTrue(first.stream().map(o -> ((PayoutEngine.Released) o).reason()).toList().containsAll(
                List.of("payment failed: FAILURE_REASON_NO_ROUTE", "payment failed: FAILURE_REASON_INSUFFICIENT_BALANCE")), first.toString());
        assertEquals(20_000 * SAT, accounts.balanceMsat(a));
        assertEquals(30_000 * SAT, accounts.balanceMsat(b));
        assertInvariants(50_000 * SAT);
        List<PayoutEngine.Outcome> second = e.runCycle();
        second.forEach(o -> assertInstanceOf(PayoutEngine.Settled.class, o, second.toString()));
        assertInvariants(50_000 * SAT);
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void timeoutThenLndFailsIt(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        lnd.queue(FakeLnd.Mode.HANG);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofMillis(1000));
        assertInstanceOf(PayoutEngine.Pending.class, e.payAccount(a));
        lnd.resolveHanging(false);
        List<PayoutEngine.Outcome> out = e.reconcile();
        assertInstanceOf(PayoutEngine.Released.class, out.getFirst(), out.toString());
        assertEquals(20_000 * SAT, accounts.balanceMsat(a));
        assertInvariants(20_000 * SAT);
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite"})
    void refusedSendIsReleasedOnlyWhenLndNeverRecordedIt(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        lnd.queue(FakeLnd.Mode.REJECT);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        PayoutEngine.Released r = assertInstanceOf(PayoutEngine.Released.class, e.payAccount(a));
        assertTrue(r.reason().contains("invoice expired"), r.reason());
        assertEquals(0, lnd.sends());
        assertInvariants(20_000 * SAT);
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite"})
    void manyParallelPayoutsEachOnce(String dialect) throws Exception {
        setUp(dialect);
        for (int i = 0; i < 12; i++) {
            miner(10_000 + i);
        }
        lnd.queue(FakeLnd.Mode.NO_ROUTE, FakeLnd.Mode.DROP_AFTER_SUCCESS, FakeLnd.Mode.DROP_BEFORE_RECORD);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        e.runCycle();
        e.runCycle();
        e.runCycle();
        assertEquals(12, PayoutEngine.list(db, List.of("succeeded"), 100).size());
        assertInvariants(12 * 10_000 * SAT + 66 * SAT);
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite"})
    void macaroonIsCheckedAndReloaded(String dialect) throws Exception {
        setUp(dialect);
        Files.write(tmp.resolve("admin.macaroon"), new byte[] {1, 2, 3});
        LndException ex = assertThrows(LndException.class, node::getInfo);
        assertEquals(LndException.Kind.BAD_MACAROON, ex.getKind());
        assertTrue(!ex.getMessage().contains(lnd.macaroonHex) && !ex.getMessage().contains("010203"));
        Files.write(tmp.resolve("admin.macaroon"), hex.parseHex(lnd.macaroonHex)); // rotated back: no restart needed
        assertEquals("fake-lnd", node.getInfo().alias());
        lnd.walletLocked = true;
        assertEquals(LndException.Kind.WALLET_LOCKED, assertThrows(LndException.class, node::getInfo).getKind());
        lnd.walletLocked = false;
        LndGrpcNode dead = new LndGrpcNode("127.0.0.1", 1, lnd.certPem, tmp.resolve("admin.macaroon"), null, Duration.ofSeconds(2));
        assertEquals(LndException.Kind.UNREACHABLE, assertThrows(LndException.class, dead::getInfo).getKind());
        dead.close();
        assertEquals(Map.of("lnd", "127.0.0.1:" + lnd.port(), "macaroon_reloads", 1), node.describe());
    }

    /** Bench notes (only with -Dhh.bench=true): 1,000 keysend payouts through the TLS stand-in, 4 in parallel. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void bench1000Payouts(String dialect) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Boolean.getBoolean("hh.bench"), "bench only with -Dhh.bench=true");
        setUp(dialect);
        for (int i = 0; i < 1000; i++) {
            accounts.adjust("m" + i, 20_000 * SAT, "bench", 0);
            try (var c = db.dataSource().getConnection(); var ps = c.prepareStatement("INSERT INTO destinations VALUES (?,'keysend',?,'-','-',1,0)")) {
                ps.setString(1, "m" + i);
                ps.setString(2, NODE);
                ps.executeUpdate();
            }
        }
        io.micrometer.core.instrument.simple.SimpleMeterRegistry reg = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        TreasuryMetrics m = new TreasuryMetrics(reg);
        PayoutEngine.Policy policy = new PayoutEngine.Policy(10_000 * SAT, 1_000_000 * SAT, 5_000, 1_000 * SAT, 30, 4, 4, "bcrt", false, Duration.ofSeconds(10));
        PayoutEngine e = new PayoutEngine(db, node, destinations, new LnurlPay(Duration.ofSeconds(2), true), policy, audit, m, clock, PayoutEngine.NO_FAULTS);
        long t0 = System.nanoTime();
        e.runCycle();
        double secs = (System.nanoTime() - t0) / 1e9;
        var snap = m.latencyTimer().takeSnapshot();
        System.out.printf("BENCH %s 1000 payouts: %.2f s, %.0f payouts/s, latency mean %.1f ms max %.1f ms%n", dialect, secs, 1000 / secs,
                snap.mean(java.util.concurrent.TimeUnit.MILLISECONDS), snap.max(java.util.concurrent.TimeUnit.MILLISECONDS));
        assertEquals(1000, PayoutEngine.list(db, List.of("succeeded"), 2000).size());
        assertInvariants(1000 * 20_000 * SAT);
        e.close();
    }

    static final class SimulatedCrash extends RuntimeException {
        SimulatedCrash(String point) {
            super("simulated crash at " + point);
        }
    }
}
