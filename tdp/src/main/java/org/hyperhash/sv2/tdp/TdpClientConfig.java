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
 */
public record TdpClientConfig(List<TdpEndpoint> endpoints, CoinbaseOutputConstraints constraints, String vendor,
                              String hardwareVersion, String firmware, String deviceId, Duration connectTimeout,
                              Duration handshakeTimeout, Duration requestTimeout, Duration initialBackoff, Duration maxBackoff,
                              Duration cooldown, int maxFrameBytes) {
    public TdpClientConfig {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one template provider endpoint");
        }
        java.util.Objects.requireNonNull(constraints, "constraints");
    }

    /** Defaults: vendor "hyperhash", 5 s connect, 10 s handshake and requests, backoff 1 s..30 s, 60 s cooldown, 16 MB frames. */
    public static TdpClientConfig of(List<TdpEndpoint> endpoints, CoinbaseOutputConstraints constraints) {
        return new TdpClientConfig(endpoints, constraints, "hyperhash", "", "", "", Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60), 0xFFFFFF);
    }
}
