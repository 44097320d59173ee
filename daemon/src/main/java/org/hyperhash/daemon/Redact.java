package org.hyperhash.daemon;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of logs, status pages, exceptions and {@code --print-config}:
 * <ul>
 *   <li>config keys whose last element names a secret (secret, password, macaroon, private, token, cookie,
 *       passphrase, seed) are rendered as {@code <redacted>}, except {@code ...-file} keys, which hold a path,
 *       not the secret;</li>
 *   <li>credentials inside any text: the password of a URL's user info ({@code http://user:pass@host}) and
 *       {@code password=} / {@code token=} ... parameters (JDBC URLs: {@code ?user=u&password=p}).</li>
 * </ul>
 * Name secret settings accordingly.
 */
public final class Redact {
    private static final Pattern SECRET = Pattern.compile(".*(secret|password|macaroon|private|token|cookie|passphrase|seed).*");
    public static final String REDACTED = "<redacted>";
    /** scheme://user:password@ : the password part. */
    private static final Pattern URL_USERINFO = Pattern.compile("(?i)(\\b[a-z][a-z0-9+.\\-]*://[^/@\\s:\"'<>]*):([^/@\\s\"'<>]+)@");
    /** password=..., pwd=..., token=... parameters (query strings, JDBC properties). */
    private static final Pattern PARAM = Pattern.compile(
            "(?i)(\\b(?:password|passwd|pwd|secret|token|access_token|apikey|api-key|api_key|macaroon|rpcpassword)=)([^&;\\s\"'<>]+)");

    private Redact() {
    }

    public static boolean isSecretKey(String path) {
        int dot = path.lastIndexOf('.');
        String last = (dot < 0 ? path : path.substring(dot + 1)).toLowerCase(Locale.ROOT);
        if (last.endsWith("-file") || last.endsWith("-dir")) {
            return false; // where the secret is kept, not the secret
        }
        return SECRET.matcher(last).matches();
    }

    /** {@code text} with credentials inside URLs and {@code password=} style parameters replaced by {@link #REDACTED}. */
    public static String text(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String t = URL_USERINFO.matcher(text).replaceAll("$1:" + REDACTED + "@");
        return PARAM.matcher(t).replaceAll("$1" + REDACTED);
    }

    public static Config redacted(Config c) {
        Config out = c;
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            if (isSecretKey(e.getKey())) {
                out = out.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(REDACTED));
            } else if (e.getValue().unwrapped() instanceof String s && !s.equals(text(s))) {
                out = out.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(text(s)));
            }
        }
        return out;
    }

    /** The effective config as HOCON text, secrets redacted, for the startup log and --print-config. */
    public static String render(Config c) {
        return text(redacted(c).root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false)));
    }
}
