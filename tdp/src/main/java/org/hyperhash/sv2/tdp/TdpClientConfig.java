package org.hyperhash.sv2.tdp;

import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;

import java.time.Duration;
import java.util.List;

/**
 * Configuration of the pool-side TDP client.
 *
 * @param endpoints template providers in order of preference (failover list)
 * @param constraints CoinbaseOutputConstraints sent right after SetupConnection.Success (SRI:
 *     serialized size of the pool's payout outputs + 43 bytes, their sigops + 4)
 * @param vendor SetupConnection.vendor
 * @param hardwareVersion SetupConnection.hardware_version
 * @param firmware SetupConnection.firmware
 * @param deviceId SetupConnection.device_id
 * @param connectTimeout TCP connect timeout
 * @param handshakeTimeout Noise handshake timeout
 * @param requestTimeout RequestTransactionData answer timeout
 * @param initialBackoff first reconnect delay once every endpoint failed, doubled per failure
 * @param maxBackoff reconnect delay cap
 * @param cooldown how long a failed endpoint is skipped while others are available
 * @param maxFrameBytes largest accepted frame payload (RequestTransactionData.Success can be a few MB)
 * @param failback true: while on a less preferred endpoint, probe the preferred ones when their cooldown
 *     ends and switch back to the first that completes setup; false: stay on the working endpoint until
 *     its session drops (sticky failover; a reconnect still starts from the most preferred endpoint not
 *     cooling down)
 *
 * <p>{@code handshakeTimeout} also bounds the wait for SetupConnection.Success; {@code requestTimeout}
 * is also how long the old session stays open (for late SubmitSolutions) after failing back to a
 * preferred provider.
 */
public record TdpClientConfig(List<TdpEndpoint> endpoints, CoinbaseOutputConstraints constraints, String vendor,
                              String hardwareVersion, String firmware, String deviceId, Duration connectTimeout,
                              Duration handshakeTimeout, Duration requestTimeout, Duration initialBackoff, Duration maxBackoff,
                              Duration cooldown, int maxFrameBytes, boolean failback) {
    public TdpClientConfig {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one template provider endpoint");
        }
        java.util.Objects.requireNonNull(constraints, "constraints");
        positive(connectTimeout, "connectTimeout");
        positive(handshakeTimeout, "handshakeTimeout");
        positive(requestTimeout, "requestTimeout");
        positive(initialBackoff, "initialBackoff");
        positive(maxBackoff, "maxBackoff");
        java.util.Objects.requireNonNull(cooldown, "cooldown");
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("cooldown must be >= 0: " + cooldown);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be >= initialBackoff");
        }
        if (maxFrameBytes < 1024 || maxFrameBytes > 0xFFFFFF) {
            throw new IllegalArgumentException("maxFrameBytes must be 1024..16777215: " + maxFrameBytes);
        }
    }

    private static void positive(Duration d, String what) {
        java.util.Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive: " + d);
        }
    }

    /** This config with other coinbase output constraints. */
    public TdpClientConfig withConstraints(CoinbaseOutputConstraints c) {
        return new TdpClientConfig(endpoints, c, vendor, hardwareVersion, firmware, deviceId, connectTimeout, handshakeTimeout,
                requestTimeout, initialBackoff, maxBackoff, cooldown, maxFrameBytes, failback);
    }

    /** This config with other reconnect timings (connect timeout, backoff range, cooldown). */
    public TdpClientConfig withTimings(Duration connectTimeout, Duration initialBackoff, Duration maxBackoff, Duration cooldown) {
        return new TdpClientConfig(endpoints, constraints, vendor, hardwareVersion, firmware, deviceId, connectTimeout,
                handshakeTimeout, requestTimeout, initialBackoff, maxBackoff, cooldown, maxFrameBytes, failback);
    }

    /** This config with failback to preferred endpoints on or off (see {@code failback}). */
    public TdpClientConfig withFailback(boolean failback) {
        return new TdpClientConfig(endpoints, constraints, vendor, hardwareVersion, firmware, deviceId, connectTimeout,
                handshakeTimeout, requestTimeout, initialBackoff, maxBackoff, cooldown, maxFrameBytes, failback);
    }

    /** Defaults: vendor "hyperhash", 5 s connect, 10 s handshake and requests, backoff 1 s..30 s, 60 s cooldown, 16 MB frames, failback on. */
    public static TdpClientConfig of(List<TdpEndpoint> endpoints, CoinbaseOutputConstraints constraints) {
        return new TdpClientConfig(endpoints, constraints, "hyperhash", "", "", "", Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60), 0xFFFFFF, true);
    }
}
