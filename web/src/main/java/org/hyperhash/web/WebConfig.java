package org.hyperhash.web;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.bitcoinj.base.BitcoinNetwork;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.DaemonConfig.ConfigError;

/** Typed view of {@code hyperhash.web} (reference.conf has every key and its meaning). Unknown keys are errors. */
public record WebConfig(InetSocketAddress listen, InetSocketAddress adminListen, String ledgerUrl, int ledgerPoolSize,
        BitcoinNetwork network, String explorerBlockUrl, PoolInfo pool, Duration workerOfflineAfter, Http http) {
    public static final String ROOT = "hyperhash.web";
    public static final String ENV_PREFIX = "WEB";

    /** What the home page says about the pool. */
    public record PoolInfo(String name, String sv2Url, String authorityKey, String sv1Url, String minDifficulty,
            double pplnsWindowMultiple, long feePpm, long payoutThresholdSats) {
    }

    /** Caching, rate limits and request bounds of the public port. */
    public record Http(Duration cacheTtl, double ratePerSecond, int rateBurst, int maxTrackedIps, boolean trustForwardedFor,
            int maxUriLength, int pageSize, int maxPageSize, int maxConcurrent) {
    }

    public static WebConfig from(Config c) {
        try {
            BitcoinNetwork net = switch (c.getString("network")) {
                case "mainnet" -> BitcoinNetwork.MAINNET;
                // the same names as every other daemon's network key; devnet (the embedded chain) uses regtest addresses
                case "testnet4" -> BitcoinNetwork.TESTNET;
                case "signet" -> BitcoinNetwork.SIGNET;
                case "regtest", "devnet" -> BitcoinNetwork.REGTEST;
                default -> throw new ConfigError("network must be mainnet, testnet4, signet, regtest or devnet, got '"
                        + c.getString("network") + "'");
            };
            String explorer = c.getString("explorer.block-url").strip();
            if (!explorer.isEmpty() && !(explorer.startsWith("https://") || explorer.startsWith("http://"))) {
                throw new ConfigError("explorer.block-url must be an http(s) URL with {hash} or {height}, got '" + explorer + "'");
            }
            double mult = c.getDouble("pool.pplns-window-multiple");
            require(mult > 0 && mult <= 1000, "pool.pplns-window-multiple must be in (0, 1000]");
            long fee = c.getLong("pool.fee-ppm");
            require(fee >= 0 && fee <= 1_000_000, "pool.fee-ppm must be 0..1000000");
            PoolInfo pool = new PoolInfo(c.getString("pool.name"), c.getString("pool.sv2-url"), c.getString("pool.authority-key"),
                    c.getString("pool.sv1-url"), c.getString("pool.min-difficulty"), mult, fee, c.getLong("pool.payout-threshold-sats"));
            Http http = new Http(c.getDuration("http.cache-ttl"), c.getDouble("http.rate-limit.per-second"),
                    c.getInt("http.rate-limit.burst"), c.getInt("http.rate-limit.max-tracked-ips"),
                    c.getBoolean("http.trust-forwarded-for"), c.getInt("http.max-uri-length"), c.getInt("http.page-size"),
                    c.getInt("http.max-page-size"), c.getInt("http.max-concurrent"));
            require(!http.cacheTtl().isNegative() && http.cacheTtl().toSeconds() <= 300, "http.cache-ttl must be 0..300s");
            require(http.ratePerSecond() > 0, "http.rate-limit.per-second must be > 0");
            require(http.rateBurst() >= 1, "http.rate-limit.burst must be >= 1");
            require(http.maxTrackedIps() >= 1, "http.rate-limit.max-tracked-ips must be >= 1");
            require(http.maxUriLength() >= 256 && http.maxUriLength() <= 65536, "http.max-uri-length must be 256..65536");
            require(http.maxPageSize() >= 1 && http.maxPageSize() <= 1000, "http.max-page-size must be 1..1000");
            require(http.pageSize() >= 1 && http.pageSize() <= http.maxPageSize(), "http.page-size must be 1..http.max-page-size");
            require(http.maxConcurrent() >= 1, "http.max-concurrent must be >= 1");
            Duration offline = c.getDuration("worker-offline-after");
            require(offline.toSeconds() >= 10, "worker-offline-after must be >= 10s");
            int poolSize = c.getInt("ledger.max-pool-size");
            require(poolSize >= 1 && poolSize <= 64, "ledger.max-pool-size must be 1..64");
            return new WebConfig(listen(c, "listen"), listen(c, "admin.listen"), c.getString("ledger.url"), poolSize, net,
                    explorer, pool, offline, http);
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    private static InetSocketAddress listen(Config c, String key) {
        try {
            return Banner.parseHostPort(c.getString(key));
        } catch (ConfigError e) {
            throw new ConfigError(key + ": " + e.getMessage());
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new ConfigError(message);
        }
    }

    /** The block's explorer link, or null when none is configured. */
    public String blockLink(String hash, long height) {
        return explorerBlockUrl.isEmpty() ? null
                : explorerBlockUrl.replace("{hash}", hash).replace("{height}", Long.toString(height));
    }
}
