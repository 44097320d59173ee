package org.hyperhash.daemon;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValueFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads a daemon's configuration. Precedence, lowest first:
 * <ol>
 *   <li>every {@code reference.conf} on the classpath (each module ships its defaults);</li>
 *   <li>the {@code --config FILE} (HOCON; JSON and properties also parse);</li>
 *   <li>environment variables {@code <PREFIX>_<PATH>}: the part after the prefix is lower-cased,
 *       {@code _} separates path elements and {@code __} stands for {@code -}
 *       (so {@code POOL_ADMIN_LISTEN} sets {@code admin.listen} and {@code POOL_VARDIFF_SHARES__PER__MINUTE}
 *       sets {@code vardiff.shares-per-minute});</li>
 *   <li>repeatable {@code --set path=value} (the value is parsed as HOCON, else taken as a string).</li>
 * </ol>
 * Paths are relative to the daemon's root (e.g. {@code hyperhash.pool}).
 */
public final class DaemonConfig {
    private DaemonConfig() {
    }

    public static Config load(Path file, List<String> sets, String envPrefix, String rootPath) {
        return load(file, sets, envPrefix, rootPath, System.getenv());
    }

    public static Config load(Path file, List<String> sets, String envPrefix, String rootPath, Map<String, String> env) {
        ConfigFactory.invalidateCaches();
        Config reference = ConfigFactory.defaultReference();
        Config fromFile = ConfigFactory.empty();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigError("config file not found: " + file);
            }
            try {
                Config parsed = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
                // a file may be written relative to the daemon root or with the full path
                fromFile = parsed.hasPath(rootPath) ? parsed : parsed.atPath(rootPath).withFallback(parsed);
            } catch (ConfigException e) {
                throw new ConfigError("cannot parse " + file + ": " + e.getMessage());
            }
        }
        Config fromEnv = ConfigFactory.empty();
        if (envPrefix != null) {
            String p = envPrefix.endsWith("_") ? envPrefix : envPrefix + "_";
            for (Map.Entry<String, String> e : env.entrySet()) {
                if (e.getKey().startsWith(p) && e.getKey().length() > p.length()) {
                    String path = envToPath(e.getKey().substring(p.length()));
                    fromEnv = parseAssignment(rootPath + "." + path, e.getValue()).withFallback(fromEnv);
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
                fromSets = parseAssignment(rootPath + "." + path, s.substring(eq + 1)).withFallback(fromSets);
            }
        }
        try {
            Config all = fromSets.withFallback(fromEnv).withFallback(fromFile).withFallback(reference).resolve();
            if (!all.hasPath(rootPath)) {
                throw new ConfigError("no configuration under " + rootPath + " (is the module's reference.conf on the classpath?)");
            }
            return all.getConfig(rootPath);
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage());
        }
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

    private static Config parseAssignment(String path, String value) {
        try {
            Config c = ConfigFactory.parseString("v = " + value, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF));
            return c.getValue("v").atPath(path);
        } catch (ConfigException e) {
            return ConfigValueFactory.fromAnyRef(value).atPath(path);
        }
    }

    /** A configuration problem an operator must fix: the message says what and where. */
    public static final class ConfigError extends RuntimeException {
        public ConfigError(String message) {
            super(message);
        }
    }
}
