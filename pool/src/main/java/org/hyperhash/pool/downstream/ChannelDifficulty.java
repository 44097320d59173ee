package org.hyperhash.pool.downstream;

import java.time.InstantSource;
import java.util.Optional;
import org.hyperhash.base.Targets;
import org.hyperhash.sv2.channel.ServerChannel;
import org.hyperhash.sv2.channel.Vardiff;
import org.hyperhash.sv2.channel.VardiffConfig;
import org.hyperhash.sv2.message.mining.SetTarget;

/**
 * One channel's vardiff as the pool runs it: the initial target clamped into the vardiff range, a decision per
 * accepted share and per session tick (every {@code channel.ack-interval}), a restart after UpdateChannel. Every
 * change is applied to the channel and returned as the SetTarget to send. Event-loop confined.
 */
final class ChannelDifficulty {
    private final VardiffConfig config;
    private final InstantSource clock;
    private final ServerChannel channel;
    private Vardiff vardiff;

    ChannelDifficulty(VardiffConfig config, InstantSource clock, ServerChannel channel) {
        this.config = config;
        this.clock = clock;
        this.channel = channel;
        this.vardiff = Vardiff.fromTarget(config, clock, channel.target());
    }

    /** SetTarget when the channel's target (from its nominal hashrate) lies outside [min, max] difficulty. */
    Optional<SetTarget> initial() {
        if (Targets.toDifficulty(channel.target()) != vardiff.difficulty()) {
            return Optional.of(channel.setTarget(vardiff.target()));
        }
        return Optional.empty();
    }

    /** An accepted share found at {@code difficulty} (its job target's). */
    Optional<SetTarget> onAccepted(double difficulty) {
        return vardiff.onShare(difficulty).map(channel::setTarget);
    }

    /** True when the last {@link #onAccepted} raised the difficulty through the share-rate limit. */
    boolean lastChangeRateLimited() {
        return vardiff.lastChangeRateLimited();
    }

    Optional<SetTarget> onTick() {
        return vardiff.onTick().map(channel::setTarget);
    }

    /** The miner changed its nominal hashrate / max target: start over from the channel's new target. */
    void restart() {
        vardiff = Vardiff.fromTarget(config, clock, channel.target());
    }

    double difficulty() {
        return vardiff.difficulty();
    }

    double estimatedHashrateHps() {
        return vardiff.estimatedHashrateHps();
    }
}
