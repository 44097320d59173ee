package org.hyperhash.agent;

import org.hyperhash.agent.manifest.Ed25519;
import org.hyperhash.agent.manifest.KeyFiles.SigningKey;
import org.hyperhash.agent.manifest.Reason;
import org.hyperhash.agent.manifest.RefusedException;
import org.hyperhash.agent.manifest.Release;
import org.hyperhash.agent.manifest.Root;
import org.hyperhash.agent.manifest.Signed;
import org.hyperhash.agent.manifest.Verifier;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VerifierTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant LATER = NOW.plus(Duration.ofDays(30));
    private final List<SigningKey> keys = Publisher.keys(3);
    private final Signed rootDoc = Publisher.root(1, 2, keys, LATER, keys.subList(0, 2));
    private final URI base = URI.create("https://core.example/releases/release.json");

    private Signed release(long v, List<SigningKey> signers) {
        return Publisher.release(v, "0.2.0", LATER, List.of(new Publisher.Art("hh", "x".getBytes(StandardCharsets.UTF_8), "a/hh")),
                List.of(), signers);
    }

    private Root root() throws RefusedException {
        return Verifier.selfSignedRoot(rootDoc);
    }

    @Test
    void rfc8032TestVector1() {
        // RFC 8032 section 7.1, TEST 1 (empty message)
        HexFormat h = HexFormat.of();
        byte[] pkcs8 = h.parseHex("302e020100300506032b657004220420"
                + "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        byte[] sig = Ed25519.sign(Ed25519.privateFromPkcs8(pkcs8), new byte[0]);
        assertArrayEquals(h.parseHex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"), sig);
        var pub = Ed25519.publicFromRaw(h.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
        assertTrue(Ed25519.verify(pub, new byte[0], sig));
    }

    @Test
    void thresholdMetAcceptsAndResolvesUrls() throws Exception {
        Release r = Verifier.release(release(5, keys.subList(1, 3)), root(), base, NOW, 4);
        assertEquals(5, r.version());
        assertEquals(URI.create("https://core.example/releases/a/hh"), r.artifacts().getFirst().url());
        assertEquals("0.2.0-r5", r.dirName());
    }

    @Test
    void belowThresholdRefused() {
        var e = assertThrows(RefusedException.class, () -> Verifier.release(release(5, keys.subList(0, 1)), root(), base, NOW, 0));
        assertEquals(Reason.BELOW_THRESHOLD, e.reason());
    }

    @Test
    void sameKeyTwiceCountsOnceAndUnknownKeysDoNotCount() throws Exception {
        Signed once = release(5, List.of(keys.getFirst(), Publisher.newKey()));
        List<Signed.Sig> dup = new ArrayList<>(once.signatures());
        dup.add(once.signatures().getFirst());
        var e = assertThrows(RefusedException.class, () -> Verifier.release(new Signed(once.signed(), dup), root(), base, NOW, 0));
        assertEquals(Reason.BELOW_THRESHOLD, e.reason());
    }

    @Test
    void badSignatureRefused() {
        Signed good = release(5, keys.subList(0, 2));
        List<Signed.Sig> sigs = new ArrayList<>(good.signatures());
        byte[] flipped = sigs.get(1).sig().clone();
        flipped[10] ^= 1;
        sigs.set(1, new Signed.Sig(sigs.get(1).keyId(), flipped));
        var e = assertThrows(RefusedException.class, () -> Verifier.release(new Signed(good.signed(), sigs), root(), base, NOW, 0));
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
    }

    @Test
    void signaturesOfAnotherManifestDoNotTransfer() {
        Signed v5 = release(5, keys.subList(0, 2));
        Signed v6 = release(6, List.of());
        var e = assertThrows(RefusedException.class, () -> Verifier.release(new Signed(v6.signed(), v5.signatures()), root(), base, NOW, 0));
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
    }

    @Test
    void expiredAndOlderRefused() throws Exception {
        var e = assertThrows(RefusedException.class, () -> Verifier.release(release(5, keys.subList(0, 2)), root(), base, LATER, 0));
        assertEquals(Reason.EXPIRED, e.reason());
        var o = assertThrows(RefusedException.class, () -> Verifier.release(release(5, keys.subList(0, 2)), root(), base, NOW, 6));
        assertEquals(Reason.OLDER_VERSION, o.reason());
        Signed expiredRoot = Publisher.root(1, 2, keys, NOW.minusSeconds(1), keys.subList(0, 2));
        var r = assertThrows(RefusedException.class, () -> Verifier.release(release(5, keys.subList(0, 2)),
                Verifier.selfSignedRoot(expiredRoot), base, NOW, 0));
        assertEquals(Reason.EXPIRED, r.reason());
    }

    @Test
    void rotationNeedsOldAndNewThresholds() throws Exception {
        List<SigningKey> fresh = Publisher.keys(2);
        List<SigningKey> both = new ArrayList<>(keys.subList(0, 2));
        both.addAll(fresh);
        Root r2 = Verifier.rotate(root(), Publisher.root(2, 2, fresh, LATER, both));
        assertEquals(2, r2.version());
        // the new keys now sign releases; the old ones no longer do
        Verifier.release(release(7, fresh), r2, base, NOW, 0);
        assertEquals(Reason.BELOW_THRESHOLD, assertThrows(RefusedException.class,
                () -> Verifier.release(release(7, keys.subList(0, 2)), r2, base, NOW, 0)).reason());
        // signed only by the new keys (an attacker's self-made root), or only one old key, or skipping a version
        for (Signed bad : List.of(Publisher.root(2, 2, fresh, LATER, fresh),
                Publisher.root(2, 2, fresh, LATER, List.of(keys.getFirst(), fresh.get(0), fresh.get(1))),
                Publisher.root(2, 2, fresh, LATER, keys.subList(0, 2)),
                Publisher.root(3, 2, fresh, LATER, both))) {
            assertEquals(Reason.ROTATION_REJECTED, assertThrows(RefusedException.class, () -> Verifier.rotate(root(), bad)).reason());
        }
    }

    @Test
    void malformedFieldsAreNamed() {
        Signed noArtifacts = new Signed(java.util.Map.of("_type", "release", "version", 1L, "release", "x",
                "expires", LATER.toString(), "artifacts", List.of()), List.of());
        var e = assertThrows(RefusedException.class, () -> Release.of(noArtifacts, base));
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("release.artifacts"), e.getMessage());
        Signed escape = Publisher.release(1, "x", LATER, List.of(new Publisher.Art("../etc/passwd", new byte[1], "u")), List.of(), List.of());
        var p = assertThrows(RefusedException.class, () -> Release.of(escape, base));
        assertTrue(p.getMessage().contains("release.artifacts[0].name"), p.getMessage());
        var t = assertThrows(RefusedException.class, () -> Signed.parse("{\"signed\":{},\"signatures\":[{\"keyid\":1}]}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(t.getMessage().contains("signatures[0].keyid"), t.getMessage());
    }
}
