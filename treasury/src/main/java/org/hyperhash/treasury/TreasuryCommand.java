package org.hyperhash.treasury;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.Checks;
import org.hyperhash.daemon.DaemonLauncher;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonOptions;
import org.hyperhash.daemon.Redact;
import org.hyperhash.ledger.LedgerDatabase;
import org.hyperhash.treasury.lightning.DestinationKind;
import org.hyperhash.treasury.lightning.Destinations;
import org.hyperhash.treasury.lightning.PayoutEngine;
import org.hyperhash.treasury.proof.AddressProof;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hh treasury}: without a subcommand (or with {@code run}) runs the daemon; the other subcommands operate
 * on the ledger directly (they may run while the daemon runs: pause/resume are read by the daemon each cycle).
 * The daemon options ({@code --config}, {@code --set}, {@code --init} ...) work before or after the verb:
 * {@code hh treasury --config F check} is {@code hh treasury check --config F}. No command but the daemon's start,
 * {@code restore} and {@code --init} creates a ledger: a ledger URL that points at nothing is an error naming
 * {@code ledger.url}, never a fresh empty ledger that reports "OK".
 * Exit codes: 0 ok, 1 failure (check found problems, audit mismatch ...), 2 configuration error (also: bad input).
 */
@Command(name = "treasury", mixinStandardHelpOptions = true, description = {"Ledger, PPLNS and Lightning payouts.",
        "Options before the verb apply to it: hh treasury --config /etc/hyperhash/treasury.conf check"},
        subcommands = {TreasuryCommand.Run.class, TreasuryCommand.Balances.class, TreasuryCommand.Payouts.class,
                TreasuryCommand.Audit.class, TreasuryCommand.Pause.class, TreasuryCommand.Resume.class,
                TreasuryCommand.BackupCmd.class, TreasuryCommand.Restore.class, TreasuryCommand.Check.class,
                TreasuryCommand.Challenge.class, TreasuryCommand.SetDestination.class, TreasuryCommand.Pay.class})
public final class TreasuryCommand implements Callable<Integer> {
    @Mixin
    DaemonOptions opts;

