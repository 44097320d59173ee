package org.hyperhash.treasury.lightning;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.hyperhash.ledger.Jdbc;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.ledger.LedgerException;
import org.hyperhash.treasury.Accounts;
import org.hyperhash.treasury.AuditLog;
import org.hyperhash.treasury.EntryKind;
import org.hyperhash.treasury.TreasuryException;
import org.hyperhash.treasury.TreasuryMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pays miner balances over Lightning without ever paying twice or losing a credit.
 *
 * <p>Per payout: (1) resolve the destination into a payment hash (BOLT11 / LNURL invoice, or a fresh keysend
 * preimage) - no money state yet; (2) one transaction inserts the payout row (hash, preimage, amount, fee limit)
 * and the reserve entry (amount + fee limit); (3) SendPaymentV2; (4) one transaction settles (refunding the unused
 * fee limit) or releases (returning the reservation). Any outcome we cannot interpret leaves the row in flight.
 *
 * <p>{@link #reconcile()} runs before any new payout (at start and every cycle): each open row is looked up with
 * TrackPaymentV2; terminal states settle/release, NOT_FOUND is re-sent with the same hash (LND refuses a second
 * payment for a hash it has paid or is paying), anything else waits. A row is released only on LND's terminal
 * FAILED, or when LND refused the request and then reports it never recorded the hash.
 */
public final class PayoutEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PayoutEngine.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final String PAUSED_KEY = "payouts_paused";

    /**
     * @param thresholdMsat    pay when the balance reaches this
     * @param maxPayoutMsat    cap per payout (the rest waits for the next one)
     * @param feeLimitPpm      routing fee limit relative to the amount
     * @param feeLimitMaxMsat  absolute routing fee cap
     * @param timeoutSeconds   LND's payment timeout
     * @param maxParts         MPP parts
     * @param maxParallel      payouts in flight at once
     * @param lnNetwork        bc, tb, tbs or bcrt
     * @param dryRun           compute and log payouts, send nothing, change no balance
     * @param sendWait         how long one send/track call waits for a terminal state
     */
    public record Policy(long thresholdMsat, long maxPayoutMsat, long feeLimitPpm, long feeLimitMaxMsat, int timeoutSeconds,
                         int maxParts, int maxParallel, String lnNetwork, boolean dryRun, Duration sendWait) {
        public Policy {
            if (thresholdMsat < 1000) {
                throw new TreasuryException("payouts.threshold-sats must be >= 1");
            }
            if (maxPayoutMsat < thresholdMsat) {
                throw new TreasuryException("payouts.max-payout-sats must be >= payouts.threshold-sats");
            }
            if (feeLimitPpm < 0 || feeLimitPpm > 1_000_000 || feeLimitMaxMsat < 0) {
                throw new TreasuryException("payouts.fee-limit-ppm must be in [0, 1000000] and fee-limit-max-sats >= 0");
            }
            if (maxParallel < 1 || maxParts < 1 || timeoutSeconds < 1) {
                throw new TreasuryException("payouts.max-parallel, max-parts and timeout must be >= 1");
            }
        }
    }

    /**
     * Crash points for fault-injection tests ("before-send": reserved, not marked; "before-rpc": marked in flight,
     * SendPaymentV2 not called; "after-send": LND answered, nothing committed); production uses {@link #NO_FAULTS}.
     */
    public interface FaultHook {
        void at(String point, String payoutId);
    }

    public static final FaultHook NO_FAULTS = (p, id) -> { };

    /** A payout row. */
    public record Payout(String payoutId, String account, DestinationKind kind, String destination, String paymentRequest,
                         String paymentHashHex, String keysendPreimageHex, long amountMsat, long feeLimitMsat, Long feePaidMsat,
                         String status, int attempts, String failureReason, long createdAtMs, long updatedAtMs) {
        @Override
        public String toString() {
            return "Payout[" + payoutId + " " + account + " " + amountMsat + " msat " + status + " hash " + paymentHashHex + "]";
        }
    }

    /** What happened to one account's payout attempt. */
    public sealed interface Outcome permits Skipped, DryRun, Settled, Released, Pending, Rejected {
    }

    /** Not eligible (below threshold, no destination, paused, already open). */
    public record Skipped(String account, String reason) implements Outcome {
    }

    /** Dry run: what would have been paid. */
    public record DryRun(String account, long amountMsat, long feeLimitMsat, String destination) implements Outcome {
    }

    /** Paid. */
    public record Settled(String payoutId, String account, long amountMsat, long feeMsat) implements Outcome {
    }

    /** Failed definitively; the reservation went back to the balance. */
    public record Released(String payoutId, String account, String reason) implements Outcome {
    }

    /** Outcome unknown or still in flight; reconciled later with the same hash. */
    public record Pending(String payoutId, String account, String reason) implements Outcome {
    }

    /** The destination could not be resolved (bad invoice, LNURL mismatch): nothing reserved, nothing paid. */
    public record Rejected(String account, String reason) implements Outcome {
    }

    private final LedgerDatabase db;
    private final LightningNode node;
    private final Destinations destinations;
    private final LnurlPay lnurl;
    private final Policy policy;
    private final AuditLog audit;
    private final TreasuryMetrics metrics;
    private final InstantSource clock;
    private final FaultHook faults;
    private final java.util.function.BooleanSupplier maySend;
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore slots;

    public PayoutEngine(LedgerDatabase db, LightningNode node, Destinations destinations, LnurlPay lnurl, Policy policy,
                        AuditLog audit, TreasuryMetrics metrics, InstantSource clock, FaultHook faults) {
        this(db, node, destinations, lnurl, policy, audit, metrics, clock, faults, () -> true);
    }

    /**
     * @param maySend asked right before every SendPaymentV2 (after the in-flight mark committed): false leaves the
     *                payout in flight for whoever holds the treasury lease next to reconcile. The daemon passes its
     *                lease's local deadline, so a leader that may have lost its lease sends nothing.
     */
    public PayoutEngine(LedgerDatabase db, LightningNode node, Destinations destinations, LnurlPay lnurl, Policy policy,
                        AuditLog audit, TreasuryMetrics metrics, InstantSource clock, FaultHook faults,
                        java.util.function.BooleanSupplier maySend) {
        this.maySend = maySend;
        this.db = db;
        this.node = node;
        this.destinations = destinations;
        this.lnurl = lnurl;
        this.policy = policy;
        this.audit = audit;
        this.metrics = metrics;
        this.clock = clock;
        this.faults = faults;
        this.slots = new Semaphore(policy.maxParallel());
    }

    // ---- pause / resume (stored in the ledger so the CLI and the daemon agree) ----

    public boolean paused() {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT value FROM treasury_state WHERE name = ?")) {
                ps.setString(1, PAUSED_KEY);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() && rs.getString(1).equals("true");
                }
            }
        });
    }

    /** Pauses or resumes new payouts (reconciliation of in-flight payouts continues). */
    public static void setPaused(LedgerDatabase db, boolean paused, long nowMs) {
        Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO treasury_state (name, value, updated_at_ms) VALUES (?,?,?) "
                    + "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms")) {
                ps.setString(1, PAUSED_KEY);
                ps.setString(2, Boolean.toString(paused));
                ps.setLong(3, nowMs);
                ps.executeUpdate();
            }
            return null;
        });
    }

    // ---- cycle ----

    /**
     * One payout cycle: reconcile every open payout first; if all are resolved or merely in flight and payouts
     * are not paused, pay every eligible account (bounded parallelism). Returns the outcomes.
     */
    public List<Outcome> runCycle() {
        List<Outcome> out = new ArrayList<>(reconcile());
        boolean lndUnsure = out.stream().anyMatch(o -> o instanceof Pending p && p.reason().startsWith("lnd:"));
        metrics.paused.set(paused() ? 1 : 0);
        if (lndUnsure) {
            LOG.warn("LND could not confirm the state of open payouts; no new payouts this cycle");
            return out;
        }
        if (paused()) {
            return out;
        }
        List<Future<Outcome>> futures = new ArrayList<>();
        for (String account : eligibleAccounts()) {
            if (!maySend.getAsBoolean()) {
                break;
            }
            futures.add(executor.submit(() -> withSlot(() -> payAccount(account))));
        }
        out.addAll(collect(futures));
        return out;
    }

    /** Accounts with a destination, balance >= threshold and no open payout. */
    public List<String> eligibleAccounts() {
        return Jdbc.query(db.dataSource(), c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT b.account FROM balances b JOIN destinations d ON d.account = b.account "
                    + "WHERE b.balance_msat >= ? AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p.account = b.account "
                    + "AND p.status IN ('reserved','in_flight')) ORDER BY b.account")) {
                ps.setLong(1, policy.thresholdMsat());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** Reconciles every open payout (reserved or in flight) with LND. */
    public List<Outcome> reconcile() {
        List<Future<Outcome>> futures = new ArrayList<>();
        for (Payout p : list(List.of("reserved", "in_flight"), 100_000)) {
            futures.add(executor.submit(() -> withSlot(() -> reconcile(p))));
        }
        List<Outcome> out = collect(futures);
        metrics.inFlight.set(countOpen());
        return out;
    }

    private Outcome withSlot(java.util.concurrent.Callable<Outcome> task) throws Exception {
        slots.acquire();
        try {
            return task.call();
        } finally {
            slots.release();
        }
    }

    private List<Outcome> collect(List<Future<Outcome>> futures) {
        List<Outcome> out = new ArrayList<>();
        RuntimeException first = null;
        for (Future<Outcome> f : futures) {
            try {
                out.add(f.get());
            } catch (ExecutionException e) {
                LOG.error("payout task failed: {}", e.getCause().toString());
                if (first == null && e.getCause() instanceof RuntimeException re) {
                    first = re;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TreasuryException("interrupted");
            }
        }
        if (first != null) {
            throw first;
        }
        return out;
    }

    // ---- one account ----

    /** Pays {@code account} now if eligible (balance at or above the threshold). */
    public Outcome payAccount(String account) {
        return payAccount(account, false);
    }

    /** Prefix of the treasury_state rows that hold queued manual payout requests (one per account). */
    static final String MANUAL_PREFIX = "manual-payout:";
    /** Queued manual requests at most (one row per account; more is refused, not dropped). */
    static final int MAX_MANUAL_REQUESTS = 1000;

    /**
     * Queues a manual payout of {@code account}'s whole balance (any amount above the fee limit, ignoring the
     * threshold). The running treasury pays it on its next pass, so exactly one process ever sends payments.
     *
     * @return false when a request for this account is already queued
     */
    public static boolean requestManualPayout(LedgerDatabase db, String account, long nowMs) {
        if (account == null || account.isBlank() || account.length() > 200 || account.startsWith("@")) {
            throw new TreasuryException("not a miner account: " + account);
        }
        return Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM treasury_state WHERE name LIKE ?")) {
                count.setString(1, MANUAL_PREFIX + "%");
                try (ResultSet rs = count.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= MAX_MANUAL_REQUESTS) {
                        throw new TreasuryException(MAX_MANUAL_REQUESTS + " manual payouts are already queued; "
                                + "is the treasury daemon running?");
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO treasury_state (name, value, updated_at_ms) VALUES (?,?,?) "
                    + "ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, MANUAL_PREFIX + account);
                ps.setString(2, Long.toString(nowMs));
                ps.setLong(3, nowMs);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Runs the queued manual payouts (the daemon calls this each pass, after {@link #runCycle()}). A request is
     * removed before it is attempted, so one that fails is reported (log, audit) and not retried in a loop.
     */
    public List<Outcome> runManualRequests() {
        List<String> accounts = Jdbc.query(db.dataSource(), c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name FROM treasury_state WHERE name LIKE ? ORDER BY updated_at_ms, name")) {
                ps.setString(1, MANUAL_PREFIX + "%");
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1).substring(MANUAL_PREFIX.length()));
                    }
                }
            }
            return out;
        });
        List<Outcome> outcomes = new ArrayList<>();
        for (String account : accounts) {
            Jdbc.inTransaction(db.dataSource(), c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM treasury_state WHERE name = ?")) {
                    ps.setString(1, MANUAL_PREFIX + account);
                    return ps.executeUpdate();
                }
            });
            Outcome o;
            try {
                o = payAccount(account, true);
            } catch (TreasuryException e) {
                o = new Rejected(account, e.getMessage());
            }
            audit.append("payout.manual", Map.of("account", account, "outcome", o.getClass().getSimpleName()));
            LOG.info("manual payout of {}: {}", account, o);
            outcomes.add(o);
        }
        return outcomes;
    }

    /** Pays {@code account} now if eligible; {@code manual} pays any balance that covers the fee limit. */
    public Outcome payAccount(String account, boolean manual) {
        if (paused()) {
            return new Skipped(account, "payouts are paused");
        }
        Optional<Destinations.Destination> dest = destinations.find(account);
        if (dest.isEmpty()) {
            return new Skipped(account, "no payout destination set");
        }
        long balance = Jdbc.query(db.dataSource(), c -> Accounts.balance(c, account));
        Destinations.Destination d = dest.get();
        long amount;
        Bolt11Invoice fixed = null;
        if (d.kind() == DestinationKind.BOLT11) {
            try {
                fixed = Bolt11Invoice.decode(d.destination());
            } catch (IllegalArgumentException e) {
                return reject(account, e.getMessage());
            }
        }
        if (fixed != null && fixed.amountMsat().isPresent()) {
            amount = fixed.amountMsat().getAsLong();
            if (amount > policy.maxPayoutMsat()) {
                return reject(account, "invoice amount " + amount + " msat exceeds payouts.max-payout-sats");
            }
            if (Math.addExact(amount, feeLimit(amount)) > balance) {
                return new Skipped(account, "balance " + balance + " msat does not cover the invoice plus fee limit");
            }
        } else {
            if (!manual && balance < policy.thresholdMsat()) {
                return new Skipped(account, "balance below threshold");
            }
            amount = mulDiv(balance, 1_000_000, 1_000_000 + policy.feeLimitPpm());
            amount = Math.min(amount, policy.maxPayoutMsat());
            amount -= amount % 1000;
            while (amount > 0 && amount + feeLimit(amount) > balance) {
                amount -= 1000;
            }
            if (amount <= 0) {
                return new Skipped(account, "balance too small after the fee limit");
            }
        }
        long fee = feeLimit(amount);
        if (policy.dryRun()) {
            metrics.payout(TreasuryMetrics.Result.DRY_RUN);
            audit.append("payout.dry_run", Map.of("account", account, "amount_msat", amount, "fee_limit_msat", fee,
                    "destination_kind", d.kind().dbName()));
            return new DryRun(account, amount, fee, d.destination());
        }
        // resolve the destination before any money state changes
        String paymentRequest = null;
        String hash;
        String preimage = null;
        String destPubkey = null;
        long nowS = clock.millis() / 1000;
        try {
            switch (d.kind()) {
                case BOLT11 -> {
                    if (!fixed.network().equals(policy.lnNetwork())) {
                        return reject(account, "invoice network '" + fixed.network() + "' is not '" + policy.lnNetwork() + "'");
                    }
                    if (fixed.expiredAt(nowS)) {
                        return reject(account, "invoice expired");
                    }
                    paymentRequest = fixed.paymentRequest();
                    hash = fixed.paymentHashHex();
                }
                case LIGHTNING_ADDRESS -> {
                    Bolt11Invoice inv = lnurl.fetchInvoice(d.destination(), amount, policy.lnNetwork(), nowS);
                    paymentRequest = inv.paymentRequest();
                    hash = inv.paymentHashHex();
                }
                case KEYSEND -> {
                    byte[] p = new byte[32];
                    random.nextBytes(p);
                    preimage = HEX.formatHex(p);
                    hash = HEX.formatHex(Bolt11Invoice.sha256(p));
                    destPubkey = d.destination();
                }
                default -> throw new IllegalStateException();
            }
        } catch (LnurlPay.LnurlException e) {
            metrics.error("lnurl");
            return reject(account, e.getMessage());
        }
        String payoutId = "po-" + HEX.formatHex(randomBytes(12));
        long now = clock.millis();
        final String pr = paymentRequest;
        final String pre = preimage;
        final long amt = amount;
        final String h = hash;
        try {
            Jdbc.inTransaction(db.dataSource(), c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO payouts (payout_id, account, destination_kind, destination, "
                        + "payment_request, payment_hash, keysend_preimage, amount_msat, fee_limit_msat, status, attempts, dry_run, "
                        + "created_at_ms, updated_at_ms) VALUES (?,?,?,?,?,?,?,?,?,'reserved',0,0,?,?)")) {
                    ps.setString(1, payoutId);
                    ps.setString(2, account);
                    ps.setString(3, d.kind().dbName());
                    ps.setString(4, d.destination());
                    ps.setString(5, pr);
                    ps.setString(6, h);
                    ps.setString(7, pre);
                    ps.setLong(8, amt);
                    ps.setLong(9, fee);
                    ps.setLong(10, now);
                    ps.setLong(11, now);
                    ps.executeUpdate();
                }
                Accounts.append(c, account, EntryKind.PAYOUT_RESERVE, -Math.addExact(amt, fee), payoutId, now);
                if (d.kind() == DestinationKind.BOLT11) {
                    Destinations.consumeBolt11(c, account, d.destination());
                }
                return null;
            });
        } catch (Accounts.InsufficientBalance e) {
            return new Skipped(account, "balance changed: " + e.getMessage());
        } catch (LedgerException e) {
            // unique payment hash / one open payout per account: another path got there first
            return new Skipped(account, "could not reserve: " + e.getMessage());
        }
        audit.append("payout.reserved", Map.of("payout_id", payoutId, "account", account, "amount_msat", amt, "fee_limit_msat", fee,
                "payment_hash", h, "destination_kind", d.kind().dbName()));
        faults.at("before-send", payoutId);
        Payout p = find(payoutId).orElseThrow();
        return send(p);
    }

    private Outcome reject(String account, String reason) {
        metrics.payout(TreasuryMetrics.Result.REFUSED);
        audit.append("payout.rejected", Map.of("account", account, "reason", reason));
        LOG.warn("payout to {} rejected: {}", account, reason);
        return new Rejected(account, reason);
    }

    private Outcome send(Payout p) {
        long now = clock.millis();
        Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE payouts SET status = 'in_flight', attempts = attempts + 1, updated_at_ms = ? "
                    + "WHERE payout_id = ? AND status IN ('reserved','in_flight')")) {
                ps.setLong(1, now);
                ps.setString(2, p.payoutId());
                ps.executeUpdate();
            }
            return null;
        });
        LightningNode.SendRequest req = new LightningNode.SendRequest(p.paymentHashHex(), p.paymentRequest(),
                p.kind() == DestinationKind.KEYSEND ? p.destination() : null, p.keysendPreimageHex(), p.amountMsat(),
                p.feeLimitMsat(), policy.timeoutSeconds(), policy.maxParts());
        faults.at("before-rpc", p.payoutId());
        if (!maySend.getAsBoolean()) {
            LOG.warn("payout {} not sent: this treasury may no longer hold the leader lease; the leader reconciles it", p.payoutId());
            return new Pending(p.payoutId(), p.account(), "not sent: leader lease not held");
        }
        LightningNode.SendOutcome o = node.send(req, policy.sendWait());
        faults.at("after-send", p.payoutId());
        return switch (o) {
            case LightningNode.Sent s -> finish(p, s.terminal());
            case LightningNode.Refused r -> afterUncertain(p, r.message(), true);
            case LightningNode.Unknown u -> afterUncertain(p, u.message(), false);
        };
    }

    private Outcome afterUncertain(Payout p, String why, boolean refused) {
        LightningNode.TrackOutcome t = node.track(p.paymentHashHex(), policy.sendWait());
        return switch (t) {
            case LightningNode.Tracked tr -> finish(p, tr.terminal());
            case LightningNode.NotFound nf -> {
                if (refused) {
                    yield release(p, "LND refused: " + why);
                }
                metrics.payout(TreasuryMetrics.Result.UNKNOWN);
                yield new Pending(p.payoutId(), p.account(), "not recorded by LND after: " + why + "; will resend with the same hash");
            }
            case LightningNode.StillInFlight s -> new Pending(p.payoutId(), p.account(), "in flight");
            case LightningNode.TrackUnknown u -> {
                metrics.error("lnd");
                metrics.payout(TreasuryMetrics.Result.UNKNOWN);
                yield new Pending(p.payoutId(), p.account(), "lnd: " + u.message());
            }
        };
    }

    /** Reconciles one open payout. */
    Outcome reconcile(Payout p) {
        LightningNode.TrackOutcome t = node.track(p.paymentHashHex(), policy.sendWait());
        return switch (t) {
            case LightningNode.Tracked tr -> finish(p, tr.terminal());
            case LightningNode.NotFound nf -> {
                audit.append("payout.resend", Map.of("payout_id", p.payoutId(), "payment_hash", p.paymentHashHex(), "attempt", p.attempts() + 1));
                yield send(p);
            }
            case LightningNode.StillInFlight s -> new Pending(p.payoutId(), p.account(), "in flight");
            case LightningNode.TrackUnknown u -> {
                metrics.error("lnd");
                yield new Pending(p.payoutId(), p.account(), "lnd: " + u.message());
            }
        };
    }

    private Outcome finish(Payout p, LightningNode.Terminal t) {
        return t.succeeded() ? settle(p, t.feeMsat()) : release(p, "payment failed: " + t.failureReason());
    }

    private Outcome settle(Payout p, long feeMsat) {
        long now = clock.millis();
        long refund = p.feeLimitMsat() - feeMsat;
        boolean applied = Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE payouts SET status = 'succeeded', fee_paid_msat = ?, settled_at_ms = ?, "
                    + "updated_at_ms = ? WHERE payout_id = ? AND status IN ('reserved','in_flight')")) {
                ps.setLong(1, feeMsat);
                ps.setLong(2, now);
                ps.setLong(3, now);
                ps.setString(4, p.payoutId());
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            if (refund > 0) {
                Accounts.append(c, p.account(), EntryKind.PAYOUT_FEE_REFUND, refund, p.payoutId(), now);
            }
            return true;
        });
        if (applied) {
            if (refund < 0) {
                LOG.error("payout {} paid {} msat fee, above its limit {} msat: the pool absorbs the difference",
                        p.payoutId(), feeMsat, p.feeLimitMsat());
            }
            metrics.payout(TreasuryMetrics.Result.SUCCEEDED);
            metrics.latency(Duration.ofMillis(Math.max(0, now - p.createdAtMs())));
            audit.append("payout.settled", Map.of("payout_id", p.payoutId(), "account", p.account(), "amount_msat", p.amountMsat(),
                    "fee_msat", feeMsat, "payment_hash", p.paymentHashHex()));
        }
        return new Settled(p.payoutId(), p.account(), p.amountMsat(), feeMsat);
    }

    private Outcome release(Payout p, String reason) {
        long now = clock.millis();
        boolean applied = Jdbc.inTransaction(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE payouts SET status = 'failed', failure_reason = ?, updated_at_ms = ? "
                    + "WHERE payout_id = ? AND status IN ('reserved','in_flight')")) {
                ps.setString(1, reason.length() > 500 ? reason.substring(0, 500) : reason);
                ps.setLong(2, now);
                ps.setString(3, p.payoutId());
                if (ps.executeUpdate() == 0) {
                    return false;
                }
            }
            Accounts.append(c, p.account(), EntryKind.PAYOUT_RELEASE, Math.addExact(p.amountMsat(), p.feeLimitMsat()), p.payoutId(), now);
            return true;
        });
        if (applied) {
            metrics.payout(TreasuryMetrics.Result.FAILED);
            audit.append("payout.released", Map.of("payout_id", p.payoutId(), "account", p.account(), "reason", reason,
                    "payment_hash", p.paymentHashHex()));
            LOG.warn("payout {} to {} failed: {}", p.payoutId(), p.account(), reason);
        }
        return new Released(p.payoutId(), p.account(), reason);
    }

    // ---- queries ----

    public long feeLimit(long amountMsat) {
        return Math.min(policy.feeLimitMaxMsat(), mulDiv(amountMsat, policy.feeLimitPpm(), 1_000_000));
    }

    static long mulDiv(long a, long b, long c) {
        return BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divide(BigInteger.valueOf(c)).longValueExact();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    public Optional<Payout> find(String payoutId) {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT + " WHERE payout_id = ?")) {
                ps.setString(1, payoutId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(read(rs)) : Optional.<Payout>empty();
                }
            }
        });
    }

    private static final String SELECT = "SELECT payout_id, account, destination_kind, destination, payment_request, payment_hash, "
            + "keysend_preimage, amount_msat, fee_limit_msat, fee_paid_msat, status, attempts, failure_reason, created_at_ms, updated_at_ms FROM payouts";

    /** Payouts with one of {@code statuses} (all when empty), newest first. */
    public List<Payout> list(List<String> statuses, int limit) {
        return list(db, statuses, limit);
    }

    /** Payouts with one of {@code statuses} (all when empty), newest first. */
    public static List<Payout> list(LedgerDatabase db, List<String> statuses, int limit) {
        return Jdbc.query(db.dataSource(), c -> {
            StringBuilder sql = new StringBuilder(SELECT);
            if (!statuses.isEmpty()) {
                sql.append(" WHERE status IN (").append("?,".repeat(statuses.size() - 1)).append("?)");
            }
            sql.append(" ORDER BY created_at_ms DESC, payout_id LIMIT ?");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                for (String s : statuses) {
                    ps.setString(i++, s);
                }
                ps.setInt(i, limit);
                List<Payout> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs));
                    }
                }
                return out;
            }
        });
    }

    private long countOpen() {
        return Jdbc.query(db.dataSource(), c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM payouts WHERE status IN ('reserved','in_flight')");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    private static Payout read(ResultSet rs) throws SQLException {
        long fee = rs.getLong(10);
        Long feePaid = rs.wasNull() ? null : fee;
        return new Payout(rs.getString(1), rs.getString(2), DestinationKind.parse(rs.getString(3)), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getLong(8), rs.getLong(9), feePaid, rs.getString(11), rs.getInt(12),
                rs.getString(13), rs.getLong(14), rs.getLong(15));
    }

    /** Status for /v1/status. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dry_run", policy.dryRun());
        m.put("paused", paused());
        m.put("open_payouts", countOpen());
        m.put("threshold_sats", policy.thresholdMsat() / 1000);
        m.putAll(node.describe());
        return m;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

}
