package org.hyperhash.pool.hypernode;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.sv2.noise.AuthorityPublicKey;

/**
 * {@code hh jdc}: the pool engine's keys (downstream miners, channels, limits, ledger, template providers, admin;
 * {@code payout.address} is the operator's address, paid when mining solo) plus {@code upstream}: the pools to
 * declare jobs to, in order of preference, and the failover timings.
 *
 * @param pool the local mining engine's configuration (every key of {@code hh pool} except jds)
 * @param pools upstream pools, most preferred first (may be empty: solo only)
 * @param timeout connect, setup and every answer (token, declaration, custom job) must arrive within this
 * @param cooldown a pool that failed is not tried again for this long; then the Hyper Node returns to it
 * @param checkInterval how often a less preferred state (next pool, solo) probes the preferred pools
 * @param staleTipRetries SetCustomMiningJob retries after stale-chain-tip (the pool has not seen the block yet)
 * @param staleTipRetryDelay delay between those retries
 * @param nominalHashrate nominal_hash_rate of the upstream channel (hashes/s)
 */
public record HyperNodeConfig(PoolConfig pool, List<UpstreamPool> pools, Duration timeout, Duration cooldown,
        Duration checkInterval, int staleTipRetries, Duration staleTipRetryDelay, double nominalHashrate) {

    public static final String ROOT = "hyperhash.jdc";
    public static final String ENV_PREFIX = "JDC_";
    private static final Set<String> POOL_KEYS = Set.of("name", "address", "jds-address", "authority-key",
            "user-identity");

    /**
     * One upstream pool.
     *
     * @param name for logs, metrics-free status
     * @param address the pool's SV2 mining port
     * @param jdsAddress the pool's job declarator
     * @param authorityKey the pool's authority public key (Noise, pinned), null = plaintext (trusted links only)
     * @param userIdentity the upstream channel's user identity (the pool credits this address)
     */
    public record UpstreamPool(String name, InetSocketAddress address, InetSocketAddress jdsAddress,
            AuthorityPublicKey authorityKey, String userIdentity) {
        @Override
        public String toString() {
            return name + " (" + Banner.hostPort(address) + ", jds " + Banner.hostPort(jdsAddress) + ")";
        }
    }

    public HyperNodeConfig {
        pools = List.copyOf(pools);
    }

    /** Reads {@code hyperhash.jdc} (already selected by DaemonConfig.load). */
    public static HyperNodeConfig from(Config c) {
        Config u = c.getConfig("upstream");
        PoolConfig pool = PoolConfig.from(c.withoutPath("upstream"));
        if (pool.jds().enabled()) {
            throw new ConfigError(ROOT + ".jds.enabled: a Hyper Node declares jobs to its upstream pools; it runs no"
                    + " job declarator of its own");
        }
        if (pool.payout().address().isBlank()) {
            throw new ConfigError(ROOT + ".payout.address: required (the operator's address, paid when mining solo)");
        }
        List<UpstreamPool> pools = new ArrayList<>();
        List<? extends ConfigValue> list = u.getList("pools");
        for (int i = 0; i < list.size(); i++) {
            String where = ROOT + ".upstream.pools[" + i + "]";
            if (!(list.get(i).unwrapped() instanceof java.util.Map<?, ?> m)) {
                throw new ConfigError(where + ": expected an object {name, address, jds-address, authority-key, user-identity}");
            }
            for (Object k : m.keySet()) {
                if (!POOL_KEYS.contains(String.valueOf(k))) {
                    throw new ConfigError(where + "." + k + ": unknown key"
                            + DaemonConfig.suggest(String.valueOf(k), POOL_KEYS) + " (keys: " + POOL_KEYS + ")");
                }
            }
            Config p = ((com.typesafe.config.ConfigObject) list.get(i)).toConfig();
            String name = p.hasPath("name") ? p.getString("name") : "pool" + i;
            InetSocketAddress address = hostPort(p, "address", where);
            InetSocketAddress jds = hostPort(p, "jds-address", where);
            String key = p.hasPath("authority-key") ? p.getString("authority-key").trim() : "";
            AuthorityPublicKey pinned = null;
            if (!key.isEmpty()) {
                try {
                    pinned = AuthorityPublicKey.fromBase58(key);
                } catch (RuntimeException e) {
                    throw new ConfigError(where + ".authority-key: not a valid base58check authority public key");
                }
            } else if (pool.network() == org.hyperhash.pool.identity.PoolNetwork.MAINNET) {
                throw new ConfigError(where + ".authority-key: required on mainnet (plaintext upstream is refused)");
            }
            if (!p.hasPath("user-identity") || p.getString("user-identity").isBlank()) {
                throw new ConfigError(where + ".user-identity: required (the address the pool credits, e.g."
                        + " <address>.<hyper-node-name>)");
            }
            pools.add(new UpstreamPool(name, address, jds, pinned, p.getString("user-identity").trim()));
        }
        Duration timeout = positive(u, "timeout");
        Duration cooldown = positive(u, "cooldown");
        Duration check = positive(u, "check-interval");
        int retries = u.getInt("stale-tip-retries");
        if (retries < 0 || retries > 100) {
            throw new ConfigError(ROOT + ".upstream.stale-tip-retries: 0..100, got " + retries);
        }
        double hashrate = u.getDouble("nominal-hashrate");
        if (!(hashrate > 0) || hashrate > Float.MAX_VALUE) {
            throw new ConfigError(ROOT + ".upstream.nominal-hashrate: must be positive (hashes/s), got " + hashrate);
        }
        return new HyperNodeConfig(pool, pools, timeout, cooldown, check, retries, positive(u, "stale-tip-retry-delay"),
                hashrate);
    }

    private static Duration positive(Config u, String key) {
        Duration d = u.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigError(ROOT + ".upstream." + key + ": must be positive, got " + d);
        }
        return d;
    }

    private static InetSocketAddress hostPort(Config p, String key, String where) {
        if (!p.hasPath(key)) {
            throw new ConfigError(where + "." + key + ": required (host:port)");
        }
        try {
            return Banner.parseHostPort(p.getString(key));
        } catch (ConfigException | IllegalArgumentException e) {
            throw new ConfigError(where + "." + key + ": " + e.getMessage());
        }
    }

    public Duration shutdownDeadline() {
        return pool.shutdownDeadline();
    }
}
