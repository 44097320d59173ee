package org.hyperhash.translator;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.sv2.channel.VardiffConfig;
import org.hyperhash.translator.bridge.BridgeConfig;
import org.hyperhash.translator.sv2.PoolEndpoint;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The translator's validated configuration (root {@code hyperhash.translator}).
 *
 * @param sv1Listen SV1 listen address
 * @param maxLineBytes SV1 line limit
 * @param maxPendingRequests per-miner bound on queued requests
 * @param idleTimeout idle SV1 connections are closed
 * @param bridge the bridge's settings
 * @param pools upstream pools in priority order
 * @param connectTimeout TCP connect timeout
 * @param backoffInitial first back-off after a pool failure
 * @param backoffMax back-off cap
 * @param cooldown delay before a failed higher-priority pool is probed again
 * @param adminListen admin HTTP address
 * @param tick bridge timer period
 * @param ioThreads SV1 event loop threads (0 = cores)
 * @param sv1Limits per-IP caps and bans, and the setup timeout
 * @param sv1AcceptBacklog listen backlog of the SV1 port (the kernel caps it at net.core.somaxconn)
 * @param openRetry what a refused upstream channel does (retry transient codes, then failover)
 * @param sv1WarmupSessions loopback SV1 sessions run through the JIT before miners are accepted (0 = none; {@link Sv1Warmup})
 * @param sv1WarmupMaxTime wall-clock bound of that warm-up
 * @param sv1WarmupUntilJitIdle after the sessions, the warm-up goes on until the JIT compilers are idle (within the
 *     same bound; {@link org.hyperhash.sv2.netty.JitActivity})
 */
