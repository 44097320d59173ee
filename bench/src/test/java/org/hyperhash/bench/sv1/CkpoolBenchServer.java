package org.hyperhash.bench.sv1;

import org.hyperhash.base.BlockHeader80;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;
import org.hyperhash.base.MerkleBranch;
import org.hyperhash.base.Transaction;
import org.hyperhash.sv2.message.template.SubmitSolution;
import org.hyperhash.tp.devnet.DevnetChain;
import org.hyperhash.tp.devnet.DevnetMiner;
import org.hyperhash.tp.devnet.DevnetParams;
import org.hyperhash.tp.node.BlockTemplate;
import org.hyperhash.tp.node.SubmitResult;
import org.hyperhash.tp.template.BlockAssembler;
import org.hyperhash.tp.template.BuiltTemplate;
import org.hyperhash.tp.template.CoinbaseStyle;
import org.hyperhash.tp.template.OutputReservation;
import org.hyperhash.tp.template.TemplateFactory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * ckpool as a server of the SV1 side-by-side benchmark (manual {@code main}, not a test; run by Sv1Storm's
 * {@code --server ckpool "<this command>"} from bench/sv1-vs-ckpool.sh). It takes the path of a ckpool binary the
 * operator built on their own machine (the project neither ships nor builds ckpool), and starts, in this JVM, a
 * {@link CoreRpcStandIn} over an embedded {@link DevnetChain} (ckpool's bitcoind: getblocktemplate, submitblock,
 * getbestblockhash polling, ZMQ hashblock), then ckpool itself with a production-like configuration: its default
 * threads (half the cores each for share processing, sending and receiving), log level and update
 * interval, ZMQ block notification, {@code startdiff} = the benchmark's difficulty
 * (and {@code highdiff}: ckpool gives clients of a port above 4000 its high start difficulty, 1,000,000 by default).
 *
 * <p>Protocol with Sv1Storm (same as the floor and the translator bench server): prints {@code PID <ckpool pid>} (the
 * process whose CPU and RSS are measured) and {@code READY <stratum port>} once ckpool hands a probe client a
 * {@code mining.notify}; {@code BLOCK} on stdin makes "another miner" find a block on the devnet (mined ahead, on the
 * current tip), the stand-in publishes ZMQ {@code hashblock} and this prints {@code BLOCK <System.nanoTime()>} taken
 * just before the publish (the node has connected the block and its next template is encoded: what ckpool then spends
 * is the ZMQ hop, its getblocktemplate call and the fan-out). {@code INFO ...} lines: the stand-in's counters.
 *
 * <p>Chain difficulty: nBits {@code 0x1f00ffff} (about one hash in 65,536 meets it) instead of regtest's
 * {@code 0x207fffff}, so that the benchmark's random submits are not block solutions (with regtest's target half of
 * them would be, and ckpool would submit a block and re-notify every client each time) while the stand-in can still
 * mine its blocks in a few ms. ckpool floors the network difficulty at 1 either way.
 *
 * <p>Usage: {@code java -cp <bench test class path> org.hyperhash.bench.sv1.CkpoolBenchServer <ckpool binary>
 * <max clients> [difficulty]}; {@code -Dbench.ckpool.txs=N} synthetic transactions per template (default 1,000, the
 * devnet's maximum: a 10-level merkle branch), {@code -Dbench.ckpool.args="..."} extra ckpool flags.
 */
public final class CkpoolBenchServer {
    /** A valid regtest P2WPKH address (the pool's payout and the benchmark's miner username). */
    public static final String ADDRESS = "bcrt1qxsju7rugkcl5zzte0d9dpy2yd78h9dat7janyv";
    static final int BITS = 0x1f00ffff;

    private CkpoolBenchServer() {
    }

    record Mined(Hash256 parent, Bytes block) {
    }

    public static void main(String[] args) throws Exception {
        String binary = args[0];
        int maxClients = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        double difficulty = args.length > 2 ? Double.parseDouble(args[2]) : 65536;
        long startDiff = Math.max(1, Math.round(difficulty));
        if (startDiff != difficulty) {
            System.out.println("INFO ckpool difficulties are integers >= 1: startdiff " + startDiff + " instead of " + difficulty);
        }
        int txs = Integer.getInteger("bench.ckpool.txs", 1000);
        DevnetChain chain = new DevnetChain(new DevnetParams(BITS, 50L * 100_000_000L, 150, txs, 0x68797065726861L, 7200),
                InstantSource.system());
        byte[] pw = new byte[16];
        new SecureRandom().nextBytes(pw);
        String password = HexFormat.of().formatHex(pw);
        CoreRpcStandIn node = new CoreRpcStandIn(chain, "hh", password);
        Path dir = Files.createTempDirectory("ckpool-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("ckpool.conf"), """
                {
                "btcd": [{"url": "127.0.0.1:%d", "auth": "hh", "pass": "%s", "notify": false}],
                "btcaddress": "%s",
                "btcsig": "/hh-bench/",
                "serverurl": ["127.0.0.1:%d"],
                "startdiff": %d,
                "highdiff": %d,
                "maxclients": %d,
                "zmqblock": "tcp://127.0.0.1:%d",
                "logdir": "%s"
                }
                """.formatted(node.rpcPort(), password, ADDRESS, port, startDiff, startDiff, maxClients, node.zmqPort(), dir.resolve("logs")));
        List<String> cmd = new ArrayList<>(List.of(binary, "-c", dir.resolve("ckpool.conf").toString(), "-s", dir.resolve("sock").toString()));
        String extra = System.getProperty("bench.ckpool.args", "").trim();
        if (!extra.isEmpty()) {
            cmd.addAll(List.of(extra.split("\\s+")));
        }
        Process ck = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("ckpool.out").toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(ck, node, dir)));

        TemplateFactory factory = new TemplateFactory(CoinbaseStyle.CORE);
        Mined[] next = {mine(chain, factory, 1)};
        volatileExpected = null;
        node.beforePublish(t -> {
            Hash256 e = volatileExpected;
            if (e != null && e.equals(chain.tipHash())) {
                volatileExpected = null;
                System.out.println("BLOCK " + t);
                System.out.flush();
            }
        });

        if (!probe(port, ck, 120_000)) {
            System.out.println("INFO ckpool did not serve a notify; its output: " + dir.resolve("ckpool.out"));
            stop(ck, node, dir);
            System.exit(1);
        }
        System.out.println("INFO ckpool " + binary + " in " + dir + "; " + node.stats());
        System.out.println("PID " + ck.pid());
        System.out.println("READY " + port);
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        long extranonce = 2;
        for (String l; (l = in.readLine()) != null; ) {
            switch (l.trim()) {
                case "BLOCK" -> {
                    Mined m = next[0];
                    if (!m.parent().equals(chain.tipHash())) { // ckpool found one in between: mine on the new tip now
                        m = mine(chain, factory, extranonce++);
                    }
                    BlockHeader80 h = BlockHeader80.parse(m.block().slice(0, 80).toArray());
                    volatileExpected = h.hash();
                    SubmitResult r = chain.submitBlock(m.block());
                    if (!(r instanceof SubmitResult.Accepted)) {
                        System.out.println("INFO devnet rejected the bench's block: " + r.label());
                    }
                    next[0] = mine(chain, factory, extranonce++); // ahead of the next BLOCK, off the measured path
                }
                case "STATS" -> System.out.println("INFO " + node.stats());
                case "QUIT" -> {
                    System.out.println("INFO " + node.stats());
                    System.out.flush();
                    stop(ck, node, dir);
                    System.exit(0);
                }
                default -> { }
            }
            System.out.flush();
        }
        System.out.println("INFO " + node.stats());
        stop(ck, node, dir);
        System.exit(0);
    }

    private static volatile Hash256 volatileExpected;

    /** A block on the current tip paying {@link #ADDRESS}'s script, its nonce ground to the devnet target. */
    static Mined mine(DevnetChain chain, TemplateFactory factory, long extranonce) {
        BlockTemplate gbt = chain.getBlockTemplate();
        BuiltTemplate t = factory.build(gbt, extranonce, true, new OutputReservation(64, 4));
        Transaction cb = DevnetMiner.coinbaseFor(t.message(), Bytes.fromHex("0014" + "11".repeat(20)), extranonce);
        Hash256 root = MerkleBranch.root(cb.txid(), t.message().merklePath());
        int time = (int) gbt.curTime();
        for (long nonce = 0; nonce <= 0xFFFF_FFFFL; nonce++) {
            BlockHeader80 h = new BlockHeader80(t.message().version(), gbt.previousBlockHash(), root, time, gbt.bits(), (int) nonce);
            if (gbt.target().isMetBy(h.hash().unsafeWireBytes())) {
                try {
                    Bytes block = BlockAssembler.assemble(t, new SubmitSolution(t.templateId(), t.message().version(), time,
                            (int) nonce, cb.serialize())).block();
                    return new Mined(gbt.previousBlockHash(), block);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("no nonce");
    }

    /** Connects, subscribes and authorizes like a miner until ckpool sends a mining.notify. */
    private static boolean probe(int port, Process ck, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline && ck.isAlive()) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                s.setSoTimeout(5000);
                s.getOutputStream().write(("{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"hh-probe/1.0\"]}\n"
                        + "{\"id\":2,\"method\":\"mining.authorize\",\"params\":[\"" + ADDRESS + ".probe\",\"x\"]}\n")
                        .getBytes(StandardCharsets.US_ASCII));
                BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                for (String l; (l = r.readLine()) != null; ) {
                    if (l.contains("mining.notify")) {
                        return true;
                    }
                }
            } catch (java.io.IOException e) {
                // not listening yet, or no work yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    private static void stop(Process ck, CoreRpcStandIn node, Path dir) {
        if (ck.isAlive()) {
            ck.destroy();
            try {
                if (!ck.waitFor(5, TimeUnit.SECONDS)) {
                    ck.destroyForcibly();
                }
            } catch (InterruptedException e) {
                ck.destroyForcibly();
            }
        }
        node.close();
        if (!Boolean.getBoolean("bench.ckpool.keep")) { // its logs and stats files: -Dbench.ckpool.keep=true to read them
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException | RuntimeException ignored) {
                // best effort
            }
        }
    }
}
