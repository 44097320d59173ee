package org.hyperhash.sv2.tdp;

import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;

/**
 * What the pool receives from its template provider connection. Called on the connection's event
 * loop, in wire order: implementations must not block (hand work to the pool's dispatcher thread).
 */
public interface TdpListener {

    /** A template; {@code futureTemplate()} ones are activated by a later SetNewPrevHash with the same id. */
    void onNewTemplate(NewTemplate template);

    /** The chain tip changed; {@code templateId()} names an earlier future template. */
    void onSetNewPrevHash(SetNewPrevHash prevHash);

    /**
     * SetupConnection.Success received and CoinbaseOutputConstraints sent: templates will follow.
     * Also called, without an {@code onDisconnected} in between, when the client fails back to a
     * preferred provider: templates then come from {@code endpoint} (new ids, a fresh future
     * template and SetNewPrevHash first).
     */
    default void onConnected(TdpEndpoint endpoint) {
    }

    /**
     * The session ended (or never got established); the client fails over / reconnects by itself.
     *
     * @param reason human-readable, e.g. "connect refused", "SetupConnection.Error unsupported-protocol", "closed by peer"
     */
    default void onDisconnected(TdpEndpoint endpoint, String reason) {
    }
}
