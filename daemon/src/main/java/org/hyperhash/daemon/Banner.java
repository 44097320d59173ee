package org.hyperhash.daemon;

import org.slf4j.Logger;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The startup lines operators and scripts grep for: one per listening address, and the authority key. */
public final class Banner {
    private Banner() {
    }

    /** Logs {@code listening <what> on <host:port>}; {@code what} is one of sv2, sv1, http, tdp. */
    public static void listening(Logger log, String what, SocketAddress address) {
        log.info("listening {} on {}", what, hostPort(address));
    }

    /** Logs the SV2 authority public key in base58check (the key miners pin). */
    public static void authorityKey(Logger log, String base58) {
        log.info("authority public key {}", base58);
    }

    public static String hostPort(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            String host = i.getAddress() != null ? i.getAddress().getHostAddress() : i.getHostString();
            if (host.indexOf(':') >= 0) {
                host = "[" + host + "]";
            }
            return host + ":" + i.getPort();
        }
        return String.valueOf(a);
    }

    /** Parses {@code host:port} or {@code [v6]:port}; a bare port means all interfaces. */
    public static InetSocketAddress parseHostPort(String s) {
        String t = s.trim();
        if (t.matches("\\d+")) {
            return new InetSocketAddress(Integer.parseInt(t));
        }
        int colon = t.lastIndexOf(':');
        if (colon <= 0) {
            throw new DaemonConfig.ConfigError("expected host:port, got '" + s + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new DaemonConfig.ConfigError("bad port in '" + s + "'");
        }
        if (port < 0 || port > 65535) {
            throw new DaemonConfig.ConfigError("port out of range in '" + s + "'");
        }
        return new InetSocketAddress(host, port);
    }
}