    @Option(names = "--init", description = "Ledger commands: create and migrate the ledger at ledger.url when it does not exist "
            + "(otherwise they refuse). Default: ${DEFAULT-VALUE}.")
    boolean init;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        return runDaemon(opts, spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /** The parent's options (before the verb) and the verb's own (after it), as one set. */
    static DaemonOptions merged(TreasuryCommand parent, DaemonOptions own) {
        if (parent == null) {
            return own;
        }
        DaemonOptions p = parent.opts;
        if (p.config != null && own.config != null && !p.config.equals(own.config)) {
            throw new DaemonConfig.ConfigError("--config given twice (" + p.config + " and " + own.config + ")");
        }
        DaemonOptions m = new DaemonOptions();
        m.config = own.config != null ? own.config : p.config;
        m.sets = new ArrayList<>(p.sets);
        m.sets.addAll(own.sets);
        m.printConfig = p.printConfig || own.printConfig;
        m.checkConfig = p.checkConfig || own.checkConfig;
        return m;
    }

    static TreasuryConfig config(DaemonOptions o) {
        return TreasuryConfig.from(o.load(TreasuryConfig.ENV_PREFIX, TreasuryConfig.ROOT));
    }

    static int runDaemon(DaemonOptions o, PrintWriter out, PrintWriter err) {
        return DaemonLauncher.run("treasury", o, TreasuryConfig.ENV_PREFIX, TreasuryConfig.ROOT, List.of(), spec(), out, err);
    }

    /** The daemon's wiring (parse, listen addresses, start-time checks, creation): also {@code hh stack}'s. */
    public static DaemonLauncher.Spec<TreasuryConfig> spec() {
        return DaemonLauncher.Spec.of(TreasuryConfig::from,
                        c -> Map.of("admin.listen", List.of(Banner.parseHostPort(c.adminListen()))),
                        c -> {
                            List<String> ok = new ArrayList<>();
                            ok.add(Checks.ledger(TreasuryConfig.ROOT + ".ledger.url", c.ledgerUrl(), true));
                            if (!c.bitcoindUrl().isBlank()) {
                                ok.add(Checks.url("bitcoind", TreasuryConfig.ROOT + ".bitcoind.url", c.bitcoindUrl()));
                            }
                            if (!c.lndHost().isBlank()) {
                                ok.add(Checks.tcp("lnd", TreasuryConfig.ROOT + ".lnd.host", c.lndHost(), c.lndPort()));
                            }
                            ok.add(c.policy().dryRun() ? "payouts: DRY RUN (no lnd.host or payouts.dry-run = true)" : "payouts: live");
                            return ok;
                        },
                        c -> new TreasuryDaemon(c, InstantSource.system()), c -> Duration.ofSeconds(30));
    }

    /** Base for ledger subcommands: loads config, opens the existing ledger, maps errors to exit codes. */
    abstract static class LedgerCmd implements Callable<Integer> {
        @Mixin
        DaemonOptions ownOpts;

        @Option(names = "--init", description = "Create and migrate the ledger at ledger.url when it does not exist "
                + "(otherwise the command refuses). Default: ${DEFAULT-VALUE}.")
        boolean init;

        @CommandLine.ParentCommand
        TreasuryCommand parent;

        @Spec
        CommandLine.Model.CommandSpec spec;

        /** The effective options (before and after the verb). */
        DaemonOptions opts;

        abstract int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) throws Exception;

        /** Input checks that need no ledger (run before it is opened); throw IllegalArgumentException. */
        void validate(TreasuryConfig cfg) {
        }

        /** restore fills an empty ledger, so it may create one. */
        boolean createsLedger() {
            return false;
        }

        /** Runs before the ledger is opened (and possibly created), after {@link #validate}. */
        void before(TreasuryConfig cfg) throws Exception {
        }

        /** Runs after the ledger was closed when {@link #run} failed. */
        void failed() {
        }

        @Override
        public Integer call() {
            int rc = execute();
            if (rc != 0) {
                failed();
            }
            return rc;
        }

        private int execute() {
            PrintWriter out = spec.commandLine().getOut();
            TreasuryConfig cfg;
            try {
                opts = merged(parent, ownOpts);
                Config c = opts.load(TreasuryConfig.ENV_PREFIX, TreasuryConfig.ROOT);
                cfg = TreasuryConfig.from(c);
                if (opts.printConfig) {
                    out.println(Redact.render(c.atPath(TreasuryConfig.ROOT)));
                    out.flush();
                    return 0;
                }
            } catch (DaemonConfig.ConfigError e) {
                out.println("configuration error: " + e.getMessage());
                out.flush();
                return 2;
            }
            try {
                validate(cfg);
            } catch (IllegalArgumentException e) {
                out.println("error: " + e.getMessage());
                out.flush();
                return 2;
            }
            try {
                before(cfg);
            } catch (TreasuryException e) {
                out.println("error: " + Redact.text(e.getMessage()));
                out.flush();
                return 1;
            } catch (Exception e) {
                out.println("error: " + Redact.text(e.toString()));
                out.flush();
                return 1;
            }
            boolean mayCreate = init || (parent != null && parent.init) || createsLedger();
            try {
                if (!mayCreate && !LedgerDatabase.isInitialised(cfg.ledgerUrl())) {
                    out.println("configuration error: no ledger at " + TreasuryConfig.ROOT + ".ledger.url = "
                            + Redact.text(cfg.ledgerUrl()) + " (config: " + (opts.config == null ? "none, reference defaults"
                            : opts.config) + "). Point ledger.url at the ledger the daemons use (same --config as the "
                            + "daemon), or pass --init to create an empty one.");
                    out.flush();
                    return 2;
                }
            } catch (org.hyperhash.ledger.LedgerException e) {
                out.println("error: " + e.getMessage());
                out.flush();
                return 1;
            }
            try (LedgerDatabase db = LedgerDatabase.open(cfg.ledgerUrl())) {
                return run(cfg, db, out);
            } catch (TreasuryException | org.hyperhash.ledger.LedgerException e) {
                out.println("error: " + Redact.text(e.getMessage()));
                return 1;
            } catch (Exception e) {
                out.println("error: " + Redact.text(e.toString()));
                return 1;
            } finally {
                out.flush();
            }
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the treasury daemon (the default).")
    static final class Run implements Callable<Integer> {
        @Mixin
        DaemonOptions ownOpts;

        @CommandLine.ParentCommand
        TreasuryCommand parent;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            DaemonOptions o;
            try {
                o = merged(parent, ownOpts);
            } catch (DaemonConfig.ConfigError e) {
                spec.commandLine().getErr().println("treasury: configuration error: " + e.getMessage());
                return 2;
            }
            return runDaemon(o, spec.commandLine().getOut(), spec.commandLine().getErr());
        }
    }

    @Command(name = "balances", mixinStandardHelpOptions = true, description = "Miner balances (sats), largest first.")
    static final class Balances extends LedgerCmd {
        @Option(names = "--limit", defaultValue = "100", description = "Rows to show. Default: ${DEFAULT-VALUE}.")
        int limit;

        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) {
            Accounts a = new Accounts(db);
            List<Accounts.Balance> all = a.balances();
            if (all.isEmpty()) {
                out.println("no balances: no miner has been credited yet (owed to miners: 0 msat)");
                return 0;
            }
            out.printf("%-64s %20s %8s%n", "account", "balance_msat", "entries");
            all.stream().limit(limit).forEach(b -> out.printf("%-64s %20d %8d%n", b.account(), b.balanceMsat(), b.entryCount()));
            out.printf("owed to miners: %d msat (%d accounts)%n", a.owedMsat(), all.size());
            return 0;
        }
    }

