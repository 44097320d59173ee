package org.hyperhash.sv2.tdp;

import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TdpClientConfigTest {
    private final TdpEndpoint e = new TdpEndpoint("127.0.0.1", 8442, null);
    private final CoinbaseOutputConstraints c = new CoinbaseOutputConstraints(65, OptionalInt.of(16));

    @Test
    void defaultsAndCopies() {
        TdpClientConfig d = TdpClientConfig.of(List.of(e), c);
        assertEquals(Duration.ofSeconds(60), d.cooldown());
        CoinbaseOutputConstraints other = new CoinbaseOutputConstraints(100, OptionalInt.of(20));
        assertEquals(other, d.withConstraints(other).constraints());
        TdpClientConfig t = d.withTimings(Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ZERO);
        assertEquals(Duration.ofSeconds(2), t.connectTimeout());
        assertEquals(Duration.ofMillis(10), t.initialBackoff());
        assertEquals(Duration.ZERO, t.cooldown());
        assertEquals(d.endpoints(), t.endpoints());
        assertTrue(d.failback(), "failback on by default");
        TdpClientConfig sticky = t.withFailback(false);
        assertFalse(sticky.failback());
        assertEquals(t.cooldown(), sticky.cooldown());
        assertFalse(sticky.withConstraints(other).failback(), "kept by withConstraints");
        assertFalse(sticky.withTimings(Duration.ofSeconds(2), Duration.ofMillis(10), Duration.ofSeconds(1), Duration.ZERO)
                .failback(), "kept by withTimings");
    }

    @Test
    void rejectsNonsense() {
        TdpClientConfig d = TdpClientConfig.of(List.of(e), c);
        assertThrows(IllegalArgumentException.class, () -> TdpClientConfig.of(List.of(), c));
        var backoff = assertThrows(IllegalArgumentException.class,
                () -> d.withTimings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ZERO));
        assertTrue(backoff.getMessage().contains("maxBackoff"));
        assertThrows(IllegalArgumentException.class,
                () -> d.withTimings(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> d.withTimings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(-1)));
    }

    @Test
    void badPinnedKeyFailsFastNamingTheEndpoint() {
        TdpClientConfig d = TdpClientConfig.of(List.of(new TdpEndpoint("127.0.0.1", 8442, "not-a-key")), c);
        var ex = assertThrows(IllegalArgumentException.class,
                () -> new TdpClient(d, org.hyperhash.sv2.noise.Secp256k1Providers.pureJava(), java.time.InstantSource.system(),
                        null, new TdpListener() {
                            @Override
                            public void onNewTemplate(org.hyperhash.sv2.message.template.NewTemplate t) {
                            }

                            @Override
                            public void onSetNewPrevHash(org.hyperhash.sv2.message.template.SetNewPrevHash p) {
                            }
                        }));
        assertTrue(ex.getMessage().contains("127.0.0.1:8442"), ex.getMessage());
    }
}
