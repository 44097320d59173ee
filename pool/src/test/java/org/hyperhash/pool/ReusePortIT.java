package org.hyperhash.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.hyperhash.pool.admin.PoolMetrics.Drop;
import org.hyperhash.pool.downstream.MiningServer;
import org.hyperhash.pool.support.DevnetTemplateSource;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.pool.support.Shares;
import org.hyperhash.sv2.netty.Sv2Transport;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sv2.reuse-port}: one SO_REUSEPORT listener per I/O event loop. Miners land on several listeners, each
 * served by its listener's loop; the connection limits count across listeners; a port another process listens on is
 * refused as without reuse-port; closing the pool frees the port.
 */
@Timeout(120)
class ReusePortIT {
    private static final Duration T = Duration.ofSeconds(20);
    private static final int LOOPS = 4;
    @TempDir
    Path dir;

    private PoolHarness pool(String... sets) throws Exception {
        List<String> all = new ArrayList<>(List.of("sv2.reuse-port=true", "sv2.io-threads=" + LOOPS));
        all.addAll(List.of(sets));
        PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), new DevnetTemplateSource(), all.toArray(String[]::new));
        assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready");
        return h;
    }

    @Test
    void minersSpreadOverTheLoopsAndTheGlobalLimitCountsThemAll() throws Exception {
        assumeTrue(Sv2Transport.reusePortOption() != null, "SO_REUSEPORT needs the epoll transport");
        int limit = 24;
        try (PoolHarness h = pool("limits.max-connections=" + limit)) {
            MiningServer server = h.pool.miningServer();
            assertEquals(LOOPS, server.listenerCount(), "one listener per loop");
            assertEquals(LOOPS, h.pool.status().get("sv2_listeners"));
            List<FakeSv2Miner> miners = new ArrayList<>();
            try {
                for (int i = 0; i < limit; i++) {
                    miners.add(FakeSv2Miner.connect(h.miner(Kind.EXTENDED, PoolHarness.address(40 + i))));
                }
                assertTrue(FakeSv2Miner.waitFor(() -> miners.stream().allMatch(m -> m.currentJob() != null), T),
                        "every miner has a job");
                List<Integer> perListener = server.connectionsPerListener();
                assertEquals(limit, perListener.stream().mapToInt(Integer::intValue).sum(), perListener.toString());
                // listener i runs on loop i and its connections stay there: no hand-over to another loop
                assertEquals(perListener, server.connectionsPerLoop());
                // the kernel hashes each connection's addresses and ports: 24 on one of 4 listeners is (1/4)^23
                assertTrue(perListener.stream().filter(n -> n > 0).count() >= 2, "on more than one loop: " + perListener);
                // over the global limit whichever listener the kernel picks: every one is refused
                for (int i = 0; i < 8; i++) {
                    try (Socket s = new Socket(h.sv2().getAddress(), h.sv2().getPort())) {
                        assertTrue(Shares.closedByPeer(s, T), "connection " + (limit + i + 1) + " refused");
                    }
                }
                assertEquals(8, h.pool.metrics().droppedCount(Drop.MAX_CONNECTIONS));
                assertEquals(limit, h.pool.metrics().connections.get());
                assertTrue(miners.stream().allMatch(FakeSv2Miner::connected), "the admitted miners stay");
            } finally {
                miners.forEach(FakeSv2Miner::close);
            }
        }
    }

    @Test
    void thePerIpLimitCountsAcrossListeners() throws Exception {
        assumeTrue(Sv2Transport.reusePortOption() != null, "SO_REUSEPORT needs the epoll transport");
        int perIp = 12;
        try (PoolHarness h = pool("limits.max-connections-per-ip=" + perIp)) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < perIp; i++) {
                    open.add(new Socket(h.sv2().getAddress(), h.sv2().getPort()));
                }
                assertTrue(FakeSv2Miner.waitFor(() -> h.pool.metrics().connections.get() == perIp, T), "admitted");
                for (int i = 0; i < 6; i++) {
                    try (Socket s = new Socket(h.sv2().getAddress(), h.sv2().getPort())) {
                        assertTrue(Shares.closedByPeer(s, T), "connection " + (perIp + i + 1) + " from 127.0.0.1 refused");
                    }
                }
                assertEquals(6, h.pool.metrics().droppedCount(Drop.MAX_CONNECTIONS_PER_IP));
                assertTrue(h.pool.miningServer().connectionsPerListener().stream().filter(n -> n > 0).count() >= 2,
                        "spread: " + h.pool.miningServer().connectionsPerListener());
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aPortAnotherProcessListensOnIsRefusedAndClosingFreesOurs() throws Exception {
        assumeTrue(Sv2Transport.reusePortOption() != null, "SO_REUSEPORT needs the epoll transport");
        // a stranger that set SO_REUSEPORT too: the kernel would let the pool join its group without the check
        try (ServerSocket stranger = new ServerSocket()) {
            stranger.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            stranger.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            PoolConfig c = PoolHarness.config(PoolHarness.sqlite(dir), "sv2.reuse-port=true",
                    "sv2.listen=[\"127.0.0.1:" + stranger.getLocalPort() + "\"]");
            PoolDaemon p = PoolDaemon.fromConfig(c, InstantSource.system(), new DevnetTemplateSource());
            try {
                Exception e = assertThrows(Exception.class, p::start);
                assertTrue(String.valueOf(e.getMessage()).contains("another process listens there"), e.toString());
            } finally {
                p.close();
            }
        }
        int port;
        try (PoolHarness h = pool()) {
            port = h.sv2().getPort();
            assertEquals(LOOPS, h.pool.miningServer().listenerCount());
        }
        // every listener of the group closed with the pool: a plain bind (no SO_REUSEPORT) gets the port
        try (ServerSocket after = new ServerSocket()) {
            after.setReuseAddress(true);
            after.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }
}
