package org.hyperhash.sv2.tdp;

/**
 * One template provider to connect to.
 *
 * @param host host name or IP
 * @param port TDP port (sv2-tp: 8442 mainnet, 18447 regtest; hh tp devnet: 18448)
 * @param authorityPublicKey the TP's authority public key, base58check as the TP logs it, pinned
 *     during the Noise handshake; null = accept any certificate (only for loopback/testing, as SRI's {@code without_pk})
 */
public record TdpEndpoint(String host, int port, String authorityPublicKey) {
    public TdpEndpoint {
        java.util.Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("template provider host is empty");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("template provider port out of range: " + port);
        }
        if (authorityPublicKey != null && authorityPublicKey.isBlank()) {
            authorityPublicKey = null;
        }
    }

    /** {@code host:port} for logs. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return address();
    }
}