public record TranslatorConfig(InetSocketAddress sv1Listen, int maxLineBytes, int maxPendingRequests, Duration idleTimeout,
        BridgeConfig bridge, List<PoolEndpoint> pools, Duration connectTimeout, Duration backoffInitial, Duration backoffMax,
        Duration cooldown, InetSocketAddress adminListen, Duration tick, int ioThreads,
        org.hyperhash.translator.sv1.Sv1Guard.Limits sv1Limits, int sv1AcceptBacklog,
        org.hyperhash.translator.bridge.OpenRetry openRetry, int sv1WarmupSessions, Duration sv1WarmupMaxTime,
        boolean sv1WarmupUntilJitIdle) {
    public static final String ROOT = "hyperhash.translator";
    /**
     * reference.conf's {@code sv1.warmup.sessions}, {@code sv1.warmup.max-time} and {@code sv1.warmup.until-jit-idle}
     * (checked by TranslatorConfigTest).
     */
    public static final int DEFAULT_WARMUP_SESSIONS = 1000;
    public static final Duration DEFAULT_WARMUP_MAX_TIME = Duration.ofSeconds(5);
    public static final boolean DEFAULT_WARMUP_UNTIL_JIT_IDLE = false;

    /**
     * Without the SV1 warm-up: configs built in code (tests, embedding) start accepting at once; {@link #from} takes
     * {@code sv1.warmup} from the configuration (reference.conf turns it on).
     */
    public TranslatorConfig(InetSocketAddress sv1Listen, int maxLineBytes, int maxPendingRequests, Duration idleTimeout,
            BridgeConfig bridge, List<PoolEndpoint> pools, Duration connectTimeout, Duration backoffInitial,
            Duration backoffMax, Duration cooldown, InetSocketAddress adminListen, Duration tick, int ioThreads,
            org.hyperhash.translator.sv1.Sv1Guard.Limits sv1Limits, int sv1AcceptBacklog,
            org.hyperhash.translator.bridge.OpenRetry openRetry) {
        this(sv1Listen, maxLineBytes, maxPendingRequests, idleTimeout, bridge, pools, connectTimeout, backoffInitial,
                backoffMax, cooldown, adminListen, tick, ioThreads, sv1Limits, sv1AcceptBacklog, openRetry,
                0, DEFAULT_WARMUP_MAX_TIME, DEFAULT_WARMUP_UNTIL_JIT_IDLE);
    }

    /** With the default SV1 accept backlog. */
    public TranslatorConfig(InetSocketAddress sv1Listen, int maxLineBytes, int maxPendingRequests, Duration idleTimeout,
            BridgeConfig bridge, List<PoolEndpoint> pools, Duration connectTimeout, Duration backoffInitial,
            Duration backoffMax, Duration cooldown, InetSocketAddress adminListen, Duration tick, int ioThreads,
            org.hyperhash.translator.sv1.Sv1Guard.Limits sv1Limits) {
        this(sv1Listen, maxLineBytes, maxPendingRequests, idleTimeout, bridge, pools, connectTimeout, backoffInitial,
                backoffMax, cooldown, adminListen, tick, ioThreads, sv1Limits,
                org.hyperhash.translator.sv1.Sv1Server.DEFAULT_ACCEPT_BACKLOG);
    }

    /** With the default SV1 per-IP cap and bans. */
    public TranslatorConfig(InetSocketAddress sv1Listen, int maxLineBytes, int maxPendingRequests, Duration idleTimeout,
            BridgeConfig bridge, List<PoolEndpoint> pools, Duration connectTimeout, Duration backoffInitial,
            Duration backoffMax, Duration cooldown, InetSocketAddress adminListen, Duration tick, int ioThreads) {
        this(sv1Listen, maxLineBytes, maxPendingRequests, idleTimeout, bridge, pools, connectTimeout, backoffInitial,
                backoffMax, cooldown, adminListen, tick, ioThreads, org.hyperhash.translator.sv1.Sv1Guard.Limits.defaults());
    }

    /** With the default open-channel retry policy. */
    public TranslatorConfig(InetSocketAddress sv1Listen, int maxLineBytes, int maxPendingRequests, Duration idleTimeout,
            BridgeConfig bridge, List<PoolEndpoint> pools, Duration connectTimeout, Duration backoffInitial,
            Duration backoffMax, Duration cooldown, InetSocketAddress adminListen, Duration tick, int ioThreads,
            org.hyperhash.translator.sv1.Sv1Guard.Limits sv1Limits, int sv1AcceptBacklog) {
        this(sv1Listen, maxLineBytes, maxPendingRequests, idleTimeout, bridge, pools, connectTimeout, backoffInitial,
                backoffMax, cooldown, adminListen, tick, ioThreads, sv1Limits, sv1AcceptBacklog,
                org.hyperhash.translator.bridge.OpenRetry.defaults());
    }

    /** This config with another open-channel retry policy. */
    public TranslatorConfig withOpenRetry(org.hyperhash.translator.bridge.OpenRetry r) {
        return new TranslatorConfig(sv1Listen, maxLineBytes, maxPendingRequests, idleTimeout, bridge, pools, connectTimeout,
                backoffInitial, backoffMax, cooldown, adminListen, tick, ioThreads, sv1Limits, sv1AcceptBacklog, r,
                sv1WarmupSessions, sv1WarmupMaxTime, sv1WarmupUntilJitIdle);
    }

    /** This config with another SV1 warm-up (0 sessions: none), its {@code until-jit-idle} unchanged. */
    public TranslatorConfig withSv1Warmup(int sessions, Duration maxTime) {
        return withSv1Warmup(sessions, maxTime, sv1WarmupUntilJitIdle);
    }

    /** This config with another SV1 warm-up (0 sessions: none). */
    public TranslatorConfig withSv1Warmup(int sessions, Duration maxTime, boolean untilJitIdle) {
        return new TranslatorConfig(sv1Listen, maxLineBytes, maxPendingRequests, idleTimeout, bridge, pools, connectTimeout,
                backoffInitial, backoffMax, cooldown, adminListen, tick, ioThreads, sv1Limits, sv1AcceptBacklog, openRetry,
                sessions, maxTime, untilJitIdle);
    }
    public static final String ENV_PREFIX = "TRANSLATOR";

    public TranslatorConfig {
        Objects.requireNonNull(sv1Listen);
        Objects.requireNonNull(bridge);
        Objects.requireNonNull(sv1Limits);
        Objects.requireNonNull(openRetry);
        pools = List.copyOf(pools);
        if (pools.isEmpty()) {
            throw new ConfigError("upstream.pools must list at least one pool");
        }
        if (maxLineBytes < 1024 || maxLineBytes > 1 << 20) {
            throw new ConfigError("sv1.max-line-bytes must be 1024..1048576: " + maxLineBytes);
        }
        if (maxPendingRequests < 1) {
            throw new ConfigError("sv1.max-pending-requests must be >= 1");
        }
        if (idleTimeout == null || idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            // an operator's "0" or "500ms" used to switch the timeout off silently: a silent SV1 client then held its
            // slot (and sv1.max-miners) for ever
            throw new ConfigError("sv1.idle-timeout must be at least 1s (got " + idleTimeout + "): SV1 connections that "
                    + "send nothing for that long are closed; the default is 10m");
        }
        if (tick.isZero() || tick.isNegative()) {
            throw new ConfigError("tick must be > 0");
        }
        if (ioThreads < 0) {
            throw new ConfigError("io-threads must be >= 0");
        }
        if (sv1AcceptBacklog < 1 || sv1AcceptBacklog > 65_535) {
            throw new ConfigError("sv1.accept-backlog must be 1..65535, got " + sv1AcceptBacklog);
        }
        Objects.requireNonNull(sv1WarmupMaxTime);
        if (sv1WarmupSessions < 0 || sv1WarmupSessions > 100_000) {
            throw new ConfigError("sv1.warmup.sessions must be 0..100000, got " + sv1WarmupSessions);
        }
        if (sv1WarmupMaxTime.isNegative() || sv1WarmupMaxTime.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new ConfigError("sv1.warmup.max-time must be 0..60s, got " + sv1WarmupMaxTime);
        }
    }

    /** Reads and validates {@code c} (the config at {@link #ROOT}); errors name the path. */
    public static TranslatorConfig from(Config c) {
        try {
            String mode = c.getString("upstream.mode").toLowerCase(Locale.ROOT);
            // (a config built in code with a setup timeout not shorter than its idle timeout simply has none: Sv1Server)
            Duration idle = c.getDuration("sv1.idle-timeout");
            Duration setup = c.getDuration("sv1.setup-timeout");
            if (idle.compareTo(Duration.ofSeconds(1)) >= 0 // (else the constructor names sv1.idle-timeout's own error)
                    && setup.compareTo(idle) >= 0) {
                throw new ConfigError("sv1.setup-timeout (" + setup + ") must be shorter than sv1.idle-timeout (" + idle + ")");
            }
            if (!mode.equals("aggregated") && !mode.equals("per-miner")) {
                throw new ConfigError("upstream.mode must be \"aggregated\" or \"per-miner\" (got \"" + mode + "\")");
            }
            VardiffConfig vd = VardiffConfig.defaults()
                    .withTargetSharesPerMinute(c.getDouble("sv1.shares-per-minute"))
                    .withDifficultyRange(c.getDouble("sv1.min-difficulty"), c.getDouble("sv1.max-difficulty"));
            BridgeConfig bc = new BridgeConfig(c.getInt("sv1.extranonce2-size"), c.getInt("upstream.miner-index-bytes"),
                    c.getInt("sv1.max-extranonce1-bytes"), c.getBoolean("sv1.stable-extranonce1"),
                    c.getString("upstream.user-identity"), c.getDouble("upstream.initial-hashrate"), vd,
                    c.getDouble("sv1.start-difficulty"), c.getDuration("upstream.grace-period"),
                    c.getDuration("upstream.update-interval"), c.getDuration("sv1.resume-window"), c.getInt("sv1.max-miners"),
                    16, c.getString("sv1.reconnect-host"), c.getInt("sv1.reconnect-port"), mode.equals("per-miner"),
                    c.getInt("upstream.channels-per-connection"));
            List<PoolEndpoint> pools = new ArrayList<>();
            int i = 0;
            for (Config p : c.getConfigList("upstream.pools")) {
                try {
                    PoolEndpoint pe = new PoolEndpoint(p.hasPath("name") ? p.getString("name") : null, p.getString("host"),
                            p.getInt("port"), p.hasPath("authority-key") ? p.getString("authority-key") : "");
                    if (pe.encrypted()) {
                        org.hyperhash.sv2.noise.AuthorityPublicKey.fromBase58(pe.authorityKey()); // names checksum/version/length
                    }
                    pools.add(pe);
                } catch (IllegalArgumentException | ConfigException e) {
                    throw new ConfigError("upstream.pools[" + i + "]: " + e.getMessage());
                }
                i++;
            }
            return new TranslatorConfig(address("sv1.listen", c.getString("sv1.listen")), c.getInt("sv1.max-line-bytes"),
                    c.getInt("sv1.max-pending-requests"), c.getDuration("sv1.idle-timeout"), bc, pools,
                    c.getDuration("upstream.connect-timeout"), c.getDuration("upstream.backoff-initial"),
                    c.getDuration("upstream.backoff-max"), c.getDuration("upstream.cooldown"),
                    address("admin.listen", c.getString("admin.listen")), c.getDuration("tick"), c.getInt("io-threads"),
                    sv1Limits(c), c.getInt("sv1.accept-backlog"), openRetry(c), c.getInt("sv1.warmup.sessions"),
                    c.getDuration("sv1.warmup.max-time"), c.getBoolean("sv1.warmup.until-jit-idle"));
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    static InetSocketAddress address(String path, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new ConfigError(path + ": expected host:port, got \"" + hostPort + "\"");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(host, port);
        } catch (NumberFormatException e) {
            throw new ConfigError(path + ": bad port in \"" + hostPort + "\"");
        }
    }

    /** The effective values for the startup log and /v1/status (no secrets in this config). */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sv1.listen", sv1Listen.toString());
        m.put("sv1.extranonce2-size", bridge.extranonce2Size());
        m.put("sv1.max-extranonce1-bytes", bridge.maxExtranonce1Bytes());
        m.put("sv1.stable-extranonce1", bridge.stableExtranonce1());
        m.put("sv1.difficulty", bridge.vardiff().minDifficulty() + ".." + bridge.vardiff().maxDifficulty());
        m.put("upstream.mode", bridge.perMinerChannels() ? "per-miner" : "aggregated");
        m.put("upstream.user-identity", bridge.userIdentity());
        m.put("upstream.channels-per-connection", bridge.channelsPerConnection());
        m.put("upstream.pools", pools.stream().map(p -> p.name() + (p.encrypted() ? " (noise)" : " (plaintext)")).toList());
        m.put("upstream.grace-period", bridge.grace().toString());
        m.put("upstream.open-retry", openRetry.initial() + ".." + openRetry.max() + " jitter " + openRetry.jitter()
                + ", max-wait " + openRetry.maxWait());
        m.put("sv1.warmup", sv1WarmupSessions == 0 ? "off" : sv1WarmupSessions + " sessions"
                + (sv1WarmupUntilJitIdle ? " then until the JIT is idle" : "") + ", max " + sv1WarmupMaxTime);
        m.put("admin.listen", adminListen.toString());
        return m;
    }

    private static org.hyperhash.translator.bridge.OpenRetry openRetry(Config c) {
        try {
            return new org.hyperhash.translator.bridge.OpenRetry(c.getDuration("upstream.open-retry.initial"),
                    c.getDuration("upstream.open-retry.max"), c.getDouble("upstream.open-retry.jitter"),
                    c.getDuration("upstream.open-retry.max-wait"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    private static org.hyperhash.translator.sv1.Sv1Guard.Limits sv1Limits(Config c) {
        try {
            return new org.hyperhash.translator.sv1.Sv1Guard.Limits(c.getInt("sv1.max-connections-per-ip"),
                    c.getInt("sv1.ban.problems"), c.getDuration("sv1.ban.window"), c.getDuration("sv1.ban.duration"),
                    c.getDuration("sv1.setup-timeout"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
    }
}
