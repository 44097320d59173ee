package org.hyperhash.pool;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.hyperhash.daemon.Banner;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.pool.identity.PoolNetwork;
import org.hyperhash.sv2.channel.ChannelConfig;
import org.hyperhash.sv2.channel.VardiffConfig;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.StaticKeyPair;

/**
 * The pool's whole configuration, validated once at start (reference.conf documents every key).
 * Every component constructor takes the sub-record it needs.
 *
 * @param network bitcoin network (address validation)
 * @param instanceId 0..255: leading extranonce byte and ledger instance id
 * @param sv2 mining server settings
 * @param limits connection limits and bans
 * @param payout pool payout address, tag, solo prefix
 * @param channel per-channel policy
 * @param vardiff vardiff policy (null when disabled)
 * @param templateProviders TPs in order of preference
 * @param tdp TDP client timings and failback policy
 * @param ledger share accounting database
 * @param adminListen admin HTTP address
 * @param shutdownDeadline graceful shutdown bound
 * @param blockSubmission direct submitblock to bitcoind (in addition to the TP), or disabled
 */
public record PoolConfig(PoolNetwork network, int instanceId, Sv2 sv2, Limits limits, Payout payout, Channel channel,
        VardiffConfig vardiff, List<TemplateProvider> templateProviders, Tdp tdp, Ledger ledger,
        InetSocketAddress adminListen, Duration shutdownDeadline, BlockSubmission blockSubmission, Jds jds) {

    /**
     * The job declarator server (see reference.conf {@code jds}).
     */
    public record Jds(boolean enabled, List<InetSocketAddress> listen, Duration tokenLifetime, int maxTokensPerConnection,
            int maxDeclaredJobs, long maxDeclaredBytes, int maxDeclaredTransactions, int maxProvidedBytes,
            long mempoolMaxBytes, int maxConnections, Duration idleTimeout) {
        public Jds {
            listen = List.copyOf(listen);
            require(!enabled || !listen.isEmpty(), "jds.listen", "at least one address when jds.enabled");
            positive(tokenLifetime, "jds.token-lifetime");
            require(maxTokensPerConnection >= 1 && maxTokensPerConnection <= 10_000, "jds.max-tokens-per-connection",
                    "must be 1..10000, got " + maxTokensPerConnection);
            require(maxDeclaredJobs >= 1 && maxDeclaredJobs <= 1_000_000, "jds.max-declared-jobs",
                    "must be 1..1000000, got " + maxDeclaredJobs);
            require(maxDeclaredBytes >= 0, "jds.max-declared-bytes", "must be >= 0");
            require(maxDeclaredTransactions >= 0 && maxDeclaredTransactions <= 65_535, "jds.max-declared-transactions",
                    "must be 0..65535 (SEQ0_64K), got " + maxDeclaredTransactions);
            require(maxProvidedBytes >= 0, "jds.max-provided-bytes", "must be >= 0");
            require(mempoolMaxBytes >= 0, "jds.mempool-max-bytes", "must be >= 0");
            require(maxConnections >= 1, "jds.max-connections", "must be >= 1, got " + maxConnections);
            positive(idleTimeout, "jds.idle-timeout");
        }

        /** Disabled, with defaults (tests that build a PoolConfig by hand). */
        public static Jds disabled() {
            return new Jds(false, List.of(), Duration.ofMinutes(10), 32, 1024, 512L << 20, 25_000, 8_000_000, 256L << 20,
                    256, Duration.ofMinutes(10));
        }
    }

    /** Root path of the pool's configuration. */
    public static final String ROOT = "hyperhash.pool";
    /** Environment variable prefix. */
    public static final String ENV_PREFIX = "POOL_";

    /** Longest certificate validity accepted (a leaked static key stays usable at most this long). */
    public static final Duration MAX_CERTIFICATE_VALIDITY = Duration.ofDays(365);

    /** Transport security of the mining port. */
    public enum Security { NOISE, PLAINTEXT }

    /**
     * Mining server settings (see reference.conf). The key pairs' {@code toString} never shows the secret.
     *
     * @param authorityKey signs the Noise certificates; null = a random key per start (refused on mainnet)
     * @param staticKey Noise static key; null = a random key per start
     */
    public record Sv2(List<InetSocketAddress> listen, Security security, AuthorityKeyPair authorityKey,
            StaticKeyPair staticKey, Duration certificateValidity, int ioThreads, int acceptBacklog,
            Duration handshakeTimeout,
            Duration idleTimeout, int maxFrameBytes, int outboundHighWaterMarkBytes, int outboundLowWaterMarkBytes,
            boolean allowWorkSelection, int noiseKeyReserve, Duration noiseKeyReserveMaxAge, int warmupSessions,
            Duration warmupMaxTime) {
        public Sv2 {
            listen = List.copyOf(listen);
            require(!listen.isEmpty(), "sv2.listen", "at least one address");
            Objects.requireNonNull(security, "sv2.security");
            positive(certificateValidity, "sv2.certificate-validity");
            require(certificateValidity.compareTo(MAX_CERTIFICATE_VALIDITY) <= 0, "sv2.certificate-validity",
                    "must be <= " + MAX_CERTIFICATE_VALIDITY.toDays() + "d, got " + certificateValidity);
            require(ioThreads >= 0 && ioThreads <= 1024, "sv2.io-threads", "must be 0..1024, got " + ioThreads);
            require(acceptBacklog >= 1 && acceptBacklog <= 65_535, "sv2.accept-backlog",
                    "must be 1..65535, got " + acceptBacklog);
            positive(handshakeTimeout, "sv2.handshake-timeout");
            positive(idleTimeout, "sv2.idle-timeout");
            require(maxFrameBytes >= 1024 && maxFrameBytes <= 16_777_221, "sv2.max-frame-bytes",
                    "must be 1024..16777221, got " + maxFrameBytes);
            require(outboundLowWaterMarkBytes > 0 && outboundHighWaterMarkBytes > outboundLowWaterMarkBytes,
                    "sv2.outbound-high-water-mark-bytes", "need 0 < low (" + outboundLowWaterMarkBytes + ") < high ("
                            + outboundHighWaterMarkBytes + ")");
            require(noiseKeyReserve >= 0 && noiseKeyReserve <= 1_000_000, "sv2.noise-key-reserve",
                    "must be 0..1000000, got " + noiseKeyReserve);
            positive(noiseKeyReserveMaxAge, "sv2.noise-key-reserve-max-age");
            require(warmupSessions >= 0 && warmupSessions <= 100_000, "sv2.warmup.sessions",
                    "must be 0..100000, got " + warmupSessions);
            Objects.requireNonNull(warmupMaxTime, "sv2.warmup.max-time");
            require(!warmupMaxTime.isNegative() && warmupMaxTime.compareTo(Duration.ofSeconds(60)) <= 0,
                    "sv2.warmup.max-time", "must be 0..60s, got " + warmupMaxTime);
        }

        /** Whether the start-up warm-up runs ({@code sv2.warmup}: sessions and max-time both above 0). */
        public boolean warmup() {
            return warmupSessions > 0 && !warmupMaxTime.isZero();
        }
    }

    /** Limits and bans. */
    public record Limits(int maxConnections, int maxConnectionsPerIp, int maxChannelsPerConnection, int banInvalidShares,
            int banProtocolViolations, Duration banWindow, Duration banDuration, int ipv6PrefixLength) {
        public Limits {
            require(ipv6PrefixLength >= 1 && ipv6PrefixLength <= 128, "limits.ipv6-prefix-length",
                    "must be 1..128, got " + ipv6PrefixLength);
            require(maxConnections >= 1, "limits.max-connections", "must be >= 1, got " + maxConnections);
            require(maxConnectionsPerIp >= 1, "limits.max-connections-per-ip", "must be >= 1, got " + maxConnectionsPerIp);
            require(maxChannelsPerConnection >= 1, "limits.max-channels-per-connection",
                    "must be >= 1, got " + maxChannelsPerConnection);
            require(banInvalidShares >= 1, "limits.ban.invalid-shares", "must be >= 1, got " + banInvalidShares);
            require(banProtocolViolations >= 1, "limits.ban.protocol-violations",
                    "must be >= 1, got " + banProtocolViolations);
            positive(banWindow, "limits.ban.window");
            require(!banDuration.isNegative(), "limits.ban.duration", "must be >= 0");
        }
    }

    /** Payout settings. */
    public record Payout(String address, String poolTag, String soloPrefix) {
        public Payout {
            require(address != null && !address.isBlank(), "payout.address",
                    "the pool payout address is required (it receives the coinbase of pooled jobs)");
            address = address.trim();
            Objects.requireNonNull(poolTag, "payout.pool-tag");
            require(poolTag.length() <= 20 && poolTag.chars().allMatch(c -> c >= 0x21 && c < 0x7f && c != '/'),
                    "payout.pool-tag", "at most 20 printable ASCII characters without '/' or spaces");
            soloPrefix = soloPrefix == null ? "" : soloPrefix;
        }
    }

    /** Channel policy; {@link #toChannelConfig()} maps it to the channel module. */
    public record Channel(double sharesPerMinute, int shareBatchSize, Duration ackInterval, int maxPastJobs,
            int maxFutureJobs, Duration maxNtimeAhead, int duplicateSetMaxEntries, int extranonceIndexBytes,
            int extranonceClientBytes) {
        public Channel {
            require(sharesPerMinute > 0 && Double.isFinite(sharesPerMinute), "channel.shares-per-minute", "must be > 0");
            positive(ackInterval, "channel.ack-interval");
            require(extranonceIndexBytes >= 1 && extranonceIndexBytes <= 7, "channel.extranonce-index-bytes",
                    "must be 1..7, got " + extranonceIndexBytes);
            require(extranonceClientBytes >= 0 && 1 + extranonceIndexBytes + extranonceClientBytes <= 32,
                    "channel.extranonce-client-bytes", "1 + index + client bytes must be <= 32");
            try {
                new ChannelConfig(sharesPerMinute, maxPastJobs, maxFutureJobs, shareBatchSize, maxNtimeAhead.toSeconds(),
                        duplicateSetMaxEntries, true);
            } catch (IllegalArgumentException e) {
                throw new ConfigError("channel: " + e.getMessage());
            }
        }

        public ChannelConfig toChannelConfig() {
            return new ChannelConfig(sharesPerMinute, maxPastJobs, maxFutureJobs, shareBatchSize, maxNtimeAhead.toSeconds(),
                    duplicateSetMaxEntries, true);
        }
    }

    /**
     * One template provider.
     *
     * @param address host:port
     * @param authorityKey base58check authority public key to pin, or "" (accept any; loopback only)
     */
    public record TemplateProvider(InetSocketAddress address, String authorityKey) {
        public TemplateProvider {
            Objects.requireNonNull(address, "template-providers[].address");
            authorityKey = authorityKey == null ? "" : authorityKey.trim();
        }
    }

    /**
     * TDP client timings and failover policy.
     *
     * @param failback true: switch back to a preferred TP once it is reachable again; false: sticky failover
     *     (stay on the TP that works until its session drops)
     * @param solutionConfirmTimeout a SubmitSolution not followed by a new tip within this is a refused solution
     *     (readiness red)
     * @param maxTemplateSilence readiness is red when no template arrived for longer (zero = never)
     */
    public record Tdp(Duration connectTimeout, Duration initialBackoff, Duration maxBackoff, Duration cooldown,
            boolean failback, Duration solutionConfirmTimeout, Duration maxTemplateSilence) {
        /** Defaults of the readiness timings (reference.conf). */
        public Tdp(Duration connectTimeout, Duration initialBackoff, Duration maxBackoff, Duration cooldown,
                boolean failback) {
            this(connectTimeout, initialBackoff, maxBackoff, cooldown, failback, Duration.ofSeconds(30), Duration.ofHours(1));
        }

        public Tdp {
            positive(solutionConfirmTimeout, "tdp.solution-confirm-timeout");
            require(!maxTemplateSilence.isNegative(), "tdp.max-template-silence", "must be >= 0 (0 = no check)");
            positive(connectTimeout, "tdp.connect-timeout");
            positive(initialBackoff, "tdp.initial-backoff");
            require(maxBackoff.compareTo(initialBackoff) >= 0, "tdp.max-backoff", "must be >= tdp.initial-backoff");
            require(!cooldown.isNegative(), "tdp.cooldown", "must be >= 0");
        }
    }

    /** Share accounting. */
    public record Ledger(String jdbcUrl, Duration window, Duration flushInterval, int queueCapacity, Duration instanceLease) {
        public Ledger {
            require(jdbcUrl != null && (jdbcUrl.startsWith("jdbc:sqlite:") || jdbcUrl.startsWith("jdbc:postgresql:")),
                    "ledger.url", "must start with jdbc:sqlite: or jdbc:postgresql:");
            positive(window, "ledger.window");
            positive(flushInterval, "ledger.flush-interval");
            require(flushInterval.compareTo(Duration.ofSeconds(1)) <= 0, "ledger.flush-interval",
                    "must be <= 1s (it bounds what a crash can lose), got " + flushInterval);
            require(queueCapacity >= 16, "ledger.queue-capacity", "must be >= 16, got " + queueCapacity);
            require(instanceLease != null && instanceLease.toMillis() >= 500, "ledger.instance-lease",
                    "must be >= 500ms, got " + instanceLease);
        }
    }

    /**
     * Found blocks also go straight to bitcoind ({@code submitblock} over JSON-RPC) when {@code bitcoindUrl} is set.
     * Auth: the node's cookie file, or user/password. {@code toString} never shows the password.
     *
     * @param bitcoindUrl e.g. http://127.0.0.1:8332, or null = off
     * @param cookieFile path of bitcoind's .cookie, or ""
     * @param user rpcuser, or ""
     * @param password rpcpassword, or ""
     * @param timeout per submitblock call
     * @param prefetchTransactions ask the TP for every minable template's transactions when it arrives (so a block
     *     can be rebuilt without the TP); false = only when a block is found. Only meaningful with bitcoindUrl.
     */
    public record BlockSubmission(URI bitcoindUrl, String cookieFile, String user, String password, Duration timeout,
            boolean prefetchTransactions) {
        /** Off. */
        public static final BlockSubmission DISABLED = new BlockSubmission(null, "", "", "", Duration.ofSeconds(10),
                true);

        public BlockSubmission {
            cookieFile = cookieFile == null ? "" : cookieFile.strip();
            user = user == null ? "" : user.strip();
            password = password == null ? "" : password;
            positive(timeout, "bitcoind.timeout");
            if (bitcoindUrl != null) {
                String scheme = bitcoindUrl.getScheme();
                require(("http".equals(scheme) || "https".equals(scheme)) && bitcoindUrl.getHost() != null,
                        "bitcoind.url", "must be http(s)://host:port");
                require(bitcoindUrl.getUserInfo() == null, "bitcoind.url",
                        "put credentials in cookie-file or user/password, not in the URL");
                require(cookieFile.isEmpty() || user.isEmpty(), "bitcoind.cookie-file",
                        "set either cookie-file or user/password, not both");
                require(!cookieFile.isEmpty() || !user.isEmpty(), "bitcoind.cookie-file",
                        "bitcoind needs credentials: cookie-file or user/password");
            }
        }

        public boolean enabled() {
            return bitcoindUrl != null;
        }

        @Override
        public String toString() {
            return enabled() ? "submitblock to " + bitcoindUrl + (cookieFile.isEmpty() ? " as " + user : " with cookie")
                    + (prefetchTransactions ? ", transactions prefetched" : ", transactions asked when a block is found")
                    : "submitblock off";
        }
    }

    public PoolConfig {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(jds, "jds");
        require(!sv2.allowWorkSelection() || jds.enabled(), "sv2.allow-work-selection",
                "custom jobs need this pool's job declarator: set jds.enabled = true (or allow-work-selection = false)");
        Objects.requireNonNull(blockSubmission, "block-submission");
        require(instanceId >= 0 && instanceId <= 255, "instance-id", "must be 0..255, got " + instanceId);
        Objects.requireNonNull(sv2, "sv2");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(payout, "payout");
        Objects.requireNonNull(channel, "channel");
        templateProviders = List.copyOf(templateProviders);
        require(!templateProviders.isEmpty(), "template-providers", "at least one template provider");
        Objects.requireNonNull(tdp, "tdp");
        Objects.requireNonNull(ledger, "ledger");
        Objects.requireNonNull(adminListen, "admin.listen");
        positive(shutdownDeadline, "shutdown-deadline");
        require(shutdownDeadline.compareTo(Duration.ofSeconds(30)) <= 0, "shutdown-deadline", "must be <= 30s");
        try {
            network.parse(payout.address());
        } catch (IllegalArgumentException e) {
            throw new ConfigError("payout.address: " + e.getMessage());
        }
        if (network == PoolNetwork.MAINNET && sv2.security() == Security.NOISE && sv2.authorityKey() == null) {
            throw new ConfigError("sv2.authority-secret-key: required on mainnet (or sv2.authority-secret-key-file) (miners pin its public key; a random "
                    + "key per start would break every miner's configuration)");
        }
        if (network == PoolNetwork.MAINNET && sv2.security() == Security.PLAINTEXT) {
            throw new ConfigError("sv2.security: plaintext is refused on mainnet");
        }
    }

    /** Ledger instance id string. */
    public String instanceName() {
        return "pool-" + instanceId;
    }

    /** Reads and validates the configuration under {@link #ROOT} (already selected by DaemonConfig.load). */
    public static PoolConfig from(Config c) {
        try {
            PoolNetwork network = parseEnum(PoolNetwork.class, "network", c.getString("network"));
            Config s = c.getConfig("sv2");
            Sv2 sv2 = new Sv2(addresses(s.getStringList("listen"), "sv2.listen"),
                    parseEnum(Security.class, "sv2.security", s.getString("security")),
                    secretKey(s, "authority-secret-key", AuthorityKeyPair::fromSecretBase58),
                    secretKey(s, "static-secret-key", StaticKeyPair::fromSecretBase58),
                    s.getDuration("certificate-validity"), s.getInt("io-threads"), s.getInt("accept-backlog"),
                    s.getDuration("handshake-timeout"),
                    s.getDuration("idle-timeout"), s.getInt("max-frame-bytes"),
                    s.getInt("outbound-high-water-mark-bytes"), s.getInt("outbound-low-water-mark-bytes"),
                    s.getBoolean("allow-work-selection"), s.getInt("noise-key-reserve"),
                    s.getDuration("noise-key-reserve-max-age"), s.getInt("warmup.sessions"),
                    s.getDuration("warmup.max-time"));
            Config l = c.getConfig("limits");
            Limits limits = new Limits(l.getInt("max-connections"), l.getInt("max-connections-per-ip"),
                    l.getInt("max-channels-per-connection"), l.getInt("ban.invalid-shares"),
                    l.getInt("ban.protocol-violations"), l.getDuration("ban.window"), l.getDuration("ban.duration"),
                    l.getInt("ipv6-prefix-length"));
            Config p = c.getConfig("payout");
            Payout payout = new Payout(p.getString("address"), p.getString("pool-tag"), p.getString("solo-prefix"));
            Config ch = c.getConfig("channel");
            Channel channel = new Channel(ch.getDouble("shares-per-minute"), ch.getInt("share-batch-size"),
                    ch.getDuration("ack-interval"), ch.getInt("max-past-jobs"), ch.getInt("max-future-jobs"),
                    ch.getDuration("max-ntime-ahead"), ch.getInt("duplicate-set-max-entries"),
                    ch.getInt("extranonce-index-bytes"), ch.getInt("extranonce-client-bytes"));
            Config v = c.getConfig("vardiff");
            VardiffConfig vardiff;
            try {
                vardiff = v.getBoolean("enabled") ? new VardiffConfig(v.getDouble("shares-per-minute"),
                        minDifficulty(v, network), v.getDouble("max-difficulty"), v.getDuration("decay-window"),
                        v.getDuration("min-retarget-interval"), v.getInt("min-shares-for-retarget"),
                        v.getDuration("max-retarget-interval"), v.getDouble("low-ratio"), v.getDouble("high-ratio"),
                        v.getInt("max-shares-per-second"))
                        : null;
            } catch (IllegalArgumentException e) {
                throw new ConfigError("vardiff: " + e.getMessage());
            }
            List<TemplateProvider> tps = new ArrayList<>();
            int i = 0;
            for (Config tp : c.getConfigList("template-providers")) {
                String where = "template-providers[" + i++ + "]";
                String pin = tp.hasPath("authority-key") ? tp.getString("authority-key").strip() : "";
                if (!pin.isEmpty()) {
                    try {
                        org.hyperhash.sv2.noise.AuthorityPublicKey.fromBase58(pin);
                    } catch (RuntimeException e) {
                        throw new ConfigError(ROOT + "." + where + ".authority-key: not a valid base58check authority public "
                                + "key (the TP logs its key at startup as 'authority public key ...')");
                    }
                }
                tps.add(new TemplateProvider(address(tp.getString("address"), where + ".address"), pin));
            }
            Config t = c.getConfig("tdp");
            Tdp tdp = new Tdp(t.getDuration("connect-timeout"), t.getDuration("initial-backoff"),
                    t.getDuration("max-backoff"), t.getDuration("cooldown"), bool(t, "failback", "tdp.failback"),
                    t.getDuration("solution-confirm-timeout"), t.getDuration("max-template-silence"));
            Config lg = c.getConfig("ledger");
            Ledger ledger = new Ledger(lg.getString("url"), lg.getDuration("window"), lg.getDuration("flush-interval"),
                    lg.getInt("queue-capacity"), lg.getDuration("instance-lease"));
            return new PoolConfig(network, c.getInt("instance-id"), sv2, limits, payout, channel, vardiff, tps, tdp,
                    ledger, address(c.getString("admin.listen"), "admin.listen"), c.getDuration("shutdown-deadline"),
                    blockSubmission(c), jds(c.getConfig("jds")));
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage());
        }
    }

    private static Jds jds(Config j) {
        boolean enabled = bool(j, "enabled", "jds.enabled");
        return new Jds(enabled, enabled ? addresses(j.getStringList("listen"), "jds.listen") : List.of(),
                j.getDuration("token-lifetime"), j.getInt("max-tokens-per-connection"), j.getInt("max-declared-jobs"), j.getBytes("max-declared-bytes"),
                j.getInt("max-declared-transactions"), j.getInt("max-provided-bytes"), j.getBytes("mempool-max-bytes"),
                j.getInt("max-connections"), j.getDuration("idle-timeout"));
    }

    private static BlockSubmission blockSubmission(Config c) {
        if (!c.hasPath("bitcoind")) {
            return BlockSubmission.DISABLED;
        }
        Config b = c.getConfig("bitcoind");
        String url = b.getString("url").strip();
        URI uri = null;
        if (!url.isEmpty()) {
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new ConfigError("bitcoind.url: not a URL");
            }
        }
        return new BlockSubmission(uri, b.getString("cookie-file"), b.getString("user"), b.getString("password"),
                b.getDuration("timeout"), !c.hasPath("block-submission.prefetch-transactions")
                        || bool(c.getConfig("block-submission"), "prefetch-transactions",
                                "block-submission.prefetch-transactions"));
    }

    /** {@code section.getBoolean(path)}, refused with the full key's name when the value is not a boolean. */
    private static boolean bool(Config section, String path, String key) {
        try {
            return section.getBoolean(path);
        } catch (ConfigException e) {
            throw new ConfigError(key + ": must be true or false");
        }
    }

    /**
     * A base58check secret from {@code key} or from the file named by {@code key-file} (its content, whitespace
     * and {@code #} comment lines ignored); null when neither is set. Errors name the key, never the value.
     */
    static <T> T secretKey(Config s, String key, Function<String, T> parse) {
        String field = "sv2." + key;
        String inline = s.hasPath(key) ? s.getString(key).strip() : "";
        String file = s.hasPath(key + "-file") ? s.getString(key + "-file").strip() : "";
        if (!inline.isEmpty() && !file.isEmpty()) {
            throw new ConfigError(field + ": set either " + key + " or " + key + "-file, not both");
        }
        String value = inline;
        if (!file.isEmpty()) {
            field += "-file";
            try {
                value = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).reduce("", String::concat);
            } catch (IOException | RuntimeException e) {
                throw new ConfigError(field + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            }
            if (value.isEmpty()) {
                throw new ConfigError(field + ": " + file + " holds no key");
            }
        }
        if (value.isEmpty()) {
            return null;
        }
        try {
            return parse.apply(value);
        } catch (RuntimeException e) {
            // the noise module's messages name the problem (checksum, length, range), never the value
            throw new ConfigError(field + ": invalid key: " + e.getMessage());
        }
    }

    private static List<InetSocketAddress> addresses(List<String> list, String field) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String s : list) {
            out.add(address(s, field));
        }
        return out;
    }

    private static InetSocketAddress address(String s, String field) {
        try {
            return Banner.parseHostPort(s);
        } catch (ConfigError e) {
            throw new ConfigError(field + ": " + e.getMessage());
        }
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, String field, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E v : type.getEnumConstants()) {
                names.add(v.name().toLowerCase(Locale.ROOT));
            }
            throw new ConfigError(field + ": '" + value + "' is not one of " + names);
        }
    }

    static void require(boolean ok, String field, String message) {
        if (!ok) {
            throw new ConfigError(field + ": " + message);
        }
    }

    static void positive(Duration d, String field) {
        require(d != null && !d.isNegative() && !d.isZero(), field, "must be > 0");
    }

    /**
     * {@code vardiff.min-difficulty}: {@code network} (the default) is the network's floor
     * ({@link PoolNetwork#minimumDifficulty()}); a number is used as it is on regtest/devnet and must not be below
     * the floor on the public networks.
     */
    static double minDifficulty(Config v, PoolNetwork network) {
        String key = "vardiff.min-difficulty";
        if (v.getValue("min-difficulty").valueType() == com.typesafe.config.ConfigValueType.STRING
                && v.getString("min-difficulty").equals("network")) {
            return network.minimumDifficulty();
        }
        double d;
        try {
            d = v.getDouble("min-difficulty");
        } catch (ConfigException e) {
            throw new ConfigError(key + ": expected \"network\" or a number > 0, got " + v.getValue("min-difficulty")
                    .render());
        }
        if (!network.difficultyFloorConfigurable() && d < network.minimumDifficulty()) {
            throw new ConfigError(key + " = " + d + " is below " + network.name().toLowerCase() + "'s floor "
                    + network.minimumDifficulty() + " (the lowest difficulty a real ASIC needs there): set it to \"network\""
                    + " or to a value >= " + network.minimumDifficulty());
        }
        return d;
    }
}
