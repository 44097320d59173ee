package org.hyperhash.daemon;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of logs: config keys whose last element names a secret (secret, password, macaroon,
 * private, token, cookie, passphrase) are rendered as {@code <redacted>}. Name secret settings accordingly.
 */
public final class Redact {
    private static final Pattern SECRET = Pattern.compile(".*(secret|password|macaroon|private|token|cookie|passphrase|seed).*");
    public static final String REDACTED = "<redacted>";

    private Redact() {
    }

    public static boolean isSecretKey(String path) {
        int dot = path.lastIndexOf('.');
        String last = (dot < 0 ? path : path.substring(dot + 1)).toLowerCase(Locale.ROOT);
        return SECRET.matcher(last).matches();
    }

    public static Config redacted(Config c) {
        Config out = c;
        for (Map.Entry<String, ConfigValue> e : c.entrySet()) {
            if (isSecretKey(e.getKey())) {
                out = out.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(REDACTED));
            }
        }
        return out;
    }

    /** The effective config as HOCON text, secrets redacted, for the startup log and --print-config. */
    public static String render(Config c) {
        return redacted(c).root().render(ConfigRenderOptions.concise().setFormatted(true).setJson(false));
    }
}