    @Command(name = "payouts", mixinStandardHelpOptions = true, description = "Payouts, newest first.")
    static final class Payouts extends LedgerCmd {
        @Option(names = "--failed", description = "Only failed payouts.")
        boolean failed;

        @Option(names = "--open", description = "Only reserved/in-flight payouts.")
        boolean open;

        @Option(names = "--limit", defaultValue = "50", description = "Rows to show. Default: ${DEFAULT-VALUE}.")
        int limit;

        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) {
            List<String> st = failed ? List.of("failed") : open ? List.of("reserved", "in_flight") : List.of();
            List<PayoutEngine.Payout> list = PayoutEngine.list(db, st, limit);
            if (list.isEmpty()) {
                out.println(failed ? "no failed payouts" : open ? "no open (reserved or in-flight) payouts" : "no payouts yet");
                return 0;
            }
            for (PayoutEngine.Payout p : list) {
                out.printf("%s %-10s %-40s %12d msat fee %s attempts %d hash %s %s%n", p.payoutId(), p.status(), p.account(), p.amountMsat(),
                        p.feePaidMsat() == null ? "-" : p.feePaidMsat() + " msat", p.attempts(), p.paymentHashHex(),
                        p.failureReason() == null ? "" : "(" + p.failureReason() + ")");
            }
            return 0;
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Recompute a block's PPLNS distribution from its stored inputs and compare with the ledger.")
    static final class Audit extends LedgerCmd {
        @Parameters(paramLabel = "BLOCK_HASH")
        String block;

        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) {
            BlockRewards.AuditReport r = new BlockRewards(db, cfg.rewards(), InstantSource.system()).audit(block);
            out.println("block " + r.blockHash() + " (" + r.status() + ")");
            out.println("algorithm: " + r.describeAlgorithm());
            out.println("work scale: " + r.describeWorkScale());
            out.println("pool fee: " + r.recomputed().poolFeeSats() + " sats");
            r.recomputed().allocations().forEach(a -> out.println("  " + a.account() + " " + a.amountSats() + " sats"));
            out.println("ledger credits: " + r.creditedSats());
            out.println("inputs vs share windows: " + r.inputsVsShareWindows());
            r.problems().forEach(p -> out.println("PROBLEM: " + p));
            out.println(r.ok() ? "audit OK" : "audit FAILED");
            return r.ok() ? 0 : 1;
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause new payouts (in-flight payouts are still reconciled).")
    static final class Pause extends LedgerCmd {
        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) {
            PayoutEngine.setPaused(db, true, System.currentTimeMillis());
            out.println("payouts paused");
            return 0;
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume payouts.")
    static final class Resume extends LedgerCmd {
        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) {
            PayoutEngine.setPaused(db, false, System.currentTimeMillis());
            out.println("payouts resumed");
            return 0;
        }
    }

    @Command(name = "pay", mixinStandardHelpOptions = true, description = {"Manual payout: queue a payout of the account's whole balance (threshold ignored).",
        "The running treasury daemon pays it on its next pass (within poll-interval); see 'payouts' for the result."})
    static final class Pay extends LedgerCmd {
        @CommandLine.Parameters(index = "0", paramLabel = "ACCOUNT", description = "the miner's payout address")
        String account;

        @Override
        void validate(TreasuryConfig cfg) {
            try {
                new AddressProof(cfg.network(), cfg.proofMaxSkew().toSeconds()).parseAddress(account.strip());
            } catch (AddressProof.InvalidProof e) {
                throw new IllegalArgumentException(e.getMessage() + " (network " + cfg.network() + " from "
                        + TreasuryConfig.ROOT + ".network); nothing queued");
            }
        }

        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) {
            account = account.strip();
            long balance = new Accounts(db).balanceMsat(account);
            if (balance <= 0) {
                out.printf("refused: %s has no balance to pay (%d msat); nothing queued%n", account, balance);
                return 1;
            }
            if (PayoutEngine.requestManualPayout(db, account, System.currentTimeMillis())) {
                out.printf("manual payout of %s queued (balance %d msat); the treasury daemon pays it within %s%n", account,
                        new Accounts(db).balanceMsat(account), cfg.pollInterval());
            } else {
                out.printf("a manual payout of %s is already queued%n", account);
            }
            return 0;
        }
    }

    @Command(name = "backup", mixinStandardHelpOptions = true, description = "Write an encrypted (AES-256-GCM), compressed ledger + config backup with a .sha256 file.")
    static final class BackupCmd extends LedgerCmd {
        @Option(names = "--out", required = true, paramLabel = "FILE")
        Path outFile;

        @Option(names = "--key-file", paramLabel = "FILE", description = "32-byte key (default: backup.key-file).")
        Path keyFile;

        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) throws Exception {
            Path key = keyFile != null ? keyFile : cfg.backupKeyFile().isBlank() ? null : Path.of(cfg.backupKeyFile());
            if (key == null) {
                out.println("error: --key-file or backup.key-file is required");
                return 2;
            }
            String configText = opts.config != null && Files.isRegularFile(opts.config) ? Files.readString(opts.config) : null;
            Backup.Summary s = Backup.export(db, configText, key, outFile, System.currentTimeMillis());
            out.println("backup written: " + outFile + " sha256 " + s.sha256Hex() + " rows " + s.rows());
            return 0;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = "Verify and restore a backup into an empty ledger, then check it.")
    static final class Restore extends LedgerCmd {
        @Option(names = "--in", required = true, paramLabel = "FILE")
        Path inFile;

        @Option(names = "--key-file", paramLabel = "FILE", description = "32-byte key (default: backup.key-file).")
        Path keyFile;

        /** An SQLite ledger file this restore created (deleted again when the restore fails), or null. */
        private Path created;

        /**
         * Verifies the backup (checksum, key, format) before the ledger is opened, so a bad file or key never leaves a
         * freshly created empty ledger behind; notes a SQLite ledger file that does not exist yet.
         */
        @Override
        void before(TreasuryConfig cfg) throws Exception {
            Path key = keyFile != null ? keyFile : cfg.backupKeyFile().isBlank() ? null : Path.of(cfg.backupKeyFile());
            if (key != null) {
                Backup.read(inFile, key);
            }
            String url = cfg.ledgerUrl();
            if (url.startsWith("jdbc:sqlite:") && !url.contains("?") && !url.contains(":memory:")) {
                Path f = Path.of(url.substring("jdbc:sqlite:".length()));
                created = java.nio.file.Files.exists(f) ? null : f;
            }
        }

        /** A failed restore into a ledger it created removes that ledger (no empty database is left behind). */
        @Override
        void failed() {
            if (created != null) {
                for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
                    try {
                        java.nio.file.Files.deleteIfExists(Path.of(created + suffix));
                    } catch (java.io.IOException ignored) {
                        // best effort; the error was already reported
                    }
                }
            }
        }

        @Override
        boolean createsLedger() {
            return true;
        }

        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) throws Exception {
            Path key = keyFile != null ? keyFile : cfg.backupKeyFile().isBlank() ? null : Path.of(cfg.backupKeyFile());
            if (key == null) {
                out.println("error: --key-file or backup.key-file is required");
                return 2;
            }
            Backup.Summary s = Backup.restore(inFile, key, db);
            out.println("restored rows " + s.rows());
            Accounts.CheckReport r = new Accounts(db).check();
            out.println(r.ok() ? "check OK" : "check FAILED: " + r.problems());
            return r.ok() ? 0 : 1;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true, description = "Prove every balance equals the sum of its entries and payouts match their entries.")
    static final class Check extends LedgerCmd {
        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) throws Exception {
            Accounts.CheckReport r = new Accounts(db).check();
            out.printf("%d accounts, %d entries, total %d msat%n", r.accounts(), r.entries(), r.totalMsat());
            r.problems().forEach(p -> out.println("PROBLEM " + p.account() + ": " + p.what()));
            if (Files.exists(cfg.auditLog())) {
                AuditLog.Verification v = AuditLog.verify(cfg.auditLog());
                out.println(v.ok() ? "audit log chain OK (" + v.lines() + " lines)" : "audit log BROKEN: " + v.problem());
                if (!v.ok()) {
                    return 1;
                }
            }
            out.println(r.ok() ? "ledger OK" : "ledger FAILED");
            return r.ok() ? 0 : 1;
        }
    }

    @Command(name = "challenge", mixinStandardHelpOptions = true, description = "Print the message a miner signs (signmessage with the payout address's key) to set a destination.")
    static final class Challenge implements Callable<Integer> {
        @Option(names = "--address", required = true, description = "The miner's payout (Bitcoin) address.")
        String address;

        @Option(names = "--kind", required = true, description = "lightning_address, keysend or bolt11.")
        String kind;

        @Option(names = "--destination", required = true, description = "user@domain, node pubkey hex, or BOLT11 invoice.")
        String destination;

        @Option(names = "--timestamp", description = "Unix seconds (default: now).")
        Long timestamp;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                DestinationKind k = DestinationKind.parse(kind);
                long ts = timestamp != null ? timestamp : System.currentTimeMillis() / 1000;
                out.println(AddressProof.challenge(address.strip(), k.dbName(), destination.strip(), ts));
                return 0;
            } catch (IllegalArgumentException e) {
                out.println("error: " + e.getMessage());
                return 2;
            } finally {
                out.flush();
            }
        }
    }

    @Command(name = "set-destination", mixinStandardHelpOptions = true, description = "Set a miner's payout destination after verifying its signed challenge (see 'challenge').")
    static final class SetDestination extends LedgerCmd {
        @Option(names = "--address", required = true)
        String address;

        @Option(names = "--kind", required = true, description = "lightning_address, keysend or bolt11.")
        String kind;

        @Option(names = "--destination", required = true)
        String destination;

        @Option(names = "--timestamp", required = true, description = "The timestamp in the signed challenge.")
        long timestamp;

        @Option(names = "--signature", required = true, description = "Base64 BIP137 signature of the challenge.")
        String signature;

        @Override
        int run(TreasuryConfig cfg, LedgerDatabase db, PrintWriter out) {
            DestinationKind k;
            try {
                k = DestinationKind.parse(kind);
            } catch (IllegalArgumentException e) {
                out.println("error: " + e.getMessage());
                return 2;
            }
            String message = AddressProof.challenge(address.strip(), k.dbName(), destination.strip(), timestamp);
            Destinations d = new Destinations(db, new AddressProof(cfg.network(), cfg.proofMaxSkew().toSeconds()), cfg.lnNetwork(),
                    InstantSource.system());
            try {
                Destinations.Destination set = d.set(address.strip(), k, destination, message, signature);
                out.println("destination set: " + set.account() + " -> " + set.kind().dbName() + " " + set.destination());
                return 0;
            } catch (AddressProof.InvalidProof | IllegalArgumentException e) {
                out.println("refused: " + e.getMessage());
                return 1;
            }
        }
    }
}
