package org.hyperhash.translator.sv2;

import java.util.Objects;

/**
 * One upstream pool.
 *
 * @param name label for logs/status (host:port if not configured)
 * @param host host name or address
 * @param port SV2 port
 * @param authorityKey the pool's base58check authority public key to pin; empty = plaintext SV2
 *     (trusted LAN only)
 */
public record PoolEndpoint(String name, String host, int port, String authorityKey) {
    public PoolEndpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("upstream.pools[].host must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("upstream.pools[].port out of range: " + port);
        }
        authorityKey = authorityKey == null ? "" : authorityKey.trim();
        name = name == null || name.isBlank() ? host + ":" + port : name;
    }

    public boolean encrypted() {
        return !authorityKey.isEmpty();
    }
}
