package org.hyperhash.daemon;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * systemd's notification protocol ({@code sd_notify(3)}): datagrams such as {@code READY=1}, {@code WATCHDOG=1},
 * {@code STOPPING=1}, {@code STATUS=...} sent to the AF_UNIX datagram socket named by {@code $NOTIFY_SOCKET}
 * (a path, or an abstract name starting with {@code @}). The JDK has no AF_UNIX datagram sockets, so this calls
 * libc's socket/sendto through the FFM API (no library to add for five calls). Without {@code NOTIFY_SOCKET}
 * (not run by systemd, or {@code Type=simple}) every call is a no-op. Thread-safe.
 */
public final class SdNotify implements AutoCloseable {
    static final int AF_UNIX = 1;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int MSG_DONTWAIT = 0x40;
    static final int SUN_PATH_MAX = 108;

    /** The watchdog interval systemd asks for ({@code $WATCHDOG_USEC}), or 0. */
    public static long watchdogMicros() {
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (usec == null || usec.isBlank()) {
            return 0;
        }
        if (pid != null && !pid.isBlank() && !pid.trim().equals(Long.toString(ProcessHandle.current().pid()))) {
            return 0; // meant for another process (e.g. the launcher script before exec)
        }
        try {
            return Math.max(0, Long.parseLong(usec.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private final String socket;
    private final Object lock = new Object();
    private int fd = -1;

    /** @param socket the NOTIFY_SOCKET value, or null/blank for a no-op notifier */
    public SdNotify(String socket) {
        this.socket = socket == null || socket.isBlank() ? null : socket;
    }

    /** The notifier of this process ({@code $NOTIFY_SOCKET}). */
    public static SdNotify fromEnvironment() {
        return new SdNotify(System.getenv("NOTIFY_SOCKET"));
    }

    public boolean enabled() {
        return socket != null;
    }

    /**
     * Sends one notification (newline-separated assignments). Returns false (never throws) when disabled or the send
     * failed: systemd notifications must never take a daemon down.
     */
    public boolean send(String state) {
        if (socket == null) {
            return false;
        }
        synchronized (lock) {
            try (Arena arena = Arena.ofConfined()) {
                if (fd < 0) {
                    fd = (int) Libc.SOCKET.invokeExact(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                    if (fd < 0) {
                        return false;
                    }
                }
                MemorySegment addr = sockaddr(arena, socket);
                byte[] msg = state.getBytes(StandardCharsets.UTF_8);
                MemorySegment buf = arena.allocate(msg.length);
                MemorySegment.copy(msg, 0, buf, JAVA_BYTE, 0, msg.length);
                long sent = (long) Libc.SENDTO.invokeExact(fd, buf, (long) msg.length, MSG_DONTWAIT, addr,
                        (int) addrLength(socket));
                return sent == msg.length;
            } catch (Throwable t) {
                return false;
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (fd >= 0) {
                try {
                    int ignored = (int) Libc.CLOSE.invokeExact(fd);
                } catch (Throwable ignored) {
                    // nothing to do
                }
                fd = -1;
            }
        }
    }

    /** struct sockaddr_un for a path or an abstract name ({@code @name}: leading NUL). */
    static MemorySegment sockaddr(Arena arena, String socket) {
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path too long: " + socket);
        }
        MemorySegment a = arena.allocate(2 + SUN_PATH_MAX);
        a.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(path, 0, a, JAVA_BYTE, 2, path.length);
        if (path[0] == '@') {
            a.set(JAVA_BYTE, 2, (byte) 0);
        }
        return a;
    }

    static long addrLength(String socket) {
        int n = socket.getBytes(StandardCharsets.UTF_8).length;
        return socket.startsWith("@") ? 2 + n : 2 + n + 1;
    }

    /** The few libc calls used here and by the test's fake NOTIFY_SOCKET. */
    static final class Libc {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup C = LINKER.defaultLookup();
        static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        static final MethodHandle SENDTO = fn("sendto",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle RECV = fn("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

        private Libc() {
        }

        private static MethodHandle fn(String name, FunctionDescriptor d) {
            return LINKER.downcallHandle(C.find(name).orElseThrow(() -> new IllegalStateException("libc " + name)), d);
        }
    }
}
