package org.hyperhash.sv2.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import org.hyperhash.sv2.message.common.SetupConnection;
import org.hyperhash.sv2.message.common.SetupConnectionSuccess;
import org.hyperhash.sv2.noise.ServerIdentity;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Heap retained per idle connection pair (a {@code main}, not a test): N EmbeddedChannel client/server pairs
 * with the production pipelines, handshake (Noise, real crypto) then SetupConnection / Success, then heap
 * used after GC divided by N, and the top of the class histogram. {@code -Dsecurity=noise|plaintext},
 * {@code -Dpairs=2000}, {@code -Dhisto=25}.
 */
public final class NoiseHeapProbe {
    private static final SetupConnection SETUP = new SetupConnection(0, 2, 2, 4, "127.0.0.1", 0, "hyperhash", "probe", "1", "d");

    private NoiseHeapProbe() {
    }

    public static void main(String[] args) throws Exception {
        boolean noise = !"plaintext".equals(System.getProperty("security", "noise"));
        int pairs = Integer.getInteger("pairs", 2000);
        int histo = Integer.getInteger("histo", 25);
        ServerIdentity id = NoiseTestSupport.identity(Duration.ofHours(1));
        List<EmbeddedChannel> keep = new ArrayList<>(2 * pairs);
        for (int i = 0; i < 50; i++) {
            pair(noise, id).forEach(EmbeddedChannel::finishAndReleaseAll); // warm-up, class loading
        }
        long before = usedAfterGc();
        for (int i = 0; i < pairs; i++) {
            keep.addAll(pair(noise, id));
        }
        long after = usedAfterGc();
        System.out.printf("security=%s pairs=%d heap per pair %,d B (client + server)%n",
                noise ? "noise" : "plaintext", pairs, (after - before) / pairs);
        String h = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[]{null}, new String[]{String[].class.getName()});
        h.lines().limit(histo + 3L).forEach(System.out::println);
        keep.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    private static List<EmbeddedChannel> pair(boolean noise, ServerIdentity id) {
        InstantSource clock = InstantSource.system();
        EmbeddedChannel server = channel(p -> {
            if (noise) {
                Sv2Pipeline.server(p, NoiseTestSupport.CRYPTO, id, clock, Sv2Limits.DEFAULT);
            } else {
                Sv2Pipeline.plaintext(p, Sv2Limits.DEFAULT);
            }
        }, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof SetupConnection) {
                    ctx.writeAndFlush(new SetupConnectionSuccess(2, 0));
                }
            }
        });
        EmbeddedChannel client = channel(p -> {
            if (noise) {
                Sv2Pipeline.client(p, NoiseTestSupport.CRYPTO, NoiseTestSupport.REAL_AUTHORITY.publicKey(), clock,
                        Sv2Limits.DEFAULT);
            } else {
                Sv2Pipeline.plaintext(p, Sv2Limits.DEFAULT);
            }
        }, new ChannelInboundHandlerAdapter());
        pump(client, server);
        pump(server, client);
        client.writeAndFlush(SETUP);
        pump(client, server);
        pump(server, client);
        return List.of(client, server);
    }

    private static EmbeddedChannel channel(Consumer<io.netty.channel.ChannelPipeline> sv2, io.netty.channel.ChannelHandler app) {
        return new EmbeddedChannel(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                sv2.accept(c.pipeline());
                c.pipeline().addLast(app);
            }
        });
    }

    private static void pump(EmbeddedChannel from, EmbeddedChannel to) {
        for (Object o; (o = from.readOutbound()) != null; ) {
            to.writeInbound((ByteBuf) o);
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
