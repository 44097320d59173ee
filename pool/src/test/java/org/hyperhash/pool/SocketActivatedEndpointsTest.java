package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the pool warns that hh-pool.socket's ListenStream= and sv2.listen differ. */
class SocketActivatedEndpointsTest {
    private static InetSocketAddress a(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    @Test
    void theWildcardMatchesAnyAddressOnItsPort() {
        // ListenStream=3333 binds [::]:3333; sv2.listen = ["0.0.0.0:3333"]
        assertTrue(PoolDaemon.sameEndpoints(List.of(a("::", 3333)), List.of(a("0.0.0.0", 3333))));
        assertTrue(PoolDaemon.sameEndpoints(List.of(a("127.0.0.1", 3333)), List.of(a("0.0.0.0", 3333))));
        assertTrue(PoolDaemon.sameEndpoints(List.of(a("127.0.0.1", 40000)), List.of(a("127.0.0.1", 0))));
    }

    @Test
    void anotherPortAddressOrCountDiffers() {
        assertFalse(PoolDaemon.sameEndpoints(List.of(a("::", 3334)), List.of(a("0.0.0.0", 3333))));
        assertFalse(PoolDaemon.sameEndpoints(List.of(a("127.0.0.2", 3333)), List.of(a("127.0.0.1", 3333))));
        assertFalse(PoolDaemon.sameEndpoints(List.of(a("::", 3333), a("::", 3334)), List.of(a("0.0.0.0", 3333))));
    }
}
