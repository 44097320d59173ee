package org.hyperhash.bench.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
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
 * The same frame round trip as {@link CipherStateBench} through the production {@link NoiseHandler} pair,
 * handshake done in setup, no sockets.
 *
 * <p>{@link #frame} is what a pool's event loop does per frame, and nothing a test harness adds. The
 * plaintext frame (a heap buffer, as the pool's batch) is written with {@code write(frame, voidPromise)}
 * and {@code flush()} through the client pipeline, whose {@link NoiseHandler} encrypts it; a {@link Wire}
 * at the head of that pipeline stands in for the socket and takes the ciphertext buffer as the transport
 * would (a heap buffer is first copied into a direct one, as the epoll and NIO transports do before a
 * write). That direct buffer is delivered to the server pipeline with {@code fireChannelRead},
 * {@code fireChannelReadComplete} and {@code read()}, as a socket read loop delivers its read buffer (and
 * auto-read asks for the next); its {@link NoiseHandler} (a {@code ByteToMessageDecoder}) decrypts it and a
 * {@link Sink} takes the plaintext frame, which the benchmark releases (as the codec does after decoding).
 * Left out are only the kernel's costs: the syscalls, the copies to and from the socket, and the
 * transport's own read-buffer allocation (the client's output buffer is handed over as the server's read
 * buffer). The calls go to the pipelines directly: {@code EmbeddedChannel}'s own write/flush/read run its
 * task queue and read the clock before and after, which no socket channel does.
 *
 * <p>{@link #embeddedChannels} is the old harness, kept to show what it costs on top: {@code
 * EmbeddedChannel.writeOutbound / readOutbound / writeInbound / readInbound} (their message queues,
 * promise and flush machinery, pending-task runs) and heap buffers on both sides.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class NettyNoiseBench {
    @Param({"100", "65536"})
    public int payload;

    /**
     * ChaCha20-Poly1305 implementations: {@code vector} = OpenSSL's libcrypto (FFM) for messages >= 320 B and the
     * pure-Java AEAD with vector ChaCha20 blocks below (the default); {@code scalar} = the same with scalar blocks (the
     * tree before the vector blocks, and the fallback without jdk.incubator.vector); {@code pure} = no OpenSSL (JCA
     * cipher >= 320 B) and scalar blocks. The choice is made once per JVM (org.hyperhash.sv2.noise.AeadProviders), so
     * each value runs in its own fork; setup checks it.
     */
    @Param({"vector", "scalar", "pure"})
    public String aead;

    /** The pair {@link #frame} uses: a {@link Wire} first in both pipelines, a {@link Sink} last in the server's. */
    private EmbeddedChannel client;
    private EmbeddedChannel server;
    private Wire wire;
    private Wire serverWire;
    private Sink sink;
    /** The pair {@link #embeddedChannels} uses: plain EmbeddedChannels and their queues. */
    private EmbeddedChannel embeddedClient;
    private EmbeddedChannel embeddedServer;
    private ByteBuf frame;

    /**
     * The socket end of a pipeline: keeps the buffer that reached it (the transport would write it), after
     * converting a heap buffer to a direct one as the epoll/NIO transports' {@code filterOutboundMessage} does;
     * takes read requests as the transport's {@code beginRead} would.
     */
    static final class Wire extends ChannelOutboundHandlerAdapter {
        private ByteBuf taken;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            ByteBuf b = (ByteBuf) msg;
            if (!b.isDirect() && !b.hasMemoryAddress()) {
                ByteBuf direct = ctx.alloc().directBuffer(b.readableBytes());
                direct.writeBytes(b, b.readerIndex(), b.readableBytes());
                b.release();
                b = direct;
            }
            if (taken != null) {
                taken.release();
                b.release();
                throw new IllegalStateException("two writes in one op");
            }
            taken = b;
            promise.trySuccess();
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // the transport would writev here
        }

        @Override
        public void read(ChannelHandlerContext ctx) {
            // the transport would (re-)arm its read interest here; EmbeddedChannel's beginRead runs its task queue
        }

        ByteBuf take() {
            ByteBuf b = taken;
            taken = null;
            if (b == null) {
                throw new IllegalStateException("nothing written");
            }
            return b;
        }
    }

    /** The application end of a pipeline: keeps the frame it was given. */
    static final class Sink extends ChannelInboundHandlerAdapter {
        private ByteBuf taken;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (taken != null) {
                taken.release();
                ((ByteBuf) msg).release();
                throw new IllegalStateException("two frames in one op");
            }
            taken = (ByteBuf) msg;
        }

        ByteBuf take() {
            ByteBuf b = taken;
            taken = null;
            if (b == null) {
                throw new IllegalStateException("no frame decoded");
            }
            return b;
        }
    }

    @Setup
    public void setup() {
        AeadChoice.select(aead);
        Secp256k1Provider crypto = Secp256k1Providers.best();
        SecureRandom rng = new SecureRandom();
        AuthorityKeyPair authority = AuthorityKeyPair.generate(rng);
        ServerIdentity id = ServerIdentity.signedPerHandshake(StaticKeyPair.generate(rng), authority, Duration.ofHours(1));
        InstantSource clock = InstantSource.system();
        EmbeddedChannel[] pair = new EmbeddedChannel[4];
        for (int i = 0; i < 4; i += 2) {
            pair[i] = new EmbeddedChannel(new NoiseHandler(NoiseDrivers.initiator(
                    new NoiseInitiator(crypto, authority.publicKey(), clock)), Sv2Limits.DEFAULT));
            pair[i + 1] = new EmbeddedChannel(new NoiseHandler(NoiseDrivers.responder(new NoiseResponder(crypto, id, clock)),
                    Sv2Limits.DEFAULT));
            pump(pair[i], pair[i + 1]); // act 1
            pump(pair[i + 1], pair[i]); // act 2
            if (!pair[i].pipeline().get(NoiseHandler.class).isHandshakeComplete()
                    || !pair[i + 1].pipeline().get(NoiseHandler.class).isHandshakeComplete()) {
                throw new IllegalStateException("handshake did not complete");
            }
            for (Object o; (o = pair[i + 1].readInbound()) != null; ) { // nothing expected, but keep it leak-free
                io.netty.util.ReferenceCountUtil.release(o);
            }
        }
        client = pair[0];
        server = pair[1];
        embeddedClient = pair[2];
        embeddedServer = pair[3];
        wire = new Wire();
        serverWire = new Wire();
        sink = new Sink();
        client.pipeline().addFirst("wire", wire);
        server.pipeline().addFirst("wire", serverWire);
        server.pipeline().addLast("sink", sink);
        server.config().setAutoRead(false); // roundTrip() issues the read itself, without EmbeddedChannel.read()
        byte[] plain = new byte[6 + payload];
        ThreadLocalRandom.current().nextBytes(plain);
        plain[3] = (byte) payload;
        plain[4] = (byte) (payload >>> 8);
        plain[5] = (byte) (payload >>> 16);
        frame = Unpooled.wrappedBuffer(plain);
        check(roundTrip());
        check(embeddedRoundTrip());
    }

    private void check(ByteBuf got) {
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
        // pipeline() rather than the EmbeddedChannel's own write/flush/read, which run its task queue (and
        // read the clock) before and after; a socket channel's write/flush/read go straight to the pipeline
        ChannelPipeline c = client.pipeline();
        c.write(frame.retainedDuplicate(), client.voidPromise());
        c.flush();
        ChannelPipeline s = server.pipeline();
        s.fireChannelRead(wire.take());
        s.fireChannelReadComplete();
        s.read(); // what the head of the pipeline asks for after a read loop with autoRead on
        return sink.take();
    }

    private ByteBuf embeddedRoundTrip() {
        embeddedClient.writeOutbound(frame.retainedDuplicate());
        ByteBuf wire = embeddedClient.readOutbound();
        embeddedServer.writeInbound(wire);
        ByteBuf got = embeddedServer.readInbound();
        if (got == null) {
            throw new IllegalStateException("no frame decoded");
        }
        return got;
    }

    /** One frame encrypted by the client's NoiseHandler and decrypted by the server's, as a pool's event loop runs them. */
    @Benchmark
    public int frame() {
        ByteBuf got = roundTrip();
        int n = got.readableBytes();
        got.release();
        return n;
    }

    /** The same through EmbeddedChannel's queues (the harness before 2026-12-02), for comparison. */
    @Benchmark
    public int embeddedChannels() {
        ByteBuf got = embeddedRoundTrip();
        int n = got.readableBytes();
        got.release();
        return n;
    }

    @TearDown
    public void tearDown() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
        embeddedClient.finishAndReleaseAll();
        embeddedServer.finishAndReleaseAll();
        frame.release();
    }
}
