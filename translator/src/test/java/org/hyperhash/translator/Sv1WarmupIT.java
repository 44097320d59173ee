package org.hyperhash.translator;

import org.hyperhash.base.Bytes;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The start-up SV1 warm-up ({@code sv1.warmup}, {@link Sv1Warmup}): the SV1 port listens at once but accepts only after
 * the warm-up, or as soon as a miner waits in its backlog (which ends the warm-up); readiness waits for it; the warm-up's
 * loopback sessions leave no trace: no SV1 connection counted, no upstream traffic (the pool sees the one aggregated
 * channel), the real bridge has only the real miners.
 */
@org.junit.jupiter.api.Timeout(120)
class Sv1WarmupIT {
    FakeSv2Pool pool;
    TranslatorDaemon translator;
    final List<FakeSv1Miner> miners = new ArrayList<>();

    @AfterEach
    void stop() {
        miners.forEach(FakeSv1Miner::close);
        if (translator != null) {
            translator.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    private TranslatorConfig config(boolean perMiner, int sessions, Duration maxTime) {
        return Harness.config(perMiner, 1e-5, Duration.ofSeconds(30), List.of(
                new org.hyperhash.translator.sv2.PoolEndpoint("pool0", "127.0.0.1", pool.port(), "")))
                .withSv1Warmup(sessions, maxTime);
    }

    @Test
    void theWarmupRunsBeforeAcceptingAndLeavesNoTrace() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        translator = new TranslatorDaemon(config(false, 300, Duration.ofSeconds(30)), InstantSource.system(), false);
        translator.start();
        Harness.await("accepting after the warm-up", translator::accepting, Duration.ofSeconds(40));
        Harness.await("ready", translator::ready, Duration.ofSeconds(10));
        assertTrue(translator.readinessChecks().get("sv1_accepting"));
        Harness.await("warm-up result", () -> translator.warmup() != null, Duration.ofSeconds(5));
        assertEquals(300, translator.warmup().sessions(), String.valueOf(translator.warmup()));
        assertEquals("sessions done", translator.warmup().stop());
        List<FakeSv1Miner> two = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.CGMINER);
            miners.add(m);
            two.add(m);
            m.handshake("bc1qwarm.w" + i);
            assertNotNull(m.awaitJob(Duration.ofSeconds(10)));
        }
        assertTrue(two.get(1).mineAndSubmit(5_000_000).result().asBoolean(), "shares still accepted");
        assertEquals(2, translator.metrics().connections());
        assertEquals(2.0, translator.registry().get("hh.translator.sv1.connections.opened").counter().count(),
                "warm-up sessions are not counted as SV1 connections");
        assertEquals(1, pool.connections(), "one upstream channel: the warm-up sent nothing upstream");
        assertEquals(2, (int) translator.<Integer>query(b -> b.minerCount()), "the real bridge has the two miners only");
    }

    @Test
    void aMinerWaitingInTheBacklogCutsTheWarmupShort() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        // a warm-up that would run for its whole 50 s: the waiting miner must end it
        translator = new TranslatorDaemon(config(false, 100_000, Duration.ofSeconds(50)), InstantSource.system(), false);
        translator.start();
        FakeSv1Miner early = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.CGMINER); // queued by the kernel
        miners.add(early);
        Harness.await("accepting once a miner waits", translator::accepting, Duration.ofSeconds(20));
        early.handshake("bc1qwarm.early");
        assertNotNull(early.awaitJob(Duration.ofSeconds(10)), "the miner that waited in the backlog gets work");
        Harness.await("warm-up result", () -> translator.warmup() != null, Duration.ofSeconds(20));
        assertTrue(translator.warmup().stop().contains("miners waiting"), String.valueOf(translator.warmup()));
        assertEquals(1.0, translator.registry().get("hh.translator.sv1.connections.opened").counter().count());
    }

    @Test
    void untilJitIdleRunsAtLeastItsSessionsThenStopsAndAccepts() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        translator = new TranslatorDaemon(config(false, 200, Duration.ofSeconds(8)).withSv1Warmup(200, Duration.ofSeconds(8),
                true), InstantSource.system(), false);
        translator.start();
        Harness.await("accepting after the warm-up", translator::accepting, Duration.ofSeconds(20));
        Harness.await("warm-up result", () -> translator.warmup() != null, Duration.ofSeconds(5));
        assertTrue(translator.warmup().sessions() >= 200, String.valueOf(translator.warmup()));
        assertTrue(List.of("sessions done, JIT idle", "time limit").contains(translator.warmup().stop()),
                String.valueOf(translator.warmup()));
        FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.CGMINER);
        miners.add(m);
        m.handshake("bc1qwarm.idle");
        assertNotNull(m.awaitJob(Duration.ofSeconds(10)));
        assertEquals(1.0, translator.registry().get("hh.translator.sv1.connections.opened").counter().count(),
                "warm-up sessions are not counted as SV1 connections");
    }

    @Test
    void aWarmupOverItsTimeLimitStillAccepts() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        translator = new TranslatorDaemon(config(false, 100_000, Duration.ofMillis(300)), InstantSource.system(), false);
        translator.start();
        Harness.await("accepting after the time limit", translator::accepting, Duration.ofSeconds(10));
        FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.CGMINER);
        miners.add(m);
        m.handshake("bc1qwarm.limit");
        assertNotNull(m.awaitJob(Duration.ofSeconds(10)));
    }

    @Test
    void perMinerModeSkipsTheWarmupAndAccepts() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        translator = new TranslatorDaemon(config(true, 500, Duration.ofSeconds(30)), InstantSource.system(), false);
        translator.start();
        Harness.await("accepting", translator::accepting, Duration.ofSeconds(10));
        FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.CGMINER);
        miners.add(m);
        m.handshake("bc1qwarm.perminer");
        assertNotNull(m.awaitJob(Duration.ofSeconds(10)));
        assertEquals(1.0, translator.registry().get("hh.translator.sv1.connections.opened").counter().count());
    }

    @Test
    void offByDefaultInCodeAndAcceptingAtOnce() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        TranslatorConfig c = Harness.config(1e-5, Duration.ofSeconds(30), pool.port());
        assertEquals(0, c.sv1WarmupSessions());
        translator = new TranslatorDaemon(c, InstantSource.system(), false);
        translator.start();
        assertTrue(translator.accepting(), "no warm-up: accepting when start() returns");
        assertFalse(translator.readinessChecks().isEmpty());
    }
}
