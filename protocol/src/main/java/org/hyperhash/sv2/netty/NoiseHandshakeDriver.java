package org.hyperhash.sv2.netty;

import org.hyperhash.sv2.noise.SignatureNoiseMessage;

/**
 * The sans-I/O Noise NX handshake of one connection, as driven by {@link NoiseHandler}: the handler
 * does the I/O (raw 64 / 234-byte messages, no SV2 header), the driver the cryptography. Adapters
 * over {@code org.hyperhash.sv2.noise.NoiseInitiator} / {@code NoiseResponder} implement it (see
 * {@code Sv2Pipeline}); keeping the handler behind this interface lets it be tested without curve
 * arithmetic. One driver per connection.
 */
public interface NoiseHandshakeDriver {

    /** The result of the last handshake message. */
    record Outcome(byte[] replyOrNull, FrameCipher sender, FrameCipher receiver, SignatureNoiseMessage peerCertificateOrNull) {
        public Outcome {
            java.util.Objects.requireNonNull(sender, "sender");
            java.util.Objects.requireNonNull(receiver, "receiver");
        }
    }

    /** Act 1 (64 bytes) for the initiator, sent on channelActive; null for the responder. */
    byte[] firstMessage() throws NoiseFailure;

    /** Length of the message this side awaits: 234 (initiator) or 64 (responder). */
    int expectedLength();

    /**
     * Processes the awaited message. The responder returns act 2 as {@code replyOrNull}; the initiator
     * returns the verified server certificate as {@code peerCertificateOrNull}.
     */
    Outcome onMessage(byte[] message) throws NoiseFailure;
}
