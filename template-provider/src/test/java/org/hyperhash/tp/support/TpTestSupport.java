package org.hyperhash.tp.support;

import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.tdp.TdpClientConfig;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.tp.TpConfig;
import org.hyperhash.tp.TpDaemon;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** Starting devnet template providers and TDP clients in tests. */
public final class TpTestSupport {
    public static final CoinbaseOutputConstraints CONSTRAINTS = new CoinbaseOutputConstraints(65, OptionalInt.of(16));

    private TpTestSupport() {
    }

    /** A devnet TpDaemon on 127.0.0.1:{@code port} (0 = any) with admin on port 0, plus extra --set lines. */
    public static TpDaemon startDevnet(String authoritySecretBase58, int port, String... sets) throws Exception {
        List<String> all = new ArrayList<>(List.of("sv2.listen=[\"127.0.0.1:" + port + "\"]", "admin.listen=\"127.0.0.1:0\""));
        if (authoritySecretBase58 != null) {
            all.add("sv2.authority-secret-key=\"" + authoritySecretBase58 + "\"");
        }
        all.addAll(List.of(sets));
        TpConfig c = TpConfig.from(DaemonConfig.load(null, all, "TP", TpConfig.ROOT, Map.of()));
        TpDaemon d = new TpDaemon(c, InstantSource.system());
        try {
            d.start();
        } catch (Exception e) {
            d.close();
            throw e;
        }
        return d;
    }

    public static TdpEndpoint endpoint(TpDaemon d, String pinnedKeyOrNull) {
        return new TdpEndpoint("127.0.0.1", d.tdpAddresses().getFirst().getPort(), pinnedKeyOrNull);
    }

    /** Fast timings for tests: 1 s connect/handshake/request timeouts, 50..200 ms backoff, the given cooldown. */
    public static TdpClientConfig clientConfig(List<TdpEndpoint> endpoints, Duration cooldown) {
        return clientConfig(endpoints, cooldown, Duration.ofSeconds(1));
    }

    /** As above with a given request timeout (also the failback grace period). */
    public static TdpClientConfig clientConfig(List<TdpEndpoint> endpoints, Duration cooldown, Duration requestTimeout) {
        TdpClientConfig d = TdpClientConfig.of(endpoints, CONSTRAINTS);
        return new TdpClientConfig(d.endpoints(), d.constraints(), "hyperhash-test", "it", "1", "", Duration.ofSeconds(1),
                Duration.ofSeconds(2), requestTimeout, Duration.ofMillis(50), Duration.ofMillis(200), cooldown,
                d.maxFrameBytes(), d.failback());
    }

    /** Waits (up to 20 s) until {@code condition} holds; fails with {@code what} otherwise. */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }
}
