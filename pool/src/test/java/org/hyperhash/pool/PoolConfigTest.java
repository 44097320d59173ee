package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.pool.identity.MinerIdentity;
import org.hyperhash.pool.identity.PoolNetwork;
import org.hyperhash.pool.identity.UserIdentityParser;
import org.hyperhash.pool.identity.UserIdentityParser.InvalidIdentityException;
import org.junit.jupiter.api.Test;

class PoolConfigTest {
    static final String REGTEST = "bcrt1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5phstwt";
    static final String MAINNET = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"; // BIP173 vector

    private static PoolConfig load(Path file, Map<String, String> env, String... sets) {
        return PoolConfig.from(DaemonConfig.load(file, List.of(sets), PoolConfig.ENV_PREFIX, PoolConfig.ROOT, env));
    }

    @Test
    void defaultsNeedOnlyAPayoutAddress() {
        ConfigError e = assertThrows(ConfigError.class, () -> load(null, Map.of()));
        assertTrue(e.getMessage().startsWith("payout.address"), e.getMessage());
        PoolConfig c = load(null, Map.of("POOL_PAYOUT_ADDRESS", REGTEST));
        assertEquals(PoolNetwork.DEVNET, c.network());
        assertEquals(3333, c.sv2().listen().get(0).getPort());
        assertEquals("jdbc:sqlite:./hh-data/ledger.db", c.ledger().jdbcUrl());
        assertEquals(9090, c.adminListen().getPort());
        assertEquals("127.0.0.1:18448", c.templateProviders().get(0).address().getHostString() + ":"
                + c.templateProviders().get(0).address().getPort());
    }

    @Test
    void validationNamesTheField() {
        assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + MAINNET)); // wrong network
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "ledger.flush-interval=5s")).getMessage().startsWith("ledger.flush-interval"));
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "instance-id=256")).getMessage().startsWith("instance-id"));
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.security=tls")).getMessage().startsWith("sv2.security"));
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "network=mainnet",
                "payout.address=" + MAINNET)).getMessage().startsWith("sv2.authority-secret-key"));
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "vardiff.min-difficulty=0")).getMessage().startsWith("vardiff"));
    }

    @Test
    void examplesParse() {
        for (String n : List.of("devnet", "regtest", "signet", "testnet4")) {
            Path f = Path.of("config-examples", n + ".conf");
            String addr = n.equals("devnet") || n.equals("regtest") ? REGTEST : "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx";
            PoolConfig c = n.equals("devnet") ? load(f, Map.of()) : load(f, Map.of(), "payout.address=" + addr);
            assertEquals(n.toUpperCase(), c.network().name());
        }
        PoolConfig m = load(Path.of("config-examples", "mainnet.conf"), Map.of(), "payout.address=" + MAINNET,
                "sv2.authority-secret-key=x");
        assertEquals(PoolNetwork.MAINNET, m.network());
    }

    @Test
    void usernames() throws Exception {
        UserIdentityParser p = new UserIdentityParser(PoolNetwork.REGTEST, "solo:");
        MinerIdentity a = p.parse(REGTEST + ".rig-1");
        assertEquals(REGTEST, a.address());
        assertEquals("rig-1", a.worker());
        assertTrue(!a.solo());
        assertEquals(22, a.scriptPubKey().length()); // P2WPKH
        MinerIdentity s = p.parse("solo:" + REGTEST);
        assertTrue(s.solo());
        assertEquals("", s.worker());
        for (String bad : List.of("", "nonsense.rig", MAINNET + ".rig", REGTEST + ".bad worker",
                REGTEST.substring(0, REGTEST.length() - 1) + "x")) {
            InvalidIdentityException e = assertThrows(InvalidIdentityException.class, () -> p.parse(bad), bad);
            assertEquals("invalid-user-identity", e.errorCode());
        }
        // solo disabled: the prefix is just part of an (invalid) address
        assertThrows(InvalidIdentityException.class, () -> new UserIdentityParser(PoolNetwork.REGTEST, "")
                .parse("solo:" + REGTEST));
    }
}
