package org.hyperhash.bitcoind.rpc;

import java.net.URI;
import java.time.Duration;

/**
 * Where and how to reach Bitcoin Core's JSON-RPC.
 *
 * @param url e.g. {@code http://127.0.0.1:8332/} (a wallet path is not needed)
 * @param auth cookie file or user/password
 * @param connectTimeout TCP connect timeout
 * @param requestTimeout timeout of one ordinary call
 * @param longPollTimeout timeout of a long-poll getblocktemplate (Core holds it until the template changes)
 * @param maxRetries retries of a transient failure (unreachable, timeout, -28 warming up); 0 = none
 * @param initialBackoff first retry delay, doubled per attempt
 * @param maxBackoff retry delay cap
 */
public record RpcEndpoint(URI url, RpcAuth auth, Duration connectTimeout, Duration requestTimeout,
                          Duration longPollTimeout, int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    public RpcEndpoint {
        java.util.Objects.requireNonNull(url, "rpc url");
        java.util.Objects.requireNonNull(auth, "rpc auth");
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("rpc url must be http(s)://host:port/, got " + url);
        }
        positive("connect-timeout", connectTimeout);
        positive("request-timeout", requestTimeout);
        positive("long-poll-timeout", longPollTimeout);
        positive("initial-backoff", initialBackoff);
        positive("max-backoff", maxBackoff);
        if (maxRetries < 0) {
            throw new IllegalArgumentException("max-retries must be >= 0, got " + maxRetries);
        }
    }

    /** Defaults: 5 s connect, 30 s request, 5 min long poll, 3 retries from 250 ms up to 5 s. */
    public static RpcEndpoint of(URI url, RpcAuth auth) {
        return new RpcEndpoint(url, auth, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5), 3,
                Duration.ofMillis(250), Duration.ofSeconds(5));
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
