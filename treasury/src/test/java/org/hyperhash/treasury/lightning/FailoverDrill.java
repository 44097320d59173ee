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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.ScriptType;
import org.bitcoinj.crypto.ECKey;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.Lease;
import org.hyperhash.treasury.Accounts;
import org.hyperhash.treasury.BitcoindRpc;
import org.hyperhash.treasury.TreasuryConfig;
import org.hyperhash.treasury.TreasuryDaemon;
import org.hyperhash.treasury.proof.AddressProof;

/**
 * The treasury failover drill of issue 17, shared by {@code TreasuryFailoverIT} and e2e
 * {@code PoolsAndTreasuriesFailoverIT}: treasuries on one PostgreSQL ledger against the TLS + macaroon LND stand-in.
 * Phase 1: leader A is a child JVM, killed with SIGKILL while its first payment is in flight; standby B takes over.
 * Phase 2: C (through a TCP proxy) takes over from a cleanly stopped B; C's database stalls for longer than the lease
 * while C holds a reserved payout; B2 takes over and pays; C wakes up, is fenced and sends nothing. {@link #paid}
 * checks what every such run must end with. Owns the child process and the daemons it starts ({@link #close}).
 */
final class FailoverDrill implements AutoCloseable {
    static final long SAT = 1000;
    static final Duration T = Duration.ofSeconds(60);

    final Path tmp;
    final String ledgerUrl;
    final LedgerDatabase db;
    final FakeLnd lnd;
    final Path macaroon;
    final BitcoindRpc bitcoind;
    final String node;
    final List<String> extraSettings;
    final InstantSource clock = InstantSource.system();
    final HttpClient http = HttpClient.newHttpClient();
    private Process a;
    /** The standby of phase 1 (closed in phase 2), the stalled leader and the final one of phase 2. */
    TreasuryDaemon b;
    TreasuryDaemon c;
    TreasuryDaemon b2;

    /**
     * @param macaroon the admin macaroon file the stand-in expects ({@link #macaroon(Path)})
     * @param bitcoind the chain as the treasuries see it
     * @param node the keysend destination of {@link #miner}
     * @param extraSettings treasury {@code --set} values on top of the drill's
     */
    FailoverDrill(Path tmp, String ledgerUrl, LedgerDatabase db, FakeLnd lnd, Path macaroon, BitcoindRpc bitcoind,
            String node, List<String> extraSettings) {
        this.tmp = tmp;
        this.ledgerUrl = ledgerUrl;
        this.db = db;
        this.lnd = lnd;
        this.macaroon = macaroon;
        this.bitcoind = bitcoind;
        this.node = node;
        this.extraSettings = List.copyOf(extraSettings);
    }

    /** Writes a random admin macaroon to {@code file}; returns its bytes (the stand-in's expected macaroon, in hex). */
    static byte[] macaroon(Path file) throws java.io.IOException {
        byte[] bytes = new byte[40];
        new SecureRandom().nextBytes(bytes);
        Files.write(file, bytes);
        return bytes;
    }

    static void await(BooleanSupplier c, String what) throws InterruptedException {
        await(c, () -> what);
    }

    static void await(BooleanSupplier c, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + T.toNanos();
        while (!c.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out waiting for: " + what.get());
            Thread.sleep(25);
        }
    }

    /** The treasury settings of the drill's member {@code id} on ledger {@code url}. */
    List<String> settings(String url, String id) {
        List<String> s = new ArrayList<>(List.of("network=regtest", "ledger.url=\"" + url + "\"",
                "admin.listen=\"127.0.0.1:0\"", "bitcoind.url=\"\"", "audit-log=\"" + tmp.resolve(id + "-audit.jsonl") + "\"",
                "poll-interval=200ms", "maturity.confirmations=1", "pplns.snapshot-delay=1s", "lnd.host=\"127.0.0.1\"",
                "lnd.port=" + lnd.port(), "lnd.tls-cert-file=\"" + lnd.certPem + "\"", "lnd.macaroon-file=\"" + macaroon + "\"",
                "lnd.call-timeout=3s", "payouts.send-wait=1s", "payouts.dry-run=false", "leader.lease=4s",
                "leader.renew-interval=500ms", "leader.id=\"" + id + "\""));
        s.addAll(extraSettings);
        return s;
    }

