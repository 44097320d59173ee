package org.hyperhash.translator;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv1.MiningNotify;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kill the primary pool mid-run: miners continue on the backup; the primary is retried after its cooldown. */
@org.junit.jupiter.api.Timeout(60)
class FailoverIT {

    @Test
    void primaryKilledMinersContinueOnBackupThenPrimaryRetriedAfterCooldown() throws Exception {
        int now = (int) (System.currentTimeMillis() / 1000);
        FakeSv2Pool primary = new FakeSv2Pool(Bytes.fromHex("0a0a0a0a"), 1e-5, now);
        FakeSv2Pool backup = new FakeSv2Pool(Bytes.fromHex("0b0b0b0b"), 1e-5, now);
        FakeSv2Pool primaryAgain = null;
        primary.start(0);
        backup.start(0);
        int primaryPort = primary.port();
        TranslatorDaemon t = new TranslatorDaemon(Harness.config(1e-5, Duration.ofSeconds(20), primaryPort, backup.port()),
                InstantSource.system(), false);
        try (t; backup) {
            t.start();
            Harness.await("on primary", () -> primary.connections() == 1, Duration.ofSeconds(10));
            try (FakeSv1Miner m = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.ANTMINER)) {
                m.handshake("bc1qfail.rig");
                MiningNotify first = m.awaitJob(Duration.ofSeconds(5));
                assertTrue(m.mineAndSubmit(5_000_000).result().asBoolean());
                Harness.await("share at primary", () -> primary.accepted.size() == 1, Duration.ofSeconds(5));
                Bytes en1 = m.extranonce1();

                primary.close();
                Harness.await("on backup", () -> backup.connections() == 1 && t.ready(), Duration.ofSeconds(10));
                Harness.await("clean job from backup", () -> m.currentJob() != first && m.currentJob().cleanJobs(),
                        Duration.ofSeconds(5));
                assertEquals(en1, m.extranonce1(), "extranonce1 kept across the failover");
                assertTrue(m.mineAndSubmit(5_000_000).result().asBoolean());
                Harness.await("share at backup", () -> backup.accepted.size() == 1, Duration.ofSeconds(5));
                assertNull(m.reconnectParams(), "the miner was never disconnected");
                assertEquals(1.0, t.metrics().failoverCount());

                // primary comes back on the same port: probed after the 2 s cooldown, translator switches back
                primaryAgain = new FakeSv2Pool(Bytes.fromHex("0c0c0c0c"), 1e-5, now);
                primaryAgain.start(primaryPort);
                FakeSv2Pool back = primaryAgain;
                MiningNotify onBackup = m.currentJob();
                Harness.await("back on primary", () -> back.connections() == 1, Duration.ofSeconds(15));
                Harness.await("new job from primary", () -> m.currentJob() != onBackup, Duration.ofSeconds(5));
                Harness.await("backup released", () -> backup.connections() == 0, Duration.ofSeconds(5));
                assertTrue(m.mineAndSubmit(5_000_000).result().asBoolean());
                Harness.await("share at the primary again", () -> back.accepted.size() == 1, Duration.ofSeconds(5));
                assertEquals(2.0, t.metrics().failoverCount());
                assertNotEquals(first.coinb1(), m.currentJob().coinb1());
            }
        } finally {
            if (primaryAgain != null) {
                primaryAgain.close();
            }
        }
    }

    @Test
    void withoutAnyPoolMinersGetClientReconnectAfterTheGracePeriodOnly() throws Exception {
        FakeSv2Pool only = new FakeSv2Pool(Bytes.fromHex("0a0a0a0a"), 1e-5, (int) (System.currentTimeMillis() / 1000));
        only.start(0);
        TranslatorDaemon t = new TranslatorDaemon(Harness.config(1e-5, Duration.ofSeconds(2), only.port()),
                InstantSource.system(), false);
        try (t; FakeSv1Miner m = FakeSv1Miner.connect(start(t).sv1Address(), FirmwareProfile.WHATSMINER)) {
            m.handshake("bc1qgrace.rig");
            m.awaitJob(Duration.ofSeconds(5));
            long lost = System.nanoTime();
            only.close();
            assertTrue(m.awaitClosed(Duration.ofSeconds(10)), "client.reconnect then close after the grace period");
            assertTrue(System.nanoTime() - lost >= Duration.ofMillis(1500).toNanos(), "not before the grace period");
            assertTrue(m.reconnectParams() != null, "client.reconnect received");
            assertTrue(!t.ready());
        }
    }

    private static TranslatorDaemon start(TranslatorDaemon t) throws Exception {
        t.start();
        Harness.await("upstream ready", t::ready, Duration.ofSeconds(10));
        return t;
    }
}
