package org.hyperhash.daemon;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP: the JVM's default is to run the shutdown hooks and exit 129, so a {@code systemctl reload} or a closed
 * terminal would stop a daemon. Daemons install this handler instead: SIGHUP reloads the logging configuration
 * (the logback file and {@code HH_LOG_LEVEL}-style substitutions it contains) and changes nothing else; limits,
 * bans and every other setting need a restart (the log line says so).
 */
public final class Hangup {
    private static final Logger LOG = LoggerFactory.getLogger(Hangup.class);

    private Hangup() {
    }

    /** Installs the handler; returns false (and logs) where the JVM does not allow it. */
    public static boolean install(String name) {
        return install(name, () -> reloadLogging(name));
    }

    static boolean install(String name, Runnable onHangup) {
        try {
            Signal.handle(new Signal("HUP"), s -> onHangup.run());
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("{}: cannot handle SIGHUP ({}): a SIGHUP will stop the daemon", name, e.toString());
            return false;
        }
    }

    /** Re-reads the logback configuration. */
    static void reloadLogging(String name) {
        ILoggerFactory f = LoggerFactory.getILoggerFactory();
        if (!(f instanceof LoggerContext ctx)) {
            LOG.info("{}: SIGHUP: no logback context to reload; nothing else is reloadable (restart to apply other settings)", name);
            return;
        }
        try {
            ctx.reset();
            new ContextInitializer(ctx).autoConfig();
            LOG.info("{}: SIGHUP: logging configuration reloaded; other settings (limits, bans, ...) need a restart", name);
        } catch (Exception e) {
            LOG.error("{}: SIGHUP: logging reload failed: {}", name, e.toString());
        }
    }
}
