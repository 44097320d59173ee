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

    /**
     * Whether connections wait in this listening channel's accept queue (a {@code poll(2)} of its socket for input, no
     * accept): true only when known, so false on NIO, on a closed channel or when the call fails. For a server channel
     * whose accepting is paused (auto-read off), e.g. the translator's start-up warm-up.
     */
    public static boolean connectionsWaiting(ServerChannel ch) {
        if (!(ch instanceof io.netty.channel.unix.UnixChannel u) || !ch.isOpen()) {
            return false;
        }
        try {
            return Poll.readable(u.fd().intValue());
        } catch (Throwable t) {
            return false;
        }
    }

    /** libc poll(2) on one descriptor through the FFM API, timeout 0. */
    private static final class Poll {
        private static final short POLLIN = 0x1;
        private static final java.lang.foreign.Linker LINKER = java.lang.foreign.Linker.nativeLinker();
        private static final java.lang.invoke.MethodHandle POLL = LINKER.downcallHandle(
                LINKER.defaultLookup().find("poll").orElseThrow(() -> new IllegalStateException("libc poll")),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_LONG,
                        java.lang.foreign.ValueLayout.JAVA_INT));

        private Poll() {
        }

        static boolean readable(int fd) throws Throwable {
            try (java.lang.foreign.Arena a = java.lang.foreign.Arena.ofConfined()) {
                // struct pollfd { int fd; short events; short revents; }
                java.lang.foreign.MemorySegment pfd = a.allocate(8, 4);
                pfd.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, fd);
                pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 4, POLLIN);
                pfd.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 6, (short) 0);
                int n = (int) POLL.invokeExact(pfd, 1L, 0);
                return n > 0 && (pfd.get(java.lang.foreign.ValueLayout.JAVA_SHORT, 6) & POLLIN) != 0;
            }
        }
    }

    /** {@code epoll} or {@code nio} (for /v1/status and logs). */
    public static String name() {
        return EPOLL ? "epoll" : "nio";
    }
}
