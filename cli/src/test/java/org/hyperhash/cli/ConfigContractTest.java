package org.hyperhash.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.StaticKeyPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one configuration and CLI contract of every daemon (issue 14), run through {@code hh} exactly as an operator
 * types it: strict keys with suggestions, full paths in --set, explicit network, exit code 2 for configuration
 * errors, --check-config, deprecated names, key files from keygen, default ports that never collide.
 */
class ConfigContractTest {
    private static final String REGTEST_ADDRESS = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080";

    record Run(int rc, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Run hh(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = Hh.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(rc, out.toString(), err.toString());
    }

    @Test
    void misspelledKeysStopEveryDaemonWithTheKeyAndASuggestion() {
        Run r = hh("pool", "--set", "network=regtest", "--set", "vardiff.min-dificulty=1", "--print-config");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().contains("hyperhash.pool.vardiff.min-dificulty") && r.err().contains("did you mean 'min-difficulty'"), r.all());

        r = hh("pool", "--set", "network=regtest", "--set", "sv2.securty=plaintext", "--print-config");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().contains("did you mean 'security'"), r.all());

        r = hh("tp", "--devnet", "--set", "sv2.lisen=[\"127.0.0.1:0\"]", "--print-config");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().contains("hyperhash.tp.sv2.lisen") && r.err().contains("did you mean 'listen'"), r.all());

        // a typo inside an upstream pool entry used to turn Noise off silently
        r = hh("translator", "--set", "upstream.user-identity=\"" + REGTEST_ADDRESS + ".t\"", "--set",
                "upstream.pools=[{name = a, host = \"127.0.0.1\", port = 3333, authorty-key = \"x\"}]", "--print-config");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().contains("hyperhash.translator.upstream.pools[0].authorty-key")
                && r.err().contains("did you mean 'authority-key'"), r.all());

        r = hh("treasury", "--set", "network=regtest", "--set", "payouts.treshold-sats=5", "--print-config");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.all().contains("did you mean 'threshold-sats'"), r.all());

        // wrong type: the full path, not "String: 1: max-difficulty has type STRING" (min-difficulty also takes the
        // string "network", so its type is checked by PoolConfig after the load)
        r = hh("pool", "--set", "network=regtest", "--set", "vardiff.max-difficulty=lots", "--print-config");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().contains("hyperhash.pool.vardiff.max-difficulty: expected a number, got lots"), r.all());
    }

    @Test
    void theFullPathPrintConfigPrintsIsAcceptedBySet() {
        Run r = hh("tp", "--set", "hyperhash.tp.network=regtest", "--set", "hyperhash.tp.backend=bitcoind",
                "--set", "hyperhash.tp.bitcoind.cookie-file=/nonexistent/.cookie", "--print-config");
        assertEquals(0, r.rc(), r.all());
        assertTrue(r.out().contains("network=regtest"), r.out());
    }

    @Test
    void noDaemonWithANetworkStartsWithoutOne() {
        for (String d : List.of("pool", "tp", "treasury")) {
            Run r = hh(d, "--print-config");
            assertEquals(2, r.rc(), d + ": " + r.all());
            assertTrue(r.err().contains("hyperhash." + d + ".network is not set"), r.all());
        }
        assertEquals(0, hh("tp", "--devnet", "--print-config").rc());
        assertEquals(0, hh("pool", "--set", "network=devnet", "--set", "payout.address=" + REGTEST_ADDRESS, "--print-config").rc());
    }

    @Test
    void aBadTemplateProviderPinIsAConfigurationErrorNamingTheKey() {
        Run r = hh("pool", "--set", "network=regtest", "--set", "payout.address=" + REGTEST_ADDRESS,
                "--set", "template-providers=[{address = \"127.0.0.1:18447\", authority-key = \"notakey\"}]", "--check-config");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().contains("hyperhash.pool.template-providers[0].authority-key"), r.all());
    }

    @Test
    void deprecatedNamesStillWorkUnderTheirNewName(@TempDir Path dir) {
        Run r = hh("pool", "--set", "network=regtest", "--set", "payout.address=" + REGTEST_ADDRESS, "--set", "ledger.jdbc-url=\"jdbc:sqlite:" + dir.resolve("l.db") + "\"",
                "--set", "block-submission.bitcoind-url=\"http://127.0.0.1:8332\"", "--set", "block-submission.user=rpc",
                "--print-config");
        assertEquals(0, r.rc(), r.all());
        assertTrue(r.out().contains(dir.resolve("l.db").toString()) && !r.out().contains("jdbc-url"), r.out());
        assertTrue(r.out().contains("url=\"http://127.0.0.1:8332\""), r.out());
        r = hh("tp", "--set", "network=regtest", "--set", "backend=bitcoind", "--set", "bitcoind.rpc-url=\"http://127.0.0.1:18443/\"",
                "--set", "bitcoind.rpc-cookie-file=/nonexistent/.cookie", "--print-config");
        assertEquals(0, r.rc(), r.all());
        assertTrue(r.out().contains("url=\"http://127.0.0.1:18443/\"") && !r.out().contains("rpc-url"), r.out());
    }

    @Test
    void checkConfigValidatesWithoutStartingAndNamesABusyAddressAndItsKey(@TempDir Path dir) throws Exception {
        String[] base = {"pool", "--set", "network=regtest", "--set", "payout.address=" + REGTEST_ADDRESS,
            "--set", "ledger.url=\"jdbc:sqlite:" + dir.resolve("ledger.db") + "\"", "--set", "sv2.listen=[\"127.0.0.1:0\"]"};
        List<String> ok = new ArrayList<>(List.of(base));
        ok.addAll(List.of("--set", "admin.listen=\"127.0.0.1:0\"", "--check-config"));
        Run r = hh(ok.toArray(String[]::new));
        assertEquals(0, r.rc(), r.all());
        assertTrue(r.out().contains("configuration OK") && r.out().contains("ledger"), r.out());
        assertFalse(Files.exists(dir.resolve("ledger.db")), "--check-config must not create the ledger");

        // a mainnet address on regtest names the key
        r = hh("pool", "--set", "network=regtest", "--set", "payout.address=bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                "--check-config");
        assertEquals(2, r.rc(), r.all());
        assertTrue(r.err().contains("payout.address") && r.err().contains("is a mainnet address, but network = regtest"), r.all());

        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> taken = new ArrayList<>(List.of(base));
            taken.addAll(List.of("--set", "admin.listen=\"127.0.0.1:" + busy.getLocalPort() + "\"", "--check-config"));
            r = hh(taken.toArray(String[]::new));
            assertEquals(1, r.rc(), r.all());
            assertTrue(r.err().contains("127.0.0.1:" + busy.getLocalPort()) && r.err().contains("hyperhash.pool.admin.listen"), r.all());
        }
    }

    @Test
    void keygenWritesPrivateKeyFilesAndPrintsLinesThatPasteIntoTheConfig(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("keys");
        Run r = hh("keygen", "--out", keys.toString());
        assertEquals(0, r.rc(), r.all());
        Path secret = keys.resolve(KeygenCommand.AUTHORITY_FILE);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE), Files.getPosixFilePermissions(secret));
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(keys.resolve(KeygenCommand.STATIC_FILE)));
        AuthorityKeyPair.fromSecretBase58(Files.readString(secret).strip());
        StaticKeyPair.fromSecretBase58(Files.readString(keys.resolve(KeygenCommand.STATIC_FILE)).strip());
        assertEquals(1, hh("keygen", "--out", keys.toString()).rc(), "never overwrites a key");

        // the printed lines paste as they are: the pool and the TP start their check with them
        Path conf = dir.resolve("tp.conf");
        Files.writeString(conf, "network = regtest\nbackend = devnet\n" + r.out());
        Run tp = hh("tp", "--config", conf.toString(), "--set", "network=devnet", "--set", "sv2.listen=[\"127.0.0.1:0\"]",
                "--set", "admin.listen=\"127.0.0.1:0\"", "--check-config");
        assertEquals(0, tp.rc(), tp.all());
        String pub = Files.readString(keys.resolve(KeygenCommand.PUBLIC_FILE)).strip();
        assertTrue(tp.out().contains("authority public key " + pub), tp.out());

        Run inline = hh("keygen");
        Path conf2 = dir.resolve("pool.conf");
        Files.writeString(conf2, "hyperhash.pool {\n network = regtest\n payout.address = \"" + REGTEST_ADDRESS + "\"\n"
                + inline.out() + "}\n");
        Run pool = hh("pool", "--config", conf2.toString(), "--print-config");
        assertEquals(0, pool.rc(), pool.all());
        assertFalse(pool.out().contains(inline.out().lines().filter(l -> l.startsWith("sv2.authority-secret-key")).findFirst()
                .orElseThrow().split("\"")[1]), "secrets are redacted in --print-config");
    }

    /** Every default listen port of every daemon on one host, and the node agent's 8442, differ. */
    @Test
    void defaultPortsNeverCollideAcrossDaemons() {
        Config ref = ConfigFactory.defaultReference();
        Map<Integer, String> seen = new HashMap<>();
        seen.put(8442, "node agent status.listen (operations manual)");
        List<String> keys = List.of("hyperhash.pool.admin.listen", "hyperhash.tp.admin.listen", "hyperhash.translator.admin.listen",
                "hyperhash.treasury.admin.listen", "hyperhash.translator.sv1.listen", "hyperhash.jdc.admin.listen");
        List<Map.Entry<String, Integer>> ports = new ArrayList<>();
        for (String k : keys) {
            ports.add(Map.entry(k, org.hyperhash.daemon.Banner.parseHostPort(ref.getString(k)).getPort()));
        }
        for (String l : ref.getStringList("hyperhash.pool.sv2.listen")) {
            ports.add(Map.entry("hyperhash.pool.sv2.listen", org.hyperhash.daemon.Banner.parseHostPort(l).getPort()));
        }
        for (String l : ref.getStringList("hyperhash.jdc.sv2.listen")) {
            ports.add(Map.entry("hyperhash.jdc.sv2.listen", org.hyperhash.daemon.Banner.parseHostPort(l).getPort()));
        }
        for (String l : ref.getStringList("hyperhash.pool.jds.listen")) {
            ports.add(Map.entry("hyperhash.pool.jds.listen", org.hyperhash.daemon.Banner.parseHostPort(l).getPort()));
        }
        for (org.hyperhash.tp.TpConfig.Network n : org.hyperhash.tp.TpConfig.Network.values()) {
            ports.add(Map.entry("hh tp default TDP port on " + n, n.defaultPort()));
        }
        assertEquals(8442, org.hyperhash.agent.AgentConfig.KEYS.stream().filter(k -> k.name().equals("status.listen"))
                .map(k -> new InetSocketAddress(0).getPort() + Integer.parseInt(k.dflt().substring(k.dflt().lastIndexOf(':') + 1)))
                .findFirst().orElseThrow());
        for (Map.Entry<String, Integer> e : ports) {
            String before = seen.put(e.getValue(), e.getKey());
            assertTrue(before == null, "port " + e.getValue() + " is the default of both " + before + " and " + e.getKey());
        }
    }

    /** The templates systemd/install.sh installs per network load strictly once their REQUIRED lines are filled. */
    @Test
    void everyInstalledTemplateValidatesOnceItsRequiredLinesAreFilled() {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Map<String, String> address = Map.of("regtest", REGTEST_ADDRESS, "signet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
                "testnet4", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
        String key = AuthorityKeyPair.generate(new java.security.SecureRandom()).secretToBase58();
        for (String net : address.keySet()) {
            Run r = hh("pool", "--config", root.resolve("pool/config-examples/" + net + ".conf").toString(),
                    "--set", "payout.address=" + address.get(net), "--set", "sv2.authority-secret-key=\"" + key + "\"", "--print-config");
            assertEquals(0, r.rc(), net + " pool: " + r.all());
            r = hh("tp", "--config", root.resolve("template-provider/config-examples/" + net + ".conf").toString(), "--print-config");
            assertEquals(0, r.rc(), net + " tp: " + r.all());
            r = hh("translator", "--config", root.resolve("translator/config-examples/" + net + ".conf").toString(), "--print-config");
            assertEquals(0, r.rc(), net + " translator: " + r.all());
            r = hh("jdc", "--config", root.resolve("jdc/config-examples/" + net + ".conf").toString(),
                    "--set", "payout.address=" + address.get(net), "--set", "sv2.authority-secret-key=\"" + key + "\"", "--print-config");
            assertEquals(0, r.rc(), net + " jdc: " + r.all());
            r = hh("treasury", "--config", root.resolve("treasury/config-examples/" + net + ".conf").toString(), "--print-config");
            assertEquals(0, r.rc(), net + " treasury: " + r.all());
            assertTrue(r.out().contains("network=" + net), r.out());
        }
    }
}
