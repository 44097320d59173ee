package org.hyperhash.tp;

import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.tp.node.RpcAuth;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TpConfigTest {

    private static TpConfig load(Path file, List<String> sets, Map<String, String> env) {
        return TpConfig.from(DaemonConfig.load(file, sets, "TP", TpConfig.ROOT, env));
    }

    @Test
    void defaultsAreDevnetOnLoopback() {
        TpConfig c = load(null, List.of(), Map.of());
        assertEquals(TpConfig.Backend.DEVNET, c.backend());
        assertEquals("127.0.0.1", c.listen().getFirst().getHostString());
        assertEquals(18448, c.listen().getFirst().getPort());
        assertEquals(1000, c.feeDeltaSats());
    }

    @Test
    void everyConfigExampleLoads() throws Exception {
        Map<String, Integer> ports = Map.of("mainnet", 8446, "testnet4", 48442, "signet", 38442, "regtest", 18447, "devnet", 18448);
        for (var e : ports.entrySet()) {
            Path f = Path.of("config-examples", e.getKey() + ".conf");
            assertTrue(Files.isRegularFile(f), f.toString());
            TpConfig c = load(f, List.of(), Map.of());
            assertEquals(e.getKey(), c.network().name().toLowerCase(), f.toString());
            assertEquals((int) e.getValue(), c.listen().getFirst().getPort(), f.toString());
            if (c.backend() == TpConfig.Backend.BITCOIND) {
                assertInstanceOf(RpcAuth.Cookie.class, c.rpc().auth());
                assertTrue(c.zmqHashblock().startsWith("tcp://"));
            }
        }
    }

    @Test
    void envAndSetOverridesAndClearErrors() {
        TpConfig c = load(null, List.of("network=regtest", "backend=bitcoind", "bitcoind.rpc-user=u"),
                Map.of("TP_BITCOIND_RPC__PASSWORD", "pw", "TP_TEMPLATE_FEE__DELTA__SATS", "5"));
        assertEquals(new RpcAuth.UserPassword("u", "pw"), c.rpc().auth());
        assertEquals(5, c.feeDeltaSats());
        assertEquals(18447, c.listen().getFirst().getPort());
        var noAuth = assertThrows(DaemonConfig.ConfigError.class, () -> load(null, List.of("network=regtest", "backend=bitcoind"), Map.of()));
        assertTrue(noAuth.getMessage().contains("bitcoind.cookie-file"), noAuth.getMessage());
        var bad = assertThrows(DaemonConfig.ConfigError.class, () -> load(null, List.of("network=moon"), Map.of()));
        assertTrue(bad.getMessage().contains("network") && bad.getMessage().contains("devnet"), bad.getMessage());
        var mismatch = assertThrows(DaemonConfig.ConfigError.class, () -> load(null, List.of("network=mainnet"), Map.of()));
        assertTrue(mismatch.getMessage().contains("backend = devnet"), mismatch.getMessage());
        assertThrows(DaemonConfig.ConfigError.class, () -> load(null, List.of("template.fee-delta-sats=-1"), Map.of()));
    }
}
