package org.hyperhash.agent.manifest;

import java.security.PublicKey;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Threshold signature, expiry and rotation checks (TUF-like). Pure functions: time comes in.
 */
public final class Verifier {
    private Verifier() {
    }

    /**
     * Checks that at least {@code root.threshold()} distinct keys of {@code root} produced valid
     * signatures over the canonical body. Signatures by unknown keys are ignored (they neither count
     * nor fail); an invalid signature by a trusted key is reported as {@link Reason#BAD_SIGNATURE} if
     * the threshold is then not met.
     */
    public static void checkThreshold(Signed doc, Root root, String what) throws RefusedException {
        byte[] body = doc.canonicalBody();
        Set<String> valid = new HashSet<>();
        int bad = 0;
        for (Signed.Sig s : doc.signatures()) {
            PublicKey k = root.keys().get(s.keyId());
            if (k == null || valid.contains(s.keyId())) {
                continue;
            }
            if (Ed25519.verify(k, body, s.sig())) {
                valid.add(s.keyId());
            } else {
                bad++;
            }
        }
        if (valid.size() >= root.threshold()) {
            return;
        }
        if (bad > 0) {
            throw new RefusedException(Reason.BAD_SIGNATURE, what + ": " + bad + " signature(s) by trusted keys do not verify; "
                    + valid.size() + " valid of threshold " + root.threshold() + " (root v" + root.version() + ")");
        }
        throw new RefusedException(Reason.BELOW_THRESHOLD, what + ": " + valid.size() + " valid signature(s) by trusted keys, threshold is "
                + root.threshold() + " (root v" + root.version() + ")");
    }

    /** Refuses a document whose expiry is not after {@code now}. */
    public static void checkNotExpired(Instant expires, Instant now, String what) throws RefusedException {
        if (!now.isBefore(expires)) {
            throw new RefusedException(Reason.EXPIRED, what + " expired at " + expires + " (now " + now + ")");
        }
    }

    /** Verifies a root signed by its own threshold (used for the pinned first root). */
    public static Root selfSignedRoot(Signed doc) throws RefusedException {
        Root r = Root.of(doc);
        checkThreshold(doc, r, "root v" + r.version());
        return r;
    }

    /**
     * Verifies a rotation: {@code next} must be exactly version {@code trusted.version()+1}, signed by the
     * threshold of the trusted (old) keys and by its own threshold of its new keys.
     */
    public static Root rotate(Root trusted, Signed next) throws RefusedException {
        Root r = Root.of(next);
        if (r.version() != trusted.version() + 1) {
            throw new RefusedException(Reason.ROTATION_REJECTED, "root rotation: expected version "
                    + (trusted.version() + 1) + ", got " + r.version());
        }
        try {
            checkThreshold(next, trusted, "root v" + r.version() + " (old keys of v" + trusted.version() + ")");
            checkThreshold(next, r, "root v" + r.version() + " (its new keys)");
        } catch (RefusedException e) {
            throw new RefusedException(Reason.ROTATION_REJECTED, "root rotation refused: " + e.getMessage());
        }
        return r;
    }

    /**
     * Full release check against the trusted root: threshold, expiry (manifest and root), version strictly
     * above {@code floorVersion} (the highest of installed and last trusted manifest).
     */
    public static Release release(Signed doc, Root root, java.net.URI base, Instant now, long floorVersion) throws RefusedException {
        Release rel = Release.of(doc, base);
        checkThreshold(doc, root, "release v" + rel.version());
        checkNotExpired(root.expires(), now, "trusted root v" + root.version());
        checkNotExpired(rel.expires(), now, "release v" + rel.version());
        if (rel.version() < floorVersion) {
            throw new RefusedException(Reason.OLDER_VERSION, "release v" + rel.version() + " is older than v" + floorVersion
                    + " already trusted/installed (rollback attack?)");
        }
        return rel;
    }
}
