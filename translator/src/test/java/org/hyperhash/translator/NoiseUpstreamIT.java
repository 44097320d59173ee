package org.hyperhash.translator;

import org.hyperhash.base.Bytes;
import org.hyperhash.sv2.netty.Sv2ErrorEvent;
import org.hyperhash.sv2.noise.AuthorityKeyPair;
import org.hyperhash.testkit.ManualClock;
import org.hyperhash.testkit.sv1.FakeSv1Miner;
import org.hyperhash.testkit.sv1.FirmwareProfile;
import org.hyperhash.translator.sv2.PoolEndpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SV2 upstream over Noise with the pool's authority key pinned (base58check, as in the config). */
@Timeout(60)
class NoiseUpstreamIT {
    private static final AuthorityKeyPair POOL_AUTHORITY = AuthorityKeyPair.generate(new SecureRandom());
    private static final AuthorityKeyPair OTHER_AUTHORITY = AuthorityKeyPair.generate(new SecureRandom());
    private static final int NOW = (int) (System.currentTimeMillis() / 1000);

    private static PoolEndpoint pinned(String name, FakeSv2Pool pool) {
        return new PoolEndpoint(name, "127.0.0.1", pool.port(), POOL_AUTHORITY.publicKey().toBase58());
    }

    @Test
    void sv1MinersMineThroughTheTranslatorOverNoise() throws Exception {
        try (FakeSv2Pool pool = new FakeSv2Pool(Bytes.fromHex("0e0e0e0e"), 1e-5, NOW)
                .noise(FakeSv2Pool.identity(POOL_AUTHORITY, Duration.ofHours(1)), InstantSource.system())) {
            pool.start(0);
            TranslatorDaemon t = new TranslatorDaemon(Harness.config(false, 1e-5, Duration.ofSeconds(20),
                    List.of(pinned("noise-pool", pool))), InstantSource.system(), false);
            try (t) {
                t.start();
                Harness.await("upstream ready over Noise", t::ready, Duration.ofSeconds(15));
                try (FakeSv1Miner a = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.ANTMINER);
                        FakeSv1Miner b = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.BITAXE)) {
                    a.handshake("bc1qnoise.a");
                    b.handshake("bc1qnoise.b");
                    a.awaitJob(Duration.ofSeconds(5));
                    b.awaitJob(Duration.ofSeconds(5));
                    assertTrue(a.mineAndSubmit(5_000_000).result().asBoolean());
                    assertTrue(b.mineAndSubmit(5_000_000).result().asBoolean());
                    Harness.await("two shares at the Noise pool", () -> pool.accepted.size() == 2, Duration.ofSeconds(5));
                    assertEquals(List.of(), pool.rejected);
                }
                Map<String, Object> status = t.status();
                assertNotNull(status.get("crypto_provider"), "the secp256k1 provider is shown in /v1/status");
                @SuppressWarnings("unchecked")
                Map<String, Object> p = (Map<String, Object>) ((Map<String, Object>) status.get("pools")).get("noise-pool");
                assertEquals(true, p.get("encrypted"));
                assertEquals(true, p.get("connected"));
                assertEquals(POOL_AUTHORITY.publicKey().toBase58(), p.get("authority_key"));
            }
        }
    }

    @Test
    void certificateFromAnotherAuthorityIsAPoolFailureNotABan() throws Exception {
        poolFailureThenRecovery(FakeSv2Pool.identity(OTHER_AUTHORITY, Duration.ofHours(1)), InstantSource.system(), null);
    }

    @Test
    void expiredCertificateIsAPoolFailureNotABan() throws Exception {
        // valid for 1 h from 2 h ago: expired for the translator's clock
        ManualClock past = ManualClock.ofEpochSecond(System.currentTimeMillis() / 1000 - 7200);
        poolFailureThenRecovery(FakeSv2Pool.identity(POOL_AUTHORITY, Duration.ofHours(1)), past, "CERTIFICATE_EXPIRED");
    }

    /**
     * The primary presents a bad certificate: the translator fails over to the backup, keeps retrying the
     * primary with back-off, and returns to it once it presents a good certificate.
     */
    private static void poolFailureThenRecovery(org.hyperhash.sv2.noise.ServerIdentity badId, InstantSource badClock,
            String detail) throws Exception {
        FakeSv2Pool primary = new FakeSv2Pool(Bytes.fromHex("0a0a0a0a"), 1e-5, NOW).noise(badId, badClock);
        FakeSv2Pool backup = new FakeSv2Pool(Bytes.fromHex("0b0b0b0b"), 1e-5, NOW)
                .noise(FakeSv2Pool.identity(POOL_AUTHORITY, Duration.ofHours(1)), InstantSource.system());
        try (primary; backup) {
            primary.start(0);
            backup.start(0);
            TranslatorDaemon t = new TranslatorDaemon(Harness.config(false, 1e-5, Duration.ofSeconds(20),
                    List.of(pinned("primary", primary), pinned("backup", backup))), InstantSource.system(), false);
            try (t) {
                t.start();
                Harness.await("on the backup", () -> backup.connections() == 1 && t.ready(), Duration.ofSeconds(15));
                assertEquals(0, primary.connections(), "no channel opened on a pool with a bad certificate");
                assertTrue(t.metrics().upstreamErrorCount(Sv2ErrorEvent.Kind.CERTIFICATE_REJECTED) >= 1);
                @SuppressWarnings("unchecked")
                Map<String, Object> p = (Map<String, Object>) ((Map<String, Object>) t.status().get("pools")).get("primary");
                String lastError = (String) p.get("last_error");
                assertTrue(lastError.startsWith("certificate_rejected"), lastError);
                if (detail != null) {
                    assertTrue(lastError.contains(detail), lastError);
                }
                try (FakeSv1Miner m = FakeSv1Miner.connect(t.sv1Address(), FirmwareProfile.WHATSMINER)) {
                    m.handshake("bc1qbackup.rig");
                    m.awaitJob(Duration.ofSeconds(5));
                    assertTrue(m.mineAndSubmit(5_000_000).result().asBoolean());
                    Harness.await("share at the backup", () -> backup.accepted.size() == 1, Duration.ofSeconds(5));

                    // never banned: the primary is probed again after its cooldown (2 s in the harness)
                    int attempts = primary.accepts.get();
                    Harness.await("primary retried", () -> primary.accepts.get() > attempts, Duration.ofSeconds(15));
                    assertEquals(1, backup.connections());

                    // the primary fixes its certificate: the translator switches back to it
                    primary.noise(FakeSv2Pool.identity(POOL_AUTHORITY, Duration.ofHours(1)), InstantSource.system());
                    Harness.await("back on the primary", () -> primary.connections() == 1, Duration.ofSeconds(20));
                    Harness.await("backup released", () -> backup.connections() == 0, Duration.ofSeconds(5));
                    Harness.await("job from the primary", () -> m.currentJob() != null, Duration.ofSeconds(5));
                    Harness.await("share at the primary", () -> {
                        try {
                            return m.mineAndSubmit(5_000_000).result().asBoolean() && primary.accepted.size() >= 1;
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, Duration.ofSeconds(10));
                }
            }
        }
    }
}
