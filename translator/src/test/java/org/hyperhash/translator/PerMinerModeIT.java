package org.hyperhash.translator;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.message.mining.OpenExtendedMiningChannel;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.InstantSource;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** upstream.mode = per-miner: each SV1 miner gets its own extended channel under its own <address>.<worker>. */
@org.junit.jupiter.api.Timeout(60)
class PerMinerModeIT {

    @Test
    void eachMinerMinesOnItsOwnChannelUnderItsOwnIdentity() throws Exception {
        try (FakeSv2Pool pool = new FakeSv2Pool(Bytes.fromHex("01000002"), 1e-5, (int) (System.currentTimeMillis() / 1000))) {
            pool.start(0);
            TranslatorDaemon t = new TranslatorDaemon(Harness.config(true, 1e-5, Duration.ofSeconds(30), pool.port()),
                    InstantSource.system(), false);
            try (t;
                    FakeSv1Miner a = FakeSv1Miner.connect(waitStarted(t).sv1Address(), FirmwareProfile.ANTMINER);
                    FakeSv1Miner b = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.WHATSMINER)) {
                a.handshake("bc1qalice.rig1");
                b.handshake("bc1qbob.rig7");
                a.awaitJob(Duration.ofSeconds(5));
                b.awaitJob(Duration.ofSeconds(5));
                assertTrue(a.mineAndSubmit(5_000_000).result().asBoolean());
                assertTrue(b.mineAndSubmit(5_000_000).result().asBoolean());
                Harness.await("two shares at the pool", () -> pool.accepted.size() == 2, Duration.ofSeconds(5));
                assertEquals(Set.of("bc1qalice.rig1", "bc1qbob.rig7"),
                        pool.opens.stream().map(OpenExtendedMiningChannel::userIdentity).collect(Collectors.toSet()));
                assertEquals(2, pool.accepted.stream().map(s -> s.channelId()).distinct().count());
                a.close();
                Harness.await("alice's channel closed upstream", () -> pool.closes.size() == 1, Duration.ofSeconds(5));
            }
        }
    }

    private static TranslatorDaemon waitStarted(TranslatorDaemon t) throws Exception {
        t.start();
        Harness.await("upstream ready", t::ready, Duration.ofSeconds(10));
        return t;
    }
}
