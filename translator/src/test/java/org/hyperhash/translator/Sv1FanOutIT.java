package org.hyperhash.translator;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.sv1.Sv1Message;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job fan-out over real sockets with two SV1 event loops (the bridge runs on one of them, so miners sit both on
 * the bridge's loop and on the other): every miner gets each new block's clean notify once, the same job, in order
 * after its earlier lines, and keeps being served (a share after the block).
 */
@org.junit.jupiter.api.Timeout(60)
class Sv1FanOutIT {
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

    @Test
    void everyMinerOnEitherLoopGetsEachNewBlockOnceAndInOrder() throws Exception {
        pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        pool.start(0);
        TranslatorConfig c = Harness.config(1e-5, Duration.ofSeconds(30), pool.port());
        c = new TranslatorConfig(c.sv1Listen(), c.maxLineBytes(), c.maxPendingRequests(), c.idleTimeout(), c.bridge(),
                c.pools(), c.connectTimeout(), c.backoffInitial(), c.backoffMax(), c.cooldown(), c.adminListen(), c.tick(), 2);
        translator = new TranslatorDaemon(c, InstantSource.system(), false);
        translator.start();
        Harness.await("upstream ready", translator::ready, Duration.ofSeconds(10));
        for (int i = 0; i < 6; i++) { // round-robin over the 2 loops: 3 miners on each
            FakeSv1Miner m = FakeSv1Miner.connect(translator.sv1Address(), FirmwareProfile.CGMINER);
            miners.add(m);
            m.handshake("bc1qfanout.rig" + i);
            assertTrue(m.awaitJob(Duration.ofSeconds(10)) != null, "first job");
        }
        for (FakeSv1Miner m : miners) {
            Optional<Sv1Message.Request> first = m.awaitNotification("mining.notify", Duration.ofSeconds(5));
            assertTrue(first.isPresent(), "the first job arrived as a notification");
        }
        String previous = miners.getFirst().currentJob().jobId();
        for (int block = 0; block < 3; block++) {
            pool.newBlock();
            MiningNotify expected = null;
            for (FakeSv1Miner m : miners) {
                Sv1Message.Request n = m.awaitNotification("mining.notify", Duration.ofSeconds(10)).orElseThrow(
                        () -> new AssertionError("no notify after the block"));
                MiningNotify job = MiningNotify.fromParams(n.params());
                assertTrue(job.cleanJobs(), "a new block is a clean job");
                assertNotEquals(previous, job.jobId());
                if (expected == null) {
                    expected = job;
                } else {
                    assertEquals(expected, job, "the same bytes to every miner");
                }
            }
            previous = expected.jobId();
            Thread.sleep(100);
            for (FakeSv1Miner m : miners) {
                assertTrue(m.drainNotifications().stream().noneMatch(r -> r.method().equals("mining.notify")),
                        "one notify per block");
            }
        }
        for (FakeSv1Miner m : miners) {
            Sv1Message.Response r = m.mineAndSubmit(5_000_000);
            assertTrue(r.result().asBoolean(), String.valueOf(r));
        }
    }
}
