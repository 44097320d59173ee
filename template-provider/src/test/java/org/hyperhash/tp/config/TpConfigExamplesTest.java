package org.hyperhash.tp.config;

import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.tp.TpConfig;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.bitcoind.rpc.RpcAuth;
import org.hyperhash.testkit.ConfigExamples;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file in {@code config-examples/} (listed, so a new one cannot escape) loads through the daemon's loader and
 * validates, with the authority secret supplied as its comments tell an operator to: env
 * {@code TP_SV2_AUTHORITY__SECRET__KEY}. TpConfigTest covers the per-network ports; this adds the node side.
 */
class TpConfigExamplesTest {
    /** Bitcoin Core's default RPC port per chain. */
    private static final Map<String, Integer> CORE_RPC_PORT = Map.of("mainnet", 8332, "testnet4", 48332, "signet", 38332,
            "regtest", 18443);
    /** Where Core writes .cookie under its datadir (mainnet: the datadir itself). */
    private static final Map<String, String> COOKIE_SUBDIR = Map.of("mainnet", "", "testnet4", "testnet4", "signet", "signet",
            "regtest", "regtest");


    private static TpConfig load(Path f, Map<String, String> env) {
        return TpConfig.from(DaemonConfig.load(f, List.of(), "TP", TpConfig.ROOT, env));
    }

    @Test
    void everyExampleValidatesWithItsSecretsFromTheEnvironment() throws Exception {
        AuthorityKeyPair key = AuthorityKeyPair.generate(new SecureRandom());
        Map<String, String> env = Map.of("TP_SV2_AUTHORITY__SECRET__KEY", key.secretToBase58());
        for (Path f : ConfigExamples.list()) {
            String n = ConfigExamples.network(f);
            TpConfig c = load(f, env);
            assertEquals(n, c.network().name().toLowerCase(Locale.ROOT), f + ": file named for its network");
            assertEquals(key.publicKey(), AuthorityKeyPair.fromSecretBase58(c.authoritySecretKey()).publicKey(),
                    f + ": the env authority key is the one used");
            for (InetSocketAddress a : c.listen()) {
                assertTrue(a.getAddress().isLoopbackAddress(), f + ": TDP listens on loopback as sv2-tp does: " + a);
            }
            assertTrue(c.adminListen().getAddress().isLoopbackAddress(), f + ": admin HTTP on loopback");
            if (c.network() == TpConfig.Network.DEVNET) {
                assertEquals(TpConfig.Backend.DEVNET, c.backend(), f.toString());
                assertNull(c.rpc(), f.toString());
                continue;
            }
            assertEquals(TpConfig.Backend.BITCOIND, c.backend(), f.toString());
            assertEquals((int) CORE_RPC_PORT.get(n), c.rpc().url().getPort(), f + ": Core's default RPC port for " + n);
            assertEquals("127.0.0.1", c.rpc().url().getHost(), f.toString());
            RpcAuth.Cookie cookie = assertInstanceOf(RpcAuth.Cookie.class, c.rpc().auth(), f + ": cookie auth");
            Path expected = Path.of(COOKIE_SUBDIR.get(n)).resolve(".cookie");
            assertTrue(cookie.file().endsWith(expected) && cookie.file().isAbsolute(),
                    f + ": cookie where Core writes it for " + n + ": " + cookie.file());
            assertTrue(c.zmqHashblock().matches("tcp://127\\.0\\.0\\.1:\\d+"), f + ": zmq-hashblock " + c.zmqHashblock());
        }
    }

    @Test
    void examplesCarryNoSecrets() throws Exception {
        for (Path f : ConfigExamples.list()) {
            TpConfig c = load(f, Map.of());
            assertEquals("", c.authoritySecretKey(), f.toString());
            assertEquals("", c.staticSecretKey(), f.toString());
            if (c.rpc() != null) {
                assertFalse(c.rpc().auth() instanceof RpcAuth.UserPassword, f + ": no RPC password in an example");
            }
        }
    }

    /** Without the env key a node-backed example loads but the daemon refuses to start, naming the setting. */
    @Test
    void nodeExamplesRefuseToStartWithoutTheAuthorityKey() throws Exception {
        for (Path f : ConfigExamples.list()) {
            TpConfig c = load(f, Map.of());
            if (c.network() == TpConfig.Network.DEVNET) {
                continue;
            }
            try (TpDaemon d = new TpDaemon(c, InstantSource.system())) {
                ConfigError e = assertThrows(ConfigError.class, d::start, f.toString()); // before any RPC or socket
                assertTrue(e.getMessage().contains("sv2.authority-secret-key") && e.getMessage().contains(ConfigExamples.network(f)),
                        f + ": " + e.getMessage());
            }
        }
    }
}
