package org.hyperhash.tp;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.bitcoind.rpc.RpcAuth;
import org.hyperhash.bitcoind.rpc.RpcEndpoint;
import org.hyperhash.tp.template.CoinbaseStyle;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The validated {@code hyperhash.tp} configuration. {@link #from(Config)} turns every problem into
 * a {@link ConfigError} naming the path.
 */
public record TpConfig(Network network, Backend backend, List<InetSocketAddress> listen, String authoritySecretKey,
                       String staticSecretKey, String authoritySecretKeyFile, String staticSecretKeyFile,
                       Duration certificateValidity, Duration handshakeTimeout, int maxFrameBytes,
                       int outboundHighWaterMarkBytes, int outboundLowWaterMarkBytes, int ioThreads,
                       Duration refreshInterval, long feeDeltaSats, CoinbaseStyle coinbaseStyle, boolean emptyTemplateFirst,
                       RpcEndpoint rpc, String zmqHashblock, int devnetSyntheticTransactions, int devnetHalvingInterval,
                       int devnetBits,
                       InetSocketAddress adminListen, Duration shutdownDeadline, PortLimits limits) {

    /**
     * The TDP port's limits ({@code sv2.limits.*}, {@code template.max-templates-per-session},
     * {@code template.stale-template-grace}).
     *
     * @param guard connection caps, bans and the allowlist
     * @param setupTimeout from TCP accept to CoinbaseOutputConstraints (covers a handshake that stalls after act 1)
     * @param idleTimeout a session with no traffic either way for this long is closed (0 = never)
     * @param constraintChangesPerMinute CoinbaseOutputConstraints after the first, per session
     * @param transactionDataRequestsPerMinute RequestTransactionData per session
     * @param refusedSolutionsPerMinute SubmitSolution refused at once (unknown template) per session
     * @param maxTemplatesPerSession templates kept per session
     * @param staleTemplateGrace how long the previous tip's templates stay usable after a new tip
     */
    public record PortLimits(org.hyperhash.daemon.ConnectionGuard.Limits guard, Duration setupTimeout, Duration idleTimeout,
                             int constraintChangesPerMinute, int transactionDataRequestsPerMinute,
                             int refusedSolutionsPerMinute, int maxTemplatesPerSession, Duration staleTemplateGrace) {
        public PortLimits {
            if (setupTimeout.isNegative() || setupTimeout.isZero()) {
                throw new ConfigError("sv2.limits.setup-timeout must be > 0, got " + setupTimeout);
            }
            if (idleTimeout.isNegative()) {
                throw new ConfigError("sv2.limits.idle-timeout must be >= 0 (0 = never), got " + idleTimeout);
            }
            if (constraintChangesPerMinute < 0 || transactionDataRequestsPerMinute < 1 || refusedSolutionsPerMinute < 1) {
                throw new ConfigError("sv2.limits.*-per-minute: constraint-changes >= 0, the others >= 1");
            }
            if (maxTemplatesPerSession < 2) {
                throw new ConfigError("template.max-templates-per-session must be >= 2, got " + maxTemplatesPerSession);
            }
            if (staleTemplateGrace.isNegative()) {
                throw new ConfigError("template.stale-template-grace must be >= 0, got " + staleTemplateGrace);
            }
        }

        static PortLimits from(Config c) {
            Config l = c.getConfig("sv2.limits");
            List<org.hyperhash.daemon.ConnectionGuard.Cidr> allow = new java.util.ArrayList<>();
            for (String a : l.getStringList("allow")) {
                try {
                    allow.add(org.hyperhash.daemon.ConnectionGuard.Cidr.parse(a));
                } catch (IllegalArgumentException e) {
                    throw new ConfigError("sv2.limits.allow: " + e.getMessage());
                }
            }
            org.hyperhash.daemon.ConnectionGuard.Limits guard;
            try {
                guard = new org.hyperhash.daemon.ConnectionGuard.Limits(l.getInt("max-connections"),
                        l.getInt("max-connections-per-ip"), l.getInt("ban.violations"), l.getDuration("ban.window"),
                        l.getDuration("ban.duration"), l.getInt("ipv6-prefix-length"), allow);
            } catch (IllegalArgumentException e) {
                throw new ConfigError("sv2.limits: " + e.getMessage());
            }
            return new PortLimits(guard, l.getDuration("setup-timeout"), l.getDuration("idle-timeout"),
                    l.getInt("constraint-changes-per-minute"), l.getInt("transaction-data-requests-per-minute"),
                    l.getInt("refused-solutions-per-minute"), c.getInt("template.max-templates-per-session"),
                    c.getDuration("template.stale-template-grace"));
        }
    }

    /** Root path of the TP's config. */
    public static final String ROOT = "hyperhash.tp";

    /** Supported networks with their default TDP port and Core's chain name. */
    public enum Network {
        MAINNET(8446, "main"), TESTNET4(48442, "testnet4"), SIGNET(38442, "signet"), REGTEST(18447, "regtest"),
        DEVNET(18448, "devnet");

        private final int defaultPort;
        private final String coreChain;

        Network(int defaultPort, String coreChain) {
            this.defaultPort = defaultPort;
            this.coreChain = coreChain;
        }

        public int defaultPort() {
            return defaultPort;
        }

        /** The {@code chain} Core's getblockchaininfo reports. */
        public String coreChain() {
            return coreChain;
        }
    }

    public enum Backend { DEVNET, BITCOIND }

    public TpConfig {
        listen = List.copyOf(listen);
        if (backend == Backend.DEVNET && network != Network.DEVNET) {
            throw new ConfigError("backend = devnet requires network = devnet (got " + network.name().toLowerCase(Locale.ROOT) + ")");
        }
        if (backend == Backend.BITCOIND && network == Network.DEVNET) {
            throw new ConfigError("network = devnet needs backend = devnet (bitcoind has no devnet chain)");
        }
        if (listen.isEmpty()) {
            throw new ConfigError("sv2.listen: at least one address");
        }
        if (!authoritySecretKey.isEmpty() && !authoritySecretKeyFile.isEmpty()) {
            throw new ConfigError("set sv2.authority-secret-key or sv2.authority-secret-key-file, not both");
        }
        if (!staticSecretKey.isEmpty() && !staticSecretKeyFile.isEmpty()) {
            throw new ConfigError("set sv2.static-secret-key or sv2.static-secret-key-file, not both");
        }
        if (outboundLowWaterMarkBytes <= 0 || outboundHighWaterMarkBytes <= outboundLowWaterMarkBytes) {
            throw new ConfigError("sv2.outbound-high-water-mark-bytes must exceed sv2.outbound-low-water-mark-bytes (> 0)");
        }
        if (maxFrameBytes < 1024 || maxFrameBytes > 0xFFFFFF) {
            throw new ConfigError("sv2.max-frame-bytes must be 1024..16777215, got " + maxFrameBytes);
        }
        java.util.Objects.requireNonNull(limits, "limits");
        if (ioThreads < 1 || ioThreads > 64) {
            throw new ConfigError("sv2.io-threads must be 1..64, got " + ioThreads);
        }
        if (feeDeltaSats < 0) {
            throw new ConfigError("template.fee-delta-sats must be >= 0, got " + feeDeltaSats);
        }
        if (refreshInterval.toMillis() < 100) {
            throw new ConfigError("template.refresh-interval must be at least 100ms, got " + refreshInterval);
        }
    }

    /** @param c the {@code hyperhash.tp} subtree, as {@code DaemonConfig.load(..., ROOT)} returns it */
    public static TpConfig from(Config c) {
        try {
            Network network = parseEnum(Network.class, "network", c.getString("network"));
            Backend backend = parseEnum(Backend.class, "backend", c.getString("backend"));
            List<InetSocketAddress> listen = c.getStringList("sv2.listen").stream().map(Banner::parseHostPort).toList();
            if (listen.isEmpty()) {
                listen = List.of(new InetSocketAddress("127.0.0.1", network.defaultPort()));
            }
            RpcEndpoint rpc = null;
            if (backend == Backend.BITCOIND) {
                rpc = rpcEndpoint(c.getConfig("bitcoind"));
            }
            return new TpConfig(network, backend, listen,
                    c.getString("sv2.authority-secret-key").trim(),
                    c.getString("sv2.static-secret-key").trim(),
                    c.getString("sv2.authority-secret-key-file").trim(),
                    c.getString("sv2.static-secret-key-file").trim(),
                    c.getDuration("sv2.certificate-validity"),
                    c.getDuration("sv2.handshake-timeout"),
                    c.getInt("sv2.max-frame-bytes"),
                    c.getInt("sv2.outbound-high-water-mark-bytes"),
                    c.getInt("sv2.outbound-low-water-mark-bytes"),
                    c.getInt("sv2.io-threads"),
                    c.getDuration("template.refresh-interval"),
                    c.getLong("template.fee-delta-sats"),
                    parseEnum(CoinbaseStyle.class, "template.coinbase-style", c.getString("template.coinbase-style")),
                    c.getBoolean("template.empty-template-first"),
                    rpc,
                    c.getString("bitcoind.zmq-hashblock").trim(),
                    c.getInt("devnet.synthetic-transactions-per-block"),
                    c.getInt("devnet.halving-interval"),
                    devnetBits(c.getString("devnet.bits")),
                    Banner.parseHostPort(c.getString("admin.listen")),
                    c.getDuration("shutdown-deadline"),
                    PortLimits.from(c));
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    /** devnet.bits: compact target as hex ("0x207fffff"), validated as an nBits encoding. */
    private static int devnetBits(String v) {
        String h = v.trim().startsWith("0x") || v.trim().startsWith("0X") ? v.trim().substring(2) : v.trim();
        try {
            int bits = (int) Long.parseLong(h, 16);
            org.hyperhash.base.CompactBits.toTarget(bits);
            return bits;
        } catch (RuntimeException e) {
            throw new ConfigError("devnet.bits: not a valid compact target (hex nBits, e.g. \"0x207fffff\"): " + v);
        }
    }

    private static RpcEndpoint rpcEndpoint(Config b) {
        URI url;
        try {
            url = URI.create(b.getString("url"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError("bitcoind.url: " + e.getMessage());
        }
        String cookie = b.getString("cookie-file").trim();
        String user = b.getString("user");
        String password = b.getString("password");
        RpcAuth auth;
        if (!cookie.isEmpty()) {
            auth = new RpcAuth.Cookie(Path.of(cookie));
        } else if (!user.isEmpty()) {
            auth = new RpcAuth.UserPassword(user, password);
        } else {
            throw new ConfigError("bitcoind: set bitcoind.cookie-file, or bitcoind.user and bitcoind.password");
        }
        try {
            return new RpcEndpoint(url, auth, b.getDuration("connect-timeout"), b.getDuration("request-timeout"),
                    b.getDuration("long-poll-timeout"), b.getInt("max-retries"), b.getDuration("initial-backoff"),
                    b.getDuration("max-backoff"));
        } catch (IllegalArgumentException e) {
            throw new ConfigError("bitcoind." + e.getMessage());
        }
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String path, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            StringBuilder allowed = new StringBuilder();
            for (E x : type.getEnumConstants()) {
                allowed.append(allowed.isEmpty() ? "" : ", ").append(x.name().toLowerCase(Locale.ROOT));
            }
            throw new ConfigError(path + ": '" + value + "' is not one of " + allowed);
        }
    }
}
