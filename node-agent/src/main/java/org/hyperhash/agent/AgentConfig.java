package org.hyperhash.agent;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueType;
import org.hyperhash.daemon.DaemonConfig;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The agent's configuration, under {@code hyperhash.node-agent} (reference.conf of this module) and loaded strictly
 * by {@link DaemonConfig} like every daemon's: reference &lt; {@code --config FILE} &lt; environment ({@code AGENT_}
 * + path upper-cased, {@code .} → {@code _}, {@code -} → {@code __}; e.g. {@code AGENT_POLL_INTERVAL}) &lt;
 * {@code --set path=value}. Unknown keys are errors with a "did you mean" (typos must not silently disable a safety
 * check). The old {@code key = value} format and its key names ({@link #deprecatedKeys()}) are translated, with a
 * deprecation warning, for one release.
 *
 * @param manifestUrl         release manifest URL (null: polling disabled)
 * @param rootsUrl            base URL of rotated roots ({@code <rootsUrl>/<version>.json})
 * @param trustRootFile       the pinned first root (copied into the state dir on first start)
 * @param caFile              PEM CA to trust for HTTPS instead of the JDK defaults (null: JDK defaults)
 * @param pollInterval        time between checks
 * @param pollJitter          uniform random extra delay in [0, jitter)
 * @param stateDir            journal, trusted root, node key, downloads
 * @param releasesDir         versioned release directories
 * @param currentLink         symlink to the release in service
 * @param keep                releases kept on disk (current included)
 * @param maxArtifactBytes    cap on any artifact (and on an unpacked zip)
 * @param httpTimeout         time to the response headers; for manifests, roots and registration also the whole body
 * @param httpReadTimeout     longest silence while receiving a body (a stalled download fails, keeping its partial file)
 * @param downloadTimeout     deadline of one artifact download (refused as slow retrieval, keeping its partial file)
 * @param units               systemd units on this node
 * @param adminUrls           unit → admin base URL for /v1/health and /v1/ready
 * @param healthDeadline      how long restarted units have to become healthy
 * @param healthInterval      poll interval of health checks
 * @param statusListen        host:port of the node status HTTP server
 * @param coreRegisterUrl     core registration endpoint (null: no registration)
 * @param corePublicKey       the core's Ed25519 public key, base64 raw (verifies its acknowledgement)
 * @param nodeName            name sent at registration
 * @param systemctlCommand    systemctl binary
 * @param systemctlTimeout    timeout of a systemctl call
 * @param bitcoindAddress     host:port probed for reachability (empty: not probed)
 * @param lndAddress          host:port probed for reachability (empty: not probed)
 * @param ledgerBackupCommand  argv run before an upgrade that migrates the ledger, {@code {file}} = backup path (empty: none)
 * @param ledgerRestoreCommand argv run (units stopped) on a rollback across a contract migration, {@code {file}} as above
 * @param ledgerBackupDir      where the pre-upgrade ledger backups go
 * @param ledgerCommandTimeout deadline of one backup or restore command
 */
public record AgentConfig(URI manifestUrl, URI rootsUrl, Path trustRootFile, Path caFile, Duration pollInterval,
                          Duration pollJitter, Path stateDir, Path releasesDir, Path currentLink, int keep,
                          long maxArtifactBytes, Duration httpTimeout, Duration httpReadTimeout, Duration downloadTimeout,
                          List<String> units, Map<String, URI> adminUrls,
                          Duration healthDeadline, Duration healthInterval, String statusListen, URI coreRegisterUrl,
                          String corePublicKey, String nodeName, String systemctlCommand, Duration systemctlTimeout,
                          String bitcoindAddress, String lndAddress, List<String> ledgerBackupCommand,
                          List<String> ledgerRestoreCommand, Path ledgerBackupDir, Duration ledgerCommandTimeout) {

    /** A configuration error; the message names the key. */
    public static final class ConfigError extends IllegalArgumentException {
        public ConfigError(String message) {
            super(message);
        }
    }

    /** Key (relative to {@value #ROOT}), default, description: the documented table (also printed by {@code --help}). */
    public record Key(String name, String dflt, String doc) {
    }

    /** The agent's config root, as for every daemon ({@code hyperhash.<daemon>}). */
    public static final String ROOT = "hyperhash.node-agent";
    /** Environment prefix: {@code AGENT_<PATH>}, {@code _} between path elements, {@code __} for {@code -}. */
    public static final String ENV_PREFIX = "AGENT";

    public static final List<Key> KEYS = List.of(
            new Key("manifest.url", "", "release manifest URL (https://core.example/releases/release.json); empty disables polling"),
            new Key("roots.url", "", "base URL of rotated roots, <url>/<version>.json; default: roots/ next to the manifest"),
            new Key("trust.root-file", "/etc/hyperhash/agent-root.json", "pinned first root (signed by its own threshold)"),
            new Key("tls.ca-file", "", "PEM CA certificate(s) trusted for HTTPS instead of the JDK defaults"),
            new Key("poll.interval", "1h", "time between checks"),
            new Key("poll.jitter", "10m", "uniform random extra delay in [0, jitter) added to each interval"),
            new Key("paths.state-dir", "/var/lib/hyperhash/agent", "journal, trusted root, node key, partial downloads"),
            new Key("paths.releases-dir", "/opt/hyperhash/releases", "versioned release directories"),
            new Key("paths.current-link", "/opt/hyperhash/current", "symlink to the release in service"),
            new Key("install.keep", "3", "releases kept on disk, the current one included (>= 2)"),
            new Key("download.max-bytes", "512M", "cap on one artifact (and on an unpacked zip); bytes or a size (512M)"),
            new Key("http.timeout", "60s", "time to the response headers; for manifests, roots and registration the whole request"),
            new Key("http.read-timeout", "30s", "longest silence while receiving a body; a stalled download fails and resumes at the next check"),
            new Key("download.timeout", "30m", "deadline of one artifact download; past it the download is refused (slow_retrieval) and resumes at the next check"),
            new Key("units", "[hh-pool.service, hh-tp.service, hh-translator.service, hh-treasury.service]",
                    "systemd units installed on this node (a list)"),
            new Key("admin-urls", "{}", "unit -> admin base URL for /v1/health and /v1/ready, e.g. admin-urls { \"hh-pool.service\" = \"http://127.0.0.1:9090\" }"),
            new Key("health.deadline", "120s", "time restarted units have to pass /v1/health and /v1/ready"),
            new Key("health.interval", "1s", "health poll interval"),
            new Key("status.listen", "127.0.0.1:8442", "node status HTTP (/v1/status, /v1/health, /v1/ready, /metrics)"),
            new Key("core.register-url", "", "core registration endpoint; empty: do not register"),
            new Key("core.public-key", "", "core's Ed25519 public key (base64 of the raw 32 bytes) that signs acknowledgements"),
            new Key("node.name", "", "node name sent at registration (default: host name)"),
            new Key("systemctl.command", "systemctl", "systemctl binary"),
            new Key("systemctl.timeout", "90s", "timeout of one systemctl call"),
            new Key("reach.bitcoind", "127.0.0.1:8332", "host:port probed for bitcoind reachability (empty: skip)"),
            new Key("reach.lnd", "127.0.0.1:10009", "host:port probed for lnd reachability (empty: skip)"),
            new Key("ledger.backup-command", "[]", "argv run before an upgrade whose release migrates the ledger; {file} is"
                    + " replaced by the backup path (e.g. [hh, treasury, backup, --config, FILE, --out, \"{file}\"]); empty:"
                    + " such upgrades are refused"),
            new Key("ledger.restore-command", "[]", "argv run with the units stopped when a rollback crosses a contract"
                    + " migration; {file} = the backup taken before the upgrade"),
            new Key("ledger.backup-dir", "", "directory of the pre-upgrade ledger backups (default: <state-dir>/ledger-backups)"),
            new Key("ledger.command-timeout", "30m", "deadline of one ledger backup or restore command"));

    /** How an old ({@code key = value}) key's value becomes the new one. */
    private enum Kind { SAME, SECONDS, NON_NEGATIVE_SECONDS, MILLIS, LIST }

    private record Old(String newPath, Kind kind) {
    }

    /**
     * The old {@code key = value} keys (before the agent moved to {@value #ROOT}) and their new paths; accepted for one
     * release with a deprecation warning, in files, {@code AGENT_} variables and {@code --set}. The unit admin URLs
     * {@code unit.<unit>.admin-url} become {@code admin-urls."<unit>"}. Remove one release after this one.
     */
    private static final Map<String, Old> OLD_KEYS = Map.ofEntries(
            Map.entry("manifest.url", new Old("manifest.url", Kind.SAME)),
            Map.entry("roots.url", new Old("roots.url", Kind.SAME)),
            Map.entry("trust.root-file", new Old("trust.root-file", Kind.SAME)),
            Map.entry("tls.ca-file", new Old("tls.ca-file", Kind.SAME)),
            Map.entry("poll.interval-seconds", new Old("poll.interval", Kind.SECONDS)),
            Map.entry("poll.jitter-seconds", new Old("poll.jitter", Kind.NON_NEGATIVE_SECONDS)),
            Map.entry("paths.state-dir", new Old("paths.state-dir", Kind.SAME)),
            Map.entry("paths.releases-dir", new Old("paths.releases-dir", Kind.SAME)),
            Map.entry("paths.current-link", new Old("paths.current-link", Kind.SAME)),
            Map.entry("install.keep", new Old("install.keep", Kind.SAME)),
            Map.entry("download.max-bytes", new Old("download.max-bytes", Kind.SAME)),
            Map.entry("http.timeout-seconds", new Old("http.timeout", Kind.SECONDS)),
            Map.entry("http.read-timeout-seconds", new Old("http.read-timeout", Kind.SECONDS)),
            Map.entry("download.timeout-seconds", new Old("download.timeout", Kind.SECONDS)),
            Map.entry("units", new Old("units", Kind.LIST)),
            Map.entry("health.deadline-seconds", new Old("health.deadline", Kind.SECONDS)),
            Map.entry("health.interval-millis", new Old("health.interval", Kind.MILLIS)),
            Map.entry("status.listen", new Old("status.listen", Kind.SAME)),
            Map.entry("core.register-url", new Old("core.register-url", Kind.SAME)),
            Map.entry("core.public-key", new Old("core.public-key", Kind.SAME)),
            Map.entry("node.name", new Old("node.name", Kind.SAME)),
            Map.entry("systemctl.command", new Old("systemctl.command", Kind.SAME)),
            Map.entry("systemctl.timeout-seconds", new Old("systemctl.timeout", Kind.SECONDS)),
            Map.entry("reach.bitcoind", new Old("reach.bitcoind", Kind.SAME)),
            Map.entry("reach.lnd", new Old("reach.lnd", Kind.SAME)));

    /** The old key → new path table, for the documentation and {@code --help}. */
    public static Map<String, String> deprecatedKeys() {
        Map<String, String> m = new TreeMap<>();
        OLD_KEYS.forEach((k, o) -> {
            if (!k.equals(o.newPath())) {
                m.put(k, o.newPath());
            }
        });
        m.put("unit.<unit>.admin-url", "admin-urls.\"<unit>\"");
        return m;
    }

    /** The environment variable that sets {@code key} (relative path), as for every daemon. */
    public static String envName(String key) {
        return ENV_PREFIX + "_" + key.toUpperCase(Locale.ROOT).replace("-", "__").replace(".", "_");
    }

    /** The configuration, the effective config tree (relative to {@value #ROOT}) and the deprecation warnings. */
    public record Loaded(AgentConfig config, Config effective, List<String> warnings) {
    }

    /**
     * Loads the configuration strictly through {@link DaemonConfig}: reference.conf &lt; file &lt; {@code AGENT_}
     * environment &lt; {@code --set}. Warnings (deprecated format or keys) are logged.
     *
     * @param file optional config file: HOCON ({@code hyperhash.node-agent { ... }} or relative keys) or, for one
     *             release, the old {@code key = value} format
     * @param env  environment (System.getenv() in production)
     * @param sets {@code path=value} overrides
     */
    public static AgentConfig load(Path file, Map<String, String> env, List<String> sets) throws IOException {
        return loadDetailed(file, env, sets).config();
    }

    public static Loaded loadDetailed(Path file, Map<String, String> env, List<String> sets) throws IOException {
        List<String> warnings = new ArrayList<>();
        try {
            Config parsedFile = null;
            if (file != null) {
                if (!Files.isRegularFile(file)) {
                    throw new ConfigError("config file not found: " + file);
                }
                String text = Files.readString(file, StandardCharsets.UTF_8);
                Properties props = oldFormat(text);
                if (props != null) {
                    parsedFile = translateOldFile(props, file, warnings);
                } else {
                    try {
                        parsedFile = ConfigFactory.parseString(text, ConfigParseOptions.defaults()
                                .setSyntax(ConfigSyntax.CONF).setOriginDescription(file.toString()));
                    } catch (ConfigException e) {
                        throw new ConfigError("cannot parse " + file + ": " + e.getMessage());
                    }
                }
            }
            // old names in the environment become assignments ahead of the --set ones (which still win)
            Map<String, String> newEnv = new TreeMap<>();
            List<String> allSets = new ArrayList<>();
            for (var e : new TreeMap<>(env).entrySet()) {
                if (!e.getKey().startsWith(ENV_PREFIX + "_") || e.getKey().length() <= ENV_PREFIX.length() + 1) {
                    continue;
                }
                String path = envToPath(e.getKey().substring(ENV_PREFIX.length() + 1));
                String t = translate(path, e.getValue(), "environment variable " + e.getKey(), warnings);
                if (t != null) {
                    allSets.add(t);
                } else {
                    newEnv.put(e.getKey(), quoteIfString(path, e.getValue()));
                }
            }
            for (String s : sets) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigError("--set expects path=value, got \"" + s + "\"");
                }
                String path = s.substring(0, eq).strip();
                if (path.startsWith(ROOT + ".")) {
                    path = path.substring(ROOT.length() + 1);
                }
                String value = s.substring(eq + 1);
                String t = translate(path, value, "--set " + path, warnings);
                allSets.add(t != null ? t : path + "=" + quoteIfString(path, value));
            }
            DaemonConfig.Loaded loaded = DaemonConfig.loadDetailed(parsedFile, file == null ? null : file.toString(), allSets,
                    ENV_PREFIX, ROOT, newEnv);
            for (String w : warnings) {
                LOG.warning("config: " + w);
            }
            List<String> all = new ArrayList<>(warnings);
            all.addAll(loaded.warnings());
            return new Loaded(from(loaded.config()), loaded.config(), List.copyOf(all));
        } catch (DaemonConfig.ConfigError e) {
            throw new ConfigError(e.getMessage());
        }
    }

    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(AgentConfig.class.getName());

    /**
     * The old format's properties when {@code text} is an old {@code key = value} file: no braces, and every key one
     * of the old keys (a HOCON file with relative keys and only unchanged names reads the same either way, except
     * that the old format takes {@code //} in a URL literally, as it always did).
     */
    private static Properties oldFormat(String text) throws IOException {
        Properties p = new Properties();
        p.load(new java.io.StringReader(text));
        if (p.isEmpty() || text.contains("{")) {
            return null;
        }
        for (String k : p.stringPropertyNames()) {
            String v = p.getProperty(k).strip();
            if (!(OLD_KEYS.containsKey(k) || isOldAdminUrl(k)) || v.startsWith("\"") || v.startsWith("[")) {
                return null;
            }
        }
        return p;
    }

    private static boolean isOldAdminUrl(String key) {
        return key.startsWith("unit.") && key.endsWith(".admin-url") && key.length() > "unit..admin-url".length();
    }

    private static Config translateOldFile(Properties p, Path file, List<String> warnings) {
        warnings.add(file + " is in the old `key = value` format, which is accepted for this release only: write it as "
                + ROOT + " { ... } (node-agent/README.md, \"Configuration\"; hh node-agent status --print-config prints "
                + "the equivalent)");
        Config c = ConfigFactory.empty();
        for (String k : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
            String t = translate(k, p.getProperty(k), file.toString(), warnings);
            if (t == null) {
                t = k + "=" + quoteIfString(k, p.getProperty(k));
            }
            int eq = t.indexOf('=');
            c = assignment(t.substring(0, eq), t.substring(eq + 1), file + ": " + k).withFallback(c);
        }
        return c;
    }

    private static Config assignment(String path, String value, String origin) {
        try {
            return ConfigFactory.parseString(path + " = " + value,
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription(origin));
        } catch (ConfigException e) {
            throw new ConfigError(origin + ": cannot read the value of " + path + ": " + e.getMessage());
        }
    }

    /**
     * An old key (or an old value form: {@code units = a,b}) as a {@code newPath=hoconValue} assignment, with a
     * deprecation warning; null when {@code path} is not an old spelling.
     */
    private static String translate(String path, String value, String source, List<String> warnings) {
        String v = value.strip();
        if (isOldAdminUrl(path)) {
            String unit = path.substring("unit.".length(), path.length() - ".admin-url".length());
            String np = "admin-urls." + ConfigUtil.joinPath(unit);
            warnings.add(path + " (" + source + ") is deprecated, use " + np + " (accepted for one release)");
            return np + "=" + ConfigUtil.quoteString(v);
        }
        Old o = OLD_KEYS.get(path);
        if (o == null) {
            return null;
        }
        String rendered = switch (o.kind()) {
            case SAME -> null;
            case SECONDS -> seconds(path, v, true) + "s";
            case NON_NEGATIVE_SECONDS -> seconds(path, v, false) + "s";
            case MILLIS -> seconds(path, v, true) + "ms";
            case LIST -> v.startsWith("[") ? null : Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .map(ConfigUtil::quoteString).collect(java.util.stream.Collectors.joining(", ", "[", "]"));
        };
        if (rendered == null) {
            return null;
        }
        if (!o.newPath().equals(path)) {
            warnings.add(path + " (" + source + ") is deprecated, use " + o.newPath() + " = " + rendered
                    + " (accepted for one release)");
        } else {
            warnings.add(path + " as a comma-separated string (" + source + ") is deprecated, use a list: " + path + " = "
                    + rendered + " (accepted for one release)");
        }
        return o.newPath() + "=" + rendered;
    }

    private static long seconds(String key, String v, boolean positive) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigError(key + " must be an integer, got \"" + v + "\"");
        }
        if (n < 0 || (positive && n == 0)) {
            throw new ConfigError(key + " must be " + (positive ? "> 0" : ">= 0") + ", got " + n);
        }
        return n;
    }

    /** Keys whose reference value is a string are taken literally (so {@code https://...} is not cut at {@code //}). */
    private static String quoteIfString(String path, String value) {
        String v = value.strip();
        if (v.startsWith("\"") || !STRING_KEYS.contains(path)) {
            return value;
        }
        return ConfigUtil.quoteString(v);
    }

    private static final java.util.Set<String> STRING_KEYS = java.util.Set.of("manifest.url", "roots.url", "trust.root-file",
            "tls.ca-file", "paths.state-dir", "paths.releases-dir", "paths.current-link", "status.listen", "core.register-url",
            "core.public-key", "node.name", "systemctl.command", "reach.bitcoind", "reach.lnd", "ledger.backup-dir");

    /** {@code AGENT_} suffix → path: lower case, {@code _} separates path elements, {@code __} stands for {@code -}. */
    static String envToPath(String s) {
        String k = s.toLowerCase(Locale.ROOT);
        return k.replace("__", "\u0000").replace("_", ".").replace("\u0000", "-");
    }

    private static AgentConfig from(Config v) {
        URI manifest = uri(v, "manifest.url");
        URI roots = uri(v, "roots.url");
        if (roots == null && manifest != null) {
            roots = manifest.resolve("roots/");
        }
        if (roots != null && !roots.getPath().endsWith("/")) {
            roots = URI.create(roots + "/");
        }
        List<String> units = v.getStringList("units").stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String u : units) {
            if (!u.matches(org.hyperhash.agent.systemd.Systemctl.UNIT_NAME)) {
                throw new ConfigError(ROOT + ".units: invalid unit name \"" + u + "\"");
            }
        }
        Map<String, URI> admin = new LinkedHashMap<>();
        for (var e : new TreeMap<>(v.getObject("admin-urls")).entrySet()) {
            String unit = e.getKey();
            String key = "admin-urls." + ConfigUtil.joinPath(unit);
            if (e.getValue().valueType() != ConfigValueType.STRING) {
                throw new ConfigError(ROOT + "." + key + " must be a URL string (unit \"" + unit + "\"), got "
                        + e.getValue().valueType().name().toLowerCase(Locale.ROOT)
                        + " (quote the unit name: admin-urls { \"hh-pool.service\" = \"http://...\" })");
            }
            if (((String) e.getValue().unwrapped()).isEmpty()) {
                continue;
            }
            if (!units.contains(unit)) {
                throw new ConfigError(ROOT + "." + key + ": unit \"" + unit + "\" is not in units");
            }
            admin.put(unit, uriValue(key, (String) e.getValue().unwrapped()));
        }
        int keep = v.getInt("install.keep");
        if (keep < 2) {
            throw new ConfigError(ROOT + ".install.keep must be >= 2 (the current release and one to roll back to)");
        }
        String listen = v.getString("status.listen");
        hostPort(listen, ROOT + ".status.listen", true);
        String nodeName = v.getString("node.name");
        if (nodeName.isEmpty()) {
            try {
                nodeName = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                nodeName = "node";
            }
        }
        String coreKey = v.getString("core.public-key");
        URI register = uri(v, "core.register-url");
        if (register != null && coreKey.isEmpty()) {
            throw new ConfigError(ROOT + ".core.public-key is required when core.register-url is set");
        }
        if (!coreKey.isEmpty()) {
            try {
                org.hyperhash.agent.manifest.Ed25519.publicFromRaw(java.util.Base64.getDecoder().decode(coreKey));
            } catch (IllegalArgumentException e) {
                throw new ConfigError(ROOT + ".core.public-key must be the base64 of a 32-byte Ed25519 public key");
            }
        }
        for (String k : List.of("reach.bitcoind", "reach.lnd")) {
            if (!v.getString(k).isEmpty()) {
                hostPort(v.getString(k), ROOT + "." + k, false);
            }
        }
        long maxBytes;
        try {
            maxBytes = v.getBytes("download.max-bytes");
        } catch (ConfigException e) {
            throw new ConfigError(ROOT + ".download.max-bytes must be a size in bytes (or 512M), got \""
                    + v.getValue("download.max-bytes").unwrapped() + "\"");
        }
        if (maxBytes <= 0) {
            throw new ConfigError(ROOT + ".download.max-bytes must be > 0");
        }
        List<String> backupCmd = command(v, "ledger.backup-command");
        List<String> restoreCmd = command(v, "ledger.restore-command");
        if (backupCmd.isEmpty() != restoreCmd.isEmpty()) {
            throw new ConfigError(ROOT + ".ledger.backup-command and ledger.restore-command go together (a backup nobody"
                    + " restores does not make a rollback safe)");
        }
        Path stateDir = path(v, "paths.state-dir");
        Path backupDir = v.getString("ledger.backup-dir").isEmpty() ? stateDir.resolve("ledger-backups") : path(v, "ledger.backup-dir");
        return new AgentConfig(manifest, roots, path(v, "trust.root-file"), v.getString("tls.ca-file").isEmpty() ? null : path(v, "tls.ca-file"),
                duration(v, "poll.interval", true), duration(v, "poll.jitter", false),
                path(v, "paths.state-dir"), path(v, "paths.releases-dir"), path(v, "paths.current-link"), keep,
                maxBytes, duration(v, "http.timeout", true), duration(v, "http.read-timeout", true),
                duration(v, "download.timeout", true), units, admin,
                duration(v, "health.deadline", true), duration(v, "health.interval", true),
                listen, register, coreKey, nodeName, v.getString("systemctl.command"),
                duration(v, "systemctl.timeout", true), v.getString("reach.bitcoind"), v.getString("reach.lnd"),
                backupCmd, restoreCmd, backupDir, duration(v, "ledger.command-timeout", true));
    }

    /** A command list: empty, or a program and arguments of which one contains {@code {file}}. */
    private static List<String> command(Config v, String k) {
        List<String> c = v.getStringList(k);
        if (!c.isEmpty() && (c.getFirst().isBlank() || c.stream().noneMatch(a -> a.contains("{file}")))) {
            throw new ConfigError(ROOT + "." + k + " must name a program and pass it {file} (the backup path), got " + c);
        }
        return List.copyOf(c);
    }

    /** Splits host:port ([v6]:port allowed); validates the port. */
    public static Map.Entry<String, Integer> hostPort(String s, String key, boolean allowZero) {
        int i = s.lastIndexOf(':');
        if (i <= 0) {
            throw new ConfigError(key + " must be host:port, got \"" + s + "\"");
        }
        String host = s.substring(0, i);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(s.substring(i + 1));
            if (port < (allowZero ? 0 : 1) || port > 65535) {
                throw new NumberFormatException();
            }
            return Map.entry(host, port);
        } catch (NumberFormatException e) {
            throw new ConfigError(key + ": invalid port in \"" + s + "\"");
        }
    }

    private static URI uri(Config v, String k) {
        String s = v.getString(k);
        return s.isEmpty() ? null : uriValue(k, s);
    }

    private static URI uriValue(String k, String s) {
        try {
            URI u = new URI(s);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new ConfigError(ROOT + "." + k + " must be an http or https URL, got \"" + s + "\"");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigError(ROOT + "." + k + " is not a URL: \"" + s + "\"");
        }
    }

    private static Path path(Config v, String k) {
        String s = v.getString(k);
        if (s.isEmpty()) {
            throw new ConfigError(ROOT + "." + k + " must not be empty");
        }
        return Path.of(s);
    }

    private static Duration duration(Config v, String k, boolean positive) {
        Duration d = v.getDuration(k);
        if (d.isNegative() || (positive && d.isZero())) {
            throw new ConfigError(ROOT + "." + k + " must be " + (positive ? "> 0" : ">= 0") + ", got " + v.getValue(k).unwrapped());
        }
        return d;
    }

    /** Documentation lines for --help. */
    public static List<String> helpLines() {
        List<String> out = new ArrayList<>();
        for (Key k : KEYS) {
            out.add(String.format("  %-26s %s%s", k.name(), k.doc(), k.dflt().isEmpty() ? "" : " [" + k.dflt() + "]"));
        }
        out.add("Deprecated names (the old key = value format; accepted for one release with a warning):");
        deprecatedKeys().forEach((o, n) -> out.add(String.format("  %-26s -> %s", o, n)));
        return out;
    }
}
