package org.hyperhash.agent;

import org.hyperhash.agent.manifest.Ed25519;
import org.hyperhash.agent.manifest.KeyFiles.SigningKey;
import org.hyperhash.agent.manifest.Signed;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Builds signed roots and release manifests for tests (the same encoding `hh release` writes). */
final class Publisher {
    /** One artifact: name, content, served at url (relative to the manifest). */
    record Art(String name, byte[] content, String url) {
    }

    static SigningKey newKey() {
        KeyPair kp = Ed25519.generate();
        byte[] raw = Ed25519.rawPublic(kp.getPublic());
        return new SigningKey(kp.getPrivate(), raw, Ed25519.keyId(raw));
    }

    static List<SigningKey> keys(int n) {
        List<SigningKey> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(newKey());
        }
        return l;
    }

    static Signed root(long version, int threshold, List<SigningKey> keys, Instant expires, List<SigningKey> signers) {
        Map<String, Object> k = new TreeMap<>();
        keys.forEach(s -> k.put(s.keyId(), Base64.getEncoder().encodeToString(s.rawPublic())));
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("_type", "root");
        b.put("spec", 1L);
        b.put("version", version);
        b.put("expires", expires.toString());
        b.put("threshold", (long) threshold);
        b.put("keys", k);
        return sign(new Signed(b, List.of()), signers);
    }

    static Signed release(long version, String label, Instant expires, List<Art> arts, List<String> units,
                          List<SigningKey> signers) {
        return release(version, label, expires, arts, units, signers, null);
    }

    /** {@code ledger}: the manifest's optional {@code {"schema":N,"compatible_from":M}}, or null. */
    static Signed release(long version, String label, Instant expires, List<Art> arts, List<String> units,
                          List<SigningKey> signers, Map<String, Object> ledger) {
        List<Object> a = new ArrayList<>();
        for (Art x : arts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", x.name());
            m.put("length", (long) x.content().length);
            m.put("sha256", sha256(x.content()));
            m.put("url", x.url());
            a.add(m);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("_type", "release");
        b.put("spec", 1L);
        b.put("version", version);
        b.put("release", label);
        b.put("expires", expires.toString());
        if (!units.isEmpty()) {
            b.put("units", units);
        }
        b.put("artifacts", a);
        if (ledger != null) {
            b.put("ledger", ledger);
        }
        return sign(new Signed(b, List.of()), signers);
    }

    static Signed sign(Signed doc, List<SigningKey> signers) {
        for (SigningKey s : signers) {
            doc = doc.signWith(s.privateKey(), s.rawPublic());
        }
        return doc;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
