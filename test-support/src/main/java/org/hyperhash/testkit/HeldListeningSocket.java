package org.hyperhash.testkit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * What systemd does for a .socket unit, done by the test: a TCP socket bound to 127.0.0.1 and listening, held open
 * by this object for as long as the "service" restarts, and a fresh descriptor of it ({@code dup(2)}) for each
 * process generation, like the copy each started service gets. libc through the FFM API (the JDK does not expose a
 * socket's descriptor number).
 */
public final class HeldListeningSocket implements AutoCloseable {
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_REUSEADDR = 2;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup C = LINKER.defaultLookup();
    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = fn("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = fn("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = fn("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle DUP = fn("dup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static MethodHandle fn(String name, FunctionDescriptor d) {
        return LINKER.downcallHandle(C.find(name).orElseThrow(() -> new IllegalStateException("libc " + name)), d);
    }

    public final int fd;
    public final int port;

    /** A blocking listening socket on 127.0.0.1 (an ephemeral port), as systemd passes it without NonBlocking=yes. */
    public HeldListeningSocket(int backlog) throws Throwable {
        fd = (int) SOCKET.invokeExact(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        check(fd, "socket");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            check((int) SETSOCKOPT.invokeExact(fd, SOL_SOCKET, SO_REUSEADDR, one, 4), "setsockopt");
            MemorySegment sin = a.allocate(16);
            sin.set(JAVA_BYTE, 0, (byte) AF_INET); // sin_family, little-endian u16
            sin.set(JAVA_BYTE, 4, (byte) 127); // sin_addr 127.0.0.1; sin_port 0 (any)
            sin.set(JAVA_BYTE, 7, (byte) 1);
            check((int) BIND.invokeExact(fd, sin, 16), "bind");
            check((int) LISTEN.invokeExact(fd, backlog), "listen");
            MemorySegment out = a.allocate(16);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 16);
            check((int) GETSOCKNAME.invokeExact(fd, out, len), "getsockname");
            port = ((out.get(JAVA_BYTE, 2) & 0xff) << 8) | (out.get(JAVA_BYTE, 3) & 0xff);
        }
    }

    /** A new descriptor of the same listening socket, for one process generation (it closes it when it stops). */
    public int dup() throws Throwable {
        int d = (int) DUP.invokeExact(fd);
        check(d, "dup");
        return d;
    }

    private static void check(int r, String what) {
        if (r < 0) {
            throw new IllegalStateException(what + " failed");
        }
    }

    @Override
    public void close() throws Exception {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
