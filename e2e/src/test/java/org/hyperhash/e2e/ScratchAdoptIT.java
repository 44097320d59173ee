package org.hyperhash.e2e;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.*;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.junit.jupiter.api.Test;

class ScratchAdoptIT {
    Channel adopt(int fd, EventLoopGroup boss, EventLoopGroup w, AtomicInteger n) throws Exception {
        org.hyperhash.daemon.SocketActivation.makeNonBlocking(fd);
        ServerBootstrap b = new ServerBootstrap().group(boss, w).channelFactory(() -> Sv2Transport.inheritedServerChannel(fd))
                .option(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        n.incrementAndGet();
                        ch.close();
                    }
                });
        Channel ch = b.register().sync().channel();
        System.out.println("active " + ch.isActive() + " local " + ch.localAddress());
        ch.eventLoop().execute(() -> ch.config().setAutoRead(true));
        return ch;
    }

    @Test
    void t() throws Throwable {
        try (HeldListeningSocket s = new HeldListeningSocket(128)) {
            AtomicInteger na = new AtomicInteger(), nb = new AtomicInteger();
            EventLoopGroup boss = Sv2Transport.newEventLoopGroup(1, "a"), w = Sv2Transport.newEventLoopGroup(1, "aw");
            Channel a = adopt(s.dup(), boss, w, na);
            new Socket("127.0.0.1", s.port).close();
            Thread.sleep(300);
            System.out.println("A accepted " + na.get());
            a.close().sync();
            boss.shutdownGracefully().sync(); w.shutdownGracefully().sync();
            new Socket("127.0.0.1", s.port).close();
            new Socket("127.0.0.1", s.port).close();
            System.out.println("queued 2 while nobody accepts");
            EventLoopGroup boss2 = Sv2Transport.newEventLoopGroup(1, "b"), w2 = Sv2Transport.newEventLoopGroup(1, "bw");
            Channel b = adopt(s.dup(), boss2, w2, nb);
            Thread.sleep(500);
            System.out.println("B accepted " + nb.get());
            new Socket("127.0.0.1", s.port).close();
            Thread.sleep(300);
            System.out.println("B accepted " + nb.get());
            b.close().sync();
            boss2.shutdownGracefully().sync(); w2.shutdownGracefully().sync();
        }
    }
}
