package org.hyperhash.daemon;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;

/** Checks that the addresses a daemon will listen on are free, naming the address and the config key when not. */
public final class Ports {
    private Ports() {
    }

    /** A listen address that cannot be bound: the message names the address, the key and the fix. */
    public static final class BindFailure extends RuntimeException {
        public BindFailure(String message) {
            super(message);
        }
    }

    /**
     * Binds and releases every address (port 0 = ephemeral, skipped).
     *
     * @param rootPath the daemon's config root, for the full key in the message
     * @param byKey    config key (relative) → its listen addresses
     */
    public static void requireFree(String rootPath, Map<String, List<InetSocketAddress>> byKey) {
        for (Map.Entry<String, List<InetSocketAddress>> e : byKey.entrySet()) {
            for (InetSocketAddress a : e.getValue()) {
                if (a == null || a.getPort() == 0) {
                    continue;
                }
                try (ServerSocket s = new ServerSocket()) {
                    s.setReuseAddress(true);
                    s.bind(a);
                } catch (IOException ex) {
                    throw failure(rootPath, e.getKey(), a, ex);
                }
            }
        }
    }

    /** The error for a bind that failed: address, key, cause, and what to do. */
    public static BindFailure failure(String rootPath, String key, InetSocketAddress a, Throwable cause) {
        return new BindFailure("cannot listen on " + Banner.hostPort(a) + " (" + rootPath + "." + key + "): "
                + (cause.getMessage() == null ? cause.toString() : cause.getMessage())
                + " - another process (or another hh daemon) holds it: stop it or change " + rootPath + "." + key);
    }
}
