package org.hyperhash.sv2.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class Sv2TransportTest {
    @Test
    void channelClassesMatchTheChosenTransport() throws Exception {
        boolean linuxX64 = System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64");
        if (linuxX64 && System.getProperty(Sv2Transport.TRANSPORT_PROPERTY) == null) {
            // the linux-x86_64 native classifier jar is a dependency of this module
            assertEquals("epoll", Sv2Transport.name());
        }
        if (Sv2Transport.name().equals("epoll")) {
            assertEquals(EpollServerSocketChannel.class, Sv2Transport.serverChannelClass());
            assertEquals(EpollSocketChannel.class, Sv2Transport.socketChannelClass());
        } else {
            assertEquals(NioServerSocketChannel.class, Sv2Transport.serverChannelClass());
            assertEquals(NioSocketChannel.class, Sv2Transport.socketChannelClass());
        }
        EventLoopGroup g = Sv2Transport.newEventLoopGroup(1, "transport-test");
        String thread = g.next().submit(() -> Thread.currentThread().getName()).get(10, TimeUnit.SECONDS);
        assertEquals(true, thread.startsWith("transport-test"), thread);
        g.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    @Test
    void connectionsWaitingSeesTheBacklogOfAPausedListener() throws Exception {
        EventLoopGroup g = Sv2Transport.newEventLoopGroup(1, "transport-test");
        try {
            io.netty.channel.ServerChannel server = (io.netty.channel.ServerChannel) new io.netty.bootstrap.ServerBootstrap()
                    .group(g).channel(Sv2Transport.serverChannelClass())
                    .option(io.netty.channel.ChannelOption.AUTO_READ, false)
                    .childHandler(new io.netty.channel.ChannelInboundHandlerAdapter())
                    .bind(new java.net.InetSocketAddress("127.0.0.1", 0)).sync().channel();
            org.junit.jupiter.api.Assertions.assertFalse(Sv2Transport.connectionsWaiting(server), "nobody connected yet");
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(server.localAddress(), 5_000); // the kernel completes it: it waits in the accept queue
                boolean seen = false;
                for (int i = 0; i < 200 && !seen; i++) {
                    seen = Sv2Transport.connectionsWaiting(server);
                    Thread.sleep(10);
                }
                // NIO cannot tell without accepting: always false there
                assertEquals(Sv2Transport.name().equals("epoll"), seen);
                server.eventLoop().execute(() -> server.config().setAutoRead(true));
                boolean drained = false;
                for (int i = 0; i < 200 && !drained; i++) {
                    drained = !Sv2Transport.connectionsWaiting(server);
                    Thread.sleep(10);
                }
                org.junit.jupiter.api.Assertions.assertTrue(drained, "accepted once auto-read is on");
            }
            server.close().sync();
            org.junit.jupiter.api.Assertions.assertFalse(Sv2Transport.connectionsWaiting(server), "closed: false");
        } finally {
            g.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
