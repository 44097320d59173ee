package org.hyperhash.treasury;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import org.bitcoinj.base.BitcoinNetwork;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.treasury.lightning.PayoutEngine;

/** Typed view of {@code hyperhash.treasury} (see reference.conf for every default). */
public record TreasuryConfig(Config raw, String ledgerUrl, int ledgerPoolSize, String adminListen, BitcoinNetwork network,
                             String lnNetwork, Duration pollInterval, BlockRewards.Config rewards, String bitcoindUrl,
                             String bitcoindCookieFile, String bitcoindUser, String bitcoindPassword, Duration bitcoindTimeout,
                             String lndHost, int lndPort, String lndTlsCert, String lndMacaroon, String lndAuthority,
                             Duration lndCallTimeout, PayoutEngine.Policy policy, Duration lnurlTimeout, boolean lnurlInsecure,
                             Duration proofMaxSkew, Path auditLog, String backupKeyFile,
                             Duration leaderLease, Duration leaderRenewInterval, String leaderId, Retention.Config retention) {
    public static final String ROOT = "hyperhash.treasury";
    public static final String ENV_PREFIX = "TREASURY";

    public static TreasuryConfig from(Config c) {
        try {
            BitcoinNetwork net = switch (c.getString("network")) {
                case "mainnet" -> BitcoinNetwork.MAINNET;
                case "testnet", "testnet4" -> BitcoinNetwork.TESTNET;
                case "signet" -> BitcoinNetwork.SIGNET;
                case "regtest", "devnet" -> BitcoinNetwork.REGTEST;
                default -> throw new DaemonConfig.ConfigError(ROOT + ".network must be mainnet, testnet4, signet, regtest or devnet, got '"
                        + c.getString("network") + "'");
            };
            String ln = switch (net) {
                case MAINNET -> "bc";
                case TESTNET -> "tb";
                case SIGNET -> "tbs";
                case REGTEST -> "bcrt";
            };
            double mult = c.getDouble("pplns.window-multiple");
            if (!(mult > 0) || mult > 1000) {
                throw new DaemonConfig.ConfigError("pplns.window-multiple must be in (0, 1000], got " + mult);
            }
            BlockRewards.Config rewards = new BlockRewards.Config(Math.round(mult * 1_000_000), c.getLong("pplns.fee-ppm"),
                    c.getLong("pplns.work-scale"), c.getInt("maturity.confirmations"), c.getDuration("pplns.snapshot-delay").toMillis());
            String lndHost = c.getString("lnd.host");
            String dry = c.getString("payouts.dry-run");
            boolean dryRun = switch (dry) {
                case "auto" -> lndHost.isBlank();
                case "true" -> true;
                case "false" -> false;
                default -> throw new DaemonConfig.ConfigError("payouts.dry-run must be auto, true or false");
            };
            if (!dryRun && lndHost.isBlank()) {
                throw new DaemonConfig.ConfigError("payouts.dry-run=false needs lnd.host");
            }
            long threshold = Math.multiplyExact(c.getLong("payouts.threshold-sats"), 1000L);
            PayoutEngine.Policy policy = new PayoutEngine.Policy(threshold, Math.multiplyExact(c.getLong("payouts.max-payout-sats"), 1000L),
                    c.getLong("payouts.fee-limit-ppm"), Math.multiplyExact(c.getLong("payouts.fee-limit-max-sats"), 1000L),
                    (int) c.getDuration("payouts.timeout").toSeconds(), c.getInt("payouts.max-parts"), c.getInt("payouts.max-parallel"),
                    ln, dryRun, c.getDuration("payouts.send-wait"));
            Duration lease = c.getDuration("leader.lease");
            Duration renew = c.getDuration("leader.renew-interval");
            if (lease.toMillis() < 500) {
                throw new DaemonConfig.ConfigError("leader.lease must be >= 500ms, got " + lease);
            }
            if (renew.toMillis() < 50 || renew.multipliedBy(2).compareTo(lease) > 0) {
                throw new DaemonConfig.ConfigError("leader.renew-interval must be >= 50ms and at most half of leader.lease ("
                        + lease + "), got " + renew);
            }
            Retention.Config retention = new Retention.Config(c.getBoolean("retention.enabled"), c.getDuration("retention.share-windows"),
                    c.getDuration("retention.worker-hours"), c.getDuration("retention.interval"), c.getInt("retention.batch-size"),
                    c.getDuration("retention.batch-pause"));
            return new TreasuryConfig(c, c.getString("ledger.url"), c.getInt("ledger.max-pool-size"), c.getString("admin.listen"), net, ln,
                    c.getDuration("poll-interval"), rewards, c.getString("bitcoind.url"), c.getString("bitcoind.cookie-file"),
                    c.getString("bitcoind.user"), c.getString("bitcoind.password"), c.getDuration("bitcoind.timeout"),
                    lndHost, c.getInt("lnd.port"), c.getString("lnd.tls-cert-file"), c.getString("lnd.macaroon-file"),
                    c.getString("lnd.tls-authority"), c.getDuration("lnd.call-timeout"), policy, c.getDuration("lnurl.timeout"),
                    c.getBoolean("lnurl.allow-insecure-http"), c.getDuration("proof.max-skew"), Path.of(c.getString("audit-log")),
                    c.getString("backup.key-file"), lease, renew, c.getString("leader.id"), retention);
        } catch (com.typesafe.config.ConfigException | TreasuryException | ArithmeticException e) {
            throw new DaemonConfig.ConfigError(e.getMessage());
        }
    }
}
