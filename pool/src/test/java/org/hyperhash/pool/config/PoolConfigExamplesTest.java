package org.hyperhash.pool.config;

import com.typesafe.config.ConfigFactory;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.identity.PoolNetwork;
import org.hyperhash.pool.upstream.TdpTemplateSource;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.tdp.TdpClientConfig;
import org.hyperhash.testkit.ConfigExamples;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file in {@code config-examples/} (listed, so a new one cannot escape) loads through the daemon's loader and
 * validates once an operator supplies what the comments ask for through the environment (payout address, authority
 * secret); its template provider is the one the TP example for the same network listens on. PoolConfigTest covers
 * loading each file by name; this adds the operator's env path, the TDP client config and the cross-file checks.
 */
class PoolConfigExamplesTest {
    private static final Map<String, String> ADDRESS = Map.of(
            "devnet", "bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5phstwt", "regtest", "bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5phstwt",
            "signet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "testnet4", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"); // BIP173 vectors


    private static PoolConfig load(Path f, Map<String, String> env) {
        return PoolConfig.from(DaemonConfig.load(f, List.of(), PoolConfig.ENV_PREFIX, PoolConfig.ROOT, env));
    }

    @Test
    void everyExampleValidatesWithTheOperatorsEnvironment() throws Exception {
        AuthorityKeyPair key = AuthorityKeyPair.generate(new SecureRandom());
        for (Path f : ConfigExamples.list()) {
            String n = ConfigExamples.network(f);
            assertTrue(ADDRESS.containsKey(n), f + ": not a known network name");
            Map<String, String> env = new HashMap<>();
            env.put("POOL_PAYOUT_ADDRESS", ADDRESS.get(n));
            env.put("POOL_SV2_AUTHORITY__SECRET__KEY", key.secretToBase58());
            PoolConfig c = load(f, env);
            assertEquals(n, c.network().name().toLowerCase(Locale.ROOT), f + ": file named for its network");
            assertEquals(ADDRESS.get(n), c.payout().address(), f.toString());
            assertNotNull(c.sv2().authorityKey(), f.toString());
            assertEquals(key.publicKey(), c.sv2().authorityKey().publicKey(), f + ": the env authority key is the one used");
            assertEquals(PoolConfig.Security.NOISE, c.sv2().security(), f + ": examples use Noise");
            assertTrue(c.adminListen().getAddress().isLoopbackAddress(), f + ": admin HTTP on loopback");
            // what PoolDaemon/TdpTemplateSource do with it at start
            TdpClientConfig tdp = TdpTemplateSource.clientConfig(c.templateProviders(), c.tdp());
            assertEquals(c.templateProviders().size(), tdp.endpoints().size(), f.toString());
            assertFalse(c.templateProviders().isEmpty(), f.toString());
            for (PoolConfig.TemplateProvider tp : c.templateProviders()) {
                if (tp.authorityKey().isEmpty()) {
                    assertTrue(tp.address().getAddress().isLoopbackAddress(), f + ": an unpinned TP must be on loopback: " + tp);
                }
            }
        }
    }

    @Test
    void examplesCarryNoSecretsAndNameWhatIsMissing() throws Exception {
        for (Path f : ConfigExamples.list()) {
            String n = ConfigExamples.network(f);
            if (n.equals("mainnet")) {
                continue; // refuses to load without the authority key: below
            }
            PoolConfig c = load(f, Map.of("POOL_PAYOUT_ADDRESS", ADDRESS.get(n)));
            assertNull(c.sv2().authorityKey(), f + ": no authority secret in an example");
            assertNull(c.sv2().staticKey(), f + ": no static secret in an example");
            if (!n.equals("devnet")) {
                ConfigError e = assertThrows(ConfigError.class, () -> load(f, Map.of()), f + ": payout address is the operator's");
                assertTrue(e.getMessage().startsWith("payout.address"), f + ": " + e.getMessage());
            }
        }
        ConfigError noPayout = assertThrows(ConfigError.class, () -> load(Path.of("config-examples", "mainnet.conf"),
                Map.of("POOL_SV2_AUTHORITY__SECRET__KEY", AuthorityKeyPair.generate(new SecureRandom()).secretToBase58())));
        assertTrue(noPayout.getMessage().startsWith("payout.address"), noPayout.getMessage());
        PoolConfig devnet = load(Path.of("config-examples", "devnet.conf"), Map.of());
        assertEquals(PoolNetwork.DEVNET, devnet.network(), "devnet runs with zero setup");
        ConfigError e = assertThrows(ConfigError.class, () -> load(Path.of("config-examples", "mainnet.conf"),
                Map.of("POOL_PAYOUT_ADDRESS", ADDRESS.get("mainnet"))));
        assertTrue(e.getMessage().startsWith("sv2.authority-secret-key"), e.getMessage());
    }

    /** The pool example's template provider port is the port the TP example for the same network listens on. */
    @Test
    void templateProviderMatchesTheTpExample() throws Exception {
        Path tpExamples = Path.of("..", "template-provider", "config-examples");
        assertTrue(Files.isDirectory(tpExamples), tpExamples + " (tests run from the module directory)");
        for (Path f : ConfigExamples.list()) {
            String n = ConfigExamples.network(f);
            Path tpFile = tpExamples.resolve(n + ".conf");
            assertTrue(Files.isRegularFile(tpFile), f + ": no TP example for " + n);
            List<String> tpListen = ConfigFactory.parseFile(tpFile.toFile()).getStringList("hyperhash.tp.sv2.listen");
            assertFalse(tpListen.isEmpty(), tpFile.toString());
            int tpPort = Integer.parseInt(tpListen.getFirst().substring(tpListen.getFirst().lastIndexOf(':') + 1));
            PoolConfig c = load(f, Map.of("POOL_PAYOUT_ADDRESS", ADDRESS.get(n), "POOL_SV2_AUTHORITY__SECRET__KEY",
                    AuthorityKeyPair.generate(new SecureRandom()).secretToBase58()));
            assertEquals(tpPort, c.templateProviders().getFirst().address().getPort(), f + " vs " + tpFile);
        }
    }
}
