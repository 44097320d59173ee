package org.hyperhash.translator;

import org.hyperhash.sv2.channel.VardiffConfig;
import org.hyperhash.translator.bridge.BridgeConfig;
import org.hyperhash.translator.sv2.PoolEndpoint;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Translator configs for ITs: port 0, fast timers. */
final class Harness {
    private Harness() {
    }

    static TranslatorConfig config(double startDifficulty, Duration grace, int... poolPorts) {
        return config(false, startDifficulty, grace, poolPorts);
    }

    static TranslatorConfig config(boolean perMiner, double startDifficulty, Duration grace, int... poolPorts) {
        List<PoolEndpoint> pools = new ArrayList<>();
        for (int i = 0; i < poolPorts.length; i++) {
            pools.add(new PoolEndpoint("pool" + i, "127.0.0.1", poolPorts[i], ""));
        }
        return config(perMiner, startDifficulty, grace, pools);
    }

    static TranslatorConfig config(boolean perMiner, double startDifficulty, Duration grace, List<PoolEndpoint> pools) {
        BridgeConfig bc = new BridgeConfig(4, 2, 16, true, "bc1qtranslator.proxy", 1e6,
                VardiffConfig.defaults().withDifficultyRange(1e-6, 1e7), startDifficulty, grace, Duration.ofSeconds(1),
                Duration.ofMinutes(5), 1000, 16, "", 0, perMiner);
        return new TranslatorConfig(new InetSocketAddress("127.0.0.1", 0), 4096, 64, Duration.ofMinutes(1), bc, pools,
                Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(2),
                new InetSocketAddress("127.0.0.1", 0), Duration.ofMillis(100), 1);
    }

    /** {@code c} with another bridge tick period. */
    static TranslatorConfig withTick(TranslatorConfig c, Duration tick) {
        return new TranslatorConfig(c.sv1Listen(), c.maxLineBytes(), c.maxPendingRequests(), c.idleTimeout(), c.bridge(),
                c.pools(), c.connectTimeout(), c.backoffInitial(), c.backoffMax(), c.cooldown(), c.adminListen(), tick,
                c.ioThreads());
    }

    /** {@code c} with another per-miner channel budget per upstream connection. */
    static TranslatorConfig withChannelsPerConnection(TranslatorConfig c, int n) {
        BridgeConfig b = c.bridge();
        BridgeConfig nb = new BridgeConfig(b.extranonce2Size(), b.indexBytes(), b.maxExtranonce1Bytes(), b.stableExtranonce1(),
                b.userIdentity(), b.initialHashrateHps(), b.vardiff(), b.startDifficulty(), b.grace(), b.updateInterval(),
                b.resumeWindow(), b.maxMiners(), b.maxJobsPerTip(), b.reconnectHost(), b.reconnectPort(),
                b.perMinerChannels(), n);
        return new TranslatorConfig(c.sv1Listen(), c.maxLineBytes(), c.maxPendingRequests(), c.idleTimeout(), nb,
                c.pools(), c.connectTimeout(), c.backoffInitial(), c.backoffMax(), c.cooldown(), c.adminListen(),
                c.tick(), c.ioThreads());
    }

    static void await(String what, java.util.function.BooleanSupplier cond, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
