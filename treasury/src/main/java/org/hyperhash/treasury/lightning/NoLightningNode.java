package org.hyperhash.treasury.lightning;

import java.time.Duration;
import java.util.Map;

/** The node used in dry-run mode (no LND configured): every call says so; nothing is ever sent. */
public final class NoLightningNode implements LightningNode {
    private static final String WHY = "no LND configured (dry-run)";

    @Override
    public NodeInfo getInfo() throws LndException {
        throw new LndException(LndException.Kind.UNREACHABLE, WHY);
    }

    @Override
    public ChannelSummary channelSummary() throws LndException {
        throw new LndException(LndException.Kind.UNREACHABLE, WHY);
    }

    @Override
    public SendOutcome send(SendRequest request, Duration wait) {
        return new Unknown(WHY);
    }

    @Override
    public TrackOutcome track(String paymentHashHex, Duration wait) {
        return new TrackUnknown(WHY);
    }

    @Override
    public Map<String, Object> describe() {
        return Map.of("lnd", "none (dry-run)");
    }

    @Override
    public void close() {
    }
}
