package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.daemon.DaemonConfig.ConfigError;
import org.hyperhash.daemon.Redact;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.pool.downstream.NoiseSecurity;
import org.hyperhash.pool.identity.MinerIdentity;
import org.hyperhash.pool.identity.PoolNetwork;
import org.hyperhash.pool.identity.UserIdentityParser;
import org.hyperhash.pool.identity.UserIdentityParser.InvalidIdentityException;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.AuthorityPublicKey;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.noise.StaticKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals(16384, c.sv2().acceptBacklog());
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
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.accept-backlog=0")).getMessage().startsWith("sv2.accept-backlog"));
        assertEquals(128, load(null, Map.of(), "payout.address=" + REGTEST, "sv2.accept-backlog=128").sv2().acceptBacklog());
        // custom work needs this pool's job declarator
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.allow-work-selection=true")).getMessage().startsWith("sv2.allow-work-selection"));
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "jds.enabled=true", "jds.max-tokens-per-connection=0")).getMessage()
                .startsWith("jds.max-tokens-per-connection"));
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "jds.enabled=yes-please")).getMessage().contains("jds.enabled"));
        PoolConfig jd = load(null, Map.of(), "payout.address=" + REGTEST, "jds.enabled=true",
                "sv2.allow-work-selection=true");
        assertTrue(jd.jds().enabled() && jd.sv2().allowWorkSelection());
        assertEquals(3334, jd.jds().listen().getFirst().getPort());
        assertFalse(load(null, Map.of(), "payout.address=" + REGTEST).jds().enabled(), "off by default");
    }

    @Test
    void vardiffFloorIsPerNetworkAndOnlyRegtestDevnetGoBelowIt() {
        String key = "sv2.authority-secret-key=" + AuthorityKeyPair.generate(new SecureRandom()).secretToBase58();
        PoolConfig m = load(null, Map.of(), "network=mainnet", "payout.address=" + MAINNET, key);
        assertEquals(256.0, m.vardiff().minDifficulty()); // was 1e-9 on every network
        assertEquals(100_000.0, load(null, Map.of(), "network=mainnet", "payout.address=" + MAINNET, key,
                "vardiff.min-difficulty=100000").vardiff().minDifficulty());
        ConfigError e = assertThrows(ConfigError.class, () -> load(null, Map.of(), "network=mainnet",
                "payout.address=" + MAINNET, key, "vardiff.min-difficulty=1e-9"));
        assertTrue(e.getMessage().startsWith("vardiff.min-difficulty = 1.0E-9 is below mainnet's floor 256"),
                e.getMessage());
        assertEquals(1e-9, load(null, Map.of(), "payout.address=" + REGTEST).vardiff().minDifficulty());
        assertEquals(1e-12, load(null, Map.of(), "payout.address=" + REGTEST, "vardiff.min-difficulty=1e-12")
                .vardiff().minDifficulty());
        assertEquals(10, load(null, Map.of(), "payout.address=" + REGTEST).vardiff().maxSharesPerSecond());
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "vardiff.min-difficulty=lowest")).getMessage().startsWith("vardiff.min-difficulty"));
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
                "sv2.authority-secret-key=" + AuthorityKeyPair.generate(new SecureRandom()).secretToBase58());
        assertEquals(PoolNetwork.MAINNET, m.network());
    }

    @Test
    void noiseKeysInlineOrFromFileNeverEchoed(@TempDir Path dir) throws Exception {
        SecureRandom rng = new SecureRandom();
        AuthorityKeyPair authority = AuthorityKeyPair.generate(rng);
        StaticKeyPair stat = StaticKeyPair.generate(rng);
        PoolConfig inline = load(null, Map.of("POOL_SV2_AUTHORITY__SECRET__KEY", authority.secretToBase58()),
                "payout.address=" + REGTEST, "sv2.static-secret-key=" + stat.secretToBase58(),
                "sv2.certificate-validity=2h");
        assertEquals(authority.publicKey(), inline.sv2().authorityKey().publicKey());
        assertEquals(stat.publicKeyHex(), inline.sv2().staticKey().publicKeyHex());
        assertEquals(java.time.Duration.ofHours(2), inline.sv2().certificateValidity());
        assertFalse(inline.toString().contains(authority.secretToBase58()), "record toString hides the secret");
        assertFalse(inline.toString().contains(stat.secretToBase58()));

        Path f = dir.resolve("authority.key");
        Files.writeString(f, "# pool authority key\n  " + authority.secretToBase58() + "  \n\n");
        PoolConfig file = load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.authority-secret-key-file=\"" + f + "\"");
        assertEquals(authority.publicKey(), file.sv2().authorityKey().publicKey());
        assertEquals(null, file.sv2().staticKey(), "not configured: random at start");

        ConfigError both = assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.authority-secret-key=" + authority.secretToBase58(), "sv2.authority-secret-key-file=\"" + f + "\""));
        assertTrue(both.getMessage().startsWith("sv2.authority-secret-key"), both.getMessage());
        assertFalse(both.getMessage().contains(authority.secretToBase58()));

        String broken = authority.secretToBase58().substring(0, 20) + "zzzz" + authority.secretToBase58().substring(24);
        ConfigError bad = assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.authority-secret-key=" + broken));
        assertTrue(bad.getMessage().startsWith("sv2.authority-secret-key: invalid key"), bad.getMessage());
        assertFalse(bad.getMessage().contains(broken), "the value is never echoed");
        ConfigError missing = assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.static-secret-key-file=\"" + dir.resolve("nope") + "\""));
        assertTrue(missing.getMessage().startsWith("sv2.static-secret-key-file: cannot read"), missing.getMessage());
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.certificate-validity=400d")).getMessage().startsWith("sv2.certificate-validity"));

        // the logged effective configuration redacts both secrets
        String rendered = Redact.render(DaemonConfig.load(null, List.of("payout.address=" + REGTEST,
                "sv2.authority-secret-key=" + authority.secretToBase58(), "sv2.static-secret-key=" + stat.secretToBase58()),
                PoolConfig.ENV_PREFIX, PoolConfig.ROOT, Map.of()));
        assertFalse(rendered.contains(authority.secretToBase58()), rendered);
        assertFalse(rendered.contains(stat.secretToBase58()), rendered);
        assertTrue(rendered.contains(Redact.REDACTED));
    }

    @Test
    void tdpFailbackIsOnByDefaultAndCanBeTurnedOff() {
        PoolConfig d = load(null, Map.of(), "payout.address=" + REGTEST);
        assertTrue(d.tdp().failback(), "default");
        assertTrue(org.hyperhash.pool.upstream.TdpTemplateSource.clientConfig(d.templateProviders(), d.tdp()).failback());
        PoolConfig off = load(null, Map.of(), "payout.address=" + REGTEST, "tdp.failback=false");
        assertFalse(off.tdp().failback());
        assertEquals(d.tdp().cooldown(), off.tdp().cooldown(), "the other tdp keys are untouched");
        assertFalse(org.hyperhash.pool.upstream.TdpTemplateSource.clientConfig(off.templateProviders(), off.tdp()).failback(),
                "reaches the TDP client");
        assertFalse(load(null, Map.of("POOL_TDP_FAILBACK", "false"), "payout.address=" + REGTEST).tdp().failback(),
                "from the environment");
        ConfigError e = assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "tdp.failback=sometimes"));
        // refused at load time, with the full path and where the value came from
        assertTrue(e.getMessage().startsWith("hyperhash.pool.tdp.failback: expected true or false, got sometimes"), e.getMessage());
    }

    @Test
    void blockSubmissionPrefetchesTransactionsUnlessTurnedOff() {
        PoolConfig off = load(null, Map.of(), "payout.address=" + REGTEST);
        assertFalse(off.blockSubmission().enabled());
        PoolConfig on = load(null, Map.of(), "payout.address=" + REGTEST,
                "block-submission.bitcoind-url=\"http://127.0.0.1:8332\"", "block-submission.user=rpc");
        assertTrue(on.blockSubmission().enabled());
        assertTrue(on.blockSubmission().prefetchTransactions(), "default");
        assertTrue(on.blockSubmission().toString().contains("prefetched"), on.blockSubmission().toString());
        PoolConfig asked = load(null, Map.of("POOL_BLOCK__SUBMISSION_PREFETCH__TRANSACTIONS", "false"),
                "payout.address=" + REGTEST, "block-submission.bitcoind-url=\"http://127.0.0.1:8332\"",
                "block-submission.user=rpc");
        assertFalse(asked.blockSubmission().prefetchTransactions(), "from the environment");
        ConfigError e = assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "block-submission.prefetch-transactions=sometimes"));
        assertTrue(e.getMessage().startsWith(
                "hyperhash.pool.block-submission.prefetch-transactions: expected true or false, got sometimes"), e.getMessage());
    }

    @Test
    void plaintextRefusedOnMainnet() {
        ConfigError e = assertThrows(ConfigError.class, () -> load(null, Map.of(), "network=mainnet",
                "payout.address=" + MAINNET, "sv2.security=plaintext"));
        assertTrue(e.getMessage().startsWith("sv2.security"), e.getMessage());
    }

    @Test
    void noiseSecurityFromConfig() {
        SecureRandom rng = new SecureRandom();
        AuthorityKeyPair authority = AuthorityKeyPair.generate(rng);
        PoolConfig c = load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.authority-secret-key=" + authority.secretToBase58());
        MiningServer.Security s = MiningServer.Security.fromConfig(c, InstantSource.system());
        NoiseSecurity n = assertInstanceOf(NoiseSecurity.class, s);
        assertEquals(authority.publicKey(), n.authorityPublicKey());
        assertEquals(Secp256k1Providers.best().name(), n.cryptoProvider());
        assertTrue(n.description().contains(authority.publicKey().toBase58()), n.description());
        assertFalse(n.description().contains(authority.secretToBase58()));
        // nothing configured (devnet): random keys, different each time
        PoolConfig r = load(null, Map.of(), "payout.address=" + REGTEST);
        AuthorityPublicKey k1 = MiningServer.Security.fromConfig(r, InstantSource.system()).authorityPublicKey();
        AuthorityPublicKey k2 = MiningServer.Security.fromConfig(r, InstantSource.system()).authorityPublicKey();
        assertNotNull(k1);
        assertNotEquals(k1, k2);
        // the ephemeral key reserve: 10000 pairs, 10 minutes by default; 0 = none
        assertEquals(10_000, n.keyReserve().capacity());
        assertEquals(java.time.Duration.ofMinutes(10), c.sv2().noiseKeyReserveMaxAge());
        PoolConfig none = load(null, Map.of(), "payout.address=" + REGTEST, "sv2.noise-key-reserve=0");
        assertNull(assertInstanceOf(NoiseSecurity.class, MiningServer.Security.fromConfig(none, InstantSource.system()))
                .keyReserve());
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.noise-key-reserve=-1")).getMessage().startsWith("sv2.noise-key-reserve"));
        assertTrue(assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST,
                "sv2.noise-key-reserve-max-age=0s")).getMessage().startsWith("sv2.noise-key-reserve-max-age"));
        PoolConfig p = load(null, Map.of(), "payout.address=" + REGTEST, "sv2.security=plaintext");
        assertSame(MiningServer.Security.PLAINTEXT, MiningServer.Security.fromConfig(p, InstantSource.system()));
        assertEquals(null, MiningServer.Security.PLAINTEXT.authorityPublicKey());
    }

    @Test
    void startUpWarmup() throws Exception {
        PoolConfig d = load(null, Map.of(), "payout.address=" + REGTEST);
        assertEquals(1000, d.sv2().warmupSessions());
        assertEquals(java.time.Duration.ofSeconds(5), d.sv2().warmupMaxTime());
        assertTrue(d.sv2().warmup());
        assertFalse(load(null, Map.of(), "payout.address=" + REGTEST, "sv2.warmup.sessions=0").sv2().warmup());
        assertFalse(load(null, Map.of(), "payout.address=" + REGTEST, "sv2.warmup.max-time=0s").sv2().warmup());
        for (String bad : new String[] {"sv2.warmup.sessions=-1", "sv2.warmup.sessions=100001",
                "sv2.warmup.max-time=61s", "sv2.warmup.max-time=-1s"}) {
            String key = bad.substring(0, bad.indexOf('='));
            String msg = assertThrows(ConfigError.class, () -> load(null, Map.of(), "payout.address=" + REGTEST, bad))
                    .getMessage();
            assertTrue(msg.contains(key), bad + ": " + msg);
        }
        for (String bad : new String[] {"sv2.warmup.sessions=many", "sv2.warmup.max-time=soon", "sv2.warmup.session=5"}) {
            String msg = assertThrows(RuntimeException.class, () -> load(null, Map.of(), "payout.address=" + REGTEST, bad))
                    .getMessage();
            assertTrue(msg.contains(bad.substring(0, bad.indexOf('=')).substring(4)), bad + ": " + msg);
        }
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
