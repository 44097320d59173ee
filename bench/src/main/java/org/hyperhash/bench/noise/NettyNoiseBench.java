package org.hyperhash.bench.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.hyperhash.sv2.netty.NoiseDrivers;
import org.hyperhash.sv2.netty.NoiseHandler;
import org.hyperhash.sv2.netty.Sv2Limits;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.NoiseInitiator;
import org.hyperhash.sv2.noise.NoiseResponder;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.noise.ServerIdentity;
import org.hyperhash.sv2.noise.StaticKeyPair;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The same frame round trip as {@link CipherStateBench} through the production Netty path: a plaintext frame
 * written into the client's {@link NoiseHandler} (encrypt in {@code write()}), the ciphertext fed to the
 * server's NoiseHandler (header decrypt, length check, chunk decrypt into a new frame buffer). Two
 * {@link EmbeddedChannel}s, handshake done in setup; no sockets, so this is the handler's cost plus ByteBuf
 * allocation, not the kernel's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class NettyNoiseBench {
    @Param({"100", "65536"})
    public int payload;

    private EmbeddedChannel client;
    private EmbeddedChannel server;
    private ByteBuf frame;

    @Setup
    public void setup() {
        Secp256k1Provider crypto = Secp256k1Providers.best();
        SecureRandom rng = new SecureRandom();
        AuthorityKeyPair authority = AuthorityKeyPair.generate(rng);
        ServerIdentity id = ServerIdentity.signedPerHandshake(StaticKeyPair.generate(rng), authority, Duration.ofHours(1));
        InstantSource clock = InstantSource.system();
        server = new EmbeddedChannel(new NoiseHandler(NoiseDrivers.responder(new NoiseResponder(crypto, id, clock)),
                Sv2Limits.DEFAULT));
        client = new EmbeddedChannel(new NoiseHandler(NoiseDrivers.initiator(
                new NoiseInitiator(crypto, authority.publicKey(), clock)), Sv2Limits.DEFAULT));
        pump(client, server); // act 1
        pump(server, client); // act 2
        if (!client.pipeline().get(NoiseHandler.class).isHandshakeComplete()
                || !server.pipeline().get(NoiseHandler.class).isHandshakeComplete()) {
            throw new IllegalStateException("handshake did not complete");
        }
        byte[] plain = new byte[6 + payload];
        ThreadLocalRandom.current().nextBytes(plain);
        plain[3] = (byte) payload;
        plain[4] = (byte) (payload >>> 8);
        plain[5] = (byte) (payload >>> 16);
        frame = Unpooled.wrappedBuffer(plain);
        ByteBuf got = roundTrip();
        try {
            if (!got.equals(frame)) {
                throw new IllegalStateException("round trip mismatch");
            }
        } finally {
            got.release();
        }
    }

    private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
        for (Object o; (o = from.readOutbound()) != null; ) {
            to.writeInbound(o);
        }
    }

    private ByteBuf roundTrip() {
        client.writeOutbound(frame.retainedDuplicate());
        ByteBuf wire = client.readOutbound();
        server.writeInbound(wire);
        ByteBuf got = server.readInbound();
        if (got == null) {
            throw new IllegalStateException("no frame decoded");
        }
        return got;
    }

    @Benchmark
    public int frame() {
        ByteBuf got = roundTrip();
        int n = got.readableBytes();
        got.release();
        return n;
    }

    @TearDown
    public void tearDown() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
        frame.release();
    }
}
