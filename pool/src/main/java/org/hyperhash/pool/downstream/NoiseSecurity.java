package org.hyperhash.pool.downstream;

import io.netty.channel.ChannelPipeline;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.Objects;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.netty.Sv2Pipeline;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.EphemeralKeyReserve;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.sv2.noise.StaticKeyPair;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mining port's Noise NX responder: {@link Sv2Pipeline#server} with one shared {@link ServerIdentity}
 * (certificate signed per handshake, SRI style, cached per second) and, when configured, one shared
 * {@link EphemeralKeyReserve} ({@code sv2.noise-key-reserve}: responder ephemeral keys made while the pool is quiet;
 * its refill thread runs from {@link #start} to {@link #close}). Thread-safe.
 */
public final class NoiseSecurity implements MiningServer.Security {
    private static final Logger LOG = LoggerFactory.getLogger(NoiseSecurity.class);

    private final Secp256k1Provider crypto;
    private final ServerIdentity identity;
    private final InstantSource clock;
    private final EphemeralKeyReserve reserve;

    public NoiseSecurity(Secp256k1Provider crypto, ServerIdentity identity, InstantSource clock) {
        this(crypto, identity, clock, null);
    }

    /** @param reserveOrNull where handshakes take their ephemeral key pair when it holds one; null = always inline */
    public NoiseSecurity(Secp256k1Provider crypto, ServerIdentity identity, InstantSource clock,
            EphemeralKeyReserve reserveOrNull) {
        this.crypto = Objects.requireNonNull(crypto, "crypto");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.reserve = reserveOrNull;
    }

    /**
     * From {@code sv2.authority-secret-key[-file]}, {@code sv2.static-secret-key[-file]} and
     * {@code sv2.certificate-validity}, the key reserve from {@code sv2.noise-key-reserve[-max-age]}; a key that is not configured is generated from {@code rng} (with a
     * warning naming the public key to pin; PoolConfig already refused that on mainnet).
     */
    public static NoiseSecurity fromConfig(PoolConfig.Sv2 c, Secp256k1Provider crypto, InstantSource clock,
            SecureRandom rng) {
        AuthorityKeyPair authority = c.authorityKey();
        if (authority == null) {
            authority = AuthorityKeyPair.generate(rng);
            LOG.warn("sv2.authority-secret-key not set: using a random authority key for this run only; miners "
                    + "must pin {} (it changes on every start)", authority.publicKey().toBase58());
        }
        StaticKeyPair staticKey = c.staticKey() == null ? StaticKeyPair.generate(rng) : c.staticKey();
        EphemeralKeyReserve reserve = c.noiseKeyReserve() == 0 ? null
                : new EphemeralKeyReserve(crypto, c.noiseKeyReserve(), c.noiseKeyReserveMaxAge());
        return new NoiseSecurity(crypto,
                ServerIdentity.signedPerHandshake(staticKey, authority, c.certificateValidity()), clock, reserve);
    }

    @Override
    public void install(ChannelPipeline p, Sv2Limits limits) {
        Sv2Pipeline.server(p, crypto, identity, clock, reserve, limits);
    }

    /** Starts the key reserve's refill thread (when there is a reserve). */
    @Override
    public void start() {
        if (reserve != null) {
            reserve.start();
        }
    }

    /** Stops the refill thread and wipes the reserved keys; handshakes after this make their keys inline. */
    @Override
    public void close() {
        if (reserve != null) {
            reserve.close();
        }
    }

    /** The ephemeral key reserve, or null when {@code sv2.noise-key-reserve = 0}. */
    public EphemeralKeyReserve keyReserve() {
        return reserve;
    }

    @Override
    public String description() {
        AuthorityPublicKey k = identity.authorityPublicKey();
        return "noise (" + (k == null ? "fixed certificate" : "authority " + k.toBase58()) + ", " + crypto.name() + ")";
    }

    @Override
    public AuthorityPublicKey authorityPublicKey() {
        return identity.authorityPublicKey();
    }

    @Override
    public String cryptoProvider() {
        return crypto.name();
    }

    public ServerIdentity identity() {
        return identity;
    }

    @Override
    public String toString() {
        return description();
    }
}
