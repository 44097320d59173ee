package org.hyperhash.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

/**
 * Listening sockets handed to this process by systemd socket activation ({@code sd_listen_fds(3)}):
 * {@code $LISTEN_FDS} sockets at file descriptors 3, 4, ..., {@code $LISTEN_PID} the process they are meant for and
 * {@code $LISTEN_FDNAMES} their colon-separated names ({@code FileDescriptorName=} in the .socket unit). The socket
 * unit holds the sockets across restarts of the service, so a restart never refuses a connection: connections wait in
 * the kernel's accept backlog until the new process accepts them.
 *
 * <p>Strict, because a half-configured activation must not silently fall back to binding the configured addresses
 * (that fails with "address in use" against the socket unit, or worse binds a second port): any of the three
 * variables set without the others, a count that is not a positive number, sockets meant for another process, a
 * missing or unknown name, or a descriptor that is not an open socket is a {@link DaemonConfig.ConfigError} naming
 * the variable and the fix. None of the variables set means no activation (an empty list).
 */
public final class SocketActivation {
    /** The first passed descriptor ({@code SD_LISTEN_FDS_START}). */
    public static final int FIRST_FD = 3;
    /** More than this many passed sockets is a mistake, not a configuration. */
    static final int MAX_FDS = 64;

    /** One passed listening socket: its descriptor and its {@code FileDescriptorName=}. */
    public record Inherited(int fd, String name) {
        @Override
        public String toString() {
            return name + "@fd" + fd;
        }
    }

    private SocketActivation() {
    }

    /**
     * The sockets passed to this process, checked against {@code allowedNames} (what this daemon can serve on, e.g.
     * {@code sv2} for the pool's mining port); empty when not socket-activated.
     */
    public static List<Inherited> fromEnvironment(Set<String> allowedNames) {
        return parse(System.getenv(), ProcessHandle.current().pid(), allowedNames, SocketActivation::isOpenSocket);
    }

