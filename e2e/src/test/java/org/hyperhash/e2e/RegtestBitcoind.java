package org.hyperhash.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import org.hyperhash.tp.node.HttpBitcoindRpc;
import org.hyperhash.bitcoind.rpc.RpcAuth;
import org.hyperhash.bitcoind.rpc.RpcEndpoint;
import org.hyperhash.bitcoind.rpc.RpcException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code bitcoind -regtest} child process for tests: its own datadir, RPC and ZMQ hashblock on free
 * loopback ports, no P2P (listen=0, connect=0), cookie auth. {@link #close()} sends {@code stop}, then kills
 * the process if it has not exited within a timeout.
 */
final class RegtestBitcoind implements AutoCloseable {
    /** Environment variable naming the bitcoind binary. */
    static final String ENV = "HH_BITCOIND";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path dataDir;
    private final int rpcPort;
    private final int zmqPort;
    private final Path output;
    private HttpBitcoindRpc rpc;

    private RegtestBitcoind(Process process, Path dataDir, int rpcPort, int zmqPort, Path output) {
        this.process = process;
        this.dataDir = dataDir;
        this.rpcPort = rpcPort;
        this.zmqPort = zmqPort;
        this.output = output;
    }

    /** Starts bitcoind and waits until its RPC answers getblockchaininfo; on failure the process is stopped. */
    static RegtestBitcoind start(Path binary, Path dataDir, Duration rpcWait) throws Exception {
        Files.createDirectories(dataDir);
        int rpcPort = freePort();
        int zmqPort = freePort();
        List<String> cmd = new ArrayList<>(List.of(binary.toString(), "-regtest", "-datadir=" + dataDir,
                "-server=1", "-listen=0", "-connect=0", "-dnsseed=0", "-fixedseeds=0",
                "-rpcbind=127.0.0.1", "-rpcallowip=127.0.0.1", "-rpcport=" + rpcPort,
                "-zmqpubhashblock=tcp://127.0.0.1:" + zmqPort,
                "-fallbackfee=0.0002", "-printtoconsole=0"));
        Path out = dataDir.resolve("bitcoind.out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        RegtestBitcoind b = new RegtestBitcoind(p, dataDir, rpcPort, zmqPort, out);
        try {
            b.awaitRpc(rpcWait);
            return b;
        } catch (Exception | Error e) {
            b.close();
            throw e;
        }
    }

    private void awaitRpc(Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        String last = "no cookie file yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("bitcoind exited with code " + process.exitValue() + " before its RPC came up\n"
                        + logTail());
            }
            if (Files.isRegularFile(cookieFile())) {
                if (rpc == null) {
                    rpc = new HttpBitcoindRpc(new RpcEndpoint(rpcUrl(), new RpcAuth.Cookie(cookieFile()), Duration.ofSeconds(2),
                            Duration.ofSeconds(60), Duration.ofMinutes(1), 0, Duration.ofMillis(100), Duration.ofMillis(100)));
                }
                try {
                    rpc.call("getblockchaininfo", List.of(), Duration.ofSeconds(5));
                    return;
                } catch (RpcException e) {
                    last = e.getMessage(); // -28 warming up, connection refused while binding...
                    rpc = e.kind() == RpcException.Kind.UNAUTHORIZED ? null : rpc; // cookie rewritten: re-read it
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("bitcoind RPC not ready within " + wait.toSeconds() + " s (" + last + ")\n" + logTail());
    }

    /** One JSON-RPC call; the result node. */
    JsonNode call(String method, Object... params) throws RpcException {
        return rpc.call(method, List.of(params), Duration.ofSeconds(60));
    }

    /** True when this bitcoind publishes hashblock over ZMQ (built with ZMQ support). */
    boolean zmqHashblockEnabled() {
        try {
            for (JsonNode n : call("getzmqnotifications")) {
                if ("pubhashblock".equals(n.path("type").asText())) {
                    return true;
                }
            }
            return false;
        } catch (RpcException e) {
            return false; // method not found: built without ZMQ
        }
    }

    Path cookieFile() {
        return dataDir.resolve("regtest").resolve(".cookie");
    }

    URI rpcUrl() {
        return URI.create("http://127.0.0.1:" + rpcPort + "/");
    }

    String zmqHashblockEndpoint() {
        return "tcp://127.0.0.1:" + zmqPort;
    }

    /** The last lines of bitcoind's output and debug.log, for failure messages. */
    String logTail() {
        StringBuilder b = new StringBuilder();
        for (Path f : List.of(output, dataDir.resolve("regtest").resolve("debug.log"))) {
            try {
                List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
                b.append("--- ").append(f).append(" (last lines)\n");
                lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(l -> b.append(l).append('\n'));
            } catch (IOException | RuntimeException e) {
                b.append("--- ").append(f).append(": ").append(e.getClass().getSimpleName()).append('\n');
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        if (process.isAlive() && rpc != null) {
            try {
                rpc.call("stop", List.of(), Duration.ofSeconds(5));
            } catch (RpcException e) {
                System.err.println("bitcoind stop RPC failed (" + e.getMessage() + "); terminating the process");
            }
        }
        try {
            if (!process.waitFor(rpc != null ? STOP_TIMEOUT.toSeconds() : 0, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
