package org.hyperhash.cli.demo;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bitcoinj.base.BitcoinNetwork;
import org.bitcoinj.base.SegwitAddress;
import org.hyperhash.base.Hash256;
import org.hyperhash.daemon.Daemon;
import org.hyperhash.daemon.DaemonGroup;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.PoolDaemon;
import org.hyperhash.pool.upstream.TdpTemplateSource;
import org.hyperhash.sv2.noise.Secp256k1Provider;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.tp.TpConfig;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.node.BlockSummary;
import org.hyperhash.translator.TranslatorConfig;
import org.hyperhash.translator.TranslatorDaemon;
import org.hyperhash.treasury.BitcoindRpc;
import org.hyperhash.treasury.TreasuryConfig;
import org.hyperhash.treasury.TreasuryDaemon;
import org.hyperhash.web.WebConfig;
import org.hyperhash.web.WebDaemon;

/**
 * The whole stack of {@code hh demo} in one process, wired exactly as separate daemons would be, over
 * real loopback sockets: template provider (embedded devnet chain) --TDP/Noise--> pool --SV2/Noise-->
 * translator, a treasury (dry-run payouts) on the pool's SQLite ledger, and the public web page over that ledger. Every daemon gets its own
 * authority key; each client pins the key of the daemon it connects to. The treasury tracks block
 * maturity on the TP's devnet chain directly (there is no JSON-RPC server in front of the devnet).
 */
public final class DemoStack implements AutoCloseable {
    /**
     * Devnet nBits of the demo: target 2^237, about 524,288 hashes per block, so the built-in CPU miners
     * (3 x 20 kH/s by default) find a block every ten seconds or so, and shares stay far more frequent.
     */
    public static final int DEMO_BITS = 0x1e200000;

    /**
     * Every port the demo opens on 127.0.0.1 (0 = any free port; the screen shows the ones chosen).
     *
     * @param tpPort template provider (TDP over Noise), @param tpAdminPort its admin HTTP,
     * @param sv2Port pool mining port (SV2 over Noise), @param poolAdminPort pool admin HTTP,
     * @param sv1Port translator SV1 port, @param translatorAdminPort its admin HTTP,
     * @param treasuryAdminPort treasury admin HTTP, @param webPort the miners' web page and public API
     */
    public record Ports(int tpPort, int tpAdminPort, int sv2Port, int poolAdminPort, int sv1Port,
            int translatorAdminPort, int treasuryAdminPort, int webPort) {
        public Ports {
            int[] all = {tpPort, tpAdminPort, sv2Port, poolAdminPort, sv1Port, translatorAdminPort, treasuryAdminPort, webPort};
            String[] names = {"--tp-port", "--tp-admin-port", "--sv2-port", "--admin-port", "--sv1-port",
                "--translator-admin-port", "--treasury-admin-port", "--web-port"};
            for (int i = 0; i < all.length; i++) {
                if (all[i] < 0 || all[i] > 65535) {
                    throw new IllegalArgumentException(names[i] + ": not a port (0..65535): " + all[i]);
                }
                for (int j = 0; j < i; j++) {
                    if (all[i] != 0 && all[i] == all[j]) {
                        throw new IllegalArgumentException(names[j] + " and " + names[i] + " are both " + all[i]
                                + ": give each its own port (or 0 for any free port)");
                    }
                }
            }
        }

        /** Every port ephemeral (tests). */
        public static Ports ephemeral() {
            return new Ports(0, 0, 0, 0, 0, 0, 0, 0);
        }

        /**
         * The demo's defaults: the pool where SRI's tools look (SV2 34254), SV1 on 3333 where firmware expects
         * it, the TP on regtest's TDP port, admin ports 9090-9093 (pool, tp, translator, treasury) and the web
         * page on {@link #DEMO_WEB_PORT}.
         */
        public static Ports defaults() {
            return new Ports(18448, 9091, 34254, 9090, 3333, 9092, 9093, DEMO_WEB_PORT);
        }
    }

    /** The web page's port in {@code hh demo} (next to the pool admin's 9090). */
    public static final int DEMO_WEB_PORT = 8080;

    /** Started daemons, closed in reverse order (the same group {@code hh stack} runs its daemons in). */
    private final DaemonGroup started = new DaemonGroup("hh demo", java.time.Duration.ZERO);
    private TpDaemon tp;
    private PoolDaemon pool;
    private TranslatorDaemon translator;
    private TreasuryDaemon treasury;
    private WebDaemon web;
    private org.hyperhash.pool.hypernode.HyperNodeDaemon hyperNode;

    private DemoStack() {
    }

