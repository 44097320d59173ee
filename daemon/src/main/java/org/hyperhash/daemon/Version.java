package org.hyperhash.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Build version, read from the hh-version.properties resource written at build time. */
public final class Version {
    private static final String VERSION;

    static {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/hh-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // falls back to "unknown"
        }
        VERSION = p.getProperty("version", "unknown");
    }

    private Version() {
    }

    public static String version() {
        return VERSION;
    }
}
