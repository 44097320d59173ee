package org.hyperhash.daemon;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Loads a daemon's configuration, strictly. Precedence, lowest first:
 * <ol>
 *   <li>every {@code reference.conf} on the classpath (each module ships its defaults);</li>
 *   <li>the {@code --config FILE} (HOCON; JSON and properties also parse), written either with the full path
 *       ({@code hyperhash.pool { ... }}) or relative to the daemon's root;</li>
 *   <li>environment variables {@code <PREFIX>_<PATH>}: the part after the prefix is lower-cased,
 *       {@code _} separates path elements and {@code __} stands for {@code -}
 *       (so {@code POOL_ADMIN_LISTEN} sets {@code admin.listen} and {@code POOL_VARDIFF_SHARES__PER__MINUTE}
 *       sets {@code vardiff.shares-per-minute});</li>
 *   <li>repeatable {@code --set path=value} (the value is parsed as HOCON, else taken as a string); the path is
 *       relative to the root or the full path {@code --print-config} prints ({@code hyperhash.pool.sv2.listen}).</li>
 * </ol>
 * Strict: every key a file, an environment variable or a {@code --set} names must exist in the daemon's
 * reference config (the {@code reference.conf} of its module, so keys added there are accepted automatically),
 * including keys inside the objects of a list (the reference's first element is the schema of every element);
 * otherwise loading fails with the full path and a "did you mean" suggestion. An empty object in the reference
 * ({@code {}}) accepts any keys below it. Values are checked against the reference's types (number, boolean,
 * duration, list, object) with the full path in the message. Old spellings listed in {@link #ALIASES} are
 * accepted for one release with a deprecation warning.
 */
public final class DaemonConfig {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonConfig.class);
    private static final Pattern DURATION = Pattern.compile(
            "\\s*\\d+(\\.\\d+)?\\s*(ns|nanos?|nanoseconds?|us|micros?|microseconds?|ms|millis?|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)\\s*");

    /**
     * Deprecated spellings, full path of the old key to the full path of the new one (docs/operations.md, "Config
     * layout"). Applied to every source before the strict check, with one WARN per use; remove after one release.
     */
    public static final Map<String, String> ALIASES = Map.ofEntries(
            // one name per concept: the ledger's JDBC URL
            Map.entry("hyperhash.pool.ledger.jdbc-url", "hyperhash.pool.ledger.url"),
            // one bitcoind RPC section per daemon: bitcoind { url, cookie-file, user, password, timeout }
            Map.entry("hyperhash.pool.block-submission.bitcoind-url", "hyperhash.pool.bitcoind.url"),
            Map.entry("hyperhash.pool.block-submission.cookie-file", "hyperhash.pool.bitcoind.cookie-file"),
            Map.entry("hyperhash.pool.block-submission.user", "hyperhash.pool.bitcoind.user"),
            Map.entry("hyperhash.pool.block-submission.password", "hyperhash.pool.bitcoind.password"),
            Map.entry("hyperhash.pool.block-submission.timeout", "hyperhash.pool.bitcoind.timeout"),
            Map.entry("hyperhash.tp.bitcoind.rpc-url", "hyperhash.tp.bitcoind.url"),
            Map.entry("hyperhash.tp.bitcoind.rpc-cookie-file", "hyperhash.tp.bitcoind.cookie-file"),
            Map.entry("hyperhash.tp.bitcoind.rpc-user", "hyperhash.tp.bitcoind.user"),
            Map.entry("hyperhash.tp.bitcoind.rpc-password", "hyperhash.tp.bitcoind.password"),
            Map.entry("hyperhash.treasury.bitcoind.rpc-user", "hyperhash.treasury.bitcoind.user"),
            Map.entry("hyperhash.treasury.bitcoind.rpc-password", "hyperhash.treasury.bitcoind.password"));

    private DaemonConfig() {
    }

    /** The loaded configuration (relative to the daemon's root) and the paths (relative) an operator set. */
    public record Loaded(Config config, Set<String> explicitPaths, List<String> warnings) {
        public boolean isExplicit(String relativePath) {
            return explicitPaths.contains(relativePath);
        }
    }

    public static Config load(Path file, List<String> sets, String envPrefix, String rootPath) {
        return load(file, sets, envPrefix, rootPath, System.getenv());
    }

    public static Config load(Path file, List<String> sets, String envPrefix, String rootPath, Map<String, String> env) {
        return loadDetailed(file, sets, envPrefix, rootPath, env).config();
    }

    public static Loaded loadDetailed(Path file, List<String> sets, String envPrefix, String rootPath, Map<String, String> env) {
        ConfigFactory.invalidateCaches();
        Config reference = ConfigFactory.defaultReference();
        if (!reference.hasPath(rootPath)) {
            throw new ConfigError("no configuration under " + rootPath + " (is the module's reference.conf on the classpath?)");
        }
        ConfigObject refRoot = reference.getConfig(rootPath).root();
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Set<String> explicit = new LinkedHashSet<>();

        Config fromFile = ConfigFactory.empty();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigError("config file not found: " + file);
            }
            Config parsed;
            try {
                parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            } catch (ConfigException e) {
                throw new ConfigError("cannot parse " + file + ": " + e.getMessage());
            }
            fromFile = fileLayer(parsed, rootPath, reference, file.toString(), errors);
        }
        Config fromEnv = ConfigFactory.empty();
        if (envPrefix != null) {
            String p = envPrefix.endsWith("_") ? envPrefix : envPrefix + "_";
            for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
                if (e.getKey().startsWith(p) && e.getKey().length() > p.length()) {
                    String path = envToPath(e.getKey().substring(p.length()));
                    fromEnv = parseAssignment(rootPath + "." + path, e.getValue(), "environment variable " + e.getKey())
                            .withFallback(fromEnv);
                }
            }
        }
        Config fromSets = ConfigFactory.empty();
        if (sets != null) {
            for (String s : sets) {
                int eq = s.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigError("--set expects path=value, got: " + s);
                }
                String path = s.substring(0, eq).trim();
                if (path.startsWith(rootPath + ".")) {
                    path = path.substring(rootPath.length() + 1); // the full path --print-config prints
                } else if (path.startsWith("hyperhash.")) {
                    errors.add("--set " + path + ": not a key of this daemon (its keys are under " + rootPath + ")");
                    continue;
                }
                fromSets = parseAssignment(rootPath + "." + path, s.substring(eq + 1), "--set " + s.substring(0, eq).trim())
                        .withFallback(fromSets);
            }
        }
        fromFile = applyAliases(fromFile, rootPath, warnings, errors);
        fromEnv = applyAliases(fromEnv, rootPath, warnings, errors);
        fromSets = applyAliases(fromSets, rootPath, warnings, errors);
        for (Config layer : List.of(fromFile, fromEnv, fromSets)) {
            if (layer.root().get(first(rootPath)) != null) {
                ConfigValue sub = find(layer.root(), ConfigUtil.splitPath(rootPath));
                if (sub instanceof ConfigObject o) {
                    checkKeys(o, refRoot, rootPath, errors, explicit, "");
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigError(String.join("; ", errors));
        }
        Config all;
        try {
            all = fromSets.withFallback(fromEnv).withFallback(fromFile).withFallback(reference).resolve();
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage());
        }
        checkTypes(all.getConfig(rootPath).root(), refRoot, rootPath, errors);
        if (!errors.isEmpty()) {
            throw new ConfigError(String.join("; ", errors));
        }
        for (String w : warnings) {
            LOG.warn("config: {}", w);
        }
        return new Loaded(all.getConfig(rootPath), Set.copyOf(explicit), List.copyOf(warnings));
    }

    private static String first(String path) {
        return ConfigUtil.splitPath(path).get(0);
    }

    /** A file holds the full path (hyperhash.x { ... }) or keys relative to the root; nothing else. */
    private static Config fileLayer(Config parsed, String rootPath, Config reference, String name, List<String> errors) {
        String top = first(rootPath);
        if (parsed.root().get(top) == null) {
            return parsed.atPath(rootPath);
        }
        ConfigObject root = parsed.root();
        for (String k : root.keySet()) {
            if (!k.equals(top)) {
                errors.add(name + ": unknown key '" + k + "' outside " + top + " (a file holds either " + rootPath
                        + " { ... } or the keys relative to it, not both)");
            }
        }
        if (root.get(top) instanceof ConfigObject daemons) {
            String mine = ConfigUtil.splitPath(rootPath).get(1);
            for (String d : daemons.keySet()) {
                // one file may hold several daemons' sections: another daemon's section is ignored here
                ConfigValue refTop = reference.root().get(top);
                Set<String> known = refTop instanceof ConfigObject o ? o.keySet() : Set.of();
                if (!d.equals(mine) && !known.contains(d)) {
                    errors.add(name + ": unknown section '" + top + "." + d + "'" + suggest(d, known));
                }
            }
        }
        return parsed.withOnlyPath(rootPath);
    }

    private static Config applyAliases(Config layer, String rootPath, List<String> warnings, List<String> errors) {
        Config out = layer;
        for (Map.Entry<String, String> a : new TreeMap<>(ALIASES).entrySet()) {
            if (!a.getKey().startsWith(rootPath + ".")) {
                continue;
            }
            ConfigValue v = find(out.root(), ConfigUtil.splitPath(a.getKey()));
            if (v == null) {
                continue;
            }
            String source = where(v);
            out = out.withoutPath(a.getKey());
            if (find(out.root(), ConfigUtil.splitPath(a.getValue())) != null) {
                errors.add(a.getKey() + " and its new name " + a.getValue() + " are both set" + source + ": keep only "
                        + a.getValue());
                continue;
            }
            out = out.withValue(a.getValue(), v);
            warnings.add(a.getKey() + " is deprecated, use " + a.getValue() + source
                    + " (the old name is accepted for one release)");
        }
        return out;
    }

    /** Structural lookup that never resolves substitutions. */
    private static ConfigValue find(ConfigObject root, List<String> path) {
        ConfigValue cur = root;
        for (String k : path) {
            if (!(cur instanceof ConfigObject o)) {
                return null;
            }
            cur = o.get(k);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    private static String join(String path, String key) {
        return path + "." + ConfigUtil.joinPath(key);
    }

    private static void checkKeys(ConfigObject user, ConfigObject ref, String path, List<String> errors, Set<String> explicit,
                                  String relative) {
        if (ref.isEmpty()) {
            return; // an open map in the reference: any keys
        }
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            String k = e.getKey();
            String full = join(path, k);
            String rel = relative.isEmpty() ? ConfigUtil.joinPath(k) : relative + "." + ConfigUtil.joinPath(k);
            ConfigValue r = ref.get(k);
            if (r == null) {
                String src = where(e.getValue());
                errors.add("unknown key " + full + src + suggest(k, ref.keySet()));
                continue;
            }
            explicit.add(rel);
            ConfigValue u = e.getValue();
            if (u instanceof ConfigObject uo && r instanceof ConfigObject ro) {
                checkKeys(uo, ro, full, errors, explicit, rel);
            } else if (u instanceof ConfigList ul && r instanceof ConfigList rl && !rl.isEmpty()
                    && rl.get(0) instanceof ConfigObject schema) {
                for (int i = 0; i < ul.size(); i++) {
                    if (ul.get(i) instanceof ConfigObject element) {
                        checkKeys(element, schema, full + "[" + i + "]", errors, explicit, rel + "[" + i + "]");
                    }
                }
            }
        }
    }

    private static void checkTypes(ConfigObject merged, ConfigObject ref, String path, List<String> errors) {
        if (ref.isEmpty()) {
            return;
        }
        for (Map.Entry<String, ConfigValue> e : merged.entrySet()) {
            ConfigValue r = ref.get(e.getKey());
            if (r != null) {
                checkType(e.getValue(), r, join(path, e.getKey()), errors);
            }
        }
    }

    private static void checkType(ConfigValue v, ConfigValue r, String full, List<String> errors) {
        ConfigValueType want = r.valueType();
        ConfigValueType got = v.valueType();
        String where = where(v);
        String shown = got == ConfigValueType.OBJECT || got == ConfigValueType.LIST ? got.name().toLowerCase(Locale.ROOT)
                : String.valueOf(v.unwrapped());
        if (Redact.isSecretKey(full)) {
            shown = Redact.REDACTED;
        }
        switch (want) {
            case OBJECT -> {
                if (v instanceof ConfigObject vo) {
                    checkTypes(vo, (ConfigObject) r, full, errors);
                } else {
                    errors.add(full + ": expected a section { ... }, got " + shown + where);
                }
            }
            case LIST -> {
                if (v instanceof ConfigList vl) {
                    ConfigList rl = (ConfigList) r;
                    if (!rl.isEmpty()) {
                        for (int i = 0; i < vl.size(); i++) {
                            checkType(vl.get(i), rl.get(0), full + "[" + i + "]", errors);
                        }
                    }
                } else {
                    errors.add(full + ": expected a list [ ... ], got " + shown + where);
                }
            }
            case NUMBER -> {
                if (got != ConfigValueType.NUMBER && !(got == ConfigValueType.STRING && isNumber((String) v.unwrapped()))) {
                    errors.add(full + ": expected a number, got " + shown + where);
                }
            }
            case BOOLEAN -> {
                if (got != ConfigValueType.BOOLEAN && !(got == ConfigValueType.STRING
                        && Set.of("true", "false", "yes", "no", "on", "off").contains(((String) v.unwrapped()).trim()))) {
                    errors.add(full + ": expected true or false, got " + shown + where);
                }
            }
            case STRING -> {
                if (got == ConfigValueType.OBJECT || got == ConfigValueType.LIST) {
                    errors.add(full + ": expected a single value, got a " + shown + where);
                } else if (DURATION.matcher((String) r.unwrapped()).matches()) {
                    try {
                        ConfigFactory.empty().withValue("v", v).getDuration("v");
                    } catch (ConfigException ex) {
                        errors.add(full + ": expected a duration such as 10s, 500ms, 5m, 1h or 7d, got " + shown + where);
                    }
                }
            }
            default -> {
            }
        }
    }

    /** " (file.conf: 12)", " (--set a.b)" or " (environment variable X)": where a value came from. */
    private static String where(ConfigValue v) {
        if (v.origin() == null) {
            return "";
        }
        String d = v.origin().description();
        if ((d.startsWith("--set ") || d.startsWith("environment variable ")) && d.endsWith(": 1")) {
            d = d.substring(0, d.length() - 3); // one-line synthetic sources: the line number says nothing
        }
        return " (" + d + ")";
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** " (did you mean 'x'?)" for the closest candidate within a small edit distance, or "". */
    static String suggest(String key, Collection<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = editDistance(key.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        int limit = Math.max(2, key.length() / 3);
        if (best != null && bestD <= limit) {
            return " (did you mean '" + best + "'?)";
        }
        return candidates.isEmpty() ? "" : " (valid keys here: " + String.join(", ", new java.util.TreeSet<>(candidates)) + ")";
    }

    /** Levenshtein distance (small inputs: config key names). */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String envToPath(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == '_' && i + 1 < lower.length() && lower.charAt(i + 1) == '_') {
                b.append('-');
                i++;
            } else if (c == '_') {
                b.append('.');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static Config parseAssignment(String path, String value, String origin) {
        try {
            Config c = ConfigFactory.parseString("v = " + value,
                    ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription(origin));
            return c.getValue("v").atPath(path);
        } catch (ConfigException e) {
            return ConfigValueFactory.fromAnyRef(value, origin).atPath(path);
        }
    }

    /** A configuration problem an operator must fix: the message says what and where. */
    public static final class ConfigError extends RuntimeException {
        public ConfigError(String message) {
            super(Redact.text(message));
        }
    }
}
