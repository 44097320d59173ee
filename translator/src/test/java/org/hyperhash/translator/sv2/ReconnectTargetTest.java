package org.hyperhash.translator.sv2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.hyperhash.sv2.message.common.Reconnect;
import org.junit.jupiter.api.Test;

/** Spec 4.1 Reconnect: empty new_host = same host, new_port 0 = same port, independently. */
class ReconnectTargetTest {
    private static final PoolEndpoint NOW = new PoolEndpoint("p", "pool.example", 3333, "key");

    @Test
    void emptyHostWithAPortIsTheSameHostOnThatPort() {
        PoolEndpoint t = UpstreamConnector.reconnectTarget(NOW, "p", new Reconnect("", 4444));
        assertEquals(new PoolEndpoint("p", "pool.example", 4444, "key"), t);
    }

    @Test
    void otherCombinations() {
        assertEquals(NOW, UpstreamConnector.reconnectTarget(NOW, "p", new Reconnect("", 0)));
        assertEquals(new PoolEndpoint("p", "other", 3333, "key"),
                UpstreamConnector.reconnectTarget(NOW, "p", new Reconnect("other", 0)));
        assertEquals(new PoolEndpoint("p", "other", 5555, "key"),
                UpstreamConnector.reconnectTarget(NOW, "p", new Reconnect("other", 5555)));
    }
}
