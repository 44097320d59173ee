package org.hyperhash.pool.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.junit.jupiter.api.Test;

class MiningServerTest {
    private static final Path SOMAXCONN = Path.of("/proc/sys/net/core/somaxconn");

    @Test
    void somaxconnIsReadToTheEndOfTheProcFile() throws Exception {
        assumeTrue(Files.exists(SOMAXCONN), "Linux only");
        String whole;
        try (FileInputStream in = new FileInputStream(SOMAXCONN.toFile())) {
            whole = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        }
        // the first version read "4" of "4096" (Files.readString on a size-0 procfs file) and warned at every bind
        assertEquals(Integer.parseInt(whole), MiningServer.somaxconn());
    }

    /**
     * The mining port no longer asks for TCP_NODELAY on each accepted connection (a second setsockopt), relying on
     * Netty's socket channels setting it in their constructor: this fails if a Netty upgrade stops doing so.
     */
    @Test
    void acceptedConnectionsHaveTcpNoDelayWithoutTheChildOption() throws Exception {
        EventLoopGroup group = Sv2Transport.newEventLoopGroup(1, "nodelay-test");
        try {
            CompletableFuture<Boolean> noDelay = new CompletableFuture<>();
            Channel server = new ServerBootstrap().group(group, group).channel(Sv2Transport.serverChannelClass())
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            noDelay.complete(ch.config().getOption(ChannelOption.TCP_NODELAY));
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.connect(server.localAddress());
                assertTrue(noDelay.get(10, TimeUnit.SECONDS), "TCP_NODELAY on an accepted " + Sv2Transport.name()
                        + " channel");
            } finally {
                server.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
