package org.hyperhash.treasury.lightning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Payouts through the TLS + macaroon LND stand-in with faults at every step. After each scenario: every payment
 * hash settled at most once at the stand-in, the ledger check passes, and what left the balances equals what the
 * stand-in settled plus fees.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
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
        assertEquals(0, lnd.duplicateAttempts(), "the treasury re-sent a hash LND had paid or was paying");
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
    void manualPayoutPaysBelowTheThresholdOnceAndIsRefusedForThePoolAccount(String dialect) throws Exception {
        setUp(dialect);
        String b = miner(5_000); // below the 10,000 sat threshold: the cycle leaves it alone
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        assertTrue(e.runCycle().isEmpty());
        assertTrue(PayoutEngine.requestManualPayout(db, b, System.currentTimeMillis()));
        assertFalse(PayoutEngine.requestManualPayout(db, b, System.currentTimeMillis()), "one queued request per account");
        assertThrows(org.hyperhash.treasury.TreasuryException.class,
                () -> PayoutEngine.requestManualPayout(db, org.hyperhash.treasury.Accounts.POOL_ACCOUNT, 0));
        List<PayoutEngine.Outcome> out = e.runManualRequests();
        assertEquals(1, out.size(), out.toString());
        PayoutEngine.Settled s = assertInstanceOf(PayoutEngine.Settled.class, out.getFirst());
        assertEquals(b, s.account());
        assertTrue(e.runManualRequests().isEmpty(), "the request is consumed");
        assertEquals(1, lnd.sends());
        assertInvariants(5_000 * SAT);
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
    @ValueSource(strings = {"sqlite", "postgresql"})
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
    @ValueSource(strings = {"sqlite", "postgresql"})
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
    @ValueSource(strings = {"sqlite", "postgresql"})
    void crashAfterMarkingInFlightBeforeTheRpc(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        PayoutEngine crashing = engine((point, id) -> {
            if (point.equals("before-rpc")) {
                throw new SimulatedCrash(point);
            }
        }, Duration.ofSeconds(5));
        assertThrows(SimulatedCrash.class, () -> crashing.payAccount(a));
        crashing.close();
        PayoutEngine.Payout open = PayoutEngine.list(db, List.of("in_flight"), 10).getFirst();
        assertEquals(0, lnd.sends());
        assertInvariants(20_000 * SAT);
        PayoutEngine restarted = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        List<PayoutEngine.Outcome> out = restarted.runCycle();
        assertEquals(1, out.size(), out.toString());
        assertInstanceOf(PayoutEngine.Settled.class, out.getFirst(), out.toString());
        PayoutEngine.Payout done = restarted.find(open.payoutId()).orElseThrow();
        assertEquals(open.paymentHashHex(), done.paymentHashHex(), "re-sent with the hash committed before the crash");
        assertEquals(List.of("SUCCEED " + open.paymentHashHex()), lnd.log);
        assertInvariants(20_000 * SAT);
        restarted.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void treasuryAndLndBothRestartWhileInFlightAndLndFailsIt(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        lnd.queue(FakeLnd.Mode.HANG);
        PayoutEngine first = engine(PayoutEngine.NO_FAULTS, Duration.ofMillis(1000));
        PayoutEngine.Pending p = assertInstanceOf(PayoutEngine.Pending.class, first.payAccount(a));
        String oldHash = first.find(p.payoutId()).orElseThrow().paymentHashHex();
        first.close(); // treasury dies with the payment in flight
        lnd.restart(false); // LND restarts and the payment times out there
        PayoutEngine second = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        List<PayoutEngine.Outcome> out = second.runCycle();
        assertEquals(2, out.size(), out.toString());
        PayoutEngine.Released released = assertInstanceOf(PayoutEngine.Released.class, out.get(0), out.toString());
        assertEquals(p.payoutId(), released.payoutId());
        assertTrue(released.reason().contains("FAILURE_REASON_TIMEOUT"), released.reason());
        PayoutEngine.Settled settled = assertInstanceOf(PayoutEngine.Settled.class, out.get(1), out.toString());
        String newHash = second.find(settled.payoutId()).orElseThrow().paymentHashHex();
        assertTrue(!newHash.equals(oldHash), "a failed hash is never re-used");
        assertEquals(0, lnd.payments.get(oldHash).settled);
        assertEquals(1, lnd.payments.get(newHash).settled);
        assertInvariants(20_000 * SAT);
        second.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void noNewPayoutsUntilOpenOnesAreReconciled(String dialect) throws Exception {
        setUp(dialect);
        String a = miner(20_000);
        PayoutEngine crashing = engine((point, id) -> {
            if (point.equals("after-send")) {
                throw new SimulatedCrash(point);
            }
        }, Duration.ofSeconds(5));
        assertThrows(SimulatedCrash.class, () -> crashing.payAccount(a));
        crashing.close();
        String b = miner(30_000); // credited while the treasury was down
        lnd.stop();
        PayoutEngine restarted = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(2));
        List<PayoutEngine.Outcome> held = restarted.runCycle();
        assertEquals(1, held.size(), held.toString());
        PayoutEngine.Pending pending = assertInstanceOf(PayoutEngine.Pending.class, held.getFirst());
        assertTrue(pending.reason().startsWith("lnd: LND unreachable"), pending.reason());
        assertEquals(1, PayoutEngine.list(db, List.of(), 10).size(), "nothing new reserved while LND cannot confirm the open payout");
        assertEquals(30_000 * SAT, accounts.balanceMsat(b));
        assertTrue(accounts.check().ok(), accounts.check().problems().toString()); // LND paid a; the ledger still holds its reservation
        lnd.startAgain();
        List<PayoutEngine.Outcome> out = restarted.runCycle();
        assertEquals(2, out.size(), out.toString());
        out.forEach(o -> assertInstanceOf(PayoutEngine.Settled.class, o, out.toString()));
        assertEquals(2, lnd.sends(), "a's payout was never re-sent");
        assertInvariants(50_000 * SAT);
        restarted.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void standInRecordsADuplicateSendSoTheInvariantCanFail(String dialect) throws Exception {
        setUp(dialect);
        byte[] pre = new byte[32];
        new java.security.SecureRandom().nextBytes(pre);
        String hash = hex.formatHex(Bolt11Invoice.sha256(pre));
        LightningNode.SendRequest req = new LightningNode.SendRequest(hash, null, NODE, hex.formatHex(pre), 1_000_000, 10_000, 30, 1);
        assertInstanceOf(LightningNode.Sent.class, node.send(req, Duration.ofSeconds(5)));
        LightningNode.Refused again = assertInstanceOf(LightningNode.Refused.class, node.send(req, Duration.ofSeconds(5)));
        assertTrue(again.message().contains("already paid"), again.message());
        assertEquals(1, lnd.duplicateAttempts());
        assertEquals(1, lnd.maxSettledPerHash());
    }

    /** A BOLT11 invoice from the payee node for {@code msat}, expiring in 10 minutes. */
    String invoice(ECKey payee, long msat, String network, byte[] descriptionHash) {
        byte[] h = new byte[32];
        new java.security.SecureRandom().nextBytes(h);
        return Bolt11Invoice.encode(network, java.util.OptionalLong.of(msat), clock.millis() / 1000, h, descriptionHash == null ? "payout" : null,
                descriptionHash, 600, payee);
    }

    String minerWith(long sats, DestinationKind kind, String destination) throws Exception {
        ECKey key = new ECKey();
        String address = key.toAddress(ScriptType.P2WPKH, BitcoinNetwork.REGTEST).toString();
        String msg = AddressProof.challenge(address, kind.dbName(), destination, clock.millis() / 1000);
        destinations.set(address, kind, destination, msg, key.signMessage(msg, ScriptType.P2WPKH));
        accounts.adjust(address, sats * SAT, "test-credit", clock.millis());
        return address;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void bolt11DestinationIsPaidOnceForItsExactAmount(String dialect) throws Exception {
        setUp(dialect);
        ECKey payee = new ECKey();
        String pr = invoice(payee, 15_000 * SAT, "bcrt", null);
        String a = minerWith(40_000, DestinationKind.BOLT11, pr);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        PayoutEngine.Settled s = assertInstanceOf(PayoutEngine.Settled.class, e.payAccount(a));
        assertEquals(15_000 * SAT, s.amountMsat());
        assertEquals(15_000 * SAT, lnd.payments.get(Bolt11Invoice.decode(pr).paymentHashHex()).amountMsat);
        assertTrue(destinations.find(a).isEmpty(), "a BOLT11 destination is used once");
        assertEquals(25_000 * SAT - 7, accounts.balanceMsat(a));
        assertTrue(e.runCycle().isEmpty(), "no destination left: nothing else is paid");
        // wrong network, expired, malformed: refused when set, nothing stored
        assertThrows(IllegalArgumentException.class, () -> minerWith(1, DestinationKind.BOLT11, invoice(payee, 1000, "bc", null)));
        String expired = Bolt11Invoice.encode("bcrt", java.util.OptionalLong.of(1000), clock.millis() / 1000 - 7200, new byte[32], "x", null, 600, payee);
        assertThrows(IllegalArgumentException.class, () -> minerWith(1, DestinationKind.BOLT11, expired));
        assertThrows(IllegalArgumentException.class, () -> minerWith(1, DestinationKind.BOLT11, "lnbcrt1qqqq"));
        assertEquals(1, lnd.sends());
        assertInvariants(40_000 * SAT);
        e.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void lightningAddressIsPaidOnlyWithAMatchingInvoice(String dialect) throws Exception {
        setUp(dialect);
        ECKey payee = new ECKey();
        String metadata = "[[\"text/plain\",\"hyperhash payout\"]]";
        byte[] dh = Bolt11Invoice.sha256(metadata.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.util.concurrent.atomic.AtomicLong extraMsat = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<byte[]> descHash = new java.util.concurrent.atomic.AtomicReference<>(dh);
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 8);
        int port = http.getAddress().getPort();
        http.createContext("/.well-known/lnurlp/", ex -> {
            String body = "{\"tag\":\"payRequest\",\"callback\":\"http://127.0.0.1:" + port + "/cb\",\"minSendable\":1000,"
                    + "\"maxSendable\":100000000000,\"metadata\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(metadata) + "}";
            byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        http.createContext("/cb", ex -> {
            long amount = Long.parseLong(ex.getRequestURI().getQuery().replace("amount=", ""));
            byte[] b = ("{\"pr\":\"" + invoice(payee, amount + extraMsat.get(), "bcrt", descHash.get()) + "\",\"routes\":[]}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        http.start();
        try {
            String a = minerWith(20_000, DestinationKind.LIGHTNING_ADDRESS, "alice@127.0.0.1:" + port);
            PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
            extraMsat.set(1000); // the endpoint asks for more than requested
            PayoutEngine.Rejected r1 = assertInstanceOf(PayoutEngine.Rejected.class, e.payAccount(a));
            assertTrue(r1.reason().contains("!= requested"), r1.reason());
            extraMsat.set(0);
            descHash.set(new byte[32]); // the invoice does not commit to the metadata
            PayoutEngine.Rejected r2 = assertInstanceOf(PayoutEngine.Rejected.class, e.payAccount(a));
            assertTrue(r2.reason().contains("description hash"), r2.reason());
            assertEquals(0, lnd.sends(), "nothing sent for a mismatching invoice");
            assertTrue(PayoutEngine.list(db, List.of(), 10).isEmpty(), "nothing reserved");
            assertEquals(20_000 * SAT, accounts.balanceMsat(a));
            descHash.set(dh);
            PayoutEngine.Settled s = assertInstanceOf(PayoutEngine.Settled.class, e.payAccount(a));
            assertEquals(s.amountMsat(), lnd.totalSettledMsat());
            assertTrue(s.amountMsat() + e.feeLimit(s.amountMsat()) <= 20_000 * SAT && s.amountMsat() >= 19_000 * SAT, s.toString());
            assertTrue(destinations.find(a).isPresent(), "a Lightning Address stays set");
            assertInvariants(20_000 * SAT);
            e.close();
        } finally {
            http.stop(0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void destinationNeedsAValidProofOfAddressControl(String dialect) throws Exception {
        setUp(dialect);
        ECKey key = new ECKey();
        String address = key.toAddress(ScriptType.P2WPKH, BitcoinNetwork.REGTEST).toString();
        long now = clock.millis() / 1000;
        String msg = AddressProof.challenge(address, "keysend", NODE, now);
        ECKey thief = new ECKey();
        AddressProof.InvalidProof bad = assertThrows(AddressProof.InvalidProof.class,
                () -> destinations.set(address, DestinationKind.KEYSEND, NODE, msg, thief.signMessage(msg, ScriptType.P2WPKH)));
        assertTrue(bad.getMessage().contains("does not control"), bad.getMessage());
        String other = "03" + "cd".repeat(32);
        assertThrows(AddressProof.InvalidProof.class,
                () -> destinations.set(address, DestinationKind.KEYSEND, other, msg, key.signMessage(msg, ScriptType.P2WPKH)),
                "the signature covers the destination");
        assertTrue(destinations.find(address).isEmpty(), "nothing stored without a valid proof");
        accounts.adjust(address, 20_000 * SAT, "credit", 0);
        PayoutEngine e = engine(PayoutEngine.NO_FAULTS, Duration.ofSeconds(5));
        assertInstanceOf(PayoutEngine.Skipped.class, e.payAccount(address));
        destinations.set(address, DestinationKind.KEYSEND, NODE, msg, key.signMessage(msg, ScriptType.P2WPKH));
        assertThrows(AddressProof.InvalidProof.class,
                () -> destinations.set(address, DestinationKind.KEYSEND, NODE, msg, key.signMessage(msg, ScriptType.P2WPKH)), "replay");
        assertInstanceOf(PayoutEngine.Settled.class, e.payAccount(address));
        assertInvariants(20_000 * SAT);
        e.close();
    }

    /** Bench notes (only with -Dhh.bench=true): 1,000 keysend payouts through the TLS stand-in, 4 in parallel. */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
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
