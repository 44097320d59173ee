package org.hyperhash.translator.bridge;

import org.hyperhash.sv2.message.Sv2Message;

/** The bridge's view of the current SV2 upstream connection (SetupConnection already succeeded). */
public interface UpstreamLink {

    void send(Sv2Message message);

    /** Drops the connection (e.g. after OpenMiningChannel.Error); the connector fails over. */
    void close(String reason);

    /**
     * per-miner mode: asks for one more SV2 connection to this link's pool (same endpoint, same pinned key), answered by
     * {@link Bridge#onSiblingUp} or {@link Bridge#onSiblingFailed}; false when none can be opened (then the bridge keeps
     * using this connection).
     */
    default boolean openSibling() {
        return false;
    }

    /**
     * This connection replaced a working one to go back to a higher-priority pool (a probe that succeeded): a transient
     * channel refusal then gives it up at once, so the miners return to the pool that had work instead of waiting.
     */
    default boolean failback() {
        return false;
    }

    /** Pool name as configured (for status and logs). */
    String poolName();
}
