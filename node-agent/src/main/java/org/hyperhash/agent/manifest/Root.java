package org.hyperhash.agent.manifest;

import org.hyperhash.agent.json.Fields;

import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The root of trust (TUF-like): which Ed25519 keys may sign releases and how many must agree.
 * {@code {"_type":"root","spec":1,"version":N,"expires":"RFC 3339 UTC","threshold":k,"keys":{"<keyid>":"<base64 raw public key>"}}}.
 * A new root (version N+1) is accepted only when signed by k of the old root's keys and by its own k'
 * of its own keys.
 *
 * @param version   strictly increasing root version (starts at 1)
 * @param expires   after this instant the root is no longer trusted (freeze protection)
 * @param threshold signatures needed (1 ≤ k ≤ number of keys)
 * @param keys      key id → public key (ids verified against the keys)
 */
public record Root(long version, Instant expires, int threshold, Map<String, PublicKey> keys) {
    public static final String TYPE = "root";

    public Root {
        keys = Map.copyOf(keys);
    }

    /** Validates the body of a signed root (signatures are checked by {@link Verifier}). */
    public static Root of(Signed doc) throws RefusedException {
        Map<String, Object> b = doc.signed();
        try {
            if (!TYPE.equals(doc.type())) {
                throw new Fields.FieldException("root._type must be \"root\", got \"" + doc.type() + "\"");
            }
            long version = Fields.integer(b, "root", "version");
            if (version < 1) {
                throw new Fields.FieldException("root.version must be >= 1");
            }
            Instant expires = instant(Fields.string(b, "root", "expires"), "root.expires");
            long threshold = Fields.integer(b, "root", "threshold");
            Map<String, PublicKey> keys = new LinkedHashMap<>();
            for (var e : Fields.object(b, "root", "keys").entrySet()) {
                if (!(e.getValue() instanceof String s)) {
                    throw new Fields.FieldException("root.keys." + e.getKey() + " must be a base64 string");
                }
                byte[] raw;
                try {
                    raw = Base64.getDecoder().decode(s);
                } catch (IllegalArgumentException ex) {
                    throw new Fields.FieldException("root.keys." + e.getKey() + " is not base64");
                }
                if (!Ed25519.keyId(raw).equals(e.getKey())) {
                    throw new Fields.FieldException("root.keys." + e.getKey() + ": key id is not the SHA-256 of the key");
                }
                keys.put(e.getKey(), Ed25519.publicFromRaw(raw));
            }
            if (threshold < 1 || threshold > keys.size()) {
                throw new Fields.FieldException("root.threshold must be between 1 and the number of keys (" + keys.size() + ")");
            }
            return new Root(version, expires, (int) threshold, keys);
        } catch (IllegalArgumentException e) {
            throw new RefusedException(Reason.MALFORMED, "malformed root: " + e.getMessage());
        }
    }

    static Instant instant(String s, String field) {
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new Fields.FieldException(field + " must be an RFC 3339 UTC time like 2030-01-01T00:00:00Z");
        }
    }
}
