package org.hyperhash.sv2.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.Locale;

/**
 * The Netty transport of this process: native epoll when it loads (Linux, netty-transport-native-epoll
 * classifier jar present), NIO otherwise. The choice is made once; event loop groups and channel
 * classes from this class always match. {@code -Dhyperhash.netty.transport=nio} forces NIO.
 */
public final class Sv2Transport {
    /** System property forcing a transport ({@code nio} or {@code epoll}). */
    public static final String TRANSPORT_PROPERTY = "hyperhash.netty.transport";
    private static final boolean EPOLL = chooseEpoll();

    private Sv2Transport() {
    }

    private static boolean chooseEpoll() {
        String forced = System.getProperty(TRANSPORT_PROPERTY, "").trim().toLowerCase(Locale.ROOT);
        if (forced.equals("nio")) {
            return false;
        }
        try {
            return Epoll.isAvailable();
        } catch (Throwable t) { // a missing or broken native library must not prevent start-up
            return false;
        }
    }

    /**
     * A new event loop group of {@code threads} threads named {@code name-N} (0 = Netty's default,
     * 2 x cores).
     */
    public static EventLoopGroup newEventLoopGroup(int threads, String name) {
        IoHandlerFactory factory = EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name), factory);
    }

    public static Class<? extends ServerChannel> serverChannelClass() {
        return EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /** Whether {@link #inheritedServerChannel} works here (it needs the native epoll transport). */
    public static boolean canAdoptListeningSockets() {
        return EPOLL;
    }

    /**
     * A server channel on an already bound and listening socket this process inherited (systemd socket activation):
     * register it with a {@link io.netty.bootstrap.ServerBootstrap} instead of binding. Closing the channel closes
     * only this process's descriptor; a listening socket that another process (systemd) also holds stays open.
     *
     * @throws IllegalStateException when the transport is NIO (the JDK cannot wrap a descriptor number)
     */
    public static ServerChannel inheritedServerChannel(int fd) {
        if (!EPOLL) {
            throw new IllegalStateException("an inherited listening socket needs the native epoll transport, but this "
                    + "process runs " + name() + " (" + TRANSPORT_PROPERTY + "=nio, or epoll unavailable: "
                    + epollUnavailability() + ")");
        }
        return new EpollServerSocketChannel(fd);
    }

    private static String epollUnavailability() {
        try {
            Throwable t = Epoll.unavailabilityCause();
            return t == null ? "forced" : t.toString();
        } catch (Throwable t) {
            return t.toString();
        }
    }

    public static Class<? extends SocketChannel> socketChannelClass() {
        return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /** {@code epoll} or {@code nio} (for /v1/status and logs). */
    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }
}
