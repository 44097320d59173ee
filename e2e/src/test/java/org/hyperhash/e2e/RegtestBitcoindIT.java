package org.hyperhash.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.upstream.TdpTemplateSource;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.hyperhash.tp.TpConfig;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.tp.node.RpcException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * TP -> pool -> miner against a real {@code bitcoind -regtest} (the binary named by {@code HH_BITCOIND}; skipped with
 * the reason printed when it is not set): bitcoind in a temp datadir on free ports, 101 blocks to get past coinbase
 * maturity (and, when bitcoind has a wallet, a few mempool transactions so the template is not coinbase-only), then
 * TpDaemon (backend bitcoind, cookie auth, ZMQ hashblock), the pool over TDP/Noise pinned to the TP's key, and a
 * CPU FakeSv2Miner over Noise. Passes when bitcoind's chain grows by blocks whose coinbase pays the pool's address.
 * Run it alone: {@code HH_BITCOIND=/usr/local/bin/bitcoind ./hh test --regtest} (the launcher passes the filters,
 * {@code -Dfailsafe.failIfNoSpecifiedTests=false} included). Reported passing against Bitcoin Core v31.1.
 */
@Tag("regtest")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RegtestBitcoindIT {
    private static final Duration T = Duration.ofSeconds(90);
    private static final int MATURITY = 101;
    private static final int MEMPOOL_TXS = 3;

    @TempDir
    Path dir;

    /** Regtest P2WPKH address with a fixed pattern (nobody holds its key; fine on regtest). */
    static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) (0xa0 + n);
        h[19] = (byte) (n * 11 + 3);
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    static Path bitcoindOrSkip() {
        String bin = System.getenv(RegtestBitcoind.ENV);
        if (bin == null || bin.isBlank()) {
            String why = RegtestBitcoind.ENV + " is not set: set it to a bitcoind binary (Bitcoin Core, built with ZMQ)"
                    + " to run the TP -> pool -> miner flow against a real bitcoind -regtest";
            System.out.println("RegtestBitcoindIT skipped: " + why);
            System.err.println("RegtestBitcoindIT skipped: " + why);
            Assumptions.abort(why);
        }
        Path p = Path.of(bin.trim());
        // set but unusable is an operator error worth a failure, not a silent skip
        if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
            fail(RegtestBitcoind.ENV + "=" + bin + " is not an executable file");
        }
        return p;
    }

    @Test
    void blocksFoundByTheMinerAreAcceptedByBitcoind() throws Exception {
        Path binary = bitcoindOrSkip();
        Secp256k1Provider crypto = Secp256k1Providers.best();
        InstantSource clock = InstantSource.system();
        SecureRandom rng = new SecureRandom();
        String poolAddress = address(1);
        String minerAddress = address(2);

        try (RegtestBitcoind node = RegtestBitcoind.start(binary, dir.resolve("bitcoind"), Duration.ofSeconds(60))) {
            System.out.println("bitcoind " + node.call("getnetworkinfo").path("subversion").asText() + " rpc " + node.rpcUrl());
            List<String> mempool = prepareChain(node);
            long startHeight = node.call("getblockcount").asLong();
            String startBest = node.call("getbestblockhash").asText();
            assertTrue(startHeight >= MATURITY, "height after maturity blocks: " + startHeight);
            assertTrue(!node.call("getblockchaininfo").path("initialblockdownload").asBoolean(true),
                    "out of initial block download after " + MATURITY + " fresh blocks");

            // ZMQ is what a real deployment uses; a bitcoind built without it falls back to long-poll getblocktemplate
            String zmq = node.zmqHashblockEnabled() ? node.zmqHashblockEndpoint() : "";
            System.out.println("new-block detection: " + (zmq.isEmpty() ? "long-poll getblocktemplate (bitcoind has no ZMQ)" : "ZMQ " + zmq));
            AuthorityKeyPair tpKey = AuthorityKeyPair.generate(rng);
            TpConfig tpCfg = TpConfig.from(DaemonConfig.load(null, List.of("network=regtest", "backend=bitcoind",
                    "sv2.listen=[\"127.0.0.1:0\"]", "admin.listen=\"127.0.0.1:0\"",
                    "sv2.authority-secret-key=\"" + tpKey.secretToBase58() + "\"",
                    "bitcoind.rpc-url=\"" + node.rpcUrl() + "\"",
                    "bitcoind.rpc-cookie-file=\"" + node.cookieFile().toAbsolutePath() + "\"",
                    "bitcoind.zmq-hashblock=\"" + zmq + "\"",
                    "template.refresh-interval=5s"), null, TpConfig.ROOT, Map.of()));

            try (TpDaemon tp = new TpDaemon(tpCfg, clock, crypto)) {
                tp.start();
                assertEquals(tpKey.publicKey().toBase58(), tp.authorityPublicKeyBase58());
                PoolConfig poolCfg = PoolConfig.from(DaemonConfig.load(null, List.of("network=regtest",
                        "sv2.listen=[\"127.0.0.1:0\"]", "sv2.security=noise",
                        "sv2.authority-secret-key=\"" + AuthorityKeyPair.generate(rng).secretToBase58() + "\"",
                        "admin.listen=\"127.0.0.1:0\"", "payout.address=\"" + poolAddress + "\"",
                        "ledger.jdbc-url=\"jdbc:sqlite:" + dir.resolve("ledger.db").toAbsolutePath() + "\"",
                        "ledger.flush-interval=500ms",
                        "template-providers=[{address=\"127.0.0.1:" + tp.tdpAddresses().getFirst().getPort()
                                + "\",authority-key=\"" + tp.authorityPublicKeyBase58() + "\"}]",
                        "tdp.initial-backoff=100ms", "tdp.max-backoff=1s"), null, PoolConfig.ROOT, Map.of()));
                try (PoolDaemon pool = PoolDaemon.fromConfig(poolCfg, clock, TdpTemplateSource.fromConfig(poolCfg, crypto, clock))) {
                    pool.start();
                    assertTrue(FakeSv2Miner.waitFor(pool::ready, T), "pool ready on the TP's templates: " + pool.status());

                    // regtest nBits 0x207fffff: about one hash in two is a block, so a slow CPU miner is plenty
                    Options opts = Options.of(pool.sv2Addresses().getFirst(), Kind.EXTENDED, minerAddress + ".rig1")
                            .mining(8).withNoise(pool.security().authorityPublicKey());
                    try (FakeSv2Miner miner = FakeSv2Miner.connect(opts).startMining()) {
                        boolean grew = FakeSv2Miner.waitFor(() -> height(node) >= startHeight + 2, T);
                        assertTrue(grew, "bitcoind height " + height(node) + " (start " + startHeight + "), miner blocks "
                                + miner.blocksFound() + ", accepted shares " + miner.accepted() + ", TP last submit "
                                + tp.hub().lastSubmitResult() + "\n" + node.logTail());
                        assertTrue(miner.encrypted(), "miner <-> pool over Noise");
                    }
                    assertTrue(tp.metrics().blocksSubmitted("accepted") >= 2,
                            "TP submitblock accepted count " + tp.metrics().blocksSubmitted("accepted"));
                }
            }

            assertNotEquals(startBest, node.call("getbestblockhash").asText(), "getbestblockhash moved");
            for (long h = startHeight + 1; h <= startHeight + 2; h++) {
                JsonNode block = node.call("getblock", node.call("getblockhash", h).asText(), 2);
                assertCoinbasePays(block, poolAddress);
            }
            if (!mempool.isEmpty()) {
                JsonNode first = node.call("getblock", node.call("getblockhash", startHeight + 1).asText(), 2);
                Set<String> txids = new HashSet<>();
                first.path("tx").forEach(t -> txids.add(t.path("txid").asText()));
                assertTrue(txids.containsAll(mempool), "the first pool block carries the template's mempool transactions "
                        + mempool + ", block has " + txids);
            }
        }
    }

    /**
     * 101 blocks past coinbase maturity. With a wallet: mined to a wallet address, then {@value #MEMPOOL_TXS} payments
     * into the mempool (their txids returned); without one (bitcoind built without wallet): to a fixed address.
     */
    private static List<String> prepareChain(RegtestBitcoind node) throws RpcException {
        String walletAddress = null;
        try {
            node.call("createwallet", "hh-regtest");
            walletAddress = node.call("getnewaddress", "", "bech32").asText();
        } catch (RpcException e) {
            System.out.println("no wallet (" + e.getMessage() + "): templates will be coinbase-only");
        }
        node.call("generatetoaddress", MATURITY, walletAddress != null ? walletAddress : address(0));
        List<String> txids = new ArrayList<>();
        if (walletAddress != null) {
            for (int i = 0; i < MEMPOOL_TXS; i++) {
                txids.add(node.call("sendtoaddress", address(3 + i), 0.5).asText());
            }
            assertEquals(MEMPOOL_TXS, node.call("getrawmempool").size(), "wallet payments in the mempool");
        }
        return txids;
    }

    /** Every output with a value pays {@code address} (the rest is the witness commitment, value 0). */
    private static void assertCoinbasePays(JsonNode block, String address) {
        JsonNode coinbase = block.path("tx").path(0);
        assertTrue(coinbase.path("vin").path(0).has("coinbase"), "first transaction is the coinbase");
        long paid = 0;
        for (JsonNode out : coinbase.path("vout")) {
            long sats = Math.round(out.path("value").asDouble() * 1e8);
            if (sats == 0) {
                continue;
            }
            JsonNode spk = out.path("scriptPubKey");
            String to = spk.has("address") ? spk.path("address").asText() : spk.path("addresses").path(0).asText(); // Core < 22: addresses[]
            assertEquals(address, to, "coinbase output of block " + block.path("height").asLong() + ": " + out);
            paid += sats;
        }
        assertTrue(paid > 0, "coinbase of block " + block.path("height").asLong() + " pays something: " + coinbase);
    }

    private static long height(RegtestBitcoind node) {
        try {
            return node.call("getblockcount").asLong();
        } catch (RpcException e) {
            return -1;
        }
    }
}
