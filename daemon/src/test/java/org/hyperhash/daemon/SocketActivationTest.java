package org.hyperhash.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

/** The LISTEN_FDS / LISTEN_PID / LISTEN_FDNAMES contract of sd_listen_fds(3), and its operator mistakes. */
class SocketActivationTest {
    private static final long PID = 4242;
    private static final Set<String> POOL = Set.of("sv2");
    private static final IntPredicate ALL_SOCKETS = fd -> true;

    private static Map<String, String> env(String fds, String pid, String names) {
        Map<String, String> m = new HashMap<>();
        if (fds != null) {
            m.put("LISTEN_FDS", fds);
        }
        if (pid != null) {
            m.put("LISTEN_PID", pid);
        }
        if (names != null) {
            m.put("LISTEN_FDNAMES", names);
        }
        m.put("PATH", "/usr/bin");
        return m;
    }

    private static String failure(Map<String, String> env, Set<String> allowed, IntPredicate isSocket) {
        DaemonConfig.ConfigError e = assertThrows(DaemonConfig.ConfigError.class,
                () -> SocketActivation.parse(env, PID, allowed, isSocket));
        assertTrue(e.getMessage().startsWith("socket activation: "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void noVariablesMeansNotActivated() {
        assertEquals(List.of(), SocketActivation.parse(env(null, null, null), PID, POOL, ALL_SOCKETS));
        assertEquals(List.of(), SocketActivation.parse(env("", " ", null), PID, POOL, ALL_SOCKETS));
    }

    @Test
    void socketsStartAtFdThreeInNameOrder() {
        List<SocketActivation.Inherited> s = SocketActivation.parse(env("3", "4242", "sv2:sv2:jds"), PID,
                Set.of("sv2", "jds"), ALL_SOCKETS);
        assertEquals(List.of(new SocketActivation.Inherited(3, "sv2"), new SocketActivation.Inherited(4, "sv2"),
                new SocketActivation.Inherited(5, "jds")), s);
        assertEquals(List.of(3, 4), SocketActivation.named(s, "sv2").stream().map(SocketActivation.Inherited::fd).toList());
        assertEquals(List.of(), SocketActivation.named(s, "sv1"));
    }

    @Test
    void socketsMeantForAnotherProcessAreAnError() {
        String m = failure(env("1", "4243", "sv2"), POOL, ALL_SOCKETS);
        assertTrue(m.contains("LISTEN_PID=4243 but this process is 4242"), m);
        assertTrue(m.contains("exec the JVM"), m);
        assertTrue(failure(env("1", "pid", "sv2"), POOL, ALL_SOCKETS).contains("LISTEN_PID=\"pid\" is not a process id"));
        assertTrue(failure(env("1", null, "sv2"), POOL, ALL_SOCKETS).contains("without LISTEN_PID"));
    }

    @Test
    void namesAreRequiredAndMustBeKnown() {
        String missing = failure(env("1", "4242", null), POOL, ALL_SOCKETS);
        assertTrue(missing.contains("without LISTEN_FDNAMES") && missing.contains("FileDescriptorName="), missing);
        assertTrue(failure(env("1", "4242", ""), POOL, ALL_SOCKETS).contains("without LISTEN_FDNAMES"));
        String unknown = failure(env("2", "4242", "sv2:stratum"), POOL, ALL_SOCKETS);
        assertTrue(unknown.contains("fd 4") && unknown.contains("\"stratum\"") && unknown.contains("[sv2]"), unknown);
        // systemd's default name when FileDescriptorName= is not set
        assertTrue(failure(env("1", "4242", "hh-pool.socket"), POOL, ALL_SOCKETS).contains("\"hh-pool.socket\""));
    }

    @Test
    void badCountsAreErrors() {
        assertTrue(failure(env("two", "4242", "sv2"), POOL, ALL_SOCKETS).contains("LISTEN_FDS=\"two\" is not a number"));
        assertTrue(failure(env("0", "4242", "sv2"), POOL, ALL_SOCKETS).contains("LISTEN_FDS=0"));
        assertTrue(failure(env("-1", "4242", "sv2"), POOL, ALL_SOCKETS).contains("LISTEN_FDS=-1"));
        assertTrue(failure(env("65", "4242", "sv2"), POOL, ALL_SOCKETS).contains("LISTEN_FDS=65"));
        String fewer = failure(env("2", "4242", "sv2"), POOL, ALL_SOCKETS);
        assertTrue(fewer.contains("names 1 socket(s) but LISTEN_FDS=2"), fewer);
        String more = failure(env("1", "4242", "sv2:sv2"), POOL, ALL_SOCKETS);
        assertTrue(more.contains("names 2 socket(s) but LISTEN_FDS=1"), more);
    }

    @Test
    void strayVariablesWithoutListenFdsAreAnError() {
        assertTrue(failure(env(null, "4242", null), POOL, ALL_SOCKETS).contains("LISTEN_FDS is not"));
        assertTrue(failure(env(null, null, "sv2"), POOL, ALL_SOCKETS).contains("LISTEN_FDS is not"));
    }

    @Test
    void aDescriptorThatIsNotAnOpenSocketIsAnError() {
        String m = failure(env("2", "4242", "sv2:sv2"), POOL, fd -> fd == 3);
        assertTrue(m.contains("fd 4") && m.contains("not an open socket"), m);
    }

    @Test
    void procSelfFdTellsSocketsFromOtherDescriptors() throws Exception {
        assertFalse(SocketActivation.isOpenSocket(0x7fff_0000), "a closed descriptor");
        try (ServerSocketChannel s = ServerSocketChannel.open()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            // this JVM's sockets are among its open descriptors; plain files are not sockets
            boolean sawSocket = false;
            for (int fd = 3; fd < 4096 && !sawSocket; fd++) {
                sawSocket = SocketActivation.isOpenSocket(fd);
            }
            assertTrue(sawSocket, "some descriptor of this JVM is the bound socket");
        }
    }

    @Test
    void makeNonBlockingSetsONonblockOnABlockingSocket() throws Throwable {
        int fd = (int) SdNotify.Libc.SOCKET.invokeExact(SdNotify.AF_UNIX, SdNotify.SOCK_DGRAM, 0);
        assertTrue(fd >= 0);
        try {
            assertFalse(SocketActivation.isNonBlocking(fd), "socket(2) without SOCK_NONBLOCK blocks");
            SocketActivation.makeNonBlocking(fd);
            assertTrue(SocketActivation.isNonBlocking(fd));
            SocketActivation.makeNonBlocking(fd); // idempotent
            assertTrue(SocketActivation.isNonBlocking(fd));
        } finally {
            int ignored = (int) SdNotify.Libc.CLOSE.invokeExact(fd);
        }
        assertThrows(IllegalStateException.class, () -> SocketActivation.makeNonBlocking(fd), "a closed descriptor");
    }
}