    /** Devnet/regtest P2WPKH address n (a fixed pattern: nobody holds its key; fine for a devnet). */
    public static String address(int n) {
        byte[] h = new byte[20];
        h[0] = (byte) (0xd0 + n);
        h[19] = (byte) n;
        return SegwitAddress.fromHash(BitcoinNetwork.REGTEST, h).toString();
    }

    /** Starts TP, pool, translator and treasury; on failure stops what started and rethrows. */
    public static DemoStack start(Path dataDir, Ports ports, int devnetBits) throws Exception {
        return start(dataDir, ports, devnetBits, false);
    }

    /**
     * As {@link #start(Path, Ports, int)}; with {@code hyperNode} the pool also runs its JDS and a Hyper Node
     * ({@code hh jdc}, on a free port) builds its own templates from the same devnet TP (one machine, one chain)
     * and declares them to the pool.
     */
    public static DemoStack start(Path dataDir, Ports ports, int devnetBits, boolean hyperNode) throws Exception {
        DemoStack s = new DemoStack();
        try {
            s.startAll(dataDir, ports, devnetBits, hyperNode);
            return s;
        } catch (Exception | Error e) {
            s.close();
            throw e;
        }
    }

    private void startAll(Path dataDir, Ports ports, int devnetBits, boolean withHyperNode) throws Exception {
        Files.createDirectories(dataDir);
        Secp256k1Provider crypto = Secp256k1Providers.best();
        String jdbc = "jdbc:sqlite:" + dataDir.resolve("ledger.db").toAbsolutePath();
        InstantSource clock = InstantSource.system();

        tp = new TpDaemon(TpConfig.from(load(TpConfig.ROOT, List.of("network=devnet", "backend=devnet",
                "sv2.listen=[\"127.0.0.1:" + ports.tpPort() + "\"]", "admin.listen=\"127.0.0.1:" + ports.tpAdminPort() + "\"",
                "devnet.bits=\"" + String.format("0x%08x", devnetBits) + "\""))), clock, crypto);
        startDaemon(tp);

        PoolConfig poolCfg = PoolConfig.from(load(PoolConfig.ROOT, List.of(
                "sv2.listen=[\"127.0.0.1:" + ports.sv2Port() + "\"]", "sv2.security=noise",
                "admin.listen=\"127.0.0.1:" + ports.poolAdminPort() + "\"", "payout.address=\"" + address(0) + "\"",
                "ledger.url=\"" + jdbc + "\"", "ledger.flush-interval=500ms",
                "template-providers=[{address=\"" + hostPort(tp.tdpAddresses().get(0)) + "\",authority-key=\""
                        + tp.authorityPublicKeyBase58() + "\"}]",
                "channel.shares-per-minute=30", "vardiff.shares-per-minute=30",
                "jds.enabled=" + withHyperNode, "jds.listen=[\"127.0.0.1:0\"]",
                "sv2.allow-work-selection=" + withHyperNode)));
        pool = PoolDaemon.fromConfig(poolCfg, clock, TdpTemplateSource.fromConfig(poolCfg, crypto, clock));
        startDaemon(pool);

        if (withHyperNode) {
            String tpKey = tp.authorityPublicKeyBase58();
            org.hyperhash.pool.hypernode.HyperNodeConfig hn = org.hyperhash.pool.hypernode.HyperNodeConfig.from(load(
                    org.hyperhash.pool.hypernode.HyperNodeConfig.ROOT, List.of("network=devnet",
                    "sv2.listen=[\"127.0.0.1:0\"]", "sv2.security=noise", "admin.listen=\"127.0.0.1:0\"",
                    "payout.address=\"" + HYPER_NODE_OPERATOR + "\"",
                    "ledger.url=\"jdbc:sqlite:" + dataDir.resolve("jdc-ledger.db").toAbsolutePath() + "\"",
                    "ledger.flush-interval=500ms",
                    "template-providers=[{address=\"" + hostPort(tp.tdpAddresses().get(0)) + "\",authority-key=\""
                            + tpKey + "\"}]",
                    "channel.shares-per-minute=30", "vardiff.shares-per-minute=30",
                    "upstream.pools=[{name=demo-pool, address=\"" + hostPort(pool.sv2Addresses().get(0))
                            + "\", jds-address=\"" + hostPort(pool.jdsAddresses().get(0)) + "\", authority-key=\""
                            + pool.security().authorityPublicKey().toBase58() + "\", user-identity=\""
                            + HYPER_NODE_OPERATOR + ".hypernode\"}]",
                    "upstream.nominal-hashrate=20000")));
            hyperNode = org.hyperhash.pool.hypernode.HyperNodeDaemon.fromConfig(hn, clock,
                    TdpTemplateSource.fromConfig(hn.pool(), crypto, clock));
            startDaemon(hyperNode);
        }

        translator = new TranslatorDaemon(TranslatorConfig.from(load(TranslatorConfig.ROOT, List.of(
                "sv1.listen=\"127.0.0.1:" + ports.sv1Port() + "\"", "admin.listen=\"127.0.0.1:" + ports.translatorAdminPort() + "\"", "upstream.mode=per-miner",
                "upstream.pools=[{host=\"127.0.0.1\",port=" + pool.sv2Addresses().get(0).getPort() + ",authority-key=\""
                        + pool.security().authorityPublicKey().toBase58() + "\"}]",
                "sv1.start-difficulty=0.00001", "sv1.min-difficulty=0.0000001"))), clock);
        startDaemon(translator);

        treasury = new TreasuryDaemon(TreasuryConfig.from(load(TreasuryConfig.ROOT, List.of(
                "ledger.url=\"" + jdbc + "\"", "admin.listen=\"127.0.0.1:" + ports.treasuryAdminPort() + "\"", "network=regtest", "poll-interval=2s",
                "maturity.confirmations=3", "bitcoind.url=\"\"", "payouts.dry-run=true",
                "audit-log=\"" + dataDir.resolve("treasury-audit.jsonl").toAbsolutePath() + "\""))),
                clock, new DevnetMaturity(tp.devnetChain()));
        startDaemon(treasury);

        // the public miner page over the same ledger; what it says about connecting is this stack's own
        web = new WebDaemon(WebConfig.from(load(WebConfig.ROOT, List.of("listen=\"127.0.0.1:" + ports.webPort() + "\"",
                "admin.listen=\"127.0.0.1:0\"", "ledger.url=\"" + jdbc + "\"", "network=regtest", "pool.name=\"Hyperhash demo pool\"",
                "pool.sv2-url=\"stratum2+tcp://" + hostPort(pool.sv2Addresses().get(0)) + "\"",
                "pool.authority-key=\"" + pool.security().authorityPublicKey().toBase58() + "\"",
                "pool.sv1-url=\"stratum+tcp://" + hostPort(translator.sv1Address()) + "\"",
                "pool.min-difficulty=\"vardiff, from 0.0000001 (devnet)\"", "http.cache-ttl=2s"))), clock);
        startDaemon(web);
    }

