package org.hyperhash.pool.upstream;

import org.hyperhash.base.Bytes;
import org.hyperhash.daemon.DaemonConfig;
import org.hyperhash.pool.PoolConfig;
import org.hyperhash.pool.support.PoolHarness;
import org.hyperhash.sv2.message.template.CoinbaseOutputConstraints;
import org.hyperhash.sv2.message.template.NewTemplate;
import org.hyperhash.sv2.message.template.SetNewPrevHash;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.sv2.noise.Secp256k1Providers;
import org.hyperhash.sv2.tdp.TdpClientConfig;
import org.hyperhash.sv2.tdp.TdpEndpoint;
import org.hyperhash.sv2.tdp.TdpListener;
import org.hyperhash.testkit.FakeSv2Miner;
import org.hyperhash.testkit.FakeSv2Miner.Kind;
import org.hyperhash.testkit.FakeSv2Miner.Options;
import org.hyperhash.tp.TpConfig;
import org.hyperhash.tp.TpDaemon;
import org.hyperhash.tp.devnet.DevnetMiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool's TDP template source against a real template provider (devnet TpDaemon) over Noise. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TdpTemplateSourceIT {
    private static final Duration T = Duration.ofSeconds(30);
    private final AuthorityKeyPair authority = AuthorityKeyPair.generate(new SecureRandom());

    @TempDir
    Path dir;

    private TpDaemon startTp() throws Exception {
        TpDaemon tp = new TpDaemon(TpConfig.from(DaemonConfig.load(null, List.of("sv2.listen=[\"127.0.0.1:0\"]",
                "admin.listen=\"127.0.0.1:0\"", "sv2.authority-secret-key=\"" + authority.secretToBase58() + "\""),
                "TP", TpConfig.ROOT, Map.of())), InstantSource.system());
        try {
            tp.start();
        } catch (Exception e) {
            tp.close();
            throw e;
        }
        return tp;
    }

    /** The pool's own config path: template-providers + tdp timings -> TdpClientConfig. */
    private TdpClientConfig clientConfig(TpDaemon tp) {
        PoolConfig.TemplateProvider p = new PoolConfig.TemplateProvider(tp.tdpAddresses().getFirst(),
                authority.publicKey().toBase58());
        return TdpTemplateSource.clientConfig(List.of(p),
                new PoolConfig.Tdp(Duration.ofSeconds(2), Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(1),
                        true));
    }

    static final class Recorder implements TdpListener {
        final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

        @Override
        public void onNewTemplate(NewTemplate template) {
            events.add(template);
        }

        @Override
        public void onSetNewPrevHash(SetNewPrevHash prevHash) {
            events.add(prevHash);
        }

        @Override
        public void onConnected(TdpEndpoint endpoint) {
            events.add(endpoint);
        }

        <X> X next(Class<X> type) throws InterruptedException {
            while (true) {
                Object o = events.poll(20, TimeUnit.SECONDS);
                assertNotNull(o, "no TDP event within 20 s");
                if (type.isInstance(o)) {
                    return type.cast(o);
                }
            }
        }
    }

    @Test
    void templatesReachTheListenerAndASolutionReachesTheChain() throws Exception {
        try (TpDaemon tp = startTp();
             TdpTemplateSource source = new TdpTemplateSource(clientConfig(tp), Secp256k1Providers.best(), InstantSource.system())) {
            assertFalse(source.connected());
            assertEquals("not started", source.describe());
            Recorder rec = new Recorder();
            source.start(rec, new CoinbaseOutputConstraints(70, OptionalInt.of(16)));
            TdpEndpoint ep = rec.next(TdpEndpoint.class);
            assertEquals(tp.tdpAddresses().getFirst().getPort(), ep.port());
            NewTemplate t = rec.next(NewTemplate.class);
            SetNewPrevHash p = assertInstanceOf(SetNewPrevHash.class, rec.events.poll(20, TimeUnit.SECONDS));
            assertTrue(t.futureTemplate());
            assertEquals(t.templateId(), p.templateId());
            assertTrue(source.connected());
            assertTrue(source.describe().contains("connected"), source.describe());

            assertTrue(source.submitSolution(DevnetMiner.solve(t, p, Bytes.fromHex("0014" + "22".repeat(20)), 1, true)));
            SetNewPrevHash next = rec.next(SetNewPrevHash.class);
            assertEquals(1, tp.devnetChain().height());
            assertEquals(tp.devnetChain().tipHash(), next.prevHash());
        }
    }

    @Test
    void poolMinesBlocksOnTheTemplateProviderThroughTdp() throws Exception {
        try (TpDaemon tp = startTp();
             TdpTemplateSource source = new TdpTemplateSource(clientConfig(tp), Secp256k1Providers.best(), InstantSource.system());
             PoolHarness h = new PoolHarness(PoolHarness.sqlite(dir), source)) {
            assertTrue(FakeSv2Miner.waitFor(h.pool::ready, T), "pool ready over TDP");
            assertTrue(String.valueOf(h.pool.status().get("template_provider")).contains("connected"));
            try (FakeSv2Miner m = FakeSv2Miner.connect(Options.of(h.sv2(), Kind.EXTENDED, PoolHarness.address(3) + ".rig")
                    .mining(2000)).startMining()) {
                assertTrue(FakeSv2Miner.waitFor(() -> tp.devnetChain().height() >= 2, T),
                        "blocks found through the pool reach the TP's chain; height " + tp.devnetChain().height()
                                + ", submit results " + tp.hub().lastSubmitResult());
            }
            assertEquals(0, source.client().submitsDropped());
        }
    }
}
