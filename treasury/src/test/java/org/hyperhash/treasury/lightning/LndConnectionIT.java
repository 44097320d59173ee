package org.hyperhash.treasury.lightning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The LND connection against the TLS + macaroon stand-in: macaroon rotation and operator-facing errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LndConnectionIT {
    @TempDir
    Path tmp;
    final HexFormat hex = HexFormat.of();
    FakeLnd lnd;
    LndGrpcNode node;
    Path macaroon;

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    @BeforeEach
    void start() throws Exception {
        byte[] mac = random(40);
        lnd = new FakeLnd(tmp, hex.formatHex(mac));
        macaroon = tmp.resolve("admin.macaroon");
        Files.write(macaroon, mac);
        node = new LndGrpcNode("127.0.0.1", lnd.port(), lnd.certPem, macaroon, null, Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() throws Exception {
        node.close();
        lnd.close();
    }

    /** Writes a new macaroon of the same size with a later modification time (as LND's rotation does). */
    void rotate(byte[] mac) throws Exception {
        FileTime before = Files.getLastModifiedTime(macaroon);
        Files.write(macaroon, mac);
        Files.setLastModifiedTime(macaroon, FileTime.fromMillis(before.toMillis() + 1000));
    }

    @Test
    void rotatedMacaroonIsPickedUpWithoutARejectedCall() throws Exception {
        assertEquals("fake-lnd", node.getInfo().alias());
        byte[] next = random(40);
        lnd.macaroonHex = hex.formatHex(next); // LND now accepts only the new macaroon
        rotate(next);
        assertEquals("fake-lnd", node.getInfo().alias(), "the changed file was re-read before the call");
        assertEquals(Map.of("lnd", "127.0.0.1:" + lnd.port(), "macaroon_reloads", 1), node.describe());
        assertEquals(2, lnd.calls.get("GetInfo"), "both calls passed the macaroon check");
    }

    @Test
    void badMacaroonIsReportedWithoutLeakingItAndRecoversOnceFixed() throws Exception {
        String good = lnd.macaroonHex;
        Files.write(macaroon, new byte[] {1, 2, 3});
        LndException ex = assertThrows(LndException.class, node::getInfo);
        assertEquals(LndException.Kind.BAD_MACAROON, ex.getKind());
        assertTrue(ex.getMessage().contains("rejected the macaroon"), ex.getMessage());
        assertFalse(ex.getMessage().contains(good) || ex.getMessage().contains("010203"), ex.getMessage());
        rotate(hex.parseHex(good)); // fixed on disk: no restart needed
        assertEquals("fake-lnd", node.getInfo().alias());
    }

    @Test
    void missingMacaroonFileNamesTheFile() throws Exception {
        Files.delete(macaroon);
        LndException ex = assertThrows(LndException.class, node::getInfo);
        assertEquals(LndException.Kind.BAD_MACAROON, ex.getKind());
        assertTrue(ex.getMessage().contains("cannot read macaroon file " + macaroon), ex.getMessage());
        assertEquals(null, lnd.calls.get("GetInfo"), "no call reached LND");
    }

    @Test
    void lockedWalletUnreachableNodeAndWrongCertificateAreTold() throws Exception {
        lnd.walletLocked = true;
        LndException locked = assertThrows(LndException.class, node::getInfo);
        assertEquals(LndException.Kind.WALLET_LOCKED, locked.getKind());
        assertTrue(locked.getMessage().contains("is locked: unlock it"), locked.getMessage());
        lnd.walletLocked = false;
        assertEquals("fake-lnd", node.getInfo().alias());

        try (LndGrpcNode dead = new LndGrpcNode("127.0.0.1", 1, lnd.certPem, macaroon, null, Duration.ofSeconds(2))) {
            LndException ex = assertThrows(LndException.class, dead::getInfo);
            assertEquals(LndException.Kind.UNREACHABLE, ex.getKind());
            assertEquals("LND unreachable at 127.0.0.1:1", ex.getMessage());
        }

        Path otherDir = Files.createDirectories(tmp.resolve("other"));
        try (FakeLnd other = new FakeLnd(otherDir, lnd.macaroonHex);
             LndGrpcNode pinnedElsewhere = new LndGrpcNode("127.0.0.1", lnd.port(), other.certPem, macaroon, null, Duration.ofSeconds(2))) {
            LndException ex = assertThrows(LndException.class, pinnedElsewhere::getInfo);
            assertEquals(LndException.Kind.TLS, ex.getKind(), ex.getMessage());
        }

        Path garbage = Files.writeString(tmp.resolve("garbage.cert"), "not a certificate");
        LndException tls = assertThrows(LndException.class,
                () -> new LndGrpcNode("127.0.0.1", lnd.port(), garbage, macaroon, null, Duration.ofSeconds(2)));
        assertEquals(LndException.Kind.TLS, tls.getKind());
        assertTrue(tls.getMessage().contains("cannot load LND TLS certificate"), tls.getMessage());
    }

    @Test
    void lndDownThenBackIsReachableAgainWithoutANewChannel() throws Exception {
        assertEquals("fake-lnd", node.getInfo().alias());
        lnd.stop();
        assertEquals(LndException.Kind.UNREACHABLE, assertThrows(LndException.class, node::getInfo).getKind());
        lnd.startAgain();
        assertEquals("fake-lnd", node.getInfo().alias(), "no waiting out the reconnect back-off");
    }
}