    private void startDaemon(Daemon d) throws Exception {
        String name = d.getClass().getSimpleName().replace("Daemon", "").toLowerCase(java.util.Locale.ROOT);
        // the demo's own shutdown deadlines are the callers' (DemoRunner); the group only keeps the order
        started.startMember(name, d, java.time.Duration.ZERO);
    }

    private static com.typesafe.config.Config load(String root, List<String> sets) {
        return DaemonConfig.load(null, sets, null, root, Map.of());
    }

    /** "host:port" with the numeric host (what config values and the status line show). */
    public static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    public TpDaemon tp() {
        return tp;
    }

    public PoolDaemon pool() {
        return pool;
    }

    public TranslatorDaemon translator() {
        return translator;
    }

    public TreasuryDaemon treasury() {
        return treasury;
    }

    public WebDaemon web() {
        return web;
    }

    /** The Hyper Node ({@code --hyper-node}), or null. */
    public org.hyperhash.pool.hypernode.HyperNodeDaemon hyperNode() {
        return hyperNode;
    }

    /** The Hyper Node operator's address: paid by the pool for the node's work, and when it mines solo. */
    public static final String HYPER_NODE_OPERATOR = address(9);

    /** The miner page, e.g. {@code http://127.0.0.1:8080/}. */
    public String webUrl() {
        return web.url();
    }

    /** Stops in reverse start order (miners first is the caller's job). */
    @Override
    public void close() {
        started.close();
    }

    /** The treasury's maturity source over the TP's in-process devnet chain. */
    static final class DevnetMaturity implements BitcoindRpc {
        private final DevnetChain chain;

        DevnetMaturity(DevnetChain chain) {
            this.chain = chain;
        }

        @Override
        public Optional<BlockHeaderInfo> getBlockHeader(String blockHashHex) throws BitcoindRpc.RpcException {
            try {
                BlockSummary b = chain.getBlock(Hash256.fromDisplayHex(blockHashHex));
                return Optional.of(new BlockHeaderInfo(blockHashHex, b.height(), b.confirmations()));
            } catch (org.hyperhash.bitcoind.rpc.RpcException e) {
                if (e.code() == -5) {
                    return Optional.empty();
                }
                throw new BitcoindRpc.RpcException("devnet getblock: " + e.getMessage(), e);
            }
        }
    }
}
