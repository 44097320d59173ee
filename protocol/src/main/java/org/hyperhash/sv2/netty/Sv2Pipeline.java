package org.hyperhash.sv2.netty;

import io.netty.channel.ChannelPipeline;

import java.time.Duration;
import java.time.InstantSource;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.EphemeralKeyReserve;
import org.hyperhash.sv2.noise.NoiseInitiator;
import org.hyperhash.sv2.noise.NoiseResponder;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.ServerIdentity;

/**
 * Assembles the SV2 handlers in a channel pipeline. Call from a {@code ChannelInitializer}, then add
 * the application handler last: it receives {@link org.hyperhash.sv2.message.Sv2Message} records
 * (and {@link UnknownFrame}s) and writes records; it sees {@link NoiseHandshakeEvent.Completed} and
 * {@link Sv2ErrorEvent} as user events.
 *
 * <pre>
 * encrypted: [sv2-noise: NoiseHandler] [sv2-codec: MessageCodecHandler] [application]
 * plaintext: [sv2-frames: FrameDecoder] [sv2-codec: MessageCodecHandler] [application]
 * </pre>
 */
public final class Sv2Pipeline {
    public static final String NOISE = "sv2-noise";
    public static final String FRAMES = "sv2-frames";
    public static final String CODEC = "sv2-codec";
    /** Certificate clock skew tolerated by clients (SRI tolerates 10 s). */
    public static final Duration CERTIFICATE_CLOCK_SKEW = Duration.ofSeconds(10);

    private Sv2Pipeline() {
    }


    /** Noise responder (pool, template provider): presents {@code id}'s certificate. */
    public static void server(ChannelPipeline p, Secp256k1Provider crypto, ServerIdentity id, InstantSource clock,
                              Sv2Limits limits) {
        server(p, crypto, id, clock, null, limits);
    }

    /**
     * As above, the responder taking its ephemeral key pair from {@code reserveOrNull} when it holds one (see
     * {@link EphemeralKeyReserve}).
     */
    public static void server(ChannelPipeline p, Secp256k1Provider crypto, ServerIdentity id, InstantSource clock,
                              EphemeralKeyReserve reserveOrNull, Sv2Limits limits) {
        noise(p, NoiseDrivers.responder(new NoiseResponder(crypto, id, clock, reserveOrNull)), limits);
    }

    /**
     * Noise initiator (miner, translator, pool towards a TP): verifies the server certificate against
     * {@code pinnedOrNull} (null = accept any key, as SRI's {@code without_pk}; trusted links only).
     */
    public static void client(ChannelPipeline p, Secp256k1Provider crypto, AuthorityPublicKey pinnedOrNull,
                              InstantSource clock, Sv2Limits limits) {
        client(p, crypto, pinnedOrNull, clock, CERTIFICATE_CLOCK_SKEW, limits);
    }

    /** As above with an explicit certificate clock skew. */
    public static void client(ChannelPipeline p, Secp256k1Provider crypto, AuthorityPublicKey pinnedOrNull,
                              InstantSource clock, Duration allowedSkew, Sv2Limits limits) {
        noise(p, NoiseDrivers.initiator(new NoiseInitiator(crypto, pinnedOrNull, clock, allowedSkew)), limits);
    }

    /**
     * Encrypted SV2 with any handshake driver: {@code server(...)} / {@code client(...)} call this with
     * the adapters over the noise module's NoiseResponder / NoiseInitiator.
     */
    public static void noise(ChannelPipeline p, NoiseHandshakeDriver driver, Sv2Limits limits) {
        p.addLast(NOISE, new NoiseHandler(driver, limits));
        p.addLast(CODEC, new MessageCodecHandler(true));
    }

    /** Unencrypted SV2 (trusted local links only). */
    public static void plaintext(ChannelPipeline p, Sv2Limits limits) {
        p.addLast(FRAMES, new FrameDecoder(limits));
        p.addLast(CODEC, new MessageCodecHandler(false));
    }
}
