package org.hyperhash.translator.bridge;

import org.hyperhash.sv2.channel.VardiffConfig;

import java.time.Duration;
import java.util.Objects;

/**
 * What the bridge needs to know (validated).
 *
 * @param extranonce2Size bytes each SV1 miner rolls (1..8: WhatsMiner firmware fails above 8)
 * @param indexBytes bytes of per-miner index inside the upstream extranonce (aggregated mode; 1..4)
 * @param maxExtranonce1Bytes largest extranonce1 sent to miners (Apollo fails above 16)
 * @param stableExtranonce1 keep extranonce1 independent of the upstream pool (fixed bytes in coinb1),
 *     so a failover never needs set_extranonce or a reconnect
 * @param userIdentity user_identity of the aggregated upstream channel (e.g. {@code <address>.translator})
 * @param initialHashrateHps nominal hashrate announced before miners have submitted shares
 * @param vardiff per-miner vardiff (its min/max are the floor for Bitaxe/NerdMiner and the ceiling for 200+ TH/s)
 * @param startDifficulty first difficulty for a miner that did not suggest one
 * @param grace how long miners stay connected without upstream before client.reconnect
 * @param updateInterval how often UpdateChannel with the aggregate hashrate may be sent
 * @param resumeWindow how long a disconnected miner's extranonce1 stays reserved for session resume
 * @param maxMiners SV1 connections served at once
 * @param maxJobsPerTip jobs remembered per chain tip
 * @param reconnectHost host in client.reconnect (empty: miners reconnect to the same address)
 * @param reconnectPort port in client.reconnect (0: same)
 * @param perMinerChannels one upstream extended channel per SV1 miner, opened with the miner's
 *     authorized username as user_identity (so the pool credits {@code <address>.<worker>}); false =
 *     one aggregated channel for all miners under {@code userIdentity}
 * @param channelsPerConnection per-miner mode: channels placed on one upstream SV2 connection before another
 *     connection to the same pool is opened (keep it below the pool's per-connection channel cap)
 */
public record BridgeConfig(int extranonce2Size, int indexBytes, int maxExtranonce1Bytes, boolean stableExtranonce1,
        String userIdentity, double initialHashrateHps, VardiffConfig vardiff, double startDifficulty, Duration grace,
        Duration updateInterval, Duration resumeWindow, int maxMiners, int maxJobsPerTip, String reconnectHost,
        int reconnectPort, boolean perMinerChannels, int channelsPerConnection) {

    /** Default channel budget per upstream connection: the Hyperhash pool's default cap (1,000) minus one. */
    public static final int DEFAULT_CHANNELS_PER_CONNECTION = 999;

    public BridgeConfig(int extranonce2Size, int indexBytes, int maxExtranonce1Bytes, boolean stableExtranonce1,
            String userIdentity, double initialHashrateHps, VardiffConfig vardiff, double startDifficulty, Duration grace,
            Duration updateInterval, Duration resumeWindow, int maxMiners, int maxJobsPerTip, String reconnectHost,
            int reconnectPort, boolean perMinerChannels) {
        this(extranonce2Size, indexBytes, maxExtranonce1Bytes, stableExtranonce1, userIdentity, initialHashrateHps, vardiff,
                startDifficulty, grace, updateInterval, resumeWindow, maxMiners, maxJobsPerTip, reconnectHost, reconnectPort,
                perMinerChannels, DEFAULT_CHANNELS_PER_CONNECTION);
    }

    public BridgeConfig {
        if (channelsPerConnection < 1) {
            throw new IllegalArgumentException("upstream.channels-per-connection must be >= 1 (the pool's"
                    + " limits.max-channels-per-connection minus one is a good value): " + channelsPerConnection);
        }
        if (extranonce2Size < 1 || extranonce2Size > 8) {
            throw new IllegalArgumentException("sv1.extranonce2-size must be 1..8 (WhatsMiner fails above 8): " + extranonce2Size);
        }
        if (indexBytes < 1 || indexBytes > 4) {
            throw new IllegalArgumentException("upstream.miner-index-bytes must be 1..4: " + indexBytes);
        }
        if (maxExtranonce1Bytes < indexBytes || maxExtranonce1Bytes > 32) {
            throw new IllegalArgumentException("sv1.max-extranonce1-bytes must be " + indexBytes + "..32: " + maxExtranonce1Bytes);
        }
        Objects.requireNonNull(userIdentity, "userIdentity");
        if (perMinerChannels && !stableExtranonce1) {
            throw new IllegalArgumentException("upstream.mode = per-miner needs sv1.stable-extranonce1 = true"
                    + " (extranonce1 is answered before the miner's channel exists)");
        }
        if (!perMinerChannels && userIdentity.isBlank()) {
            throw new IllegalArgumentException("upstream.user-identity must be set to <payout address>.<name>");
        }
        if (!(initialHashrateHps >= 0) || Double.isInfinite(initialHashrateHps)) {
            throw new IllegalArgumentException("upstream.initial-hashrate must be >= 0");
        }
        Objects.requireNonNull(vardiff, "vardiff");
        if (!(startDifficulty > 0) || Double.isInfinite(startDifficulty)) {
            throw new IllegalArgumentException("sv1.start-difficulty must be > 0");
        }
        for (Duration d : new Duration[] {grace, updateInterval, resumeWindow}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("durations must be >= 0");
            }
        }
        if (maxMiners < 1 || (indexBytes < 4 && maxMiners > (1L << (8 * indexBytes)))) {
            throw new IllegalArgumentException("sv1.max-miners must be 1..2^(8*miner-index-bytes): " + maxMiners);
        }
        if (maxJobsPerTip < 1) {
            throw new IllegalArgumentException("maxJobsPerTip must be >= 1");
        }
        reconnectHost = reconnectHost == null ? "" : reconnectHost;
        if (reconnectPort < 0 || reconnectPort > 65535) {
            throw new IllegalArgumentException("sv1.reconnect-port out of range");
        }
    }
}