    /**
     * Parses the activation variables of {@code env} for process {@code pid}; {@code isSocket} tells whether a
     * descriptor is an open socket of this process.
     */
    public static List<Inherited> parse(Map<String, String> env, long pid, Set<String> allowedNames, IntPredicate isSocket) {
        String fds = trimmed(env.get("LISTEN_FDS"));
        String listenPid = trimmed(env.get("LISTEN_PID"));
        String names = env.get("LISTEN_FDNAMES");
        if (fds == null) {
            if (listenPid != null || names != null) {
                throw error("LISTEN_PID or LISTEN_FDNAMES is set but LISTEN_FDS is not: socket activation passes all "
                        + "three (is the process started by a .socket unit, or are stale variables in the environment file?)");
            }
            return List.of();
        }
        int n;
        try {
            n = Integer.parseInt(fds);
        } catch (NumberFormatException e) {
            throw error("LISTEN_FDS=\"" + fds + "\" is not a number of sockets");
        }
        if (n < 1 || n > MAX_FDS) {
            throw error("LISTEN_FDS=" + n + ": expected 1.." + MAX_FDS + " passed sockets");
        }
        if (listenPid == null) {
            throw error("LISTEN_FDS=" + n + " without LISTEN_PID: cannot tell whether the sockets are meant for this process");
        }
        long forPid;
        try {
            forPid = Long.parseLong(listenPid);
        } catch (NumberFormatException e) {
            throw error("LISTEN_PID=\"" + listenPid + "\" is not a process id");
        }
        if (forPid != pid) {
            throw error("LISTEN_PID=" + forPid + " but this process is " + pid + ": the sockets were passed to another "
                    + "process (a launcher must exec the JVM, not fork it; or the variables leaked from a parent)");
        }
        if (names == null || names.isBlank()) {
            throw error("LISTEN_FDS=" + n + " without LISTEN_FDNAMES: name every socket with FileDescriptorName= in the "
                    + ".socket unit (one of " + allowedNames + ")");
        }
        String[] parts = names.split(":", -1);
        if (parts.length != n) {
            throw error("LISTEN_FDNAMES=\"" + names + "\" names " + parts.length + " socket(s) but LISTEN_FDS=" + n);
        }
        List<Inherited> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = parts[i];
            int fd = FIRST_FD + i;
            if (!allowedNames.contains(name)) {
                throw error("socket " + (i + 1) + " of LISTEN_FDS=" + n + " (fd " + fd + ") is named \"" + name
                        + "\": this daemon serves " + new TreeSet<>(allowedNames) + " (FileDescriptorName= in the .socket unit)");
            }
            if (!isSocket.test(fd)) {
                throw error("LISTEN_FDS=" + n + " but fd " + fd + " (\"" + name + "\") is not an open socket of this process");
            }
            out.add(new Inherited(fd, name));
        }
        return List.copyOf(out);
    }

    /**
     * Whether systemd passed this process a socket named {@code name}, the daemon serving {@code allowedNames}: the
     * pre-start port check skips that key's addresses (the socket unit holds them).
     *
     * @throws DaemonConfig.ConfigError when the activation variables are wrong (the launcher exits 2 with it)
     */
    public static boolean passes(String name, Set<String> allowedNames) {
        return !named(fromEnvironment(allowedNames), name).isEmpty();
    }

    /** The passed sockets named {@code name}. */
    public static List<Inherited> named(List<Inherited> sockets, String name) {
        return sockets.stream().filter(s -> s.name().equals(name)).toList();
    }

    /**
     * Puts {@code fd} in non-blocking mode: systemd passes sockets blocking unless the unit says
     * {@code NonBlocking=yes}, and an event loop accepting on a blocking socket would hang in accept() once the backlog
     * is empty. The flag belongs to the shared open file, which systemd does not mind.
     */
    public static void makeNonBlocking(int fd) {
        try {
            int flags = (int) Fcntl.GET.invokeExact(fd, Fcntl.F_GETFL);
            if (flags < 0) {
                throw new IllegalStateException("fcntl(" + fd + ", F_GETFL) failed");
            }
            if ((flags & Fcntl.O_NONBLOCK) == 0 && (int) Fcntl.SET.invokeExact(fd, Fcntl.F_SETFL, flags | Fcntl.O_NONBLOCK) < 0) {
                throw new IllegalStateException("fcntl(" + fd + ", F_SETFL, O_NONBLOCK) failed");
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("fcntl(" + fd + "): " + t, t);
        }
    }

    /** Whether {@code fd} is in non-blocking mode (tests). */
    static boolean isNonBlocking(int fd) throws Throwable {
        return ((int) Fcntl.GET.invokeExact(fd, Fcntl.F_GETFL) & Fcntl.O_NONBLOCK) != 0;
    }

    /** libc fcntl(2) through the FFM API (variadic: the flags argument is the variadic one). */
    static final class Fcntl {
        static final int F_GETFL = 3;
        static final int F_SETFL = 4;
        static final int O_NONBLOCK = 0x800;
        private static final java.lang.foreign.Linker LINKER = java.lang.foreign.Linker.nativeLinker();
        private static final java.lang.foreign.MemorySegment FN = LINKER.defaultLookup().find("fcntl")
                .orElseThrow(() -> new IllegalStateException("libc fcntl"));
        static final java.lang.invoke.MethodHandle GET = LINKER.downcallHandle(FN, java.lang.foreign.FunctionDescriptor.of(
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT));
        static final java.lang.invoke.MethodHandle SET = LINKER.downcallHandle(FN, java.lang.foreign.FunctionDescriptor.of(
                java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                java.lang.foreign.ValueLayout.JAVA_INT), java.lang.foreign.Linker.Option.firstVariadicArg(2));

        private Fcntl() {
        }
    }

    /** Whether {@code fd} is an open socket of this process ({@code /proc/self/fd/N -> socket:[inode]}). */
    static boolean isOpenSocket(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().startsWith("socket:");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String trimmed(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static DaemonConfig.ConfigError error(String message) {
        return new DaemonConfig.ConfigError("socket activation: " + message);
    }
}
