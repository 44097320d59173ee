package org.hyperhash.translator.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.sv2.PoolEndpoint;
import org.hyperhash.testkit.ConfigExamples;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file in {@code config-examples/} (listed, so a new one cannot escape) loads through the daemon's loader and
 * validates with the operator's payout identity from the environment ({@code TRANSLATOR_UPSTREAM_USER__IDENTITY}), and
 * talks to the pool example of the same network the way that pool listens (port, Noise). TranslatorConfigTest
 * covers plain parsing of each file.
 */
class TranslatorConfigExamplesTest {
    private static final Map<String, String> IDENTITY = Map.of(
            "regtest", "bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5phstwt.farm",
            "signet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx.farm",
            "testnet4", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx.farm",
            "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.farm"); // BIP173 vectors


    @Test
    void everyExampleValidatesWithTheOperatorsIdentityFromTheEnvironment() throws Exception {
        for (Path f : ConfigExamples.list()) {
            String n = ConfigExamples.network(f);
            assertTrue(IDENTITY.containsKey(n), f + ": not a known network name");
            TranslatorConfig c = TranslatorConfig.from(DaemonConfig.load(f, List.of(), TranslatorConfig.ENV_PREFIX,
                    TranslatorConfig.ROOT, Map.of("TRANSLATOR_UPSTREAM_USER__IDENTITY", IDENTITY.get(n))));
            assertEquals(IDENTITY.get(n), c.bridge().userIdentity(), f + ": the env identity wins over the placeholder");
            assertFalse(c.pools().isEmpty(), f.toString());
            assertTrue(c.adminListen().getAddress().isLoopbackAddress(), f + ": admin HTTP on loopback");
            assertTrue(c.bridge().vardiff().minDifficulty() <= c.bridge().startDifficulty()
                    && c.bridge().startDifficulty() <= c.bridge().vardiff().maxDifficulty(), f + ": start difficulty in range");
        }
    }

    /** Each pool the example names is reached as the pool example of that network listens: same port, Noise pinned. */
    @Test
    void upstreamsMatchThePoolExample() throws Exception {
        Path poolExamples = Path.of("..", "pool", "config-examples");
        assertTrue(Files.isDirectory(poolExamples), poolExamples + " (tests run from the module directory)");
        for (Path f : ConfigExamples.list()) {
            String n = ConfigExamples.network(f);
            Path poolFile = poolExamples.resolve(n + ".conf");
            assertTrue(Files.isRegularFile(poolFile), f + ": no pool example for " + n);
            Config pool = ConfigFactory.parseFile(poolFile.toFile()).getConfig("hyperhash.pool");
            String listen = pool.getStringList("sv2.listen").getFirst();
            int poolPort = Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1));
            boolean noise = !pool.hasPath("sv2.security") || pool.getString("sv2.security").equals("noise");
            TranslatorConfig c = TranslatorConfig.from(DaemonConfig.load(f, List.of(), TranslatorConfig.ENV_PREFIX,
                    TranslatorConfig.ROOT, Map.of()));
            for (PoolEndpoint p : c.pools()) {
                assertEquals(poolPort, p.port(), f + " " + p.name() + " vs " + poolFile);
                assertEquals(noise, p.encrypted(), f + " " + p.name() + ": the " + n + " pool example "
                        + (noise ? "speaks Noise: pin its authority key" : "is plaintext"));
                if (p.encrypted()) {
                    assertDoesNotThrow(() -> AuthorityPublicKey.fromBase58(p.authorityKey()), f + " " + p.name());
                }
            }
        }
    }
}
