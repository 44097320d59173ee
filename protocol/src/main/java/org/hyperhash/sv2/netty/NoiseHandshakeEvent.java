package org.hyperhash.sv2.netty;

import org.hyperhash.sv2.noise.SignatureNoiseMessage;

/**
 * User events about the Noise handshake, fired towards the application handler.
 */
public sealed interface NoiseHandshakeEvent {

    /**
     * The handshake completed: transport messages can flow (writes issued earlier have been sent).
     * Fired on plaintext pipelines too (right after channelActive, {@code encrypted == false}), so
     * application code can send its SetupConnection on this event in both modes.
     *
     * @param peerCertificate the server's certificate (initiator side only; null on the responder side
     *                        and on plaintext links)
     * @param encrypted true for a Noise link
     */
    record Completed(SignatureNoiseMessage peerCertificate, boolean encrypted) implements NoiseHandshakeEvent {
        /** The event of a plaintext pipeline. */
        public static final Completed PLAINTEXT = new Completed(null, false);
    }
}
