package org.hyperhash.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bitcoinj.base.BitcoinNetwork;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.testkit.ConfigExamples;
import org.junit.jupiter.api.Test;

/** Every {@code config-examples/*.conf} (the templates systemd/install.sh copies to /etc/hyperhash/web.conf) loads strictly. */
class WebConfigExamplesTest {
    @Test
    void everyExampleLoadsThroughTheStrictLoader() throws Exception {
        Map<String, BitcoinNetwork> nets = Map.of("mainnet", BitcoinNetwork.MAINNET, "testnet4", BitcoinNetwork.TESTNET,
                "signet", BitcoinNetwork.SIGNET, "regtest", BitcoinNetwork.REGTEST);
        List<Path> examples = ConfigExamples.list();
        assertEquals(nets.keySet(), examples.stream().map(ConfigExamples::network).collect(java.util.stream.Collectors.toSet()),
                "one example per network install.sh accepts");
        for (Path f : examples) {
            WebConfig c = WebConfig.from(DaemonConfig.load(f, List.of(), WebConfig.ENV_PREFIX, WebConfig.ROOT, Map.of()));
            assertEquals(nets.get(ConfigExamples.network(f)), c.network(), f.toString());
            assertTrue(c.ledgerUrl().startsWith("jdbc:"), f.toString());
            assertTrue(c.explorerBlockUrl().isEmpty() || c.explorerBlockUrl().contains("{hash}"), f.toString());
        }
    }
}