    /** A started in-process treasury. */
    TreasuryDaemon daemon(String url, String id, PayoutEngine.FaultHook faults) throws Exception {
        TreasuryConfig cfg = TreasuryConfig.from(DaemonConfig.load(null, settings(url, id), "TREASURY_TEST_NONE",
                TreasuryConfig.ROOT));
        TreasuryDaemon d = new TreasuryDaemon(cfg, clock, bitcoind, faults);
        d.start();
        return d;
    }

    /** The admin API's answer to {@code path}, or "" when it cannot be reached. */
    String get(TreasuryDaemon d, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.adminAddress().getPort() + path))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    /** A regtest miner address with a keysend destination to {@link #node} (real BIP137 proof). */
    String miner(Destinations dest) throws Exception {
        return miner(dest, node);
    }

    /** A regtest miner address with a keysend destination to {@code node} (real BIP137 proof). */
    static String miner(Destinations dest, String node) throws Exception {
        ECKey key = new ECKey();
        String address = key.toAddress(ScriptType.P2WPKH, BitcoinNetwork.REGTEST).toString();
        String msg = AddressProof.challenge(address, "keysend", node, InstantSource.system().millis() / 1000);
        dest.set(address, DestinationKind.KEYSEND, node, msg, key.signMessage(msg, ScriptType.P2WPKH));
        return address;
    }

    static Lease.Holder leader(LedgerDatabase db) {
        return new Lease(db, TreasuryDaemon.LEADER_LEASE, "observer", "", Duration.ofSeconds(1)).current().orElseThrow();
    }

    static long openPayouts(LedgerDatabase db) {
        return PayoutEngine.list(db, List.of("reserved", "in_flight"), 1000).size();
    }

    /**
     * Phase 1, first half: the child-process leader A starts and leads, standby {@link #b} starts and stands by, and
     * A's first payment is in flight (the stand-in holds it).
     */
    void childLeadsWithAPaymentInFlight() throws Exception {
        lnd.queue(FakeLnd.Mode.HANG);
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), TreasuryChildMain.class.getName()));
        for (String s : settings(ledgerUrl, "child-a")) {
            cmd.add("--set");
            cmd.add(s);
        }
        a = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child-a.log").toFile()).start();
        await(() -> {
            try {
                return leader(db).holder().startsWith("child-a:");
            } catch (RuntimeException e) {
                return false;
            }
        }, "child treasury A leads");
        b = daemon(ledgerUrl, "b", PayoutEngine.NO_FAULTS);
        assertFalse(b.lease().held(), "B stands by while A leads");
        await(() -> lnd.sends() >= 1 && openPayouts(db) >= 1, "A has a payment in flight");
    }

    /** Phase 1, second half: A is killed with SIGKILL (no shutdown hook, no lease release); B takes over. Returns ms. */
    long killChildLeader() throws Exception {
        long tokenA = leader(db).token();
        long killedAt = System.nanoTime();
        a.destroyForcibly();
        assertTrue(a.waitFor(10, TimeUnit.SECONDS));
        TreasuryDaemon fb = b;
        await(() -> fb.lease().held(), "B takes over");
        long takeoverMs = (System.nanoTime() - killedAt) / 1_000_000;
        assertTrue(b.lease().token() > tokenA, "a takeover bumps the token");
        return takeoverMs;
    }

    /**
     * Phase 2: C (through a proxy that will stall) starts, B stops cleanly and C takes over at once; B2 starts; a new
     * account (carol, 50 000 sat) makes C reserve a payout, which C holds right before marking it in flight; C's
     * database stalls for longer than the lease while C keeps running; B2 takes over, reconciles C's reserved payout
     * (LND never saw the hash) and pays it once; C wakes up, tries to carry on, is fenced and sends nothing.
     *
     * @return the msat credited to carol
     */
    long handOverThenStallTheLeader(Accounts accounts, Destinations dest) throws Exception {
        try (StallProxy proxy = new StallProxy(new InetSocketAddress("127.0.0.1", 5432))) {
            String viaProxy = ledgerUrl.replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port());
            assertFalse(viaProxy.equals(ledgerUrl), "the ledger is reached through the proxy");
            CountDownLatch cAtSend = new CountDownLatch(1);
            CountDownLatch letCGo = new CountDownLatch(1);
            c = daemon(viaProxy, "c", (point, id) -> {
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
            b2 = daemon(ledgerUrl, "b2", PayoutEngine.NO_FAULTS);
            String carol = miner(dest);
            long credit = 50_000 * SAT;
            accounts.adjust(carol, credit, "seed-2", clock.millis());
            assertTrue(cAtSend.await(30, TimeUnit.SECONDS), "C reserved a payout");
            long tokenC = c.lease().token();
            proxy.stall();
            TreasuryDaemon fb2 = b2;
            await(() -> fb2.lease().held(), "B2 takes over from the stalled C");
            assertTrue(b2.lease().token() > tokenC, "a takeover bumps the token");
            await(() -> !fc.lease().held(), "C's local view of its lease ran out");
            assertTrue(get(c, "/metrics").contains("hh_treasury_leader{service=\"treasury\"} 0.0"),
                    "C reports standby while stalled");
            await(() -> accounts.balanceMsat(carol) < 10_000 * SAT && openPayouts(db) == 0, "B2 pays carol");
            int sendsBefore = lnd.sends();
            proxy.resume();
            letCGo.countDown();
            await(() -> get(fc, "/v1/status").contains("fenced"), "C's write was refused by the fence");
            Thread.sleep(1_000); // room for a send the fence failed to stop
            assertEquals(sendsBefore, lnd.sends(), "the deposed leader sent nothing");
            assertFalse(c.lease().held());
            assertTrue(b2.lease().held());
            assertEquals(b2.lease().holder(), leader(db).holder());
            return credit;
        }
    }

    /**
     * What every run ends with (after {@link #close}): no payment hash settled twice or sent again, the accounts
     * check passes, the stand-in settled exactly what the ledger says was paid, and no payout is open.
     */
    Paid paid(Accounts accounts) {
        assertTrue(lnd.maxSettledPerHash() <= 1, "a payment hash settled twice");
        assertEquals(0, lnd.duplicateAttempts(), "a hash LND had paid or was paying was sent again");
        Accounts.CheckReport r = accounts.check();
        assertTrue(r.ok(), r.problems().toString());
        long paid = 0;
        long fees = 0;
        Set<String> paidAccounts = new HashSet<>();
        List<PayoutEngine.Payout> succeeded = PayoutEngine.list(db, List.of("succeeded"), 1000);
        for (PayoutEngine.Payout p : succeeded) {
            paid += p.amountMsat();
            fees += p.feePaidMsat();
            paidAccounts.add(p.account());
        }
        assertEquals(lnd.totalSettledMsat(), paid, "the stand-in settled exactly what the ledger says was paid");
        assertEquals(0, openPayouts(db));
        return new Paid(paid, fees, succeeded.size(), Set.copyOf(paidAccounts), r.totalMsat());
    }

    /**
     * @param msat paid out, fees excluded
     * @param feesMsat routing fees paid
     * @param payouts succeeded payouts
     * @param accounts accounts paid
     * @param ledgerTotalMsat the sum of all balances
     */
    record Paid(long msat, long feesMsat, int payouts, Set<String> accounts, long ledgerTotalMsat) {
    }

    /** Kills the child if still alive and stops every daemon the drill started. */
    @Override
    public void close() throws Exception {
        if (a != null && a.isAlive()) {
            a.destroyForcibly();
        }
        for (TreasuryDaemon d : new TreasuryDaemon[] {b, c, b2}) {
            if (d != null) {
                d.close();
            }
        }
        b = null;
        c = null;
        b2 = null;
    }
}
