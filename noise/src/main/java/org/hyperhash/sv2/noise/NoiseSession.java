package org.hyperhash.sv2.noise;

/**
 * Result of a completed handshake: one cipher per direction (each starts at nonce 0) and the final handshake
 * hash {@code h} (may be used for channel binding). Initiator: sender = k1, receiver = k2; responder the
 * reverse. The array is the session's own copy; do not modify it.
 */
public record NoiseSession(CipherState sender, CipherState receiver, byte[] handshakeHash) {
}
