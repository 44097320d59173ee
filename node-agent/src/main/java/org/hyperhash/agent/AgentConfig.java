package org.hyperhash.agent;

import java.io.IOException;
import java.io.Reader;
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
 * The agent's configuration. Format: a properties file ({@code key = value}, {@code #} comments), deliberately
 * not HOCON: the agent is JDK only. Precedence: defaults &lt; file &lt; environment ({@code AGENT_} + key upper-cased,
 * {@code .} → {@code _}, {@code -} → {@code __}; e.g. {@code AGENT_POLL_INTERVAL__SECONDS}) &lt; {@code --set key=value}.
 * Unknown keys in the file or {@code --set} are errors (typos must not silently disable a safety check).
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
 */
public record AgentConfig(URI manifestUrl, URI rootsUrl, Path trustRootFile, Path caFile, Duration pollInterval,
                          Duration pollJitter, Path stateDir, Path releasesDir, Path currentLink, int keep,
                          long maxArtifactBytes, Duration httpTimeout, Duration httpReadTimeout, Duration downloadTimeout,
                          List<String> units, Map<String, URI> adminUrls,
                          Duration healthDeadline, Duration healthInterval, String statusListen, URI coreRegisterUrl,
                          String corePublicKey, String nodeName, String systemctlCommand, Duration systemctlTimeout,
                          String bitcoindAddress, String lndAddress) {

    /** A configuration error; the message names the key. */
    public static final class ConfigError extends IllegalArgumentException {
        public ConfigError(String message) {
            super(message);
        }
    }

    /** Key, default, description: the documented table (also printed by {@code --help}). */
    public record Key(String name, String dflt, String doc) {
    }

    public static final List<Key> KEYS = List.of(
            new Key("manifest.url", "", "release manifest URL (https://core.example/releases/release.json); empty disables polling"),
            new Key("roots.url", "", "base URL of rotated roots, <url>/<version>.json; default: roots/ next to the manifest"),
            new Key("trust.root-file", "/etc/hyperhash/agent-root.json", "pinned first root (signed by its own threshold)"),
            new Key("tls.ca-file", "", "PEM CA certificate(s) trusted for HTTPS instead of the JDK defaults"),
            new Key("poll.interval-seconds", "3600", "seconds between checks"),
            new Key("poll.jitter-seconds", "600", "uniform random extra delay in [0, jitter) added to each interval"),
            new Key("paths.state-dir", "/var/lib/hyperhash/agent", "journal, trusted root, node key, partial downloads"),
            new Key("paths.releases-dir", "/opt/hyperhash/releases", "versioned release directories"),
            new Key("paths.current-link", "/opt/hyperhash/current", "symlink to the release in service"),
            new Key("install.keep", "3", "releases kept on disk, the current one included (>= 2)"),
            new Key("download.max-bytes", "536870912", "cap on one artifact (and on an unpacked zip)"),
            new Key("http.timeout-seconds", "60", "time to the response headers; for manifests, roots and registration the whole request"),
            new Key("http.read-timeout-seconds", "30", "longest silence while receiving a body; a stalled download fails and resumes at the next check"),
            new Key("download.timeout-seconds", "1800", "deadline of one artifact download; past it the download is refused (slow_retrieval) and resumes at the next check"),
            new Key("units", "hh-pool.service,hh-tp.service,hh-translator.service,hh-treasury.service",
                    "systemd units installed on this node (comma separated)"),
            new Key("unit.<unit>.admin-url", "", "admin base URL of a unit for /v1/health and /v1/ready, e.g. unit.hh-pool.service.admin-url = http://127.0.0.1:9090"),
            new Key("health.deadline-seconds", "120", "time restarted units have to pass /v1/health and /v1/ready"),
            new Key("health.interval-millis", "1000", "health poll interval"),
            new Key("status.listen", "127.0.0.1:8442", "node status HTTP (/v1/status, /v1/health, /v1/ready, /metrics)"),
            new Key("core.register-url", "", "core registration endpoint; empty: do not register"),
            new Key("core.public-key", "", "core's Ed25519 public key (base64 of the raw 32 bytes) that signs acknowledgements"),
            new Key("node.name", "", "node name sent at registration (default: host name)"),
            new Key("systemctl.command", "systemctl", "systemctl binary"),
            new Key("systemctl.timeout-seconds", "90", "timeout of one systemctl call"),
            new Key("reach.bitcoind", "127.0.0.1:8332", "host:port probed for bitcoind reachability (empty: skip)"),
            new Key("reach.lnd", "127.0.0.1:10009", "host:port probed for lnd reachability (empty: skip)"));

    /** The environment variable that overrides {@code key}. */
    public static String envName(String key) {
        return "AGENT_" + key.toUpperCase(Locale.ROOT).replace("-", "__").replace(".", "_");
    }

    static String keyOfEnv(String env) {
        String k = env.substring("AGENT_".length()).toLowerCase(Locale.ROOT);
        return k.replace("__", "\u0000").replace("_", ".").replace("\u0000", "-");
    }

    private static boolean known(String key) {
        if (key.startsWith("unit.") && key.endsWith(".admin-url") && key.length() > "unit..admin-url".length()) {
            return true;
        }
        return KEYS.stream().anyMatch(k -> k.name().equals(key));
    }

    /**
     * Loads the configuration.
     *
     * @param file optional properties file
     * @param env  environment (System.getenv() in production)
     * @param sets {@code key=value} overrides
     */
    public static AgentConfig load(Path file, Map<String, String> env, List<String> sets) throws IOException {
        Map<String, String> v = new TreeMap<>();
        for (Key k : KEYS) {
            if (!k.name().contains("<")) {
                v.put(k.name(), k.dflt());
            }
        }
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            for (String k : p.stringPropertyNames()) {
                if (!known(k)) {
                    throw new ConfigError(file + ": unknown key \"" + k + "\"");
                }
                v.put(k, p.getProperty(k).strip());
            }
        }
        for (var e : new TreeMap<>(env).entrySet()) {
            if (e.getKey().startsWith("AGENT_")) {
                String k = keyOfEnv(e.getKey());
                if (known(k)) {
                    v.put(k, e.getValue().strip());
                }
            }
        }
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new ConfigError("--set expects key=value, got \"" + s + "\"");
            }
            String k = s.substring(0, eq).strip();
            if (!known(k)) {
                throw new ConfigError("--set: unknown key \"" + k + "\"");
            }
            v.put(k, s.substring(eq + 1).strip());
        }
        return from(v);
    }

    private static AgentConfig from(Map<String, String> v) {
        URI manifest = uri(v, "manifest.url");
        URI roots = uri(v, "roots.url");
        if (roots == null && manifest != null) {
            roots = manifest.resolve("roots/");
        }
        if (roots != null && !roots.getPath().endsWith("/")) {
            roots = URI.create(roots + "/");
        }
        List<String> units = Arrays.stream(v.get("units").split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String u : units) {
            if (!u.matches("[A-Za-z0-9@._-]{1,128}")) {
                throw new ConfigError("units: invalid unit name \"" + u + "\"");
            }
        }
        Map<String, URI> admin = new LinkedHashMap<>();
        for (var e : v.entrySet()) {
            if (e.getKey().startsWith("unit.") && e.getKey().endsWith(".admin-url") && !e.getValue().isEmpty()) {
                String unit = e.getKey().substring(5, e.getKey().length() - ".admin-url".length());
                if (!units.contains(unit)) {
                    throw new ConfigError(e.getKey() + ": unit \"" + unit + "\" is not in units");
                }
                admin.put(unit, uri(v, e.getKey()));
            }
        }
        int keep = (int) positive(v, "install.keep");
        if (keep < 2) {
            throw new ConfigError("install.keep must be >= 2 (the current release and one to roll back to)");
        }
        String listen = v.get("status.listen");
        hostPort(listen, "status.listen", true);
        String nodeName = v.get("node.name");
        if (nodeName.isEmpty()) {
            try {
                nodeName = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                nodeName = "node";
            }
        }
        String coreKey = v.get("core.public-key");
        URI register = uri(v, "core.register-url");
        if (register != null && coreKey.isEmpty()) {
            throw new ConfigError("core.public-key is required when core.register-url is set");
        }
        if (!coreKey.isEmpty()) {
            try {
                org.hyperhash.agent.manifest.Ed25519.publicFromRaw(java.util.Base64.getDecoder().decode(coreKey));
            } catch (IllegalArgumentException e) {
                throw new ConfigError("core.public-key must be the base64 of a 32-byte Ed25519 public key");
            }
        }
        for (String k : List.of("reach.bitcoind", "reach.lnd")) {
            if (!v.get(k).isEmpty()) {
                hostPort(v.get(k), k, false);
            }
        }
        return new AgentConfig(manifest, roots, path(v, "trust.root-file"), v.get("tls.ca-file").isEmpty() ? null : path(v, "tls.ca-file"),
                Duration.ofSeconds(positive(v, "poll.interval-seconds")), Duration.ofSeconds(nonNegative(v, "poll.jitter-seconds")),
                path(v, "paths.state-dir"), path(v, "paths.releases-dir"), path(v, "paths.current-link"), keep,
                positive(v, "download.max-bytes"), Duration.ofSeconds(positive(v, "http.timeout-seconds")),
                Duration.ofSeconds(positive(v, "http.read-timeout-seconds")),
                Duration.ofSeconds(positive(v, "download.timeout-seconds")), units, admin,
                Duration.ofSeconds(positive(v, "health.deadline-seconds")), Duration.ofMillis(positive(v, "health.interval-millis")),
                listen, register, coreKey, nodeName, v.get("systemctl.command"),
                Duration.ofSeconds(positive(v, "systemctl.timeout-seconds")), v.get("reach.bitcoind"), v.get("reach.lnd"));
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

    private static URI uri(Map<String, String> v, String k) {
        String s = v.get(k);
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            URI u = new URI(s);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
                throw new ConfigError(k + " must be an http or https URL, got \"" + s + "\"");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigError(k + " is not a URL: \"" + s + "\"");
        }
    }

    private static Path path(Map<String, String> v, String k) {
        String s = v.get(k);
        if (s.isEmpty()) {
            throw new ConfigError(k + " must not be empty");
        }
        return Path.of(s);
    }

    private static long positive(Map<String, String> v, String k) {
        long n = nonNegative(v, k);
        if (n == 0) {
            throw new ConfigError(k + " must be > 0");
        }
        return n;
    }

    private static long nonNegative(Map<String, String> v, String k) {
        try {
            long n = Long.parseLong(v.get(k));
            if (n < 0) {
                throw new ConfigError(k + " must be >= 0, got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigError(k + " must be an integer, got \"" + v.get(k) + "\"");
        }
    }

    /** Documentation lines for --help. */
    public static List<String> helpLines() {
        List<String> out = new ArrayList<>();
        for (Key k : KEYS) {
            out.add(String.format("  %-26s %s%s", k.name(), k.doc(), k.dflt().isEmpty() ? "" : " [" + k.dflt() + "]"));
        }
        return out;
    }
}
