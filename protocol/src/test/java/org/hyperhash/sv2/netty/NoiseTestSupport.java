package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.Random;

/** In-memory encrypted client/server pairs over EmbeddedChannels (test fixture). */
public final class NoiseTestSupport {
    public static final int AUTHORITY = 0x42;
    /** The real secp256k1 provider (native where it loads) for loopback ITs over the noise module. */
    public static final org.hyperhash.sv2.noise.Secp256k1Provider CRYPTO = org.hyperhash.sv2.noise.Secp256k1Providers.best();
    /** A real authority key for the ITs (generated per run). */
    public static final org.hyperhash.sv2.noise.AuthorityKeyPair REAL_AUTHORITY =
            org.hyperhash.sv2.noise.AuthorityKeyPair.generate(new java.security.SecureRandom());

    /** A server identity signed per handshake by {@link #REAL_AUTHORITY}, certificates valid for {@code validity}. */
    public static org.hyperhash.sv2.noise.ServerIdentity identity(java.time.Duration validity) {
        return org.hyperhash.sv2.noise.ServerIdentity.signedPerHandshake(
                org.hyperhash.sv2.noise.StaticKeyPair.generate(new java.security.SecureRandom()), REAL_AUTHORITY, validity);
    }

    private NoiseTestSupport() {
    }

    public static EmbeddedChannel server(Recorder r, Sv2Limits limits) {
        return channel(TestNoiseDriver.responder(AUTHORITY), r, limits);
    }

    public static EmbeddedChannel client(Recorder r, int pinnedAuthority, Sv2Limits limits) {
        return channel(TestNoiseDriver.initiator(pinnedAuthority), r, limits);
    }

    public static EmbeddedChannel channel(NoiseHandshakeDriver driver, io.netty.channel.ChannelHandler app, Sv2Limits limits) {
        return new EmbeddedChannel(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                Sv2Pipeline.noise(c.pipeline(), driver, limits);
                c.pipeline().addLast(app);
            }
        });
    }

    /** Everything {@code from} has written so far, as one byte array (buffers released). */
    public static byte[] drainOutbound(EmbeddedChannel from) {
        CompositeByteBuf all = Unpooled.compositeBuffer(Integer.MAX_VALUE);
        for (ByteBuf b; (b = from.readOutbound()) != null; ) {
            all.addComponent(true, b);
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        return bytes;
    }

    /** Feeds bytes into {@code to}: chunk sizes from {@code rnd} (null = one byte at a time). */
    public static void feed(EmbeddedChannel to, byte[] bytes, Random rnd) {
        int i = 0;
        while (i < bytes.length && to.isOpen()) {
            int n = rnd == null ? 1 : Math.min(bytes.length - i, 1 + rnd.nextInt(rnd.nextBoolean() ? 40 : 70000));
            ByteBuf b = to.alloc().directBuffer(n);
            b.writeBytes(bytes, i, n);
            to.writeInbound(b);
            i += n;
        }
    }

    /** Moves everything {@code from} wrote into {@code to}. */
    public static void shuttle(EmbeddedChannel from, EmbeddedChannel to, Random rnd) {
        feed(to, drainOutbound(from), rnd);
    }

    /** Runs the handshake between a fresh client and server, byte by byte. */
    public static void handshake(EmbeddedChannel client, EmbeddedChannel server) {
        shuttle(client, server, null);
        shuttle(server, client, null);
    }
}
